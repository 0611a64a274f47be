// The playbook editor: every setting as a form control, saved with one PUT
// of the whole playbook (the server's answer is the stored playbook). A
// validation error from the server names its field; it is shown at the
// top and next to that control, which gets the focus.
//
// The form is a draft over the stored playbook and nothing replaces it
// behind the user's back: what is typed while a save is in flight stays
// (with the ids and times the server gave), Archive/Restore only bring
// their own fields in, and Duplicate or leaving the page ask first while
// there are unsaved changes.

import React, {useEffect, useRef, useState} from 'react';

import * as client from '../../../client';
import {ConfirmDialog, Dialog} from '../../../components/Dialog';
import type {Host} from '../../../host';
import {type FieldError, parseFieldError} from '../../../logic';
import type {Playbook} from '../../../types';
import {carryRowKeys, rebase} from '../editorLogic';
import {ChecklistsEditor} from './ChecklistsEditor';
import {MembershipSettings, PermissionSettings, RetrospectiveSettings, RunStartSettings, StatusSettings} from './Settings';
import {ErrorContext, Section, TextField} from '../../../components/fields';

const SECTIONS: Array<[string, string]> = [
    ['pb-basics', 'Basics'], ['pb-checklists', 'Checklists'], ['pb-status', 'Status updates'], ['pb-start', 'When a run starts'],
    ['pb-retro', 'Retrospective'], ['pb-membership', 'Channel membership'], ['pb-permissions', 'Permissions'],
];

