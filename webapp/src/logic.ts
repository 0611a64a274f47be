// Pure UI logic (unit-tested): task filters, due/overdue wording, which
// run a channel's sidebar shows, run lists, moves of tasks and checklists,
// dates and durations as users type them, and server field errors.

import type {Checklist, ChecklistItem, MetricType, PlaybookRun, TimelineEvent} from './types';

export type ItemFilter = 'all' | 'mine' | 'unassigned' | 'checked' | 'skipped' | 'overdue';
export const ITEM_FILTERS: ItemFilter[] = ['all', 'mine', 'unassigned', 'checked', 'skipped', 'overdue'];

export function assignees(item: ChecklistItem): string[] {
    const ids = [...(item.assignee_ids || [])];
    if (item.assignee_id && !ids.includes(item.assignee_id)) {
        ids.unshift(item.assignee_id);
    }
    return ids;
}

export function isDone(item: ChecklistItem): boolean {
    return item.state === 'closed' || item.state === 'skipped';
}

export function matchesFilter(item: ChecklistItem, filter: ItemFilter, me: string, now: number): boolean {
    switch (filter) {
    case 'all': return true;
    case 'mine': return assignees(item).includes(me);
    case 'unassigned': return assignees(item).length === 0;
    case 'checked': return item.state === 'closed';
    case 'skipped': return item.state === 'skipped';
    case 'overdue': return !isDone(item) && item.due_date > 0 && item.due_date <= now;
    }
}

