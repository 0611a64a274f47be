import {act, fireEvent, render, screen, within} from '@testing-library/react';
import React from 'react';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';

import * as store from '../../runStore';
import {fakeHost, makeRun, mockFetch} from '../../test/fakes';
import {RunOverview} from './RunOverview';

beforeEach(() => store.clear());
afterEach(() => vi.unstubAllGlobals());

const finished = makeRun({
    current_status: 'Finished', end_at: 5, retrospective_enabled: true, retrospective: '',
    metrics_data: [{metric_config_id: 'm1', value: 3600000}],
});

function setup() {
    return mockFetch([
        ['GET', '/runs/run1/metadata', () => ({team_name: 'ops', channel_name: 'db-outage'})],
        ['GET', '/runs/run1/status-updates', () => [{id: 's1', create_at: 10, message: 'Failing over', user_id: 'u1', author_user_name: 'alice'}]],
        ['GET', '/runs/run1', () => finished],
        ['GET', '/playbooks/p1', () => ({id: 'p1', title: 'IR', retrospective_template: '### What happened', metrics: [
            {id: 'm1', title: 'Time to mitigate', type: 'metric_duration', target: 7200000, description: 'Detection to fix'},
            {id: 'm2', title: 'Customers', type: 'metric_integer', target: null, description: ''},
        ]})],
        ['POST', '/retrospective', () => finished],
        ['POST', '/api/v4/teams/', () => ({order: ['f2', 'f1'], file_infos: {
            f1: {id: 'f1', name: 'timeline.txt', extension: 'txt', size: 2048, mime_type: 'text/plain', user_id: 'u1', create_at: 1},
            f2: {id: 'f2', name: 'graph.png', extension: 'png', size: 10, mime_type: 'image/png', user_id: 'u1', create_at: 2},
        }, next_file_info_id: '', prev_file_info_id: ''})],
    ]);
}

describe('run overview', () => {
    it('lists the run channel\'s files from the team file search', async () => {
        const requests = setup();
        render(<RunOverview runId='run1' host={fakeHost()}/>);
        const files = await screen.findByRole('region', {name: 'Files'});
        const link = await within(files).findByRole('link', {name: 'graph.png'});
        expect(link.getAttribute('href')).toBe('/api/v4/files/f2');
        const names = within(files).getAllByRole('link').map((a) => a.textContent);
        expect(names).toEqual(['graph.png', 'timeline.txt']);
        expect(within(files).getByText(/2\.0 KB/)).toBeTruthy();
        const search = requests.find((r) => r.url.includes('/files/search'));
        expect(search?.url).toBe(`/api/v4/teams/${finished.team_id}/files/search`);
        expect(search?.body.terms).toBe('in:db-outage');
    });

    it('shows summary, updates, checklists, people, timeline and the report export', async () => {
        setup();
        const host = fakeHost();
        render(<RunOverview runId='run1' host={host}/>);
        const run = await screen.findByRole('article', {name: 'Run DB outage'});
        for (const region of ['Summary', 'Status updates', 'Checklists', 'People', 'Timeline', 'Retrospective']) {
            expect(within(run).getByRole('region', {name: region})).toBeTruthy();
        }
        expect((await screen.findAllByText('Failing over')).length).toBe(2);
        expect(screen.getByRole('link', {name: 'Export report (Markdown)'}).getAttribute('href')).toBe('/plugins/playbooks/api/v0/runs/run1/export');
        fireEvent.click(await screen.findByRole('button', {name: 'Go to channel'}));
        expect(host.navigate).toHaveBeenCalledWith('/ops/channels/db-outage');
        expect(screen.getByRole('button', {name: 'Restore'})).toBeTruthy();
    });

    it('edits the retrospective from the template, with typed metric values, and publishes it', async () => {
        const requests = setup();
        render(<RunOverview runId='run1' host={fakeHost()}/>);
        const text = await screen.findByLabelText('Retrospective text') as HTMLTextAreaElement;
        await vi.waitFor(() => expect(text.value).toBe('### What happened'));
        const duration = screen.getByLabelText('Time to mitigate') as HTMLInputElement;
        expect(duration.value).toBe('1h');
        fireEvent.change(duration, {target: {value: 'soon'}});
        expect(duration.getAttribute('aria-invalid')).toBe('true');
        expect((screen.getByRole('button', {name: 'Publish'}) as HTMLButtonElement).disabled).toBe(true);
        fireEvent.change(duration, {target: {value: '1h 45m'}});
        fireEvent.change(screen.getByLabelText('Customers'), {target: {value: '120'}});
        fireEvent.change(text, {target: {value: '### What happened\nThe primary died.'}});
        await act(async () => {
            fireEvent.click(screen.getByRole('button', {name: 'Publish'}));
        });
        const publish = requests.find((r) => r.url.endsWith('/retrospective/publish'));
        expect(publish?.body).toEqual({
            retrospective: '### What happened\nThe primary died.',
            metrics: [{metric_config_id: 'm1', value: 105 * 60000}, {metric_config_id: 'm2', value: 120}],
        });
    });
});
