import {afterEach, describe, expect, it} from 'vitest';

import {channel, fakeServer, member, mmError, post, user} from '../test/fakeServer';
import {loadOlder, loadPosts, receivePost, removePost, send, type PendingPost} from './posts';
import {getState, initialState, resetState, setState, type State} from './store';

function withChannel(order: string[], posts: ReturnType<typeof post>[]): State {
    const s = initialState();
    return {...s, me: user('me'), posts: Object.fromEntries(posts.map((p) => [p.id, p])), channelPosts: {c1: {order, complete: true}}};
}

afterEach(() => resetState());

describe('receivePost', () => {
    it('keeps the channel in creation order and counts replies on the root', () => {
        const root = post('root');
        const later = post('later');
        let s = withChannel(['root', 'later'], [root, later]);
        const reply = {...post('reply', {root_id: 'root'}), create_at: root.create_at + 1};
        s = receivePost(reply, s);
        expect(s.channelPosts.c1.order).toEqual(['root', 'reply', 'later']);
        expect(s.posts.root.reply_count).toBe(1);
        // The same post again (websocket and HTTP both deliver it) changes nothing.
        expect(receivePost(reply, s).posts.root.reply_count).toBe(1);
        // A pending reply is not counted; the server's copy replacing it is, once.
        const pending: PendingPost = {...post('me:2', {root_id: 'root', user_id: 'me', message: 'ok'}), pending: true};
        s = receivePost(pending, s);
        expect(s.posts.root.reply_count).toBe(1);
        s = receivePost(post('real2', {root_id: 'root', user_id: 'me', message: 'ok', pending_post_id: 'me:2'}), s);
        expect(s.posts.root.reply_count).toBe(2);
        expect(s.channelPosts.c1.order).not.toContain('me:2');
    });

    it("replaces the pending copy of the user's own message by the server's", () => {
        const pending: PendingPost = {...post('me:1', {user_id: 'me', message: 'hello'}), pending: true};
        let s = withChannel(['me:1'], [pending]);
        s = receivePost(post('real', {user_id: 'me', message: 'hello', pending_post_id: 'me:1'}), s);
        expect(s.channelPosts.c1.order).toEqual(['real']);
        expect(s.posts['me:1']).toBeUndefined();
    });

    it('removes a deleted root with its replies and closes its thread', () => {
        const root = post('root', {reply_count: 1});
        const reply = post('reply', {root_id: 'root'});
        let s = withChannel(['root', 'reply'], [root, reply]);
        s = {...s, rhs: {kind: 'thread', rootId: 'root'}};
        s = removePost(root, s);
        expect(s.channelPosts.c1.order).toEqual([]);
        expect(s.rhs).toEqual({kind: 'none'});
    });
});

describe('loading and sending', () => {
    it('loads the newest page, then older ones before the oldest', async () => {
        const page = (ids: string[], base: number) => ({
            order: [...ids].reverse(),
            posts: Object.fromEntries(ids.map((id, i) => [id, post(id, {create_at: base + i})])),
            next_post_id: '', prev_post_id: '',
        });
        const newest = Array.from({length: 60}, (_, i) => `n${i}`);
        const requests = fakeServer([
            ['GET', /\/channels\/c1\/posts\?per_page=60&before=n0$/, () => page(['o1', 'o2'], 100)],
            ['GET', /\/channels\/c1\/posts\?per_page=60$/, () => page(newest, 1000)],
            ['POST', /\/users\/ids$/, () => [user('u2')]],
        ]);
        resetState({me: user('me')});
        await loadPosts('c1');
        expect(getState().channelPosts.c1).toMatchObject({complete: false});
        expect(getState().channelPosts.c1.order.slice(0, 2)).toEqual(['n0', 'n1']);
        expect(await loadOlder('c1')).toBe(2);
        const order = getState().channelPosts.c1.order;
        expect(order.slice(0, 3)).toEqual(['o1', 'o2', 'n0']);
        expect(order).toHaveLength(62);
        expect(getState().channelPosts.c1.complete).toBe(true);
        expect(getState().users.u2?.username).toBe('u2');
        expect(requests.filter((r) => r.path.includes('before=n0'))).toHaveLength(1);
    });

    it('keeps a post that arrived live while the first page was in flight', async () => {
        const first = post('first');
        let answer: (v: unknown) => void = () => {};
        const answered = new Promise((resolve) => (answer = resolve));
        fakeServer([
            ['GET', /\/channels\/c1\/posts\?per_page=60$/, async () => {
                await answered;
                return {order: ['first'], posts: {first}, next_post_id: '', prev_post_id: ''};
            }],
            ['POST', /\/users\/ids$/, () => [user('u2')]],
        ]);
        resetState({me: user('me')});
        const loading = loadPosts('c1');
        // The channel has no list yet when the websocket delivers the post.
        const live = post('live');
        setState((s) => receivePost(live, s));
        answer(null);
        await loading;
        expect(getState().channelPosts.c1.order).toEqual(['first', 'live']);
    });

    it('runs slash commands in the current channel and team, and reports their errors', async () => {
        const requests = fakeServer([
            ['POST', /\/commands\/execute$/, (body) => (body.command === '/nope' ? mmError(404, "Command with a trigger of 'nope' not found.") : {text: ''})],
        ]);
        resetState({me: user('me'), currentTeamId: 't1', channels: {c1: channel('c1')}, members: {c1: member('c1')}});
        expect(await send('c1', '/playbook run', 'root1')).toBe('');
        expect(requests[0].body).toEqual({channel_id: 'c1', team_id: 't1', command: '/playbook run', root_id: 'root1'});
        expect(await send('c1', '/nope')).toBe("Command with a trigger of 'nope' not found.");
    });

    it('posts "//text" as the message "/text", and keeps a failed message to retry', async () => {
        const requests = fakeServer([
            ['POST', /\/posts$/, (body) => (body.message === 'fail' ? mmError(400, 'message: too long') : post('created', {...body, user_id: 'me'}))],
        ]);
        resetState({me: user('me'), channelPosts: {c1: {order: [], complete: true}}});
        expect(await send('c1', '//shrug')).toBe('');
        expect(requests[0].body.message).toBe('/shrug');
        expect(getState().channelPosts.c1.order).toEqual(['created']);
        expect(await send('c1', 'fail')).toBe('message: too long');
        const failed = getState().channelPosts.c1.order.map((id) => getState().posts[id] as PendingPost).find((p) => p.failed);
        expect(failed?.message).toBe('fail');
    });
});
