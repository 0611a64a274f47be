// The standard emoji, as the server lists them (`GET /api/v4/emoji/standard`):
// the picker offers exactly the names the server accepts for reactions, and
// reactions render their emoji from the same list. Loaded once, on first use.

import {useSyncExternalStore} from 'react';

import {api} from '../api/client';
import type {StandardEmoji} from '../api/types';

let list: StandardEmoji[] | null = null;
let byName = new Map<string, StandardEmoji>();
let loading: Promise<StandardEmoji[]> | null = null;
const listeners = new Set<() => void>();

function setList(next: StandardEmoji[] | null) {
    list = next;
    byName = new Map();
    (next || []).forEach((e) => e.aliases.forEach((a) => byName.set(a, e)));
    listeners.forEach((l) => l());
}

/** Fetches the list unless it is loaded or loading; a failure lets a later call retry. */
export function loadEmoji(): Promise<StandardEmoji[]> {
    if (list) return Promise.resolve(list);
    if (!loading) {
        loading = api.standardEmoji().then((fetched) => {
            setList(fetched);
            return fetched;
        }, (e) => {
            loading = null;
            throw e;
        });
    }
    return loading;
}

/** For tests. */
export function resetEmoji(next: StandardEmoji[] | null = null) {
    loading = null;
    setList(next);
}

function subscribe(listener: () => void) {
    listeners.add(listener);
    return () => {
        listeners.delete(listener);
    };
}

/** The list once loaded (starts loading it unless `load` is false), `null` before. */
export function useEmojiList(load = true): StandardEmoji[] | null {
    const current = useSyncExternalStore(subscribe, () => list);
    if (!current && load) loadEmoji().catch((e) => console.warn(`loading the emoji list failed: ${e instanceof Error ? e.message : e}`));
    return current;
}

/** The emoji for a shortcode (any alias), if known. */
export function emojiFor(name: string): StandardEmoji | undefined {
    return byName.get(name);
}

/**
 * The emoji matching a search: every alias containing the query (colons
 * and case ignored), those starting with it first, in list order otherwise.
 */
export function searchEmoji(all: StandardEmoji[], query: string): StandardEmoji[] {
    const q = query.trim().toLowerCase().replace(/^:+|:+$/g, '');
    if (!q) return all;
    const starts: StandardEmoji[] = [];
    const contains: StandardEmoji[] = [];
    all.forEach((e) => {
        if (e.aliases.some((a) => a.startsWith(q))) starts.push(e);
        else if (e.aliases.some((a) => a.includes(q)) || e.category.toLowerCase().startsWith(q)) contains.push(e);
    });
    return [...starts, ...contains];
}
