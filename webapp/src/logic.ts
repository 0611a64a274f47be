// Pure UI logic (unit-tested): task filters, due/overdue wording, and
// which run a channel's sidebar shows.

import type {ChecklistItem, PlaybookRun, TimelineEvent} from './types';

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

/** The run the sidebar opens on: the newest in progress, else the newest. */
export function defaultRun(runs: PlaybookRun[]): PlaybookRun | undefined {
    const sorted = [...runs].sort((a, b) => b.create_at - a.create_at);
    return sorted.find((r) => r.current_status === 'InProgress') || sorted[0];
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

/** Finished runs per week (oldest first) for the last `weeks` weeks. */
export function finishedPerWeek(runs: PlaybookRun[], now: number, weeks = 12): number[] {
    const week = 7 * 86400000;
    const counts = new Array(weeks).fill(0);
    for (const r of runs) {
        if (r.current_status !== 'Finished' || !r.end_at) {
            continue;
        }
        const ago = Math.floor((now - r.end_at) / week);
        if (ago >= 0 && ago < weeks) {
            counts[weeks - 1 - ago] += 1;
        }
    }
    return counts;
}

/** Average duration (ms) of finished runs, or null. */
export function averageDuration(runs: PlaybookRun[]): number | null {
    const done = runs.filter((r) => r.current_status === 'Finished' && r.end_at > r.create_at);
    if (done.length === 0) {
        return null;
    }
    return done.reduce((sum, r) => sum + (r.end_at - r.create_at), 0) / done.length;
}

/** Values of one metric across runs (published or not), oldest first. */
export function metricValues(runs: PlaybookRun[], metricId: string): number[] {
    return [...runs]
        .sort((a, b) => a.create_at - b.create_at)
        .flatMap((r) => (r.metrics_data || []).filter((m) => m.metric_config_id === metricId && m.value !== null).map((m) => m.value as number));
}

export function formatDuration(ms: number): string {
    return relative(ms, 0).replace(/^in /, '');
}
