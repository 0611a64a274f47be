// Small shared pieces: usernames, inline editing, error banner, and the
// hook that follows one run in the live store.

import React, {useEffect, useState, useSyncExternalStore} from 'react';

import type {Host} from '../host';
import * as store from '../runStore';
import type {PlaybookRun} from '../types';

export function Username({host, id}: {host: Host; id: string}) {
    const [name, setName] = useState(id);
    useEffect(() => {
        let live = true;
        host.username(id).then((n) => live && setName(n));
        return () => {
            live = false;
        };
    }, [host, id]);
    return <span className='pb-user'>@{name}</span>;
}

/** Text that turns into an input (or textarea) on click; Enter/blur saves, Escape cancels. */
export function InlineEdit({value, onSave, multiline, label}: {value: string; onSave: (v: string) => Promise<unknown>; multiline?: boolean; label: string}) {
    const [editing, setEditing] = useState(false);
    const [draft, setDraft] = useState(value);
    useEffect(() => setDraft(value), [value]);
    if (!editing) {
        return (
            <button type='button' className='pb-inline' aria-label={`Edit ${label}`} onClick={() => setEditing(true)}>
                {value || <em className='pb-muted'>Add {label}</em>}
            </button>
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
            setDraft(value);
            setEditing(false);
        } else if (e.key === 'Enter' && (!multiline || e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            save();
        }
    };
    return multiline ? (
        <textarea aria-label={label} autoFocus value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={save} onKeyDown={keys} rows={4}/>
    ) : (
        <input aria-label={label} autoFocus value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={save} onKeyDown={keys}/>
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

/** Runs an API call, storing a returned run and reporting failures. */
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

export function useNow(intervalMs = 30000): number {
    const [now, setNow] = useState(Date.now());
    useEffect(() => {
        const t = window.setInterval(() => setNow(Date.now()), intervalMs);
        return () => window.clearInterval(t);
    }, [intervalMs]);
    return now;
}
