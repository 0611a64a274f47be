// Statuses, typing notices and favourite channels (decision 020).
//
// Statuses of the people the client shows are asked for in batches (many
// posts by few people cost one request) and then kept live by the
// server's `status_change` events. Typing notices show for a few seconds
// or until that person's post arrives. Favourites are Mattermost's
// `favorite_channel` preferences; the sidebar's "Favorites" category is
// the server's, reloaded when they change.

import {api} from '../api/client';
import type {Preference, StatusName} from '../api/types';
import {loadTeamChannels} from './channels';
import {failed, getState, setState, type State} from './store';

/** How long a typing notice shows without a new one. */
export const TYPING_SHOWN_MS = 5000;
/** The server takes at most 1,000 ids per request. */
const STATUS_BATCH = 1000;

const asked = new Set<string>();
let queued = new Set<string>();
let timer: ReturnType<typeof setTimeout> | undefined;

/** Asks for the statuses of the users among `ids` not asked about yet. */
export function ensureStatuses(ids: Iterable<string>) {
    let added = false;
    for (const id of ids) {
        if (id && !asked.has(id)) {
            asked.add(id);
            queued.add(id);
            added = true;
        }
    }
    if (added) {
        clearTimeout(timer);
        timer = setTimeout(flushStatuses, 20);
    }
}

async function flushStatuses() {
    const ids = [...queued];
    queued = new Set();
    for (let i = 0; i < ids.length; i += STATUS_BATCH) {
        const batch = ids.slice(i, i + STATUS_BATCH);
        try {
            const statuses = await api.statuses(batch);
            setState((s) => ({...s, statuses: {...s.statuses, ...Object.fromEntries(statuses.map((st) => [st.user_id, st.status]))}}));
        } catch (e) {
            // Asked again on the next reconnect.
            batch.forEach((id) => asked.delete(id));
            failed('load statuses')(e);
        }
    }
}

/** After a reconnect (events may have been missed): every known status again. */
export function refreshStatuses() {
    const ids = [...asked, ...Object.keys(getState().statuses)];
    asked.clear();
    ensureStatuses(ids);
}

export function forgetStatuses() {
    asked.clear();
    queued = new Set();
}

export function receiveStatus(userId: string, status: StatusName) {
    asked.add(userId);
    setState((s) => (s.statuses[userId] === status ? s : {...s, statuses: {...s.statuses, [userId]: status}}));
}

/** Sets the user's own status (the server announces it to the others). */
export async function setMyStatus(status: StatusName) {
    const me = getState().me;
    if (!me) return;
    const saved = await api.setStatus(me.id, status);
    receiveStatus(me.id, saved.status);
}

export const STATUS_LABELS: Record<StatusName, string> = {
    online: 'Online',
    away: 'Away',
    dnd: 'Do not disturb',
    offline: 'Offline',
};

// --- typing ------------------------------------------------------------------

/** Where a typing notice shows: the channel, or a thread of it. */
export function typingKey(channelId: string, parentId = ''): string {
    return parentId ? `${channelId}:${parentId}` : channelId;
}

let pruneTimer: ReturnType<typeof setTimeout> | undefined;

function pruneTyping() {
    const now = Date.now();
    let next: number | undefined;
    setState((s) => {
        let changed = false;
        const typing: State['typing'] = {};
        for (const [key, who] of Object.entries(s.typing)) {
            const left = Object.fromEntries(Object.entries(who).filter(([, until]) => until > now));
            if (Object.keys(left).length !== Object.keys(who).length) changed = true;
            if (Object.keys(left).length > 0) {
                typing[key] = left;
                Object.values(left).forEach((until) => {
                    next = next === undefined ? until : Math.min(next, until);
                });
            }
        }
        return changed ? {...s, typing} : s;
    });
    if (next !== undefined) {
        pruneTimer = setTimeout(pruneTyping, Math.max(50, next - now));
    }
}

export function receiveTyping(channelId: string, userId: string, parentId = '', now = Date.now()) {
    const key = typingKey(channelId, parentId);
    setState((s) => ({...s, typing: {...s.typing, [key]: {...s.typing[key], [userId]: now + TYPING_SHOWN_MS}}}));
    clearTimeout(pruneTimer);
    pruneTimer = setTimeout(pruneTyping, TYPING_SHOWN_MS + 50);
}

/** Their post arrived: they are no longer typing it. */
export function stopTyping(channelId: string, userId: string, parentId = '') {
    const key = typingKey(channelId, parentId);
    setState((s) => {
        if (!s.typing[key]?.[userId]) return s;
        const {[userId]: _gone, ...rest} = s.typing[key];
        return {...s, typing: {...s.typing, [key]: rest}};
    });
}

/** Usernames of the others typing at `key` now, sorted. */
export function typingNames(s: State, key: string, now = Date.now()): string[] {
    return Object.entries(s.typing[key] || {})
        .filter(([id, until]) => until > now && id !== s.me?.id)
        .map(([id]) => s.users[id]?.username ?? 'Someone')
        .sort();
}

/** "alice is typing…", "alice and bob are typing…", "alice, bob and 2 others are typing…". */
export function typingText(names: string[]): string {
    if (names.length === 0) return '';
    if (names.length === 1) return `${names[0]} is typing…`;
    if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
    if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
    return `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`;
}

// --- favourites ----------------------------------------------------------------

export const FAVORITE_CHANNEL = 'favorite_channel';

function withFavorites(s: State, changed: Preference[], deleted: boolean): State {
    const favorites = new Set(s.favorites);
    changed.filter((p) => p.category === FAVORITE_CHANNEL).forEach((p) => {
        if (!deleted && p.value === 'true') {
            favorites.add(p.name);
        } else {
            favorites.delete(p.name);
        }
    });
    return {...s, favorites: [...favorites]};
}

export async function loadPreferences() {
    const preferences = await api.myPreferences();
    setState((s) => withFavorites({...s, favorites: []}, preferences, false));
}

/** `preferences_changed` / `preferences_deleted` (from this or another tab). */
export function receivePreferences(changed: Preference[], deleted: boolean) {
    if (!changed.some((p) => p.category === FAVORITE_CHANNEL)) return;
    setState((s) => withFavorites(s, changed, deleted));
    const team = getState().currentTeamId;
    if (team) loadTeamChannels(team).catch(failed('refresh the sidebar'));
}

export async function setFavorite(channelId: string, on: boolean) {
    const me = getState().me;
    if (!me) return;
    const preference = {user_id: me.id, category: FAVORITE_CHANNEL, name: channelId, value: on ? 'true' : 'false'};
    await api.savePreferences(me.id, [preference]);
    receivePreferences([preference], false);
}
