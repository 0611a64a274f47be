// The store handed to `plugin.initialize(registry, store)`: Redux-shaped
// (`getState`, `dispatch`, `subscribe`) with Mattermost's entity names, plus
// plain getters so a plugin needs no selector library.

import {navigate} from '../routing';
import {getState, subscribe, type State} from '../state/store';

type Thunk = (dispatch: (a: unknown) => unknown, getState: () => unknown) => unknown;

/** Mattermost's `GlobalState` subset, rebuilt only when the client state changes. */
let lastState: State | undefined;
let lastView: unknown;
function view(): unknown {
    const s = getState();
    if (s !== lastState) {
        lastState = s;
        lastView = {
            entities: {
                users: {currentUserId: s.me?.id ?? '', profiles: s.users},
                teams: {currentTeamId: s.currentTeamId, teams: s.teams},
                channels: {currentChannelId: s.currentChannelId, channels: s.channels, myMembers: s.members},
            },
        };
    }
    return lastView;
}

function dispatch(action: unknown): unknown {
    if (typeof action === 'function') {
        return (action as Thunk)(dispatch, view);
    }
    return action; // plain actions have no reducer here
}

export const pluginStore = {
    getState: view,
    dispatch,
    subscribe,
    getCurrentUserId: () => getState().me?.id ?? '',
    getCurrentUser: () => getState().me ?? undefined,
    getCurrentTeamId: () => getState().currentTeamId,
    getCurrentTeam: () => getState().teams[getState().currentTeamId],
    getCurrentChannelId: () => getState().currentChannelId,
    getCurrentChannel: () => getState().channels[getState().currentChannelId],
    getUser: (id: string) => getState().users[id],
    navigate: (path: string) => navigate(path),
    /** `listener(channelId)` each time the channel on screen changes. */
    onChannelChange(listener: (channelId: string) => void): () => void {
        let current = getState().currentChannelId;
        return subscribe(() => {
            const next = getState().currentChannelId;
            if (next !== current) {
                current = next;
                listener(next);
            }
        });
    },
};
