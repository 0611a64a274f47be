import {describe, expect, it} from 'vitest';

import {
    errorMatches, filterRuns, formatDurationInput, formatMetric, fromLocalInput, itemDropTarget, itemMoveTarget, matchesFilter,
    parseDuration, parseFieldError, parseList, relative, statusInfo, timeline, toLocalInput,
} from './logic';
import type {Checklist, ChecklistItem, PlaybookRun, TimelineEvent} from './types';

const item = (over: Partial<ChecklistItem>): ChecklistItem => ({
    id: 'i', title: 't', description: '', state: '', assignee_id: '', assignee_ids: [], command: '', command_last_run: 0, due_date: 0, ...over,
});

const run = (over: Partial<PlaybookRun>): PlaybookRun => ({
    id: 'r', name: 'Run', summary: '', owner_user_id: 'o', reporter_user_id: 'o', team_id: 't', channel_id: 'c', playbook_id: 'p',
    create_at: 0, end_at: 0, current_status: 'InProgress', checklists: [], participant_ids: [], followers: [], timeline_events: [],
    status_update_enabled: true, status_update_due_at: 0, last_status_update_at: 0, reminder_timer_default_seconds: 0,
    retrospective: '', retrospective_enabled: false, retrospective_published_at: 0, retrospective_was_canceled: false,
    metrics_data: [], sequential_id: '', task_total: 0, task_completed: 0, ...over,
});

describe('task filters', () => {
    const now = 1000;
    it('picks mine, unassigned, checked, skipped and overdue', () => {
        const mine = item({assignee_ids: ['me']});
        const legacy = item({assignee_id: 'me'});
        const nobody = item({});
        const done = item({state: 'closed', due_date: 10});
        const late = item({due_date: 10});
        expect(matchesFilter(mine, 'mine', 'me', now)).toBe(true);
        expect(matchesFilter(legacy, 'mine', 'me', now)).toBe(true);
        expect(matchesFilter(nobody, 'mine', 'me', now)).toBe(false);
        expect(matchesFilter(nobody, 'unassigned', 'me', now)).toBe(true);
        expect(matchesFilter(done, 'checked', 'me', now)).toBe(true);
        expect(matchesFilter(done, 'overdue', 'me', now)).toBe(false);
        expect(matchesFilter(late, 'overdue', 'me', now)).toBe(true);
        expect(matchesFilter(item({state: 'skipped'}), 'skipped', 'me', now)).toBe(true);
    });
});

describe('status widget', () => {
    it('says when the next update is due, or that it is overdue', () => {
        expect(relative(3_600_000 + 5 * 60_000, 0)).toBe('in 1h 5m');
        expect(relative(0, 2 * 86_400_000)).toBe('2d 0h ago');
        expect(statusInfo(run({status_update_due_at: 60_000}), 0)).toEqual({kind: 'due', text: 'Update due in 1m'});
        expect(statusInfo(run({status_update_due_at: 60_000}), 120_000).kind).toBe('overdue');
        expect(statusInfo(run({status_update_enabled: false}), 0).kind).toBe('off');
        expect(statusInfo(run({}), 0).kind).toBe('none');
        expect(statusInfo(run({current_status: 'Finished'}), 0).kind).toBe('finished');
    });
});

describe('runs and timeline', () => {
    it('lists a channel\'s runs by filter, newest first', () => {
        const runs = [
            run({id: 'a', create_at: 1, owner_user_id: 'me'}),
            run({id: 'b', create_at: 3, current_status: 'Finished'}),
            run({id: 'c', create_at: 2, participant_ids: ['me']}),
            run({id: 'd', create_at: 4}),
        ];
        expect(filterRuns(runs, 'in_progress', 'me').map((r) => r.id)).toEqual(['d', 'c', 'a']);
        expect(filterRuns(runs, 'finished', 'me').map((r) => r.id)).toEqual(['b']);
        expect(filterRuns(runs, 'mine', 'me').map((r) => r.id)).toEqual(['c', 'a']);
    });
    it('filters and orders the timeline, hiding deleted events', () => {
        const ev = (id: string, type: string, at: number, deleted = 0): TimelineEvent =>
            ({id, event_type: type, event_at: at, delete_at: deleted, summary: id, subject_user_id: '', creator_user_id: '', post_id: ''});
        const events = [ev('b', 'status_updated', 2), ev('a', 'incident_created', 1), ev('x', 'status_updated', 3, 9)];
        expect(timeline(events, 'all').map((e) => e.id)).toEqual(['a', 'b']);
        expect(timeline(events, 'status').map((e) => e.id)).toEqual(['b']);
    });
});

