import {act, fireEvent, render, screen, waitFor} from '@testing-library/react';
import React from 'react';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';

import type {Host} from './host';
import {PlaybooksPlugin, RUN_EVENTS, routeOf} from './plugin';
import {RunDetails} from './rhs/RunDetails';
import * as store from './runStore';
import type {PlaybookRun} from './types';

function makeRun(over: Partial<PlaybookRun> = {}): PlaybookRun {
    return {
        id: 'run1', name: 'DB outage', summary: 'Primary down', owner_user_id: 'u1', reporter_user_id: 'u1', team_id: 't1',
        channel_id: 'c1', playbook_id: 'p1', create_at: 1, end_at: 0, current_status: 'InProgress',
        checklists: [{id: 'cl', title: 'Triage', items: [
            {id: 'i1', title: 'Assess', description: '', state: '', assignee_id: '', assignee_ids: ['u1'], command: '', command_last_run: 0, due_date: 0},
            {id: 'i2', title: 'Page', description: '', state: 'closed', assignee_id: '', assignee_ids: [], command: '/echo hi', command_last_run: 0, due_date: 0},
        ]}],
        participant_ids: ['u1'], followers: [], timeline_events: [], status_update_enabled: true, status_update_due_at: 0,
        last_status_update_at: 0, reminder_timer_default_seconds: 3600, retrospective: '', retrospective_enabled: false,
        retrospective_published_at: 0, retrospective_was_canceled: false, metrics_data: [], sequential_id: 'INC-00001',
        task_total: 2, task_completed: 1, ...over,
    };
}

function fakeHost(channel = 'c1'): Host {
    return {
        userId: () => 'u1',
        channelId: () => channel,
        teamId: () => 't1',
        onChannelChange: () => () => undefined,
        navigate: vi.fn(),
        username: (id) => Promise.resolve(id === 'u1' ? 'alice' : id),
    };
}

const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), {status, headers: {'content-type': 'application/json'}});

describe('registration', () => {
    it('registers the sidebar, header button, post types, events and pages', () => {
        const calls: Record<string, unknown[][]> = {};
        const rec = (name: string, ret?: unknown) => (...args: unknown[]) => {
            (calls[name] ||= []).push(args);
            return ret;
        };
        const toggle = vi.fn();
        const registry = {
            registerRightHandSidebarComponent: rec('rhs', {toggleRHSPlugin: toggle, showRHSPlugin: vi.fn()}),
            registerChannelHeaderButtonAction: rec('header'),
            registerPostTypeComponent: rec('postType'),
            registerWebSocketEventHandler: rec('ws'),
            registerProduct: rec('product'),
        };
        vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(json({items: []}))));
        new PlaybooksPlugin().initialize(registry, {getCurrentUserId: () => 'u1', getCurrentChannelId: () => ''});
        expect(calls.rhs[0][1]).toBe('Run details');
        (calls.header[0][1] as () => void)();
        expect(toggle).toHaveBeenCalled();
        expect(calls.postType.map((c) => c[0])).toContain('custom_run_update');
        expect(calls.ws.map((c) => c[0])).toEqual(RUN_EVENTS);
        expect((calls.product[0][0] as {baseURL: string}).baseURL).toBe('/playbooks');

        // A live update lands in the store.
        (calls.ws[0][1] as (m: unknown) => void)({data: {playbook_run: JSON.stringify(makeRun({id: 'live'}))}});
        expect(store.get('live')?.name).toBe('DB outage');
    });

    it('routes /playbooks paths to pages', () => {
        expect(routeOf('/playbooks/runs/abc')).toEqual({page: 'run', id: 'abc'});
        expect(routeOf('/playbooks/playbooks/p1')).toEqual({page: 'playbook', id: 'p1'});
        expect(routeOf('/playbooks/playbooks/p1/dashboard')).toEqual({page: 'dashboard', id: 'p1'});
        expect(routeOf('/playbooks')).toEqual({page: 'playbooks'});
    });
});

describe('run details sidebar', () => {
    let requests: Array<{url: string; init?: RequestInit}>;
    beforeEach(() => {
        store.clear();
        requests = [];
        vi.stubGlobal('fetch', vi.fn((url: string, init?: RequestInit) => {
            requests.push({url, init});
            if (url.includes('/runs/channel/c1/runs')) {
                return Promise.resolve(json({items: [makeRun()], total_count: 1, page_count: 1, has_more: false}));
            }
            if (url.endsWith('/status-updates')) {
                return Promise.resolve(json([]));
            }
            if (url.includes('/checklists/0/item/0/state')) {
                return Promise.resolve(json(makeRun({task_completed: 2, checklists: [{...makeRun().checklists[0], items: [
                    {...makeRun().checklists[0].items[0], state: 'closed'}, makeRun().checklists[0].items[1]]}]})));
            }
            return Promise.resolve(json({message: 'nope'}, 404));
        }));
    });
    afterEach(() => vi.unstubAllGlobals());

    it('shows the channel run and checks a task through the API', async () => {
        render(<RunDetails host={fakeHost()}/>);
        await screen.findByText('DB outage');
        expect(screen.getByText('Primary down')).toBeTruthy();
        expect(screen.getByText('1/2 done')).toBeTruthy();
        const box = screen.getByRole('checkbox', {name: 'Assess'}) as HTMLInputElement;
        expect(box.checked).toBe(false);
        await act(async () => {
            fireEvent.click(box);
        });
        const put = requests.find((r) => r.url.endsWith('/checklists/0/item/0/state'));
        expect(put?.init?.method).toBe('PUT');
        expect(JSON.parse(String(put?.init?.body))).toEqual({new_state: 'closed'});
        await waitFor(() => expect((screen.getByRole('checkbox', {name: 'Assess'}) as HTMLInputElement).checked).toBe(true));
        expect(screen.getByText('2/2 done')).toBeTruthy();
    });

    it('filters tasks and reports API errors', async () => {
        render(<RunDetails host={fakeHost()}/>);
        await screen.findByText('DB outage');
        fireEvent.change(screen.getByLabelText('Task filter') as HTMLSelectElement, {target: {value: 'checked'}});
        expect(screen.queryByText('Assess')).toBeNull();
        expect(screen.getByText('Page')).toBeTruthy();
        await act(async () => {
            fireEvent.click(screen.getByRole('button', {name: 'Skip'}));
        });
        expect((await screen.findByRole('alert')).textContent).toContain('nope');
    });

    it('says when a channel has no runs', async () => {
        render(<RunDetails host={fakeHost('c2')}/>);
        vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(json({items: []}))));
        expect(await screen.findByText(/No runs in this channel|Loading/)).toBeTruthy();
    });
});
