import {afterEach, describe, expect, it, vi} from 'vitest';

import type {WsMessage} from '../api/types';
import {channel, fakeServer, team, user} from '../test/fakeServer';
import {handleEvent, typed, TYPING_EVERY_MS} from './events';
import {ensureStatuses, forgetStatuses, setFavorite, setMyStatus, typingKey, typingNames, typingText, TYPING_SHOWN_MS} from './presence';
import {channelTitle, getState, resetState} from './store';

const event = (name: string, data: Record<string, unknown>, broadcast = {}): WsMessage => ({
    event: name, data, broadcast: {omit_users: null, user_id: '', channel_id: '', team_id: '', ...broadcast}, seq: 1,
} as WsMessage);

function setup() {
    resetState({
        me: user('me'), currentTeamId: 't1', currentChannelId: 'c1', teams: {t1: team()},
        users: {me: user('me'), u2: user('u2', 'bob'), u3: user('u3', 'carol')},
        channels: {c1: channel('c1')}, myChannelIds: {t1: ['c1']},
    });
}

afterEach(() => {
    vi.useRealTimers();
    forgetStatuses();
    resetState();
});

describe('statuses', () => {
    it('are asked for once per user, in one batch, and kept live by status_change', async () => {
        setup();
        const requests = fakeServer([
            ['POST', /\/users\/status\/ids$/, (ids: string[]) => ids.map((id) => ({user_id: id, status: id === 'u2' ? 'away' : 'online', manual: false, last_activity_at: 1, dnd_end_time: 0}))],
        ]);
        ensureStatuses(['u2', 'u3']);
        ensureStatuses(['u2']);
        await vi.waitFor(() => expect(getState().statuses).toEqual({u2: 'away', u3: 'online'}));
        expect(requests).toHaveLength(1);
        expect(requests[0].body.sort()).toEqual(['u2', 'u3']);
        ensureStatuses(['u2']);
        await new Promise((r) => setTimeout(r, 40));
        expect(requests).toHaveLength(1);

        handleEvent(event('status_change', {user_id: 'u2', status: 'dnd'}));
        expect(getState().statuses.u2).toBe('dnd');
        // Nonsense is ignored.
        handleEvent(event('status_change', {user_id: 'u2', status: 'sleeping'}));
        expect(getState().statuses.u2).toBe('dnd');
    });

    it("setting one's own status sends it for oneself and shows what the server answered", async () => {
        setup();
        const requests = fakeServer([
            ['PUT', /\/users\/me\/status$/, (body: {status: string}) => ({user_id: 'me', status: body.status, manual: true, last_activity_at: 1, dnd_end_time: 0})],
        ]);
        await setMyStatus('dnd');
        expect(requests[0].body).toEqual({user_id: 'me', status: 'dnd'});
        expect(getState().statuses.me).toBe('dnd');
    });
});

describe('typing', () => {
    it('shows who types where until their post arrives or time passes', () => {
        vi.useFakeTimers();
        setup();
        handleEvent(event('typing', {user_id: 'u2', parent_id: ''}, {channel_id: 'c1'}));
        handleEvent(event('typing', {user_id: 'u3', parent_id: 'root'}, {channel_id: 'c1'}));
        // One's own notices (from another tab) are not shown.
        handleEvent(event('typing', {user_id: 'me', parent_id: ''}, {channel_id: 'c1'}));
        expect(typingNames(getState(), typingKey('c1'))).toEqual(['bob']);
        expect(typingNames(getState(), typingKey('c1', 'root'))).toEqual(['carol']);
        handleEvent(event('posted', {post: JSON.stringify({id: 'p1', create_at: 1, update_at: 1, edit_at: 0, delete_at: 0, user_id: 'u2', channel_id: 'c1', root_id: '', message: 'hi', type: '', props: {}})}));
        expect(typingNames(getState(), typingKey('c1'))).toEqual([]);
        vi.advanceTimersByTime(TYPING_SHOWN_MS + 100);
        expect(typingNames(getState(), typingKey('c1', 'root'))).toEqual([]);
        expect(getState().typing).toEqual({});
    });

    it('says it in words', () => {
        expect(typingText([])).toBe('');
        expect(typingText(['a'])).toBe('a is typing…');
        expect(typingText(['a', 'b'])).toBe('a and b are typing…');
        expect(typingText(['a', 'b', 'c', 'd'])).toBe('a, b and 2 others are typing…');
    });

    it('is announced at most every two seconds per box', () => {
        const at = (dt: number) => typed('cx', '', 50_000 + dt);
        expect([0, 500, 1999, 2000, 2100, 4000].map(at)).toEqual([true, false, false, true, false, true]);
        // Another box (a thread) has its own pace.
        expect(typed('cx', 'thread', 54_000)).toBe(true);
        expect(TYPING_EVERY_MS).toBe(2000);
    });
});

describe('group messages', () => {
    it('are titled after the others', () => {
        setup();
        const group = channel('g1', {type: 'G', team_id: '', display_name: 'bob, carol, me'});
        expect(channelTitle(getState(), group)).toBe('bob, carol');
    });

    it('group_added reloads the channel list', async () => {
        setup();
        const requests = fakeServer([
            ['GET', /\/users\/me\/teams\/t1\/channels$/, () => [channel('c1'), channel('g1', {type: 'G', team_id: '', display_name: 'bob, carol, me'})]],
            ['GET', /\/channels\/members$/, () => []],
            ['GET', /\/channels\/categories$/, () => ({categories: [], order: []})],
        ]);
        handleEvent(event('group_added', {teammate_ids: '["me","u2","u3"]'}, {channel_id: 'g1'}));
        await vi.waitFor(() => expect(getState().myChannelIds.t1).toContain('g1'));
        expect(requests.some((r) => r.path.endsWith('/users/me/teams/t1/channels'))).toBe(true);
    });
});

describe('favourites', () => {
    it('saves the preference, and preferences_changed from another tab updates the list', async () => {
        setup();
        const requests = fakeServer([
            ['PUT', /\/users\/me\/preferences$/, () => ({status: 'OK'})],
            ['GET', /\/users\/me\/teams\/t1\/channels$/, () => [channel('c1')]],
            ['GET', /\/channels\/members$/, () => []],
            ['GET', /\/channels\/categories$/, () => ({categories: [{id: 'fav', type: 'favorites', display_name: 'Favorites', channel_ids: ['c1']}], order: ['fav']})],
        ]);
        await setFavorite('c1', true);
        expect(requests[0].body).toEqual([{user_id: 'me', category: 'favorite_channel', name: 'c1', value: 'true'}]);
        expect(getState().favorites).toEqual(['c1']);
        await vi.waitFor(() => expect(getState().categories.t1?.[0]?.type).toBe('favorites'));

        handleEvent(event('preferences_deleted', {preferences: JSON.stringify([{user_id: 'me', category: 'favorite_channel', name: 'c1', value: 'true'}])}));
        expect(getState().favorites).toEqual([]);
        handleEvent(event('preferences_changed', {preferences: JSON.stringify([{user_id: 'me', category: 'favorite_channel', name: 'c9', value: 'true'}])}));
        expect(getState().favorites).toEqual(['c9']);
        handleEvent(event('preferences_changed', {preferences: JSON.stringify([{user_id: 'me', category: 'favorite_channel', name: 'c9', value: 'false'}])}));
        expect(getState().favorites).toEqual([]);
    });
});
