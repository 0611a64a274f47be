// The client's state: one immutable snapshot replaced on every change, read
// by components through `useStore(selector)` (useSyncExternalStore). What a
// Redux store would give, without the ceremony; plugins get a Redux-shaped
// view of it (see plugins/pluginStore.ts).

import {useRef, useSyncExternalStore} from 'react';

import type {Channel, ChannelMember, ClientConfig, OpenDialog, Post, SidebarCategory, StatusName, Team, User} from '../api/types';

/** A channel's loaded posts, oldest first (roots and replies, as the server orders them). */
export interface ChannelPosts {
    order: string[];
    /** Whether the oldest post of the channel is loaded. */
    complete: boolean;
}

export type Rhs =
    | {kind: 'none'}
    | {kind: 'thread'; rootId: string}
    | {kind: 'search'}
    | {kind: 'plugin'; id: string};

export interface SearchState {
    terms: string;
    /** Results, newest first (the posts are in `posts`). */
    postIds: string[];
    loading: boolean;
    error: string;
    hasNext: boolean;
    /** The last page loaded. */
    page: number;
}

export interface State {
    me: User | null;
    config: ClientConfig;
    path: string;
    teams: Record<string, Team>;
    myTeamIds: string[];
    currentTeamId: string;
    channels: Record<string, Channel>;
    /** The channels the user is in, per team (direct messages in every team's list). */
    myChannelIds: Record<string, string[]>;
    /** The user's own memberships, by channel id: unread counts. */
    members: Record<string, ChannelMember>;
    categories: Record<string, SidebarCategory[]>;
    currentChannelId: string;
    /** The post being edited in place (one at a time; Up in an empty box picks the last own one). */
    editingPostId: string;
    /** A post to scroll to and highlight (permalinks). */
    highlight: string;
    /** `last_viewed_at` when the user entered the channel: where "New messages" starts. */
    newSince: Record<string, number>;
    users: Record<string, User>;
    /** Statuses of the users the client shows, by user id (live from `status_change`). */
    statuses: Record<string, StatusName>;
    /** Who is typing where: channel id → user id → until when (ms). */
    typing: Record<string, Record<string, number>>;
    /** Channels the user marked favourite (`favorite_channel` preferences). */
    favorites: string[];
    posts: Record<string, Post>;
    channelPosts: Record<string, ChannelPosts>;
    /** Replies by root id, oldest first, once the thread was loaded. */
    threads: Record<string, string[]>;
    rhs: Rhs;
    /** The last message search (shown in the right-hand sidebar). */
    search: SearchState;
    dialog: OpenDialog | null;
    connected: boolean;
    /** A message for the user about something that failed outside a form. */
    notice: string;
    /** Phone layout: whether the channel list is shown over the channel. */
    drawerOpen: boolean;
}

export function initialState(): State {
    return {
        me: null,
        config: {},
        path: typeof window === 'undefined' ? '/' : window.location.pathname,
        teams: {},
        myTeamIds: [],
        currentTeamId: '',
        channels: {},
        myChannelIds: {},
        members: {},
        categories: {},
        currentChannelId: '',
        highlight: '',
        editingPostId: '',
        newSince: {},
        users: {},
        statuses: {},
        typing: {},
        favorites: [],
        posts: {},
        channelPosts: {},
        threads: {},
        rhs: {kind: 'none'},
        search: {terms: '', postIds: [], loading: false, error: '', hasNext: false, page: 0},
        dialog: null,
        connected: false,
        notice: '',
        drawerOpen: false,
    };
}

type Listener = () => void;

let state: State = initialState();
const listeners = new Set<Listener>();

export function getState(): State {
    return state;
}

/** Replaces the state with `update(state)`'s result (a new object) and notifies. */
export function setState(update: (s: State) => State) {
    const next = update(state);
    if (next !== state) {
        state = next;
        listeners.forEach((l) => l());
    }
}

export function subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => {
        listeners.delete(listener);
    };
}

/** For tests and logout. */
export function resetState(patch: Partial<State> = {}) {
    state = {...initialState(), ...patch};
    listeners.forEach((l) => l());
}

/**
 * The part of the state `selector` picks; re-renders when it changes. A
 * selector may build a new array or object each time: a result shallowly
 * equal to the previous one is replaced by it, so React sees a stable value.
 */
