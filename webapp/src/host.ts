// What the plugin needs from the chat client, behind one small interface
// so the components never depend on the client's internals. `connect`
// adapts the `store` the client hands to `initialize` (see the client's
// PLUGIN_API.md); tests pass a fake.

export interface Host {
    /** The logged-in user's id. */
    userId(): string;
    /** The channel and team on screen ('' when none). */
    channelId(): string;
    teamId(): string;
    /** Calls `listener` when the user switches channel; returns an unsubscribe. */
    onChannelChange(listener: (channelId: string) => void): () => void;
    /** Opens a client route (`/playbooks/runs/<id>`). */
    navigate(path: string): void;
    /** A username for a user id (may be the id until loaded). */
    username(userId: string): Promise<string>;
}

type AnyStore = Record<string, any>;

const cache = new Map<string, Promise<string>>();

/** Adapts the client's plugin store (duck-typed: it may expose getters or plain fields). */
export function connect(store: AnyStore): Host {
    const read = (...names: string[]): string => {
        for (const name of names) {
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
    return {
        userId: () => read('getCurrentUserId', 'currentUserId', 'getCurrentUser', 'currentUser'),
        channelId: () => read('getCurrentChannelId', 'currentChannelId', 'getCurrentChannel', 'currentChannel'),
        teamId: () => read('getCurrentTeamId', 'currentTeamId', 'getCurrentTeam', 'currentTeam'),
        onChannelChange: (listener) => {
            const subscribe = store?.onChannelChange || store?.subscribeChannel || store?.subscribe;
            if (typeof subscribe !== 'function') {
                return () => undefined;
            }
            const off = subscribe.call(store, () => listener(read('getCurrentChannelId', 'currentChannelId', 'getCurrentChannel', 'currentChannel')));
            return typeof off === 'function' ? off : () => undefined;
        },
        navigate: (path) => {
            if (typeof store?.navigate === 'function') {
                store.navigate(path);
            } else {
                window.history.pushState({}, '', path);
                window.dispatchEvent(new PopStateEvent('popstate'));
            }
        },
        username: (userId) => {
            if (!userId) {
                return Promise.resolve('');
            }
            let hit = cache.get(userId);
            if (!hit) {
                hit = fetch(`/api/v4/users/${encodeURIComponent(userId)}`, {credentials: 'same-origin', headers: {'X-Requested-With': 'XMLHttpRequest'}})
                    .then((r) => (r.ok ? r.json() : {username: userId}))
                    .then((u) => String(u.username || userId))
                    .catch(() => userId);
                cache.set(userId, hit);
            }
            return hit;
        },
    };
}
