// Registration with the chat client's plugin registry (see
// host-shim/webclient/PLUGIN_API.md): the run details sidebar and its
// channel-header button, the channel actions editor (channel menu entry +
// root component), post renderers, live-update handlers, and the
// full-page routes under /playbooks. Registry methods the client lacks are
// skipped, so the bundle degrades instead of failing.

import React, {useEffect, useState} from 'react';

import {ChannelActionsRoot} from './channelActions/ChannelActionsModal';
import {openChannelActions} from './channelActions/state';
import {ErrorBoundary} from './components/ErrorBoundary';
import {runs} from './client';
import {NAVIGATED, connect, type Host} from './host';
import {Dashboard} from './pages/playbooks/Dashboard';
import {PlaybookList} from './pages/playbooks/PlaybookList';
import {PlaybookEditor} from './pages/playbooks/editor/PlaybookEditor';
import {RunOverview} from './pages/run/RunOverview';
import {POST_TYPES, type Post} from './posts/PostTypes';
import {RunDetails} from './rhs/RunDetails';
import * as store from './runStore';
import {STYLES} from './styles';

export const PLUGIN_ID = 'playbooks';
export const RUN_EVENTS = ['custom_playbooks_playbook_run_updated', 'custom_playbooks_playbook_run_created'];
export const RUN_UPDATED_INCREMENTAL_EVENT = 'custom_playbooks_playbook_run_updated_incremental';
export const RUN_DELETED_EVENT = 'custom_playbooks_playbook_run_deleted';
export const PLAYBOOK_EVENTS = ['custom_playbooks_playbook_created', 'custom_playbooks_playbook_archived', 'custom_playbooks_playbook_restored'];

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
    // The path is read at render time (the client re-renders its product on its
    // own route changes); back/forward and our own navigations force a render.
    const [, setTick] = useState(0);
    useEffect(() => {
        const onMove = () => setTick((t) => t + 1);
        window.addEventListener('popstate', onMove);
        window.addEventListener(NAVIGATED, onMove);
        return () => {
            window.removeEventListener('popstate', onMove);
            window.removeEventListener(NAVIGATED, onMove);
        };
    }, []);
    const route = routeOf(window.location.pathname);
    switch (route.page) {
    case 'run': return <RunOverview key={route.id} runId={route.id!} host={host}/>;
    case 'playbook': return <PlaybookEditor key={route.id} playbookId={route.id!} host={host}/>;
    case 'dashboard': return <Dashboard key={route.id} playbookId={route.id!} host={host}/>;
    default: return <PlaybookList host={host}/>;
    }
}

/** Refetches what the sidebar and pages show, after events may have been missed. */
export function refetch(host: Host) {
    const channel = host.channelId();
    if (channel) {
        runs.inChannel(channel).then((page) => page.items.forEach(store.put)).catch(() => undefined);
    }
    for (const id of store.ids()) {
        runs.get(id).then(store.put).catch((e) => {
            if (e?.status === 404 || e?.status === 403) {
                store.remove(id);
            }
        });
    }
    store.playbooksChanged();
}

export class PlaybooksPlugin {
    host?: Host;
    private offChannel?: () => void;

    initialize(registry: Registry, clientStore: Record<string, any>) {
        const host = connect(clientStore);
        this.host = host;
        if (!document.getElementById('playbooks-styles')) {
            const style = document.createElement('style');
            style.id = 'playbooks-styles';
            style.textContent = STYLES;
            document.head.appendChild(style);
        }
        const Sidebar = () => <ErrorBoundary where='sidebar'><RunDetails host={host}/></ErrorBoundary>;
        const rhs = registry.registerRightHandSidebarComponent?.(Sidebar, 'Run details');
        registry.registerChannelHeaderButtonAction?.(
            <span aria-hidden='true'>▶</span>,
            () => rhs?.toggleRHSPlugin?.(),
            'Playbook runs',
            'Run details',
        );
        registry.registerChannelHeaderMenuAction?.('Channel actions', (channelId?: string) => openChannelActions(channelId || host.channelId()));
        const Root = () => <ErrorBoundary where='channel actions'><ChannelActionsRoot host={host}/></ErrorBoundary>;
        registry.registerRootComponent?.(Root);
        registry.registerMainMenuAction?.('Playbooks', () => host.navigate('/playbooks'));
        for (const [type, Component] of Object.entries(POST_TYPES)) {
            const Bound = (props: {post: Post; isRHS?: boolean}) => <ErrorBoundary where='post'><Component {...props} host={host}/></ErrorBoundary>;
            registry.registerPostTypeComponent?.(type, Bound);
        }
        for (const event of RUN_EVENTS) {
            registry.registerWebSocketEventHandler?.(event, (msg: {data?: unknown}) => {
                const run = store.fromEvent(msg?.data);
                if (run) {
                    store.put(run);
                }
            });
        }
        registry.registerWebSocketEventHandler?.(RUN_UPDATED_INCREMENTAL_EVENT, (msg: {data?: unknown}) => {
            const update = store.updateFromEvent(msg?.data);
            if (update) {
                store.applyUpdate(update);
            }
        });
        registry.registerWebSocketEventHandler?.(RUN_DELETED_EVENT, (msg: {data?: {playbook_run_id?: string}}) => {
            if (msg?.data?.playbook_run_id) {
                store.remove(msg.data.playbook_run_id);
            }
        });
        for (const event of PLAYBOOK_EVENTS) {
            registry.registerWebSocketEventHandler?.(event, () => store.playbooksChanged());
        }
        registry.registerReconnectHandler?.(() => refetch(host));
        const PagesRoot = () => <ErrorBoundary where='page'><Pages host={host}/></ErrorBoundary>;
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
                // The answer may come after the user moved on: open only in the channel it is about.
                if (host.channelId() === channelId && page.items.some((r) => r.current_status === 'InProgress')) {
                    rhs?.showRHSPlugin?.();
                }
            }).catch(() => undefined);
        };
        this.offChannel = host.onChannelChange(openIfRunChannel);
        openIfRunChannel(host.channelId());
    }

    uninitialize() {
        this.offChannel?.();
        store.clear();
    }
}
