// What the plugin needs from the chat client, behind one small interface
// so the components never depend on the client's internals. `connect`
// adapts the `store` the client hands to `initialize` and the globals it
// defines (see host-shim/webclient/PLUGIN_API.md); tests pass a fake.

import React from 'react';

import {request} from './client';

export interface UserInfo {
    id: string;
    username: string;
    first_name?: string;
    last_name?: string;
    nickname?: string;
}

export interface ChannelInfo {
    id: string;
    name: string;
    display_name: string;
    team_id: string;
    type: string;
}

export interface Host {
    /** The logged-in user's id. */
    userId(): string;
    /** The channel and team on screen ('' when none). */
    channelId(): string;
    teamId(): string;
    /** Calls `listener` when the user switches channel (only then); returns an unsubscribe. */
    onChannelChange(listener: (channelId: string) => void): () => void;
    /** Opens a client route (`/playbooks/runs/<id>`). */
    navigate(path: string): void;
    /** A username for a user id (the id itself when unknown). */
    username(userId: string): Promise<string>;
    /** Users of the current team whose name starts with `prefix` (for user pickers). */
    searchUsers(prefix: string): Promise<UserInfo[]>;
    /** The caller's channels in the current team matching `prefix` (for channel pickers). */
    searchChannels(prefix: string): Promise<ChannelInfo[]>;
    /** A channel's display name (the id when unknown). */
    channelName(channelId: string): Promise<string>;
    /** Markdown as the client renders posts (sanitised); plain text when the client has no renderer. */
    markdown(text: string): React.ReactNode;
}

type AnyStore = Record<string, any>;

interface PostUtils {
    formatText?: (text: string, options?: Record<string, unknown>) => string;
    messageHtmlToComponent?: (html: string) => React.ReactNode;
}

/** Text with its line breaks, for clients without a Markdown renderer. */
export function plainText(text: string): React.ReactNode {
    return React.createElement('div', {className: 'pb-text'},
        ...text.split(/\n{2,}/).map((para, i) => React.createElement('p', {key: i},
            ...para.split('\n').flatMap((line, j) => (j === 0 ? [line] : [React.createElement('br', {key: j}), line])))));
}

/** The client's Markdown renderer (`window.PostUtils`), or plain text. */
export function markdown(text: string): React.ReactNode {
    const utils = (window as unknown as {PostUtils?: PostUtils}).PostUtils;
    if (text && utils?.formatText && utils.messageHtmlToComponent) {
        try {
            return React.createElement('div', {className: 'pb-markdown'}, utils.messageHtmlToComponent(utils.formatText(text)));
        } catch {
            // A renderer failure must not take the sidebar down; the text is still worth showing.
        }
    }
    return plainText(text);
}

const names = new Map<string, Promise<string>>();

/** Fired on window after Host.navigate, so the plugin's pages follow their own links. */
export const NAVIGATED = 'playbooks:navigated';

/** Adapts the client's plugin store (duck-typed: it may expose getters or plain fields). */
export function connect(store: AnyStore): Host {
    const read = (...fields: string[]): string => {
        for (const name of fields) {
            const v = store?.[name];
            const value = typeof v === 'function' ? v.call(store) : v;
            if (typeof value === 'string') {
                return value;
            }
            if (value && typeof value === 'object' && typeof value.id === 'string') {
                return value.id;
            }
        }
        return '';
    };
    const channelId = () => read('getCurrentChannelId', 'currentChannelId', 'getCurrentChannel', 'currentChannel');
    const teamId = () => read('getCurrentTeamId', 'currentTeamId', 'getCurrentTeam', 'currentTeam');
    const state = () => (typeof store?.getState === 'function' ? store.getState() : undefined);
    const loadedUser = (id: string): UserInfo | undefined =>
        (typeof store?.getUser === 'function' ? store.getUser(id) : undefined) || state()?.entities?.users?.profiles?.[id];
    const remember = (u: UserInfo) => {
        if (u?.id && u.username) {
            names.set(u.id, Promise.resolve(u.username));
        }
    };
    return {
        userId: () => read('getCurrentUserId', 'currentUserId', 'getCurrentUser', 'currentUser'),
        channelId,
        teamId,
        onChannelChange: (listener) => {
            // The contract offers onChannelChange; a bare `subscribe` fires on every
            // state change, so only real channel switches are passed on.
            const subscribe = store?.onChannelChange || store?.subscribe;
            if (typeof subscribe !== 'function') {
                return () => undefined;
            }
            let last = channelId();
            const off = subscribe.call(store, (arg?: unknown) => {
                const now = typeof arg === 'string' ? arg : channelId();
                if (now !== last) {
                    last = now;
                    listener(now);
                }
            });
            return typeof off === 'function' ? off : () => undefined;
        },
        navigate: (path) => {
            const history = (window as unknown as {WebappUtils?: {browserHistory?: {push?: (p: string) => void}}}).WebappUtils?.browserHistory;
            if (typeof store?.navigate === 'function') {
                store.navigate(path);
            } else if (typeof history?.push === 'function') {
                history.push(path);
            } else {
                window.history.pushState({}, '', path);
            }
            window.dispatchEvent(new Event(NAVIGATED));
        },
        username: (userId) => {
            if (!userId) {
                return Promise.resolve('');
            }
            const loaded = loadedUser(userId);
            if (loaded?.username) {
                return Promise.resolve(loaded.username);
            }
            let hit = names.get(userId);
            if (!hit) {
                hit = request<UserInfo>('GET', `/api/v4/users/${encodeURIComponent(userId)}`)
                    .then((u) => String(u.username || userId))
                    .catch(() => userId);
                names.set(userId, hit);
            }
            return hit;
        },
        searchUsers: async (prefix) => {
            const q = `in_team=${encodeURIComponent(teamId())}&name=${encodeURIComponent(prefix.replace(/^@/, ''))}`;
            const body = await request<{users?: UserInfo[]}>('GET', `/api/v4/users/autocomplete?${q}`);
            const users = Array.isArray(body?.users) ? body.users : [];
            users.forEach(remember);
            return users;
        },
        searchChannels: async (prefix) => {
            const all = await request<ChannelInfo[]>('GET', `/api/v4/users/me/teams/${encodeURIComponent(teamId())}/channels`);
            const p = prefix.replace(/^~/, '').toLowerCase();
            return (Array.isArray(all) ? all : [])
                .filter((c) => c.type === 'O' || c.type === 'P')
                .filter((c) => !p || c.name.toLowerCase().includes(p) || (c.display_name || '').toLowerCase().includes(p))
                .slice(0, 20);
        },
        channelName: async (id) => {
            const loaded = state()?.entities?.channels?.channels?.[id];
            if (loaded?.display_name) {
                return loaded.display_name;
            }
            try {
                const c = await request<ChannelInfo>('GET', `/api/v4/channels/${encodeURIComponent(id)}`);
                return c.display_name || c.name || id;
            } catch {
                return id;
            }
        },
        markdown,
    };
}
