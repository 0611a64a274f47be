// Message search: runs Mattermost's search syntax on the server
// (`POST /teams/{id}/posts/search`) and keeps the results for the
// right-hand sidebar. The server searches only channels the user belongs
// to; the client just shows what comes back.

import {api} from '../api/client';
import type {Channel} from '../api/types';
import {getState, setState, withChannels, withPosts} from './store';
import {ensureUsers} from './users';

export const SEARCH_PAGE = 20;

/** Searches the current team for `terms` (page 0), or loads the next page with `more`. */
export async function runSearch(terms: string, more = false) {
    const s = getState();
    const teamId = s.currentTeamId;
    const text = terms.trim();
    if (!teamId || !text) return;
    const page = more ? s.search.page + 1 : 0;
    setState((st) => ({
        ...st,
        rhs: {kind: 'search'},
        search: more ? {...st.search, loading: true, error: ''} : {terms: text, postIds: [], loading: true, error: '', hasNext: false, page: 0},
    }));
    try {
        const results = await api.searchPosts(teamId, text, page, SEARCH_PAGE);
        if (getState().search.terms !== text) return; // a newer search took over
        const posts = results.order.map((id) => results.posts[id]).filter(Boolean);
        const missing = [...new Set(posts.map((p) => p.channel_id))].filter((id) => !getState().channels[id]);
        const channels = (await Promise.all(missing.map((id) => api.channel(id).catch(() => undefined)))).filter((c): c is Channel => Boolean(c));
        await ensureUsers(posts.map((p) => p.user_id)).catch(() => undefined);
        setState((st) => {
            if (st.search.terms !== text) return st;
            const next = withChannels(withPosts(st, posts), channels);
            const postIds = more ? [...st.search.postIds, ...posts.map((p) => p.id).filter((id) => !st.search.postIds.includes(id))] : posts.map((p) => p.id);
            return {...next, search: {terms: text, postIds, loading: false, error: '', hasNext: results.has_next, page}};
        });
    } catch (e) {
        setState((st) => (st.search.terms === text ? {...st, search: {...st.search, loading: false, error: e instanceof Error ? e.message : String(e)}} : st));
    }
}

/** The search terms as words to mark in a result: quoted phrases, words, prefixes; modifiers and exclusions left out. */
export function highlightWords(terms: string): string[] {
    const words: string[] = [];
    const re = /(-?)"([^"]*)"?|(\S+)/g;
    for (const m of terms.matchAll(re)) {
        if (m[1] === '-') continue;
        const raw = m[2] ?? m[3] ?? '';
        if (m[3] !== undefined && (raw.startsWith('-') || /^(from|in|channel|on|before|after):/i.test(raw))) continue;
        const word = raw.replace(/^[#@]/, '').replace(/\*+$/, '').trim();
        if (/[\p{L}\p{N}]/u.test(word)) words.push(word.toLowerCase());
    }
    return [...new Set(words)];
}

export interface Piece {
    text: string;
    mark: boolean;
}

/**
 * `message` cut into plain and marked pieces: every place a word of
 * `words` starts a word of the message (so `deploy` marks `deployment`, as a
 * prefix search would match it), case-insensitively.
 */
export function markWords(message: string, words: string[]): Piece[] {
    if (words.length === 0 || !message) return [{text: message, mark: false}];
    const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length);
    const re = new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join('|')})[\\p{L}\\p{N}]*`, 'giu');
    const pieces: Piece[] = [];
    let last = 0;
    for (const m of message.matchAll(re)) {
        const at = m.index ?? 0;
        if (at > last) pieces.push({text: message.slice(last, at), mark: false});
        pieces.push({text: m[0], mark: true});
        last = at + m[0].length;
    }
    if (last < message.length) pieces.push({text: message.slice(last), mark: false});
    return pieces;
}
