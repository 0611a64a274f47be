// The channel actions editor, opened from the channel header menu: a
// keyword trigger that offers to run a playbook (keywords, playbook, match
// mode), a welcome message for newcomers, and filing the channel in a
// sidebar category for them. Rendered by a root component so it can open
// over any channel; errors from the server show next to the field they
// name (`payload.keywords: add at least one keyword`).

import React, {useEffect, useState, useSyncExternalStore} from 'react';

import * as client from '../client';
import {Dialog} from '../components/Dialog';
import {ErrorContext, ListField, SelectField, TextField, Toggle} from '../components/fields';
import type {Host} from '../host';
import {type FieldError, parseFieldError} from '../logic';
import type {ChannelAction} from '../types';
import {type ActionsForm, type MatchMode, formFromActions, requestsFor} from './logic';
import {closeChannelActions, openChannelId, subscribe} from './state';

const MATCH_MODES: Array<[MatchMode, string]> = [['word', 'Whole words, any case'], ['substring', 'Exact text anywhere (case-sensitive)']];

/** Registered with registerRootComponent: renders the editor while one is open. */
export function ChannelActionsRoot({host}: {host: Host}) {
    const channelId = useSyncExternalStore(subscribe, openChannelId);
    return channelId ? <ChannelActionsModal key={channelId} channelId={channelId} host={host} onClose={closeChannelActions}/> : null;
}

export function ChannelActionsModal({channelId, host, onClose}: {channelId: string; host: Host; onClose: () => void}) {
    const [actions, setActions] = useState<ChannelAction[] | null>(null);
    const [form, setForm] = useState<ActionsForm>(formFromActions([]));
    const [playbooks, setPlaybooks] = useState<Array<{text: string; value: string}>>([]);
    const [error, setError] = useState<FieldError | null>(null);
    const [saving, setSaving] = useState(false);
    const fail = (prefix: string) => (e: unknown) => {
        const parsed = parseFieldError(e instanceof Error ? e.message : String(e));
        // Fields are named inside one action; prefix them with the action they belong to.
        setError(parsed.field && prefix ? {field: `${prefix}.${parsed.field}`, message: parsed.message} : parsed);
    };
    useEffect(() => {
        client.channelActions.list(channelId).then((a) => {
            const list = Array.isArray(a) ? a : [];
            setActions(list);
            setForm(formFromActions(list));
        }).catch(fail(''));
        client.playbooks.autocomplete(host.teamId()).then((p) => setPlaybooks(Array.isArray(p) ? p : [])).catch(fail(''));
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [channelId]);
    const save = async (e: React.FormEvent) => {
        e.preventDefault();
        if (!actions) {
            return;
        }
        setSaving(true);
        setError(null);
        // One request per action; stop at the first refusal so its message is the one shown.
        for (const r of requestsFor(actions, form)) {
            try {
                if (r.method === 'POST') {
                    await client.channelActions.create(channelId, r.body);
                } else {
                    await client.channelActions.update(channelId, r.body);
                }
            } catch (err) {
                fail(r.kind)(err);
                setSaving(false);
                // Later saves must PUT what this one created.
                client.channelActions.list(channelId).then((a) => setActions(Array.isArray(a) ? a : [])).catch(() => undefined);
                return;
            }
        }
        setSaving(false);
        onClose();
    };
    const set = <K extends keyof ActionsForm>(kind: K, change: Partial<ActionsForm[K]>) => setForm({...form, [kind]: {...form[kind], ...change}});
    const playbookOptions: Array<[string, string]> = [['', 'Choose a playbook'], ...playbooks.map((p) => [p.value, p.text] as [string, string])];
    return (
        <Dialog title='Channel actions' onClose={onClose} wide>
            <ErrorContext.Provider value={error}>
                <form onSubmit={save} className='pb-form pb-channel-actions' noValidate>
                    {error && <div role='alert' className='pb-error'>{error.message}</div>}
                    {!actions && !error && <p>Loading…</p>}
                    {actions && (
                        <>
                            <fieldset>
                                <legend>When a message contains a keyword</legend>
                                <Toggle label='Offer to run a playbook' path='prompt.enabled' checked={form.prompt.enabled}
                                    onChange={(enabled) => set('prompt', {enabled})}>
                                    <ListField label='Keywords' path='prompt.payload.keywords' separator='comma' value={form.prompt.keywords}
                                        placeholder='outage, down, sev1' onChange={(keywords) => set('prompt', {keywords})}
                                        hint='Comma-separated. The bot replies in the thread with a button to start the run.'/>
                                    <SelectField label='Playbook to run' path='prompt.payload.playbook_id' value={form.prompt.playbookId}
                                        options={playbookOptions} onChange={(playbookId) => set('prompt', {playbookId})}/>
                                    <SelectField label='Match' path='prompt.payload.match_mode' value={form.prompt.matchMode} options={MATCH_MODES}
                                        onChange={(matchMode) => set('prompt', {matchMode})}/>
                                </Toggle>
                            </fieldset>
                            <fieldset>
                                <legend>When someone joins the channel</legend>
                                <Toggle label='Send a welcome message' path='welcome.enabled' checked={form.welcome.enabled}
                                    onChange={(enabled) => set('welcome', {enabled})}>
                                    <TextField label='Welcome message' path='welcome.payload.message' multiline value={form.welcome.message}
                                        onChange={(message) => set('welcome', {message})} hint='Markdown, sent to each newcomer.'/>
                                </Toggle>
                                <Toggle label='Add the channel to a sidebar category' path='category.enabled' checked={form.category.enabled}
                                    onChange={(enabled) => set('category', {enabled})}>
                                    <TextField label='Category name' path='category.payload.category_name' maxLength={22} value={form.category.categoryName}
                                        onChange={(categoryName) => set('category', {categoryName})} hint='In the newcomer’s sidebar; at most 22 characters.'/>
                                </Toggle>
                            </fieldset>
                        </>
                    )}
                    <div className='pb-actions pb-dialog-actions'>
                        <button type='button' onClick={onClose}>Cancel</button>
                        <button type='submit' className='pb-primary' disabled={!actions || saving}>Save actions</button>
                    </div>
                </form>
            </ErrorContext.Provider>
        </Dialog>
    );
}