export function PlaybookEditor({playbookId, host}: {playbookId: string; host: Host}) {
    const [pb, setPb] = useState<Playbook>();
    const [stored, setStored] = useState<Playbook>();
    const [error, setError] = useState<FieldError | null>(null);
    const [saved, setSaved] = useState(false);
    const [saving, setSaving] = useState(false);
    const [archiving, setArchiving] = useState(false);
    const [duplicating, setDuplicating] = useState(false);
    const form = useRef<HTMLFormElement>(null);
    const load = (p: Playbook) => {
        setPb(p);
        setStored(p);
    };
    useEffect(() => {
        client.playbooks.get(playbookId).then(load).catch((e) => setError(parseFieldError(e.message)));
    }, [playbookId]);
    useEffect(() => {
        // Move to the control the server complained about.
        if (error?.field) {
            form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
        }
    }, [error]);
    const dirty = pb !== undefined && JSON.stringify(pb) !== JSON.stringify(stored);
    useEffect(() => {
        if (!dirty) {
            return undefined;
        }
        // The browser's own "leave the page?" when closing or reloading with unsaved changes.
        const warn = (e: BeforeUnloadEvent) => {
            e.preventDefault();
            e.returnValue = '';
        };
        window.addEventListener('beforeunload', warn);
        return () => window.removeEventListener('beforeunload', warn);
    }, [dirty]);
    const fail = (e: unknown) => setError(parseFieldError(e instanceof Error ? e.message : String(e)));
    /** The server's playbook in, over `base` (what the draft was last in step with); the draft keeps what changed since. */
    const rebaseOn = (base: Playbook, server: Playbook) => {
        const fresh = carryRowKeys(base, server);
        setStored(fresh);
        setPb((draft) => (draft ? rebase(draft, base, fresh) : fresh));
    };
    if (!pb) {
        return (
            <div className='pb-page'>
                {error ? <div role='alert' className='pb-error'>{error.message}</div> : <p>Loading…</p>}
            </div>
        );
    }
    const change = (next: Playbook) => {
        setPb(next);
        setSaved(false);
    };
    /** Saves the draft as it is now; true when it was stored. */
    const saveDraft = async (): Promise<boolean> => {
        const sent = pb;
        setSaving(true);
        setSaved(false);
        try {
            const result = await client.playbooks.update(sent);
            // Older servers answer PUT with an empty body: fetch the stored playbook then.
            rebaseOn(sent, result && typeof result === 'object' && 'id' in result ? result : await client.playbooks.get(playbookId));
            setError(null);
            setSaved(true);
            return true;
        } catch (err) {
            fail(err);
            return false;
        } finally {
            setSaving(false);
        }
    };
    const save = (e: React.FormEvent) => {
        e.preventDefault();
        if (!saving) {
            saveDraft();
        }
    };
    /** Archive and Restore change delete_at (and update_at) only: those come in, edits stay. */
    const setArchived = (work: (id: string) => Promise<unknown>) => {
        const base = stored || pb;
        work(pb.id).then(() => client.playbooks.get(pb.id)).then((server) => rebaseOn(base, server)).catch(fail);
    };
    const duplicate = () => client.playbooks.duplicate(pb.id).then(({id}) => host.navigate(`/playbooks/playbooks/${id}`)).catch(fail);
    const archived = pb.delete_at > 0;
    return (
        <ErrorContext.Provider value={error}>
            <form ref={form} className='pb-page pb-editor' onSubmit={save} aria-labelledby='pb-editor-title' noValidate>
                <div className='pb-row pb-editor-head'>
                    <h1 id='pb-editor-title'>Edit playbook{archived && <span className='pb-badge'>archived</span>}</h1>
                    <span className='pb-actions'>
                        <button type='button' onClick={() => host.navigate('/playbooks')}>All playbooks</button>
                        <button type='button' onClick={() => host.navigate(`/playbooks/playbooks/${pb.id}/dashboard`)}>Dashboard</button>
                        <a href={client.playbooks.exportUrl(pb.id)} download>Export JSON</a>
                        {/* The copy is made from the stored playbook: with unsaved changes, ask first. */}
                        <button type='button' onClick={() => (dirty ? setDuplicating(true) : duplicate())}>Duplicate</button>
                        {archived ? (
                            <button type='button' onClick={() => setArchived(client.playbooks.restore)}>Restore</button>
                        ) : (
                            <button type='button' className='pb-danger' onClick={() => setArchiving(true)}>Archive</button>
                        )}
                    </span>
                </div>
                {error && (
                    <div role='alert' className='pb-error'>
                        {error.field ? <>Could not save: <code>{error.field}</code> {error.message}</> : error.message}
                        {' '}<button type='button' aria-label='Dismiss' onClick={() => setError(null)}>×</button>
                    </div>
                )}
                <nav aria-label='Playbook settings' className='pb-toc'>
                    {SECTIONS.map(([id, label]) => <a key={id} href={`#${id}`}>{label}</a>)}
                </nav>
                <Section title='Basics' id='pb-basics'>
                    <TextField label='Title' path='title' value={pb.title} onChange={(title) => change({...pb, title})}/>
                    <TextField label='Description' path='description' multiline value={pb.description}
                        onChange={(description) => change({...pb, description})} hint='Markdown.'/>
                </Section>
                <Section title='Checklists' id='pb-checklists'>
                    <ChecklistsEditor pb={pb} setPb={change} host={host}/>
                </Section>
                <StatusSettings pb={pb} setPb={change} host={host}/>
                <RunStartSettings pb={pb} setPb={change} host={host}/>
                <RetrospectiveSettings pb={pb} setPb={change} host={host}/>
                <MembershipSettings pb={pb} setPb={change} host={host}/>
                <PermissionSettings pb={pb} setPb={change} host={host}/>
                <div className='pb-savebar'>
                    <button type='submit' className='pb-primary' disabled={saving}>Save</button>
                    <span role='status' className='pb-muted'>{saving ? 'Saving…' : saved && !dirty ? 'Saved.' : dirty ? 'Unsaved changes' : ''}</span>
                </div>
                {archiving && (
                    <ConfirmDialog title={`Archive ${pb.title}?`} confirmLabel='Archive' danger onCancel={() => setArchiving(false)} onConfirm={() => {
                        setArchiving(false);
                        setArchived(client.playbooks.archive);
                    }}>
                        <p>No new runs can start from it; you can restore it later.</p>
                    </ConfirmDialog>
                )}
                {duplicating && (
                    <Dialog title='Duplicate with unsaved changes?' onClose={() => setDuplicating(false)}>
                        <p>The copy is made from the saved playbook. Save your changes first to include them.</p>
                        <div className='pb-actions pb-dialog-actions'>
                            <button type='button' onClick={() => setDuplicating(false)}>Cancel</button>
                            <button type='button' onClick={() => {
                                setDuplicating(false);
                                duplicate();
                            }}>Duplicate without saving</button>
                            <button type='button' data-autofocus className='pb-primary' disabled={saving} onClick={async () => {
                                setDuplicating(false);
                                if (await saveDraft()) {
                                    await duplicate();
                                }
                            }}>Save and duplicate</button>
                        </div>
                    </Dialog>
                )}
            </form>
        </ErrorContext.Provider>
    );
}
