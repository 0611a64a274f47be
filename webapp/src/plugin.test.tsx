import {act, fireEvent, render, screen, waitFor} from '@testing-library/react';
import React from 'react';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';

import {PLAYBOOK_EVENTS, PlaybooksPlugin, RUN_DELETED_EVENT, RUN_EVENTS, RUN_UPDATED_INCREMENTAL_EVENT, routeOf} from './plugin';
import * as store from './runStore';
import {json, makeRun, mockFetch} from './test/fakes';

type Calls = Record<string, unknown[][]>;

function registry() {
    const calls: Calls = {};
    const rec = (name: string, ret?: unknown) => (...args: unknown[]) => {
        (calls[name] ||= []).push(args);
        return ret;
    };
    const rhs = {toggleRHSPlugin: vi.fn(), showRHSPlugin: vi.fn()};
    const reg = {
        registerRightHandSidebarComponent: rec('rhs', rhs),
        registerChannelHeaderButtonAction: rec('header'),
        registerChannelHeaderMenuAction: rec('menu'),
        registerRootComponent: rec('root'),
        registerMainMenuAction: rec('mainMenu'),
        registerPostTypeComponent: rec('postType'),
        registerWebSocketEventHandler: rec('ws'),
        registerReconnectHandler: rec('reconnect'),
        registerProduct: rec('product'),
    };
    return {reg, calls, rhs};
}

const handler = (calls: Calls, event: string) => calls.ws.find((c) => c[0] === event)?.[1] as (m: unknown) => void;

beforeEach(() => store.clear());
afterEach(() => {
    vi.unstubAllGlobals();
    delete (window as {PostUtils?: unknown}).PostUtils;
});

describe('registration', () => {
    it('registers the sidebar, header button, channel menu action, root component, post types, events and pages', () => {
        mockFetch([['GET', '/runs/channel/', () => ({items: []})]]);
        const {reg, calls, rhs} = registry();
        new PlaybooksPlugin().initialize(reg, {getCurrentUserId: () => 'u1', getCurrentChannelId: () => ''});
        expect(calls.rhs[0][1]).toBe('Run details');
        (calls.header[0][1] as () => void)();
        expect(rhs.toggleRHSPlugin).toHaveBeenCalled();
        expect(calls.menu[0][0]).toBe('Channel actions');
        expect(calls.root).toHaveLength(1);
        expect(calls.postType.map((c) => c[0])).toEqual(expect.arrayContaining(['custom_run_update', 'custom_update_status', 'custom_keyword_prompt', 'custom_retro']));
        expect(calls.ws.map((c) => c[0])).toEqual([...RUN_EVENTS, RUN_UPDATED_INCREMENTAL_EVENT, RUN_DELETED_EVENT, ...PLAYBOOK_EVENTS]);
        expect(calls.reconnect).toHaveLength(1);
        expect((calls.product[0][0] as {baseURL: string}).baseURL).toBe('/playbooks');

        // Live updates land in the store; deletions leave it.
        handler(calls, RUN_EVENTS[0])({data: {playbook_run: JSON.stringify(makeRun({id: 'live'}))}});
        expect(store.get('live')?.name).toBe('DB outage');
        // An incremental update changes the run known (upstream's payload: JSON text).
        const update = {id: 'live', playbook_run_updated_at: 9e12, changed_fields: {name: 'Renamed'}};
        handler(calls, RUN_UPDATED_INCREMENTAL_EVENT)({data: {payload: JSON.stringify(update)}});
        expect(store.get('live')?.name).toBe('Renamed');
        handler(calls, RUN_DELETED_EVENT)({data: {playbook_run_id: 'live'}});
        expect(store.get('live')).toBeUndefined();
    });

    it('opens the sidebar when the user lands in a channel with a run in progress', async () => {
        mockFetch([['GET', '/runs/channel/c1/runs', () => ({items: [makeRun()]})]]);
        const {reg, rhs} = registry();
        new PlaybooksPlugin().initialize(reg, {getCurrentUserId: () => 'u1', getCurrentChannelId: () => 'c1'});
        await waitFor(() => expect(rhs.showRHSPlugin).toHaveBeenCalled());
        expect(store.get('run1')).toBeTruthy();
    });

    it('does not open the sidebar when the user has left the run channel before the runs arrive', async () => {
        let answer: (r: Response) => void = () => undefined;
        const pending = new Promise<Response>((resolve) => {
            answer = resolve;
        });
        vi.stubGlobal('fetch', vi.fn((url: string) => (url.includes('/runs/channel/c1/') ? pending : Promise.resolve(json({items: []})))));
        const {reg, rhs} = registry();
        let channel = 'c1';
        let moved: (id: string) => void = () => undefined;
        new PlaybooksPlugin().initialize(reg, {
            getCurrentUserId: () => 'u1',
            getCurrentChannelId: () => channel,
            onChannelChange: (l: (id: string) => void) => {
                moved = l;
                return () => undefined;
            },
        });
        channel = 'c2';
        moved('c2');
        await act(async () => {
            answer(json({items: [makeRun()]}));
            await pending;
        });
        await new Promise((r) => setTimeout(r, 10));
        // The run is known (the sidebar shows it when the user comes back) but nothing pops open in c2.
        expect(store.get('run1')).toBeTruthy();
        expect(rhs.showRHSPlugin).not.toHaveBeenCalled();
    });

    it('refetches after a websocket reconnect (events may have been missed), without polling otherwise', async () => {
        const requests = mockFetch([
            ['GET', '/runs/channel/c1/runs', () => ({items: []})],
            ['GET', '/runs/run1', () => makeRun({name: 'Renamed while offline'})],
        ]);
        const {reg, calls} = registry();
        new PlaybooksPlugin().initialize(reg, {getCurrentUserId: () => 'u1', getCurrentChannelId: () => 'c1'});
        store.put(makeRun());
        await act(async () => {
            (calls.reconnect[0][0] as () => void)();
        });
        await waitFor(() => expect(store.get('run1')?.name).toBe('Renamed while offline'));
        expect(requests.filter((r) => r.url.includes('/runs/channel/c1/runs'))).toHaveLength(2);
    });

    it('the channel menu action opens the channel actions editor in the root component', async () => {
        mockFetch([
            ['GET', '/actions/channels/c7', () => []],
            ['GET', '/playbooks/autocomplete', () => [{text: 'Incident response', value: 'p1'}]],
            ['GET', '/runs/channel/', () => ({items: []})],
        ]);
        const {reg, calls} = registry();
        new PlaybooksPlugin().initialize(reg, {getCurrentUserId: () => 'u1', getCurrentChannelId: () => '', getCurrentTeamId: () => 't1'});
        const Root = calls.root[0][0] as React.ComponentType;
        render(<Root/>);
        expect(screen.queryByRole('dialog')).toBeNull();
        act(() => (calls.menu[0][1] as (id: string) => void)('c7'));
        expect(await screen.findByRole('dialog', {name: 'Channel actions'})).toBeTruthy();
        await screen.findByRole('checkbox', {name: 'Offer to run a playbook'});
        fireEvent.click(screen.getByRole('button', {name: 'Cancel'}));
        expect(screen.queryByRole('dialog')).toBeNull();
    });

    it('routes /playbooks paths to pages', () => {
        expect(routeOf('/playbooks/runs/abc')).toEqual({page: 'run', id: 'abc'});
        expect(routeOf('/playbooks/playbooks/p1')).toEqual({page: 'playbook', id: 'p1'});
        expect(routeOf('/playbooks/playbooks/p1/dashboard')).toEqual({page: 'dashboard', id: 'p1'});
        expect(routeOf('/playbooks')).toEqual({page: 'playbooks'});
    });
});

