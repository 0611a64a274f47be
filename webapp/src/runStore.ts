// Live run state shared by the sidebar, pages and post renderers: runs by
// id, updated from API responses and from the plugin's websocket events
// (`custom_playbooks_playbook_run_updated` / `_created`, and the changes of
// `_updated_incremental` applied to the run known), never by polling.

import type {Checklist, ChecklistItem, PlaybookRun} from './types';

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

/**
 * Upstream's `PlaybookRunUpdate` (`playbook_run_updated_incremental`): the
 * fields a change touched, the log entries it wrote, and checklist changes
 * by id. The server sends it instead of the whole run (decision 024).
 */
export interface RunUpdate {
    id: string;
    playbook_run_updated_at?: number;
    changed_fields: Partial<Omit<PlaybookRun, 'checklists'>> & {checklists?: ChecklistUpdate[]};
    checklist_deletes?: string[];
    timeline_event_deletes?: string[];
    status_post_deletes?: string[];
}

export interface ChecklistUpdate {
    id: string;
    fields?: Partial<Omit<Checklist, 'items'>>;
    item_updates?: Array<{id: string; fields: Partial<ChecklistItem>}>;
    item_inserts?: ChecklistItem[];
    item_deletes?: string[];
    items_order?: string[];
}

/** The update an incremental event carries (`{payload}` as JSON text, or an object). */
export function updateFromEvent(data: unknown): RunUpdate | undefined {
    const raw = (data as {payload?: unknown} | undefined)?.payload;
    const value = typeof raw === 'string' ? safeParse(raw) : raw;
    return value && typeof value === 'object' && 'id' in value && 'changed_fields' in value ? (value as RunUpdate) : undefined;
}

/**
 * Applies an incremental update to the run known (an unknown run is left
 * alone: it is fetched whole when shown). An update older than what is
 * known is ignored, as `put` ignores an older run.
 */
export function applyUpdate(update: RunUpdate): PlaybookRun | undefined {
    const known = runs.get(update.id);
    if (!known) {
        return undefined;
    }
    const at = update.playbook_run_updated_at;
    if (typeof at === 'number' && typeof known.update_at === 'number' && at < known.update_at) {
        return known;
    }
    const next = mergeUpdate(known, update);
    runs.set(next.id, next);
    listeners.forEach((l) => l());
    return next;
}

/** `run` with `update` applied (pure). */
export function mergeUpdate(run: PlaybookRun, update: RunUpdate): PlaybookRun {
    const {checklists, timeline_events: events, status_posts: posts, ...fields} = update.changed_fields as RunUpdate['changed_fields'] & {status_posts?: Array<{id: string}>};
    const next: PlaybookRun & {status_posts?: Array<{id: string}>} = {...run, ...fields};
    if (update.playbook_run_updated_at) {
        next.update_at = update.playbook_run_updated_at;
    }
    next.timeline_events = mergeById(run.timeline_events || [], events, update.timeline_event_deletes);
    const known = (run as {status_posts?: Array<{id: string}>}).status_posts;
    if (posts || update.status_post_deletes) {
        next.status_posts = mergeById(known || [], posts, update.status_post_deletes);
    }
    let lists = run.checklists.filter((c) => !update.checklist_deletes?.includes(c.id));
    for (const u of checklists || []) {
        const i = lists.findIndex((c) => c.id === u.id);
        if (i < 0) {
            lists = [...lists, {title: '', ...u.fields, id: u.id, items: u.item_inserts || []}];
        } else {
            lists = lists.map((c, j) => (j === i ? mergeChecklist(c, u) : c));
        }
    }
    next.checklists = lists;
    return next;
}

/** Entries replaced by id or appended (in the order written), minus deletes. */
function mergeById<T extends {id: string}>(list: T[], written: T[] | undefined, deletes: string[] | undefined): T[] {
    const out = list.filter((e) => !deletes?.includes(e.id));
    for (const entry of written || []) {
        const i = out.findIndex((e) => e.id === entry.id);
        if (i < 0) {
            out.push(entry);
        } else {
            out[i] = entry;
        }
    }
    return out;
}

function mergeChecklist(list: Checklist, u: ChecklistUpdate): Checklist {
    let items = list.items.map((item) => {
        const change = u.item_updates?.find((x) => x.id === item.id);
        return change ? {...item, ...change.fields} : item;
    });
    items = items.filter((item) => !u.item_deletes?.includes(item.id));
    for (const item of u.item_inserts || []) {
        if (!items.some((i) => i.id === item.id)) {
            items.push(item);
        }
    }
    if (u.items_order) {
        const order = u.items_order;
        const rank = (id: string) => {
            const r = order.indexOf(id);
            return r < 0 ? order.length : r;
        };
        items = [...items].sort((a, b) => rank(a.id) - rank(b.id));
    }
    return {...list, ...u.fields, id: list.id, items};
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
