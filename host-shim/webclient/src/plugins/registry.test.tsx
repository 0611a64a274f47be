import {afterEach, describe, expect, it, vi} from 'vitest';

import {getState, resetState} from '../state/store';
import {pluginStore} from './pluginStore';
import {dispatchPluginEvent, getRegistrations, initializePlugin, pageFor, postTypeComponent, registryFor, unloadPlugins} from './registry';

const Page = () => null;

afterEach(() => {
    unloadPlugins();
    resetState();
});

describe('plugin registry', () => {
    it('tags registrations with the plugin and removes them by id', () => {
        const r = registryFor('demo');
        const id = r.registerChannelHeaderButtonAction('▶', () => undefined, 'Runs', 'Run details');
        r.registerPostTypeComponent('custom_demo', Page);
        expect(getRegistrations().headerButtons).toMatchObject([{id, pluginId: 'demo', dropdownText: 'Runs', tooltipText: 'Run details'}]);
        expect(postTypeComponent('custom_demo')?.component).toBe(Page);
        r.unregisterComponent(id);
        expect(getRegistrations().headerButtons).toEqual([]);
    });

    it('opens, toggles and hides the plugin RHS, called directly or dispatched', () => {
        const rhs = registryFor('demo').registerRightHandSidebarComponent(Page, 'Run details');
        rhs.showRHSPlugin();
        expect(getState().rhs).toEqual({kind: 'plugin', id: rhs.id});
        pluginStore.dispatch(rhs.toggleRHSPlugin);
        expect(getState().rhs).toEqual({kind: 'none'});
        pluginStore.dispatch(rhs.toggleRHSPlugin);
        rhs.hideRHSPlugin();
        expect(getState().rhs).toEqual({kind: 'none'});
    });

    it('finds the page for products, custom routes and team routes', () => {
        const r = registryFor('playbooks');
        r.registerProduct({baseURL: '/playbooks/', switcherText: 'Playbooks', mainComponent: Page});
        const Custom = () => null;
        const Team = () => null;
        r.registerCustomRoute('reports', Custom);
        r.registerNeedsTeamRoute('/stats', Team);
        expect(pageFor('/playbooks/runs/abc')?.component).toBe(Page);
        expect(pageFor('/playbooks')?.product?.switcherText).toBe('Playbooks');
        expect(pageFor('/playbooksx')).toBeUndefined();
        expect(pageFor('/plug/playbooks/reports/1')?.component).toBe(Custom);
        expect(pageFor('/ops/playbooks/stats')?.component).toBe(Team);
        expect(pageFor('/ops/channels/x')).toBeUndefined();
    });

    it('delivers websocket events to every plugin, even after one throws', () => {
        const seen: string[] = [];
        registryFor('a').registerWebSocketEventHandler('custom_x', () => {
            throw new Error('boom');
        });
        registryFor('b').registerWebSocketEventHandler('custom_x', (m) => seen.push(m.event));
        vi.spyOn(console, 'error').mockImplementation(() => undefined);
        dispatchPluginEvent({event: 'custom_x', data: {}, broadcast: {}, seq: 1});
        expect(seen).toEqual(['custom_x']);
    });

    it('drops what a plugin registered when its initialize throws', () => {
        vi.spyOn(console, 'error').mockImplementation(() => undefined);
        initializePlugin('broken', {
            initialize(registry) {
                registry.registerRootComponent(Page);
                throw new Error('bad plugin');
            },
        });
        initializePlugin('good', {initialize: (registry) => registry.registerRootComponent(Page)});
        expect(getRegistrations().roots.map((r) => r.pluginId)).toEqual(['good']);
    });

    it('hands plugins a store with the current user, team and channel, and channel-change events', () => {
        let store: typeof pluginStore | undefined;
        initializePlugin('p', {initialize: (_r, s) => {
            store = s as typeof pluginStore;
        }});
        resetState({me: {id: 'me', username: 'me', nickname: '', first_name: '', last_name: '', roles: '', is_bot: false, delete_at: 0}, currentTeamId: 't1', currentChannelId: 'c1'});
        const changes: string[] = [];
        const off = store!.onChannelChange((id) => changes.push(id));
        expect(store!.getCurrentUserId()).toBe('me');
        expect((store!.getState() as any).entities.channels.currentChannelId).toBe('c1');
        resetState({...getState(), currentChannelId: 'c2'});
        off();
        resetState({...getState(), currentChannelId: 'c3'});
        expect(changes).toEqual(['c2']);
    });
});