describe('post renderers', () => {
    function postComponent(type: string) {
        mockFetch([['GET', '/runs/channel/', () => ({items: []})]]);
        const {reg, calls} = registry();
        new PlaybooksPlugin().initialize(reg, {getCurrentUserId: () => 'u1', getCurrentChannelId: () => ''});
        return calls.postType.find((c) => c[0] === type)![1] as React.ComponentType<{post: unknown}>;
    }

    it('render status updates with the client\'s Markdown renderer', () => {
        (window as {PostUtils?: unknown}).PostUtils = {
            formatText: (t: string) => t.replace(/\*\*(.+)\*\*/, '<b>$1</b>'),
            messageHtmlToComponent: (html: string) => <span dangerouslySetInnerHTML={{__html: html}}/>,
        };
        const Update = postComponent('custom_run_update');
        render(<Update post={{id: 'p', type: 'custom_run_update', message: 'DB is **back**', props: {run_name: 'DB outage', numTasks: 4, numTasksChecked: 1, playbook_run_id: 'run1'}}}/>);
        expect(screen.getByText('back').tagName).toBe('B');
        expect(screen.getByText('Status update · DB outage')).toBeTruthy();
        expect(screen.getByText('1 of 4 tasks done')).toBeTruthy();
        expect(screen.getByRole('link', {name: 'View run'}).getAttribute('href')).toBe('/playbooks/runs/run1');
    });

    it('reminder buttons and the snooze menu call the post action route and show refusals', async () => {
        const requests = mockFetch([
            ['POST', '/api/v4/posts/p9/actions/update', () => ({status: 'OK'})],
            ['POST', '/api/v4/posts/p9/actions/snooze', () => new Response(JSON.stringify({message: 'Only the owner can snooze.'}), {status: 403, headers: {'content-type': 'application/json'}})],
            ['GET', '/runs/channel/', () => ({items: []})],
        ]);
        const {reg, calls} = registry();
        new PlaybooksPlugin().initialize(reg, {getCurrentUserId: () => 'u1', getCurrentChannelId: () => ''});
        const Reminder = calls.postType.find((c) => c[0] === 'custom_update_status')![1] as React.ComponentType<{post: unknown}>;
        render(<Reminder post={{id: 'p9', type: 'custom_update_status', message: '@alice, please provide a status update', props: {attachments: [{actions: [
            {id: 'update', name: 'Update status', type: 'button', style: 'primary'},
            {id: 'snooze', name: 'Snooze for…', type: 'select', options: [{text: '1 hour', value: '3600'}, {text: '1 day', value: '86400'}]},
        ]}]}}}/>);
        expect(screen.getByText('@alice, please provide a status update')).toBeTruthy();
        await act(async () => {
            fireEvent.click(screen.getByRole('button', {name: 'Update status'}));
        });
        expect(requests.find((r) => r.url.endsWith('/actions/update'))?.body).toEqual({});
        await act(async () => {
            fireEvent.change(screen.getByRole('combobox', {name: 'Snooze for…'}), {target: {value: '86400'}});
        });
        expect(requests.find((r) => r.url.endsWith('/actions/snooze'))?.body).toEqual({selected_option: '86400'});
        expect((await screen.findByRole('alert')).textContent).toBe('Only the owner can snooze.');
    });
});
