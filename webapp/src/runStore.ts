// Live run state shared by the sidebar, pages and post renderers: runs by
// id, updated from API responses and from the plugin's websocket events
// (`custom_playbooks_playbook_run_updated` / `_created`), never by polling.

import type {PlaybookRun} from './types';

type Listener = () => void;

const runs = new Map<string, PlaybookRun>();
const listeners = new Set<Listener>();

/**
 * Stores a run and returns the run now stored. A run older than the stored
 * one (`update_at`) is ignored: a slow HTTP answer must not undo a newer
 * websocket event (tick two tasks quickly and the first answer arrives
 * last). The same `update_at` is taken (local changes on top of a run).
 */
export function put(run: PlaybookRun): PlaybookRun {
    const known = runs.get(run.id);
    if (known === run) {
        return run;
    }
    if (known && isOlder(run, known)) {
        return known;
    }
    runs.set(run.id, run);
    listeners.forEach((l) => l());
    return run;
}

function isOlder(run: PlaybookRun, than: PlaybookRun): boolean {
    return typeof run.update_at === 'number' && typeof than.update_at === 'number' && run.update_at < than.update_at;
}

export function get(id: string): PlaybookRun | undefined {
    return runs.get(id);
}

export function inChannel(channelId: string): PlaybookRun[] {
    return [...runs.values()].filter((r) => r.channel_id === channelId);
}

export function subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
}

/** A websocket event's payload: `{playbook_run}` as an object or JSON text. */
export function fromEvent(data: unknown): PlaybookRun | undefined {
    const raw = (data as {playbook_run?: unknown} | undefined)?.playbook_run;
    const value = typeof raw === 'string' ? safeParse(raw) : raw;
    return value && typeof value === 'object' && 'id' in value ? (value as PlaybookRun) : undefined;
}

function safeParse(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** For tests. */
export function clear() {
    runs.clear();
}

/** A deleted run (`playbook_run_deleted`). */
export function remove(id: string) {
    if (runs.delete(id)) {
        listeners.forEach((l) => l());
    }
}

/** The ids of every run known, e.g. to refetch after a websocket reconnect. */
export function ids(): string[] {
    return [...runs.keys()];
}

// Playbooks change rarely and lists reload whole: a signal is enough
// (`playbook_created` / `_archived` / `_restored` events).
const playbookListeners = new Set<Listener>();

export function playbooksChanged() {
    playbookListeners.forEach((l) => l());
}

export function onPlaybooksChanged(listener: Listener): () => void {
    playbookListeners.add(listener);
    return () => playbookListeners.delete(listener);
}
