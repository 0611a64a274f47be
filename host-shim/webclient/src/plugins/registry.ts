// The plugin registry (Mattermost's `PluginRegistry` names; see
// ../../PLUGIN_API.md): loads the web bundles of running plugins, hands
// each one a registry bound to its id, and keeps what they register where
// the layout can read it. A plugin that throws while registering loses
// its own UI, nobody else's.

import type {ComponentType, ReactNode} from 'react';
import {useSyncExternalStore} from 'react';

import {api} from '../api/client';
import type {Channel, ChannelMember, Post, WsMessage} from '../api/types';
import {getState, setState} from '../state/store';
import {pluginStore} from './pluginStore';

export interface Registered {
    id: string;
    pluginId: string;
}
export interface RhsRegistration extends Registered {
    component: ComponentType;
    title: ReactNode;
}
export interface HeaderButton extends Registered {
    icon: ReactNode;
    action: (channel: Channel | undefined, member: ChannelMember | undefined) => void;
    dropdownText: string;
    tooltipText: string;
}
export interface MenuAction extends Registered {
    text: ReactNode;
    action: (channelId: string) => void;
}
export interface PostTypeRegistration extends Registered {
    type: string;
    component: ComponentType<{post: Post; isRHS?: boolean}>;
}
export interface Product extends Registered {
    baseURL: string;
    switcherText: string;
    mainComponent: ComponentType;
    headerComponent?: ComponentType;
}
export interface RouteRegistration extends Registered {
    /** Full path prefix, e.g. `/plug/<id>/reports`; team routes keep `:team` as the first segment. */
    path: string;
    needsTeam: boolean;
    component: ComponentType;
}

export interface Registrations {
    roots: Array<Registered & {component: ComponentType}>;
    rhs: RhsRegistration[];
    headerButtons: HeaderButton[];
    channelMenu: MenuAction[];
    mainMenu: Array<Registered & {text: ReactNode; action: () => void}>;
    postTypes: PostTypeRegistration[];
    products: Product[];
    routes: RouteRegistration[];
}

const empty = (): Registrations => ({roots: [], rhs: [], headerButtons: [], channelMenu: [], mainMenu: [], postTypes: [], products: [], routes: []});

let registrations: Registrations = empty();
const listeners = new Set<() => void>();
const wsHandlers = new Map<string, Map<string, (msg: WsMessage) => void>>();
const reconnectHandlers = new Map<string, () => void>();
const initialized = new Map<string, {uninitialize?: () => void}>();
let nextId = 1;

function update(change: (r: Registrations) => Registrations) {
    registrations = change(registrations);
    listeners.forEach((l) => l());
}

export function getRegistrations(): Registrations {
    return registrations;
}

export function useRegistrations(): Registrations {
    return useSyncExternalStore((l) => {
        listeners.add(l);
        return () => {
            listeners.delete(l);
        };
    }, () => registrations);
}

/** The component registered for a post type, if any. */
export function postTypeComponent(type: string): PostTypeRegistration | undefined {
    return [...registrations.postTypes].reverse().find((p) => p.type === type);
}

type Action = ((...args: unknown[]) => void) & {type?: string};

/** An action that works both called directly and through `store.dispatch`. */
function action(type: string, run: () => void): Action {
    const fn = (() => run()) as Action;
    fn.type = type;
    return fn;
}

/** The registry one plugin sees: everything it registers is tagged with its id. */
export function registryFor(pluginId: string) {
    const id = () => `${pluginId}_${nextId++}`;
    const add = <K extends keyof Registrations>(key: K, item: Registrations[K][number]) => {
        update((r) => ({...r, [key]: [...r[key], item]}));
        return item.id;
    };
    return {
        registerRootComponent: (component: ComponentType) => add('roots', {id: id(), pluginId, component}),
        registerRightHandSidebarComponent: (component: ComponentType, title: ReactNode) => {
            const rhsId = add('rhs', {id: id(), pluginId, component, title});
            const isOpen = () => {
                const rhs = getState().rhs;
                return rhs.kind === 'plugin' && rhs.id === rhsId;
            };
            return {
                id: rhsId,
                showRHSPlugin: action('SHOW_RHS_PLUGIN', () => setState((s) => ({...s, rhs: {kind: 'plugin', id: rhsId}}))),
                hideRHSPlugin: action('HIDE_RHS_PLUGIN', () => isOpen() && setState((s) => ({...s, rhs: {kind: 'none'}}))),
                toggleRHSPlugin: action('TOGGLE_RHS_PLUGIN', () => setState((s) => ({...s, rhs: isOpen() ? {kind: 'none'} : {kind: 'plugin', id: rhsId}}))),
            };
        },
        registerChannelHeaderButtonAction: (icon: ReactNode, act: HeaderButton['action'], dropdownText: string, tooltipText: string) =>
            add('headerButtons', {id: id(), pluginId, icon, action: act, dropdownText: dropdownText || '', tooltipText: tooltipText || dropdownText || ''}),
        registerChannelHeaderMenuAction: (text: ReactNode, act: (channelId: string) => void) => add('channelMenu', {id: id(), pluginId, text, action: act}),
        registerMainMenuAction: (text: ReactNode, act: () => void) => add('mainMenu', {id: id(), pluginId, text, action: act}),
        registerPostTypeComponent: (type: string, component: PostTypeRegistration['component']) => add('postTypes', {id: id(), pluginId, type, component}),
        unregisterPostTypeComponent: (componentId: string) => unregister(componentId),
        registerWebSocketEventHandler: (event: string, handler: (msg: WsMessage) => void) => {
            const mine = wsHandlers.get(pluginId) ?? new Map();
            mine.set(event, handler);
            wsHandlers.set(pluginId, mine);
        },
        unregisterWebSocketEventHandler: (event: string) => {
            wsHandlers.get(pluginId)?.delete(event);
        },
        registerReconnectHandler: (handler: () => void) => {
            reconnectHandlers.set(pluginId, handler);
        },
        unregisterReconnectHandler: () => {
            reconnectHandlers.delete(pluginId);
        },
        registerProduct: (product: {baseURL: string; switcherText?: string; mainComponent: ComponentType; headerComponent?: ComponentType}) =>
            add('products', {
                id: id(), pluginId, baseURL: '/' + product.baseURL.replace(/^\/+|\/+$/g, ''), switcherText: product.switcherText || pluginId,
                mainComponent: product.mainComponent, headerComponent: product.headerComponent,
            }),
        registerCustomRoute: (path: string, component: ComponentType) =>
            add('routes', {id: id(), pluginId, path: `/plug/${pluginId}/${path.replace(/^\/+/, '')}`.replace(/\/+$/, ''), needsTeam: false, component}),
        registerNeedsTeamRoute: (path: string, component: ComponentType) =>
            add('routes', {id: id(), pluginId, path: `/${pluginId}/${path.replace(/^\/+/, '')}`.replace(/\/+$/, ''), needsTeam: true, component}),
        registerTranslations: () => undefined,
        unregisterComponent: (componentId: string) => unregister(componentId),
    };
}

