import {render, screen, within} from '@testing-library/react';
import React from 'react';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';

import {fakeHost, makeRun, mockFetch} from '../../test/fakes';
import type {PlaybookStats} from '../../types';
import {Dashboard} from './Dashboard';

const WEEK = 7 * 86400000;
const start = new Date(2024, 0, 1).getTime();

const stats: PlaybookStats = {
    runs_in_progress: 2,
    participants_active: 5,
    runs_finished_prev_30_days: 3,
    runs_finished_per_week: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2],
    runs_finished_per_week_times: Array.from({length: 12}, (_, i) => [start + i * WEEK, start + (i + 1) * WEEK] as [number, number]),
    average_duration_ms: 2 * 3600000,
    metric_overall_average: [5400000, null],
    metric_value_range: [[3600000, 7200000], null],
    metric_rolling_values: [[3600000, 7200000], []],
};

// jsdom has no canvas: the charts stay empty and their tables tell the numbers.
beforeEach(() => {
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});
afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
});

describe('dashboard', () => {
    it('shows the server\'s aggregate numbers, not a client-side count of every run', async () => {
        const requests = mockFetch([
            ['GET', '/stats/playbook?playbook_id=p1', () => stats],
            ['GET', '/playbooks/p1', () => ({id: 'p1', title: 'Incident response', metrics: [
                {id: 'm1', title: 'Time to mitigate', type: 'metric_duration', target: 3600000, description: ''},
                {id: 'm2', title: 'Cost', type: 'metric_currency', target: null, description: ''},
            ]})],
            ['GET', '/runs?', () => ({items: [makeRun({id: 'r5', name: 'Checkout down'})]})],
        ]);
        render(<Dashboard playbookId='p1' host={fakeHost()}/>);
        const tiles = await screen.findByRole('list', {name: 'Key numbers'});
        expect(within(tiles).getAllByRole('listitem').map((t) => t.textContent)).toEqual([
            '2 runs in progress', '5 people in active runs', '3 finished in the last 30 days', '2h 0m average duration',
        ]);
        // The runs list asks only for runs in progress, a page of them.
        const runList = requests.find((r) => r.url.includes('/runs?'))!;
        expect(runList.url).toContain('statuses=InProgress');
        expect(runList.url).toContain('per_page=50');
        expect(screen.getByRole('link', {name: 'Checkout down'})).toBeTruthy();

        expect(screen.getByRole('img', {name: 'Runs finished per week, last 12 weeks'})).toBeTruthy();
        const perWeek = screen.getByRole('table', {name: 'Runs finished per week'});
        const rows = within(perWeek).getAllByRole('row').slice(1).map((r) => r.textContent);
        expect(rows).toHaveLength(12);
        expect(rows[11]).toMatch(/2$/);

        // The metric against its target: the 1h 30m average is over the 1h target.
        const metric = screen.getByRole('region', {name: 'Time to mitigate'});
        expect(metric.textContent).toContain('1h 30m average (over target)');
        expect(metric.textContent).toContain('1h target');
        expect(within(metric).getByRole('img', {name: 'Time to mitigate: last 2 runs against the target'})).toBeTruthy();
        expect(within(screen.getByRole('region', {name: 'Cost'})).getByText(/No values yet/)).toBeTruthy();
    });

    it('shows the server\'s refusal', async () => {
        mockFetch([
            ['GET', '/stats/playbook', () => new Response(JSON.stringify({message: 'You do not have permission to view this playbook.'}), {status: 403, headers: {'content-type': 'application/json'}})],
            ['GET', '/playbooks/p1', () => ({id: 'p1', title: 'x', metrics: []})],
            ['GET', '/runs?', () => ({items: []})],
        ]);
        render(<Dashboard playbookId='p1' host={fakeHost()}/>);
        expect((await screen.findByRole('alert')).textContent).toBe('You do not have permission to view this playbook.');
    });
});
