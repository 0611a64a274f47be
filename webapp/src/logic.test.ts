import {describe, expect, it} from 'vitest';

import {averageDuration, defaultRun, finishedPerWeek, matchesFilter, relative, statusInfo, timeline} from './logic';
import type {ChecklistItem, PlaybookRun, TimelineEvent} from './types';

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
    it('opens on the newest run in progress', () => {
        const runs = [run({id: 'a', create_at: 1}), run({id: 'b', create_at: 3, current_status: 'Finished'}), run({id: 'c', create_at: 2})];
        expect(defaultRun(runs)?.id).toBe('c');
        expect(defaultRun([run({id: 'x', current_status: 'Finished'})])?.id).toBe('x');
        expect(defaultRun([])).toBeUndefined();
    });
    it('filters and orders the timeline, hiding deleted events', () => {
        const ev = (id: string, type: string, at: number, deleted = 0): TimelineEvent =>
            ({id, event_type: type, event_at: at, delete_at: deleted, summary: id, subject_user_id: '', creator_user_id: '', post_id: ''});
        const events = [ev('b', 'status_updated', 2), ev('a', 'incident_created', 1), ev('x', 'status_updated', 3, 9)];
        expect(timeline(events, 'all').map((e) => e.id)).toEqual(['a', 'b']);
        expect(timeline(events, 'status').map((e) => e.id)).toEqual(['b']);
    });
    it('computes dashboard series', () => {
        const week = 7 * 86_400_000;
        const now = 20 * week;
        const runs = [
            run({current_status: 'Finished', create_at: now - week - 1000, end_at: now - week}),
            run({current_status: 'Finished', create_at: now - 3000, end_at: now - 1000}),
            run({}),
        ];
        const perWeek = finishedPerWeek(runs, now, 4);
        expect(perWeek).toEqual([0, 0, 1, 1]);
        expect(averageDuration(runs)).toBe(1500);
        expect(averageDuration([run({})])).toBeNull();
    });
});
