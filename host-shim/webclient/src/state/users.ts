// Users the client shows (authors, DM partners, members), loaded in
// batches: many posts by few people cost one request.

import {api} from '../api/client';
import {getState, setState, withUsers} from './store';

const inFlight = new Set<string>();
let queued = new Set<string>();
let timer: ReturnType<typeof setTimeout> | undefined;
let waiters: Array<() => void> = [];

/** Loads the users among `ids` the client does not know yet; resolves when they are in the state. */
export function ensureUsers(ids: Iterable<string>): Promise<void> {
    const known = getState().users;
    let added = false;
    for (const id of ids) {
        if (id && !known[id] && !inFlight.has(id)) {
            queued.add(id);
            added = true;
        }
    }
    if (!added && queued.size === 0) {
        return Promise.resolve();
    }
    return new Promise((resolve) => {
        waiters.push(resolve);
        clearTimeout(timer);
        timer = setTimeout(flush, 10);
    });
}

async function flush() {
    const ids = [...queued];
    queued = new Set();
    const done = waiters;
    waiters = [];
    ids.forEach((id) => inFlight.add(id));
    try {
        if (ids.length > 0) {
            const users = await api.usersByIds(ids);
            setState((s) => withUsers(s, users));
        }
    } catch {
        // Unknown authors show as their id; the next post tries again.
    } finally {
        ids.forEach((id) => inFlight.delete(id));
        done.forEach((resolve) => resolve());
    }
}
