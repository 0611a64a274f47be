// Pure logic of the playbook editor (unit-tested): list edits, relative
// due dates, the "keywords mark the task done" task action, and turning
// text fields into lists. Every function returns new objects: the editor
// keeps the playbook as immutable state and PUTs it whole.

import {itemMoveTarget} from '../../logic';

export {parseList} from '../../logic';
import type {Checklist, ChecklistItem, MetricConfig, Playbook, TaskAction} from '../../types';

export const MAX_METRICS = 4;

export function moveIn<T>(list: T[], from: number, to: number): T[] {
    if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) {
        return list;
    }
    const next = [...list];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved);
    return next;
}

/** Moves a task like the server's move-item (remove, then insert at `to`). */
export function moveTask(lists: Checklist[], from: [number, number], to: [number, number]): Checklist[] {
    const next = lists.map((l) => ({...l, items: [...l.items]}));
    const [task] = next[from[0]].items.splice(from[1], 1);
    next[to[0]].items.splice(to[1], 0, task);
    return next;
}

/** "Move up/down" of a task in the editor: the same steps as in a run, across checklist borders. */
export function stepTask(lists: Checklist[], c: number, i: number, dir: -1 | 1): Checklist[] {
    const to = itemMoveTarget(lists, c, i, dir);
    return to ? moveTask(lists, [c, i], to) : lists;
}

export function newTask(title: string): ChecklistItem {
    return {
        id: '', title, description: '', state: '', assignee_id: '', assignee_ids: [], assignee_type: '',
        command: '', command_last_run: 0, due_date: 0, task_actions: [],
    };
}

export function newChecklist(title: string): Checklist {
    return {id: '', title, items: []};
}

export function newMetric(existing: MetricConfig[]): MetricConfig {
    // Titles must be unique: "Metric 2" when "Metric 1" exists.
    let n = existing.length + 1;
    const taken = new Set(existing.map((m) => m.title.trim().toLowerCase()));
    while (taken.has(`metric ${n}`)) {
        n++;
    }
    return {id: '', title: `Metric ${n}`, description: '', type: 'metric_duration', target: null};
}

export function updateAt<T>(list: T[], index: number, change: Partial<T>): T[] {
    return list.map((x, i) => (i === index ? {...x, ...change} : x));
}

export function updateTask(pb: Playbook, c: number, i: number, change: Partial<ChecklistItem>): Playbook {
    return {...pb, checklists: pb.checklists.map((l, ci) => (ci === c ? {...l, items: updateAt(l.items, i, change)} : l))};
}

export type OffsetUnit = 'minutes' | 'hours' | 'days';
export const OFFSET_UNITS: Record<OffsetUnit, number> = {minutes: 60000, hours: 3600000, days: 86400000};

/** A relative due date (ms after the run starts) as amount + the largest exact unit. */
export function splitOffset(ms: number): {amount: number; unit: OffsetUnit} {
    if (ms > 0 && ms % OFFSET_UNITS.days === 0) {
        return {amount: ms / OFFSET_UNITS.days, unit: 'days'};
    }
    if (ms > 0 && ms % OFFSET_UNITS.hours === 0) {
        return {amount: ms / OFFSET_UNITS.hours, unit: 'hours'};
    }
    return {amount: Math.round(ms / OFFSET_UNITS.minutes), unit: 'minutes'};
}

export function joinOffset(amount: number, unit: OffsetUnit): number {
    return Number.isFinite(amount) && amount > 0 ? Math.round(amount * OFFSET_UNITS[unit]) : 0;
}

const KEYWORDS = 'keywords_by_users';
const MARK_DONE = 'mark_item_as_done';

function parsePayload(text: string): Record<string, unknown> {
    try {
        const v = JSON.parse(text || '{}');
        return v && typeof v === 'object' ? v : {};
    } catch {
        return {};
    }
}

export interface KeywordRule {
    keywords: string[];
    /** Only posts by these users count; [] = anyone. */
    userIds: string[];
}

/** The task's "a post with one of these keywords marks it done" rule, if any. */
export function keywordRule(item: ChecklistItem): KeywordRule {
    const ta = (item.task_actions || []).find((a) => a.trigger?.type === KEYWORDS);
    if (!ta) {
        return {keywords: [], userIds: []};
    }
    const p = parsePayload(ta.trigger.payload);
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return {keywords: strings(p.keywords), userIds: strings(p.user_ids)};
}

/**
 * The task with its keyword rule replaced (payloads are JSON text, as
 * upstream stores them). No keywords removes the rule; other task actions
 * are kept as they are.
 */
