// Reactions through the official Mattermost client (`@mattermost/client`
// Client4 and WebSocketClient, unmodified): addReaction, removeReaction,
// getReactionsForPost, the bulk route Mattermost's webapp uses, post
// metadata, the reaction_added / reaction_removed events, and what an
// outsider gets. Its own server; the steps run in order.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import mm from '@mattermost/client';

import { startServer } from './server.mjs';
import { installBrowserGlobals, need } from './support.mjs';

const { Client4, ClientError, WebSocketClient } = mm;

installBrowserGlobals();

const STEP = { timeout: 20_000 };
const PASSWORD = 'Reactions-test-pw-1';

let server;
const s = {};
const events = [];
let socketClient;

function newClient() {
    const client = new Client4();
    client.setUrl(server.url);
    return client;
}

async function signUp(name) {
    const user = await newClient().createUser({ username: name, email: `${name}@example.com`, password: PASSWORD });
    const client = newClient();
    await client.login(name, PASSWORD);
    return { user, client };
}

async function rejects(promise, status, what) {
    let caught;
    await assert.rejects(promise, (err) => {
        caught = err;
        return true;
    }, `${what}: expected an error`);
    assert.ok(caught instanceof ClientError, `${what}: ${caught}`);
    assert.equal(caught.status_code, status, `${what}: ${caught.message}`);
    assert.ok(caught.message.length > 0);
    return caught;
}

