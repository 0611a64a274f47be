// The playbook editor: every setting as a form control, saved with one PUT
// of the whole playbook (the server's answer is the stored playbook). A
// validation error from the server names its field; it is shown at the
// top and next to that control, which gets the focus.

import React, {useEffect, useRef, useState} from 'react';

import * as client from '../../../client';
import {ConfirmDialog} from '../../../components/Dialog';
import type {Host} from '../../../host';
import {type FieldError, parseFieldError} from '../../../logic';
import type {Playbook} from '../../../types';
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
    const fail = (e: unknown) => setError(parseFieldError(e instanceof Error ? e.message : String(e)));
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
    const dirty = JSON.stringify(pb) !== JSON.stringify(stored);
    const save = async (e: React.FormEvent) => {
        e.preventDefault();
        setSaving(true);
        setSaved(false);
        try {
            const result = await client.playbooks.update(pb);
            // Older servers answer PUT with an empty body: fetch the stored playbook then.
            load(result && typeof result === 'object' && 'id' in result ? result : await client.playbooks.get(playbookId));
            setError(null);
            setSaved(true);
        } catch (err) {
            fail(err);
        } finally {
            setSaving(false);
        }
    };
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
                        <button type='button' onClick={() => client.playbooks.duplicate(pb.id)
                            .then(({id}) => host.navigate(`/playbooks/playbooks/${id}`)).catch(fail)}>Duplicate</button>
                        {archived ? (
                            <button type='button' onClick={() => client.playbooks.restore(pb.id).then(() => client.playbooks.get(pb.id)).then(load).catch(fail)}>Restore</button>
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
                        client.playbooks.archive(pb.id).then(() => client.playbooks.get(pb.id)).then(load).catch(fail);
                    }}>
                        <p>No new runs can start from it; you can restore it later.</p>
                    </ConfirmDialog>
                )}
            </form>
        </ErrorContext.Provider>
    );
}