export function withKeywordRule(item: ChecklistItem, rule: KeywordRule): ChecklistItem {
    const others = (item.task_actions || []).filter((a) => a.trigger?.type !== KEYWORDS);
    const existing = (item.task_actions || []).find((a) => a.trigger?.type === KEYWORDS);
    if (rule.keywords.length === 0) {
        return {...item, task_actions: others};
    }
    const action: TaskAction = {
        trigger: {type: KEYWORDS, payload: JSON.stringify({keywords: rule.keywords, user_ids: rule.userIds})},
        actions: existing?.actions?.length ? existing.actions : [{type: MARK_DONE, payload: JSON.stringify({enabled: true})}],
    };
    const at = (item.task_actions || []).findIndex((a) => a.trigger?.type === KEYWORDS);
    const list = [...others];
    list.splice(at < 0 ? list.length : at, 0, action);
    return {...item, task_actions: list};
}

/** Whether an error path points inside task (c, i) — its details are opened to show it. */
export function errorInTask(field: string, c: number, i: number): boolean {
    const base = `checklists[${c}].items[${i}]`;
    return field === base || field.startsWith(`${base}.`);
}

// A stable client-side key per checklist, task and metric, so React rows
// (and their open details, typed text, focus) follow the entry when it
// moves, not its position. It lives in a symbol-keyed property: object
// spread copies it (every edit above makes a new object with `{...x}`, so
// the key survives edits), while JSON.stringify skips symbol keys, so the
// PUT body and the "unsaved changes" comparison never see it.
const ROW_KEY = Symbol('playbooks.rowKey');
let lastKey = 0;

type Keyed = {[ROW_KEY]?: string};

/** The entry's key, given to it on first use. */
export function rowKey(row: object): string {
    const r = row as Keyed;
    if (!r[ROW_KEY]) {
        r[ROW_KEY] = `row${++lastKey}`;
    }
    return r[ROW_KEY]!;
}

function withKeyOf<T extends object>(from: object | undefined, to: T): T {
    return from ? ({...to, [ROW_KEY]: rowKey(from)} as T) : to;
}

/**
 * `to` (a playbook from the server) with the row keys of `from` (what it
 * was made from: the version sent, or the one stored before), entry by
 * entry in order, so a reload after saving does not reset the rows.
 */
export function carryRowKeys(from: Playbook, to: Playbook): Playbook {
    const lists = from.checklists || [];
    const metrics = from.metrics || [];
    const next = {...to};
    if (Array.isArray(to.checklists)) {
        next.checklists = to.checklists.map((l, c) => withKeyOf(lists[c], {
            ...l,
            items: Array.isArray(l.items) ? l.items.map((item, i) => withKeyOf(lists[c]?.items?.[i], item)) : l.items,
        }));
    }
    if (Array.isArray(to.metrics)) {
        next.metrics = to.metrics.map((m, i) => withKeyOf(metrics[i], m));
    }
    return next;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The draft on top of a newer stored playbook: `base` is what the draft
 * was last in step with (the version sent by Save, or the stored one before
 * Archive/Restore), `server` the server's playbook now (keys carried, see
 * carryRowKeys). Every top-level field the user has not changed since
 * `base` takes the server's value (update_at, delete_at, normalised
 * lists); changed ones keep the draft, with the ids the server gave to the
 * checklists, tasks and metrics that were new in `base`.
 */
export function rebase(draft: Playbook, base: Playbook, server: Playbook): Playbook {
    if (draft === base) {
        return server;
    }
    const next: Record<string, unknown> = {...draft};
    for (const field of new Set([...Object.keys(base), ...Object.keys(server)])) {
        if (sameJson(draft[field], base[field])) {
            if (field in server) {
                next[field] = server[field];
            } else {
                delete next[field];
            }
        }
    }
    const out = next as Playbook;
    // Ids given by the server, by row key of what was sent.
    const ids = new Map<string, string>();
    const learn = (sent: {id: string} | undefined, got: {id: string} | undefined) => {
        if (sent && got && !sent.id && got.id) {
            ids.set(rowKey(sent), got.id);
        }
    };
    (base.checklists || []).forEach((l, c) => {
        learn(l, server.checklists?.[c]);
        (l.items || []).forEach((item, i) => learn(item, server.checklists?.[c]?.items?.[i]));
    });
    (base.metrics || []).forEach((m, i) => learn(m, server.metrics?.[i]));
    if (ids.size === 0) {
        return out;
    }
    const fill = <T extends {id: string}>(row: T): T => {
        const id = row.id ? undefined : ids.get(rowKey(row));
        return id ? {...row, id} : row;
    };
    if (Array.isArray(out.checklists) && out.checklists !== server.checklists) {
        out.checklists = out.checklists.map((l) => ({...fill(l), items: Array.isArray(l.items) ? l.items.map(fill) : l.items}));
    }
    if (Array.isArray(out.metrics) && out.metrics !== server.metrics) {
        out.metrics = out.metrics.map(fill);
    }
    return out;
}