/** "in 2h 5m", "3d 4h ago" … (the two largest units). */
export function relative(ms: number, now: number): string {
    const delta = ms - now;
    const s = Math.floor(Math.abs(delta) / 1000);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const text = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m` : `${s}s`;
    return delta >= 0 ? `in ${text}` : `${text} ago`;
}

export interface StatusInfo {
    kind: 'off' | 'none' | 'due' | 'overdue' | 'finished';
    text: string;
}

/** The status-update widget's line. */
export function statusInfo(run: PlaybookRun, now: number): StatusInfo {
    if (run.current_status === 'Finished') {
        return {kind: 'finished', text: 'Run finished'};
    }
    if (!run.status_update_enabled) {
        return {kind: 'off', text: 'Status updates are off'};
    }
    if (!run.status_update_due_at) {
        return {kind: 'none', text: 'No reminder set'};
    }
    if (run.status_update_due_at <= now) {
        return {kind: 'overdue', text: `Update overdue (due ${relative(run.status_update_due_at, now)})`};
    }
    return {kind: 'due', text: `Update due ${relative(run.status_update_due_at, now)}`};
}

export type TimelineFilter = 'all' | 'status' | 'tasks' | 'people' | 'events';

const GROUPS: Record<Exclude<TimelineFilter, 'all'>, string[]> = {
    status: ['status_updated', 'status_update_requested', 'status_update_snoozed', 'status_updates_enabled', 'status_updates_disabled'],
    tasks: ['task_state_modified', 'assignee_changed', 'ran_slash_command'],
    people: ['owner_changed', 'participants_changed', 'user_joined_left'],
    events: ['incident_created', 'run_finished', 'run_restored', 'event_from_post', 'published_retrospective', 'canceled_retrospective'],
};

export function timeline(events: TimelineEvent[], filter: TimelineFilter): TimelineEvent[] {
    return events
        .filter((e) => !e.delete_at)
        .filter((e) => filter === 'all' || GROUPS[filter].includes(e.event_type))
        .sort((a, b) => a.event_at - b.event_at);
}

export function formatDuration(ms: number): string {
    return relative(ms, 0).replace(/^in /, '');
}

export type RunFilter = 'in_progress' | 'finished' | 'mine';
export const RUN_FILTERS: Array<[RunFilter, string]> = [['in_progress', 'In progress'], ['finished', 'Finished'], ['mine', 'Mine']];

/** The channel's run list: newest first; "mine" = runs I own or take part in. */
export function filterRuns(runs: PlaybookRun[], filter: RunFilter, me: string): PlaybookRun[] {
    return [...runs]
        .filter((r) => {
            switch (filter) {
            case 'in_progress': return r.current_status === 'InProgress';
            case 'finished': return r.current_status === 'Finished';
            case 'mine': return r.owner_user_id === me || (r.participant_ids || []).includes(me);
            }
        })
        .sort((a, b) => b.create_at - a.create_at);
}

/**
 * Where "move up/down" sends a task: one step within its checklist, and
 * across the border into the neighbouring checklist (its end when moving
 * up, its start when moving down). Positions are the server's: the
 * destination index counts after the task left its place. null = nowhere.
 */
export function itemMoveTarget(lists: Checklist[], c: number, i: number, dir: -1 | 1): [number, number] | null {
    const len = lists[c]?.items.length ?? 0;
    if (i + dir >= 0 && i + dir < len) {
        return [c, i + dir];
    }
    const next = c + dir;
    if (next < 0 || next >= lists.length) {
        return null;
    }
    return dir < 0 ? [next, lists[next].items.length] : [next, 0];
}

/** Where dropping a dragged task on task (c, i) — or on checklist c's end when i is undefined — moves it. */
export function itemDropTarget(lists: Checklist[], from: [number, number], c: number, i?: number): [number, number] | null {
    const len = lists[c]?.items.length ?? 0;
    // After the task leaves a list, that list is one shorter.
    const end = from[0] === c ? len - 1 : len;
    const to: [number, number] = [c, i === undefined ? end : Math.min(i, end)];
    return to[0] === from[0] && to[1] === from[1] ? null : to;
}

export function checklistMoveTarget(count: number, c: number, dir: -1 | 1): number | null {
    const to = c + dir;
    return to >= 0 && to < count ? to : null;
}

/** Epoch ms as a `datetime-local` value, in the browser's time zone. */
export function toLocalInput(ms: number): string {
    if (!ms) {
        return '';
    }
    const d = new Date(ms);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value as epoch ms (local time); 0 when empty or invalid. */
export function fromLocalInput(value: string): number {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
    if (!m) {
        return 0;
    }
    const [, y, mo, d, h, mi] = m.map(Number);
    return new Date(y, mo - 1, d, h, mi).getTime();
}

const UNITS: Record<string, number> = {w: 604800000, d: 86400000, h: 3600000, m: 60000, s: 1000};

/**
 * A duration as people type it: "1d 2h 30m", "90m", "1:30" (hours:minutes)
 * or a bare number of minutes. null when it does not parse.
 */
export function parseDuration(text: string): number | null {
    const t = text.trim().toLowerCase();
    if (!t) {
        return null;
    }
    const clock = /^(\d+):([0-5]\d)$/.exec(t);
    if (clock) {
        return (Number(clock[1]) * 60 + Number(clock[2])) * 60000;
    }
    if (/^\d+(\.\d+)?$/.test(t)) {
        return Math.round(Number(t) * 60000);
    }
    let total = 0;
    const rest = t.replace(/(\d+(?:\.\d+)?)\s*([wdhms])[a-z]*/g, (_, n: string, u: string) => {
        total += Number(n) * UNITS[u];
        return '';
    });
    return rest.trim() === '' ? Math.round(total) : null;
}

/** The inverse of parseDuration: "1d 2h 30m", "" for null. */
export function formatDurationInput(ms: number | null | undefined): string {
    if (ms === null || ms === undefined) {
        return '';
    }
    if (ms === 0) {
        return '0m';
    }
    const parts: string[] = [];
    let left = Math.round(ms / 60000) * 60000;
    for (const u of ['d', 'h', 'm']) {
        const n = Math.floor(left / UNITS[u]);
        if (n > 0) {
            parts.push(`${n}${u}`);
            left -= n * UNITS[u];
        }
    }
    return parts.join(' ') || '0m';
}

/** A metric value for people: durations as "1h 30m", currency with two decimals. */
export function formatMetric(value: number | null | undefined, type: MetricType): string {
    if (value === null || value === undefined) {
        return '—';
    }
    switch (type) {
    case 'metric_duration': return formatDurationInput(value);
    case 'metric_currency': return value.toLocaleString(undefined, {minimumFractionDigits: 0, maximumFractionDigits: 2});
    default: return String(value);
    }
}

export interface FieldError {
    /** A JSON path (`checklists[1].items[0].title`), '' when the message is about the whole request. */
    field: string;
    message: string;
}

/** The server names the offending field first: `metrics[0].title: must not be empty`. */
export function parseFieldError(message: string): FieldError {
    const m = /^([A-Za-z_][\w]*(?:\[\d+\]|\.[A-Za-z_]\w*)*): (.+)$/s.exec(message);
    return m ? {field: m[1], message: m[2]} : {field: '', message};
}

/**
 * Whether an error about `errorField` belongs to the control for `path`:
 * the same field, or (with `within`) anything inside it, e.g. a list's
 * `webhook_on_creation_urls[2]`.
 */
export function errorMatches(errorField: string, path: string, within = false): boolean {
    if (!errorField || !path) {
        return false;
    }
    if (errorField === path) {
        return true;
    }
    return within && (errorField.startsWith(path + '[') || errorField.startsWith(path + '.'));
}

export function addAssignee(item: ChecklistItem, userId: string): string[] {
    const ids = assignees(item);
    return ids.includes(userId) ? ids : [...ids, userId];
}

export function removeAssignee(item: ChecklistItem, userId: string): string[] {
    return assignees(item).filter((a) => a !== userId);
}

/** Comma- or newline-separated text as a list: trimmed, no blanks, no duplicates, in order. */
export function parseList(text: string): string[] {
    const seen = new Set<string>();
    return text.split(/[\n,]/).map((s) => s.trim()).filter((s) => s && !seen.has(s) && seen.add(s));
}
