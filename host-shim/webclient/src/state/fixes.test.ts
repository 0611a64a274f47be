// Regressions found in review: stale navigation, reloads keeping deleted
// posts, double-counted deletions, stale channels after a reconnect, unsafe
// redirects.

import {afterEach, describe, expect, it} from 'vitest';

import {webLink} from '../components/Attachments';
import {channel, fakeServer, member, post, team, user} from '../test/fakeServer';
import {loadTeamChannels, openChannelByName} from './channels';
import {resync} from './events';
import {loadPosts, removePost, type PendingPost} from './posts';
import {safeRedirect} from './session';
import {getState, initialState, resetState, setState, type State} from './store';

afterEach(() => resetState());

const page = (posts: ReturnType<typeof post>[]) => ({
    order: [...posts].reverse().map((p) => p.id), posts: Object.fromEntries(posts.map((p) => [p.id, p])), next_post_id: '', prev_post_id: '',
});

describe('reloading a channel', () => {
    it('drops posts deleted meanwhile, keeps ephemeral, pending and newer live ones', async () => {
        const a = post('a');
        const b = post('b');
        const c = post('c');
        const live = post('live');
        const eph = {...post('eph'), ephemeral: true};
        const pending: PendingPost = {...post('me:1', {user_id: 'me'}), pending: true};
        resetState({
            me: user('me'),
            posts: {a, b, c, live, eph, 'me:1': pending},
            channelPosts: {c1: {order: ['a', 'b', 'c', 'eph', 'me:1', 'live'], complete: true}},
        });
        fakeServer([
            ['GET', /\/channels\/c1\/posts/, () => page([a, c])],
            ['POST', /\/users\/ids$/, () => []],
        ]);
        await loadPosts('c1');
        expect(getState().channelPosts.c1.order).toEqual(['a', 'c', 'live', 'eph', 'me:1']);
    });
});

describe('deleting a reply', () => {
    it('counts once on the root, though the HTTP answer and the websocket both report it', () => {
        const root = post('root', {reply_count: 2});
        const reply = post('reply', {root_id: 'root'});
        let s: State = {...initialState(), posts: {root, reply}, channelPosts: {c1: {order: ['root', 'reply'], complete: true}}};
        s = removePost(reply, s);
        s = removePost(reply, s);
        expect(s.posts.root.reply_count).toBe(1);
    });
});

describe('reconnecting', () => {
    it('forgets other channels and threads, which may have missed events', () => {
        resetState({
            me: user('me'), currentChannelId: 'c1',
            channelPosts: {c1: {order: [], complete: true}, c2: {order: ['x'], complete: true}},
            threads: {r: ['y']},
        });
        fakeServer([]);
        resync();
        expect(Object.keys(getState().channelPosts)).toEqual(['c1']);
        expect(getState().threads).toEqual({});
    });
});

describe('navigation', () => {
    it('a slow channel lookup does not take the screen from where the user went since', async () => {
        let release: () => void = () => undefined;
        const slow = new Promise<void>((resolve) => {
            release = resolve;
        });
        const t = team();
        const square = channel('sq', {name: 'town-square'});
        resetState({
            me: user('me'), path: '/ops/channels/new', teams: {t1: t}, myTeamIds: ['t1'], currentTeamId: 't1',
            channels: {sq: square}, myChannelIds: {t1: ['sq']}, members: {sq: member('sq')},
        });
        fakeServer([
            ['GET', /\/channels\/name\/new$/, async () => {
                await slow;
                return channel('new', {name: 'new'});
            }],
            ['GET', /\/users\/me\/teams\/t1\/channels\/members/, () => []],
            ['GET', /\/channels\/categories/, () => ({categories: [], order: []})],
            ['GET', /\/users\/me\/teams\/t1\/channels/, () => [square]],
            ['POST', /\/channels\/new\/members$/, () => member('new')],
            ['GET', /\/channels\/sq\/posts/, () => page([])],
            ['GET', /\/channels\/new\/posts/, () => page([])],
            ['POST', /\/channels\/members\/me\/view$/, () => ({status: 'OK'})],
        ]);
        const opening = openChannelByName('ops', 'new', '/ops/channels/new');
        // The user clicks Town Square before the lookup answers.
        setState((s) => ({...s, path: '/ops/channels/town-square'}));
        await openChannelByName('ops', 'town-square', '/ops/channels/town-square');
        release();
        await opening;
        expect(getState().currentChannelId).toBe('sq');
    });
});

describe('links from users', () => {
    it('redirects after login only within the site', () => {
        expect(safeRedirect('/ops/channels/x?y=1#z')).toBe('/ops/channels/x?y=1#z');
        // A tab inside a path is dropped, a harmless one stays a path of this site.
        expect(safeRedirect('/\tops')).toBe('/ops');
        for (const evil of ['//evil.com', '/\\evil.com', '/\t/evil.com', 'https://evil.com', 'javascript:alert(1)', '', null]) {
            expect(safeRedirect(evil)).toBe('/');
        }
    });

    it('makes attachment links only of http(s) URLs', () => {
        expect(webLink('https://example.com')).toBe(true);
        expect(webLink(' javascript:alert(1)')).toBe(false);
        expect(webLink('data:text/html,x')).toBe(false);
        expect(webLink(undefined)).toBe(false);
    });
});

describe('a team reload racing a live post', () => {
    it('keeps the newer unread counts the live post gave', async () => {
        const t = team();
        resetState({
            me: user('me'), teams: {t1: t}, myTeamIds: ['t1'], currentTeamId: 't1',
            channels: {c1: channel('c1', {total_msg_count: 5})}, members: {c1: member('c1', {msg_count: 4, mention_count: 1})},
            myChannelIds: {t1: ['c1']},
        });
        fakeServer([
            ['GET', /\/channels\/members$/, () => [member('c1', {msg_count: 4, mention_count: 0})]],
            ['GET', /\/channels\/categories$/, () => ({categories: [], order: []})],
            ['GET', /\/users\/me\/teams\/t1\/channels$/, () => [channel('c1', {total_msg_count: 4}), channel('c2', {total_msg_count: 2})]],
        ]);
        await loadTeamChannels('t1');
        expect(getState().channels.c1.total_msg_count).toBe(5);
        expect(getState().members.c1.mention_count).toBe(1);
        expect(getState().channels.c2.total_msg_count).toBe(2);
        expect(getState().myChannelIds.t1).toEqual(['c1', 'c2']);
    });
});
