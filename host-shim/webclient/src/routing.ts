// The client's URLs, Mattermost's: links the server or a plugin posts
// (`/<team>/channels/<name>`, `/<team>/pl/<post id>`, `/playbooks/runs/<id>`)
// open the right page. Pages change with history.pushState; the server
// serves index.html for every one of these paths.

import {getState, setState} from './state/store';

export type Route =
    | {kind: 'login'}
    | {kind: 'signup'}
    | {kind: 'root'}
    | {kind: 'select_team'}
    | {kind: 'channel'; team: string; channel: string}
    | {kind: 'dm'; team: string; username: string}
    | {kind: 'permalink'; team: string; postId: string}
    /** A page a plugin registered: a product base URL, `/plug/<id>/…`, or `/<team>/<plugin id>/…`. */
    | {kind: 'other'; path: string};

const RESERVED = new Set(['login', 'signup_user_complete', 'select_team', 'plug', 'static', 'api', 'plugins']);

export function parseRoute(path: string): Route {
    const parts = path.split('/').filter(Boolean).map(safeDecode);
    if (parts.length === 0) {
        return {kind: 'root'};
    }
    if (parts[0] === 'login') {
        return {kind: 'login'};
    }
    if (parts[0] === 'signup_user_complete') {
        return {kind: 'signup'};
    }
    if (parts[0] === 'select_team') {
        return {kind: 'select_team'};
    }
    if (!RESERVED.has(parts[0]) && parts.length >= 3) {
        if (parts[1] === 'channels') {
            return {kind: 'channel', team: parts[0], channel: parts[2]};
        }
        if (parts[1] === 'messages' && parts[2].startsWith('@')) {
            return {kind: 'dm', team: parts[0], username: parts[2].slice(1)};
        }
        if (parts[1] === 'pl') {
            return {kind: 'permalink', team: parts[0], postId: parts[2]};
        }
    }
    return {kind: 'other', path};
}

function safeDecode(part: string): string {
    try {
        return decodeURIComponent(part);
    } catch {
        return part;
    }
}

export const channelPath = (team: string, channel: string) => `/${team}/channels/${encodeURIComponent(channel)}`;
export const dmPath = (team: string, username: string) => `/${team}/messages/@${encodeURIComponent(username)}`;

/** Goes to `path` inside the app (absolute same-origin URLs are accepted too). */
export function navigate(path: string, replace = false) {
    let target = path;
    try {
        const url = new URL(path, window.location.origin);
        if (url.origin === window.location.origin) {
            target = url.pathname + url.search + url.hash;
        } else {
            window.open(url.href, '_blank', 'noopener');
            return;
        }
    } catch {
        // keep `path` as given
    }
    if (target !== window.location.pathname + window.location.search + window.location.hash) {
        if (replace) {
            window.history.replaceState({}, '', target);
        } else {
            window.history.pushState({}, '', target);
        }
        // Plugin pages that follow `popstate` (as Mattermost plugins may) see the change too.
        window.dispatchEvent(new PopStateEvent('popstate'));
    }
    syncPath();
}

/** Copies the browser's location into the state (after navigate or back/forward). */
export function syncPath() {
    const path = window.location.pathname;
    if (getState().path !== path) {
        setState((s) => ({...s, path, drawerOpen: false}));
    }
}

/** Intercepts clicks on same-origin links so they navigate inside the app. */
export function onLinkClick(e: MouseEvent) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
        return;
    }
    const anchor = (e.target as HTMLElement | null)?.closest?.('a');
    if (!anchor || anchor.target === '_blank' || anchor.hasAttribute('download')) {
        return;
    }
    const href = anchor.getAttribute('href');
    if (!href || href.startsWith('#')) {
        return;
    }
    const url = new URL(href, window.location.origin);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/plugins/') || url.pathname.startsWith('/static/')) {
        return;
    }
    e.preventDefault();
    navigate(url.pathname + url.search + url.hash);
}