export type PluginRegistry = ReturnType<typeof registryFor>;

/** Drops every registration `gone` picks, from every list. */
function removeWhere(gone: (item: Registered) => boolean) {
    update((r) => {
        const next = {} as Registrations;
        (Object.keys(r) as Array<keyof Registrations>).forEach((key) => {
            (next as any)[key] = (r[key] as Registered[]).filter((item) => !gone(item));
        });
        return next;
    });
}

function unregister(componentId: string) {
    removeWhere((item) => item.id === componentId);
}

/** Which registered page a path shows (a product's base URL or a plugin route), if any. */
export function pageFor(path: string): {component: ComponentType; pluginId: string; product?: Product} | undefined {
    const clean = '/' + path.replace(/^\/+|\/+$/g, '');
    const within = (base: string) => clean === base || clean.startsWith(base + '/');
    const product = registrations.products.find((p) => within(p.baseURL));
    if (product) {
        return {component: product.mainComponent, pluginId: product.pluginId, product};
    }
    for (const route of registrations.routes) {
        if (route.needsTeam) {
            const rest = clean.replace(/^\/[^/]+/, '');
            if (rest === route.path || rest.startsWith(route.path + '/')) {
                return {component: route.component, pluginId: route.pluginId};
            }
        } else if (within(route.path)) {
            return {component: route.component, pluginId: route.pluginId};
        }
    }
    return undefined;
}

export function dispatchPluginEvent(message: WsMessage) {
    wsHandlers.forEach((handlers, pluginId) => {
        const handler = handlers.get(message.event);
        if (!handler) return;
        try {
            handler(message);
        } catch (e) {
            console.error(`plugin ${pluginId}: websocket handler for ${message.event} failed`, e);
        }
    });
}

export function notifyReconnect() {
    reconnectHandlers.forEach((handler, pluginId) => {
        try {
            handler();
        } catch (e) {
            console.error(`plugin ${pluginId}: reconnect handler failed`, e);
        }
    });
}

declare global {
    interface Window {
        registerPlugin: (id: string, plugin: {initialize?: (registry: PluginRegistry, store: unknown) => void; uninitialize?: () => void}) => void;
    }
}

/** Where `window.registerPlugin` delivers: initialises the plugin once. */
export function initializePlugin(id: string, plugin: {initialize?: (registry: PluginRegistry, store: unknown) => void; uninitialize?: () => void}) {
    if (initialized.has(id)) {
        console.warn(`plugin ${id} registered twice; ignoring the second`);
        return;
    }
    initialized.set(id, plugin);
    try {
        plugin.initialize?.(registryFor(id), pluginStore);
    } catch (e) {
        console.error(`plugin ${id} failed to initialize`, e);
        forgetPlugin(id);
    }
}

function forgetPlugin(id: string) {
    wsHandlers.delete(id);
    reconnectHandlers.delete(id);
    removeWhere((item) => item.pluginId === id);
}

/** Loads every running plugin's web bundle (once per session). */
export async function loadPlugins() {
    window.registerPlugin = initializePlugin;
    const manifests = await api.webappPlugins();
    await Promise.all(manifests.filter((m) => m.webapp?.bundle_path && !initialized.has(m.id)).map((m) => new Promise<void>((resolve) => {
        const script = document.createElement('script');
        script.src = m.webapp!.bundle_path;
        script.dataset.plugin = m.id;
        script.onload = () => resolve();
        script.onerror = () => {
            console.error(`plugin ${m.id}: its web bundle did not load from ${m.webapp!.bundle_path}`);
            resolve();
        };
        document.head.appendChild(script);
    })));
}

/** Logging out: every plugin's UI and handlers go. */
export function unloadPlugins() {
    initialized.forEach((plugin, id) => {
        try {
            plugin.uninitialize?.();
        } catch (e) {
            console.error(`plugin ${id} failed to uninitialize`, e);
        }
    });
    initialized.clear();
    wsHandlers.clear();
    reconnectHandlers.clear();
    document.querySelectorAll('script[data-plugin]').forEach((s) => s.remove());
    update(() => empty());
}
