// Small shared pieces: usernames and channel names, inline editing, the
// error banner, and the hooks that follow one run in the live store and
// run API calls with their errors shown.

import React, {useEffect, useState, useSyncExternalStore} from 'react';

import type {Host} from '../host';
import * as store from '../runStore';
import type {PlaybookRun} from '../types';

export function useUsername(host: Host, id: string): string {
    const [name, setName] = useState(id);
    useEffect(() => {
        let live = true;
        host.username(id).then((n) => live && setName(n || id));
        return () => {
            live = false;
        };
    }, [host, id]);
    return name;
}

export function useChannelName(host: Host, id: string): string {
    const [name, setName] = useState(id);
    useEffect(() => {
        let live = true;
        host.channelName(id).then((n) => live && setName(n || id));
        return () => {
            live = false;
        };
    }, [host, id]);
    return name;
}

export function Username({host, id}: {host: Host; id: string}) {
    return <span className='pb-user'>@{useUsername(host, id)}</span>;
}

/**
 * Text with an edit button (and click-to-edit for pointer users) that
 * turns into an input or textarea; Enter (Ctrl+Enter when multiline) or
 * blur saves, Escape cancels. `render` shows the value (e.g. as Markdown).
 */
export function InlineEdit({value, onSave, multiline, label, render, placeholder}: {
    value: string;
    onSave: (v: string) => Promise<unknown>;
    multiline?: boolean;
    /** What is edited, lower case: the button is "Edit <label>", the input "<label>" capitalised. */
    label: string;
    render?: (value: string) => React.ReactNode;
    placeholder?: string;
}) {
    const [editing, setEditing] = useState(false);
    const [draft, setDraft] = useState(value);
    useEffect(() => setDraft(value), [value]);
    const name = label.charAt(0).toUpperCase() + label.slice(1);
    if (!editing) {
        return (
            <span className='pb-inline'>
                <span className='pb-inline-value' onClick={() => setEditing(true)}>
                    {value ? (render ? render(value) : value) : <em className='pb-muted'>{placeholder || `No ${label}`}</em>}
                </span>
                <button type='button' className='pb-icon' aria-label={`Edit ${label}`} title={`Edit ${label}`} onClick={() => setEditing(true)}>✎</button>
            </span>
        );
    }
    const save = async () => {
        setEditing(false);
        if (draft !== value) {
            await onSave(draft);
        }
    };
    const keys = (e: React.KeyboardEvent) => {
        if (e.key === 'Escape') {
            e.stopPropagation();
            setDraft(value);
            setEditing(false);
        } else if (e.key === 'Enter' && (!multiline || e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            save();
        }
    };
    return multiline ? (
        <textarea className='pb-inline-input' aria-label={name} autoFocus value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={save} onKeyDown={keys} rows={4}/>
    ) : (
        <input className='pb-inline-input' aria-label={name} autoFocus value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={save} onKeyDown={keys}/>
    );
}

export function ErrorBanner({error, onClose}: {error: string; onClose: () => void}) {
    if (!error) {
        return null;
    }
    return (
        <div role='alert' className='pb-error'>
            {error} <button type='button' onClick={onClose} aria-label='Dismiss'>×</button>
        </div>
    );
}

/** The run with this id from the live store (re-renders on updates). */
export function useRun(id: string | undefined): PlaybookRun | undefined {
    return useSyncExternalStore(store.subscribe, () => (id ? store.get(id) : undefined));
}

/**
 * Runs an API call, storing a returned run and reporting failures. The
 * store ignores a returned run older than the one it has (a websocket event
 * may have overtaken the answer).
 */
export function useAction(setError: (e: string) => void) {
    return async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
        try {
            const result = await work();
            if (result && typeof result === 'object' && 'id' in (result as object) && 'checklists' in (result as object)) {
                store.put(result as unknown as PlaybookRun);
            }
            return result;
        } catch (e) {
            setError(e instanceof Error ? e.message : String(e));
            return undefined;
        }
    };
}

/**
 * The time, refreshed every `intervalMs`, and also right after `wakeAt`
 * (a due time): "due in 0s" turns into "overdue" when it happens, not up to
 * an interval later.
 */
export function useNow(intervalMs = 30000, wakeAt = 0): number {
    const [now, setNow] = useState(Date.now());
    useEffect(() => {
        const t = window.setInterval(() => setNow(Date.now()), intervalMs);
        return () => window.clearInterval(t);
    }, [intervalMs]);
    useEffect(() => {
        const wait = wakeAt - Date.now();
        if (wakeAt <= 0 || wait <= 0 || wait > 2 ** 31 - 1) {
            return undefined;
        }
        const t = window.setTimeout(() => setNow(Date.now()), wait + 50);
        return () => window.clearTimeout(t);
    }, [wakeAt]);
    return now;
}
