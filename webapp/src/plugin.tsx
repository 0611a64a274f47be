// Registration with the chat client's plugin registry (modelled on
// Mattermost's): the run details sidebar and its channel-header button,
// post renderers, live-update handlers, and the full-page routes under
// /playbooks. Registry methods the client lacks are skipped, so the bundle
// degrades instead of failing.

import React, {useEffect, useState} from 'react';

import {runs} from './client';
import {connect, type Host} from './host';
import {Dashboard} from './pages/Dashboard';
import {PlaybookEditor, PlaybookList} from './pages/Playbooks';
import {RunOverview} from './pages/RunOverview';
import {POST_TYPES} from './posts/PostTypes';
import {RunDetails} from './rhs/RunDetails';
import * as store from './runStore';
import {STYLES} from './styles';

export const PLUGIN_ID = 'playbooks';
export const RUN_EVENTS = ['custom_playbooks_playbook_run_updated', 'custom_playbooks_playbook_run_created'];

type Registry = Record<string, ((...args: any[]) => any) | undefined>;

/** Which page a /playbooks path shows. */
export function routeOf(path: string): {page: 'run' | 'playbooks' | 'playbook' | 'dashboard'; id?: string} {
    const parts = path.replace(/^\/+|\/+$/g, '').split('/');
    if (parts[0] === 'playbooks' && parts[1] === 'runs' && parts[2]) {
        return {page: 'run', id: parts[2]};
    }
    if (parts[0] === 'playbooks' && parts[1] === 'playbooks' && parts[2]) {
        return {page: parts[3] === 'dashboard' ? 'dashboard' : 'playbook', id: parts[2]};
    }
    return {page: 'playbooks'};
}

export function Pages({host}: {host: Host}) {
    const [path, setPath] = useState(window.location.pathname);
    useEffect(() => {
        const onPop = () => setPath(window.location.pathname);
        window.addEventListener('popstate', onPop);
        return () => window.removeEventListener('popstate', onPop);
    }, []);
    const route = routeOf(path);
    switch (route.page) {
    case 'run': return <RunOverview runId={route.id!} host={host}/>;
    case 'playbook': return <PlaybookEditor playbookId={route.id!}/>;
    case 'dashboard': return <Dashboard playbookId={route.id!}/>;
    default: return <PlaybookList host={host}/>;
    }
}

export class PlaybooksPlugin {
    host?: Host;

    initialize(registry: Registry, clientStore: Record<string, any>) {
        const host = connect(clientStore);
        this.host = host;
        if (!document.getElementById('playbooks-styles')) {
            const style = document.createElement('style');
            style.id = 'playbooks-styles';
            style.textContent = STYLES;
            document.head.appendChild(style);
        }
        const Sidebar = () => <RunDetails host={host}/>;
        const rhs = registry.registerRightHandSidebarComponent?.(Sidebar, 'Run details');
        registry.registerChannelHeaderButtonAction?.(
            <span aria-hidden='true'>▶</span>,
            () => rhs?.toggleRHSPlugin?.(),
            'Playbook runs',
            'Run details',
        );
        for (const [type, component] of Object.entries(POST_TYPES)) {
            registry.registerPostTypeComponent?.(type, component);
        }
        for (const event of RUN_EVENTS) {
            registry.registerWebSocketEventHandler?.(event, (msg: {data?: unknown}) => {
                const run = store.fromEvent(msg?.data);
                if (run) {
                    store.put(run);
                }
            });
        }
        const PagesRoot = () => <Pages host={host}/>;
        if (registry.registerProduct) {
            registry.registerProduct({baseURL: '/playbooks', switcherText: 'Playbooks', mainComponent: PagesRoot});
        } else {
            registry.registerRoute?.('/playbooks', PagesRoot);
        }
        // Open the sidebar when the user lands in a run's channel.
        const openIfRunChannel = (channelId: string) => {
            if (!channelId) {
                return;
            }
            runs.inChannel(channelId).then((page) => {
                page.items.forEach(store.put);
                if (page.items.some((r) => r.current_status === 'InProgress')) {
                    rhs?.showRHSPlugin?.();
                }
            }).catch(() => undefined);
        };
        host.onChannelChange(openIfRunChannel);
        openIfRunChannel(host.channelId());
    }
}