describe('moving tasks', () => {
    const lists: Checklist[] = [
        {id: 'a', title: 'A', items: [item({id: 'a0'}), item({id: 'a1'})]},
        {id: 'b', title: 'B', items: []},
        {id: 'c', title: 'C', items: [item({id: 'c0'})]},
    ];
    it('steps within a checklist and across its borders', () => {
        expect(itemMoveTarget(lists, 0, 1, -1)).toEqual([0, 0]);
        expect(itemMoveTarget(lists, 0, 0, 1)).toEqual([0, 1]);
        // Down from the last task: the start of the next checklist, even an empty one.
        expect(itemMoveTarget(lists, 0, 1, 1)).toEqual([1, 0]);
        // Up from the first task: the end of the previous checklist.
        expect(itemMoveTarget(lists, 2, 0, -1)).toEqual([1, 0]);
        expect(itemMoveTarget([lists[0], lists[2]], 1, 0, -1)).toEqual([0, 2]);
        expect(itemMoveTarget(lists, 0, 0, -1)).toBeNull();
        expect(itemMoveTarget(lists, 2, 0, 1)).toBeNull();
    });
    it('drops onto a task or the end of a checklist, in the server\'s post-removal positions', () => {
        expect(itemDropTarget(lists, [0, 0], 0, 1)).toEqual([0, 1]);
        expect(itemDropTarget(lists, [0, 0], 0, 0)).toBeNull();
        // The end of its own list is one shorter once the task left it.
        expect(itemDropTarget(lists, [0, 0], 0)).toEqual([0, 1]);
        expect(itemDropTarget(lists, [0, 1], 0)).toBeNull();
        expect(itemDropTarget(lists, [0, 1], 1)).toEqual([1, 0]);
        expect(itemDropTarget(lists, [0, 1], 2, 0)).toEqual([2, 0]);
        expect(itemDropTarget(lists, [0, 1], 2)).toEqual([2, 1]);
    });
});

describe('dates, durations and errors as people type them', () => {
    it('round-trips datetime-local values in local time', () => {
        const ms = new Date(2024, 2, 5, 14, 30).getTime();
        expect(toLocalInput(ms)).toBe('2024-03-05T14:30');
        expect(fromLocalInput('2024-03-05T14:30')).toBe(ms);
        expect(fromLocalInput('')).toBe(0);
        expect(toLocalInput(0)).toBe('');
    });
    it('parses and formats durations', () => {
        expect(parseDuration('1h 30m')).toBe(90 * 60000);
        expect(parseDuration('90m')).toBe(90 * 60000);
        expect(parseDuration('1:30')).toBe(90 * 60000);
        expect(parseDuration('2d')).toBe(2 * 86400000);
        expect(parseDuration('45')).toBe(45 * 60000);
        expect(parseDuration('1 hour 5 minutes')).toBe(65 * 60000);
        expect(parseDuration('soon')).toBeNull();
        expect(parseDuration('')).toBeNull();
        expect(formatDurationInput(26 * 3600000 + 5 * 60000)).toBe('1d 2h 5m');
        expect(formatDurationInput(null)).toBe('');
        expect(parseDuration(formatDurationInput(3 * 3600000))).toBe(3 * 3600000);
        expect(formatMetric(5400000, 'metric_duration')).toBe('1h 30m');
        expect(formatMetric(null, 'metric_integer')).toBe('—');
    });
    it('reads the field a server error names', () => {
        expect(parseFieldError('checklists[1].items[0].title: must not be empty'))
            .toEqual({field: 'checklists[1].items[0].title', message: 'must not be empty'});
        expect(parseFieldError('run_number_prefix: only letters, digits and hyphens').field).toBe('run_number_prefix');
        expect(parseFieldError('You do not have permission.')).toEqual({field: '', message: 'You do not have permission.'});
        expect(errorMatches('webhook_on_creation_urls[2]', 'webhook_on_creation_urls', true)).toBe(true);
        expect(errorMatches('webhook_on_creation_urls[2]', 'webhook_on_creation_urls')).toBe(false);
        expect(errorMatches('metrics[0].title', 'metrics[0].title')).toBe(true);
        expect(errorMatches('metrics[10].title', 'metrics[1]', true)).toBe(false);
    });
    it('splits lists', () => {
        expect(parseList('a, b\n a ,,c')).toEqual(['a', 'b', 'c']);
    });
});