export function useStore<T>(selector: (s: State) => T): T {
    const cache = useRef<{state?: State; selector?: (s: State) => T; value?: T; has: boolean}>({has: false});
    const read = () => {
        const c = cache.current;
        if (!c.has || c.state !== state || c.selector !== selector) {
            const value = selector(state);
            if (!c.has || !shallowEqual(c.value, value)) {
                c.value = value;
            }
            c.has = true;
            c.state = state;
            c.selector = selector;
        }
        return c.value as T;
    };
    return useSyncExternalStore(subscribe, read);
}

export function shallowEqual(a: unknown, b: unknown): boolean {
    if (Object.is(a, b)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || !a || !b) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.is((a as any)[k], (b as any)[k]));
}

/**
 * For work the user did not ask for directly (refreshes after an event or
 * a reconnect, read markers): the failure is logged, and shown as a notice
 * when the user would otherwise look at stale data without knowing.
 */
export function failed(what: string, tell = false) {
    return (e: unknown) => {
        const reason = e instanceof Error ? e.message : String(e);
        console.warn(`${what} failed: ${reason}`);
        if (tell) {
            setState((s) => ({...s, notice: `Could not ${what}: ${reason}`}));
        }
    };
}

// --- small immutable helpers ---------------------------------------------

type ById = 'users' | 'channels' | 'posts';

/** `s` with `items` put into the map `key` (a new map; `s` itself when there is nothing to add). */
function withById<K extends ById>(s: State, key: K, items: Array<State[K][string]>): State {
    if (items.length === 0) {
        return s;
    }
    const next = {...s[key]} as State[K];
    items.forEach((item) => {
        (next as Record<string, unknown>)[item.id] = item;
    });
    return {...s, [key]: next};
}

export const withUsers = (s: State, users: User[]): State => withById(s, 'users', users);
export const withChannels = (s: State, channels: Channel[]): State => withById(s, 'channels', channels);
export const withPosts = (s: State, posts: Post[]): State => withById(s, 'posts', posts);

// --- selectors -------------------------------------------------------------

export const currentTeam = (s: State): Team | undefined => s.teams[s.currentTeamId];
export const currentChannel = (s: State): Channel | undefined => s.channels[s.currentChannelId];

/** Whether the channel has messages the user has not seen. */
export function isUnread(s: State, channelId: string): boolean {
    const channel = s.channels[channelId];
    const member = s.members[channelId];
    return Boolean(channel && member && channel.total_msg_count > member.msg_count);
}

export function mentionCount(s: State, channelId: string): number {
    return s.members[channelId]?.mention_count ?? 0;
}

let namesFor: Record<string, Channel> | undefined;
let names: ReadonlySet<string> = new Set();
/** Names of the team channels the client knows (for `~channel` links), cached per channels map. */
export function channelNames(s: State): ReadonlySet<string> {
    if (s.channels !== namesFor) {
        namesFor = s.channels;
        names = new Set(Object.values(s.channels).filter((c) => c.type === 'O' || c.type === 'P').map((c) => c.name));
    }
    return names;
}

/**
 * The choices of an interactive select (in a dialog or on a post): its own
 * options, or Mattermost's dynamic `data_source` — the people the client
 * knows (not bots or deactivated users) or the user's channels in the team.
 */
export function selectOptions(s: State, dataSource: string | undefined, fixed: Array<{text: string; value: string}> | null | undefined) {
    if (dataSource === 'users') {
        return Object.values(s.users).filter((u) => !u.is_bot && u.delete_at === 0).map((u) => ({text: `@${u.username}`, value: u.id}));
    }
    if (dataSource === 'channels') {
        return (s.myChannelIds[s.currentTeamId] || []).map((id) => s.channels[id]).filter((c) => c && (c.type === 'O' || c.type === 'P'))
            .map((c) => ({text: channelTitle(s, c), value: c.id}));
    }
    return fixed || [];
}

/** The other user of a direct channel (`<a>__<b>`). */
export function dmPartnerId(channel: Channel, me: string): string {
    const [a, b] = channel.name.split('__');
    return a === me ? b : a;
}

export function displayName(user: User | undefined, fallback = 'someone'): string {
    return user ? user.username : fallback;
}

/** The name a channel shows: a direct channel is named after the other user, a group after the others. */
export function channelTitle(s: State, channel: Channel): string {
    if (channel.type === 'D' && s.me) {
        const other = s.users[dmPartnerId(channel, s.me.id)];
        return other ? other.username : 'Direct message';
    }
    if (channel.type === 'G' && s.me) {
        const others = channel.display_name.split(', ').filter((n) => n && n !== s.me?.username);
        return others.length > 0 ? others.join(', ') : channel.display_name;
    }
    return channel.display_name || channel.name;
}