async function waitForEvent(predicate, what, timeoutMs = 5_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const found = events.find(predicate);
        if (found) {
            return found;
        }
        if (Date.now() > deadline) {
            throw new Error(`no ${what} within ${timeoutMs} ms; events: ${events.map((e) => e.event).join(', ')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

const reactionOf = (event) => JSON.parse(event.data.reaction);

describe('reactions through @mattermost/client', () => {
    before(async () => {
        server = await startServer();
    }, { timeout: 70_000 });

    after(async () => {
        socketClient?.close();
        await server?.stop();
    }, { timeout: 20_000 });

    it('1. three people, a team, a private channel with a post', STEP, async () => {
        const admin = await signUp('admin1');
        const member = await signUp('member1');
        const outsider = await signUp('outsider1');
        const team = await admin.client.createTeam({ name: 'ops', display_name: 'Ops', type: 'O' });
        await admin.client.addToTeam(team.id, member.user.id);
        await admin.client.addToTeam(team.id, outsider.user.id);
        const channel = await admin.client.createChannel({ team_id: team.id, name: 'war-room', display_name: 'War room', type: 'P' });
        await admin.client.addToChannel(member.user.id, channel.id);
        const post = await admin.client.createPost({ channel_id: channel.id, message: 'rollback done' });
        Object.assign(s, { admin, member, outsider, team, channel, post });
    });

    it('2. the admin listens on the websocket', STEP, async () => {
        const admin = need(s.admin, 'the admin (step 1)');
        socketClient = new WebSocketClient();
        socketClient.addMessageListener((msg) => events.push(msg));
        socketClient.initialize(server.wsUrl, admin.client.getToken());
        await waitForEvent((m) => m.event === 'hello', 'hello');
    });

    it('3. addReaction returns the Reaction and announces reaction_added', STEP, async () => {
        const { member, post, channel } = s;
        need(post, 'the post (step 1)');
        const reaction = await member.client.addReaction(member.user.id, post.id, '+1');
        assert.equal(reaction.user_id, member.user.id);
        assert.equal(reaction.post_id, post.id);
        assert.equal(reaction.emoji_name, '+1');
        assert.equal(reaction.channel_id, channel.id);
        assert.equal(typeof reaction.create_at, 'number');
        assert.equal(reaction.delete_at, 0);
        const event = await waitForEvent((m) => m.event === 'reaction_added', 'reaction_added');
        assert.equal(typeof event.data.reaction, 'string', 'data.reaction is a JSON string');
        assert.deepEqual(reactionOf(event), reaction);
        assert.equal(event.broadcast.channel_id, channel.id);
        // Again: the same reaction, no second event.
        const again = await member.client.addReaction(member.user.id, post.id, '+1');
        assert.deepEqual(again, reaction);
        s.reaction = reaction;
        await s.admin.client.addReaction(s.admin.user.id, post.id, 'white_check_mark');
        await waitForEvent((m) => m.event === 'reaction_added' && reactionOf(m).emoji_name === 'white_check_mark', 'the second reaction_added');
        assert.equal(events.filter((m) => m.event === 'reaction_added').length, 2);
    });

    it('4. getReactionsForPost, the post metadata, posts since, and the bulk route', STEP, async () => {
        const { member, post, channel } = s;
        need(s.reaction, 'a reaction (step 3)');
        const list = await member.client.getReactionsForPost(post.id);
        assert.deepEqual(list.map((r) => [r.user_id, r.emoji_name]), [
            [member.user.id, '+1'],
            [s.admin.user.id, 'white_check_mark'],
        ]);
        const fetched = await member.client.getPost(post.id);
        assert.equal(fetched.has_reactions, true);
        assert.deepEqual(fetched.metadata.reactions, list);
        const since = await member.client.getPostsSince(channel.id, post.update_at);
        assert.deepEqual(since.order, [post.id], 'the reaction moved update_at forward');
        assert.deepEqual(since.posts[post.id].metadata.reactions, list);
        const bulk = await member.client.doFetch(`${member.client.getPostsRoute()}/ids/reactions`, {
            method: 'post', body: JSON.stringify([post.id]),
        });
        assert.deepEqual(bulk, { [post.id]: list });
    });

    it('5. bad input: an unknown emoji is a 400 naming emoji_name', STEP, async () => {
        const { member, post } = s;
        need(post, 'the post (step 1)');
        const err = await rejects(member.client.addReaction(member.user.id, post.id, 'no_such_emoji_at_all'), 400, 'unknown emoji');
        assert.match(err.message, /^emoji_name/);
    });

    it('6. an outsider cannot react, unreact, list, or react as someone else', STEP, async () => {
        const { outsider, member, post } = s;
        need(post, 'the post (step 1)');
        await rejects(outsider.client.addReaction(outsider.user.id, post.id, 'smile'), 403, 'outsider addReaction');
        await rejects(outsider.client.removeReaction(member.user.id, post.id, '+1'), 403, 'outsider removes another\'s');
        await rejects(outsider.client.removeReaction(outsider.user.id, post.id, '+1'), 403, 'outsider removeReaction');
        await rejects(outsider.client.getReactionsForPost(post.id), 403, 'outsider getReactionsForPost');
        const bulk = await outsider.client.doFetch(`${outsider.client.getPostsRoute()}/ids/reactions`, {
            method: 'post', body: JSON.stringify([post.id]),
        });
        assert.deepEqual(bulk, {});
        const err = await rejects(member.client.addReaction(s.admin.user.id, post.id, 'smile'), 403, 'reacting as another user');
        assert.match(err.message, /^user_id/);
        assert.equal((await member.client.getReactionsForPost(post.id)).length, 2, 'nothing changed');
    });

    it('7. removeReaction announces reaction_removed; the last one clears has_reactions', STEP, async () => {
        const { member, admin, post } = s;
        need(s.reaction, 'a reaction (step 3)');
        const ok = await member.client.removeReaction(member.user.id, post.id, '+1');
        assert.equal(ok.status, 'OK');
        const event = await waitForEvent((m) => m.event === 'reaction_removed', 'reaction_removed');
        assert.equal(reactionOf(event).emoji_name, '+1');
        assert.equal(reactionOf(event).user_id, member.user.id);
        await admin.client.removeReaction(admin.user.id, post.id, 'white_check_mark');
        assert.deepEqual(await member.client.getReactionsForPost(post.id), []);
        const fetched = await member.client.getPost(post.id);
        assert.ok(!fetched.has_reactions, 'has_reactions cleared');
        assert.equal(fetched.metadata?.reactions, undefined);
    });
});
