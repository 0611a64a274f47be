// Statuses, group messages, preferences and typing through the official
// @mattermost/client (Client4 and WebSocketClient, unmodified) against the
// real server (decision 020). One ordered scenario on one server.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import mm from '@mattermost/client';

import { startServer } from './server.mjs';
import { installBrowserGlobals, need } from './support.mjs';

const { Client4, ClientError, WebSocketClient } = mm;

installBrowserGlobals();

const STEP = { timeout: 20_000 };
const PASSWORD = 'Presence-test-pw-1';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let server;
const state = {};
const sockets = [];

async function signUp(username) {
    const user = await newClient().createUser({ username, email: `${username}@example.com`, password: PASSWORD });
    const client = newClient();
    await client.login(username, PASSWORD);
    return { user, client };
}

function newClient() {
    const client = new Client4();
    client.setUrl(server.url);
    return client;
}

/** A WebSocketClient for `client`'s session that records its events. */
async function connect(client) {
    const events = [];
    const socket = new WebSocketClient();
    socket.addMessageListener((msg) => events.push(msg));
    socket.initialize(server.wsUrl, client.getToken());
    sockets.push(socket);
    await waitFor(events, (m) => m.event === 'hello', 'hello');
    return { socket, events };
}

async function waitFor(events, predicate, what, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const found = events.find(predicate);
        if (found) {
            return found;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}; saw ${events.map((e) => e.event).join(', ')}`);
        }
        await sleep(20);
    }
}

async function rejectsWith(promise, status, what) {
    let caught;
    await assert.rejects(promise, (err) => {
        caught = err;
        return true;
    }, `${what}: expected an error`);
    assert.ok(caught instanceof ClientError, `${what}: ${caught}`);
    assert.equal(caught.status_code, status, `${what}: ${caught.message}`);
    return caught;
}

describe('statuses, groups, preferences and typing through @mattermost/client', () => {
    before(async () => {
        server = await startServer();
        const admin = await signUp('padmin');
        state.admin = admin;
        const team = await admin.client.createTeam({ name: 'presence', display_name: 'Presence', type: 'O' });
        state.team = team;
        for (const name of ['alice', 'bob', 'carol']) {
            state[name] = await signUp(name);
            await admin.client.addToTeam(team.id, state[name].user.id);
        }
        state.outsider = await signUp('outsider');
    }, { timeout: 70_000 });

    after(async () => {
        for (const socket of sockets) {
            socket.close();
        }
        await server?.stop();
    }, { timeout: 20_000 });

    it('1. a websocket makes its user online; status_change reaches a teammate', STEP, async () => {
        const { alice, bob } = state;
        state.aliceWs = await connect(alice.client);
        state.bobWs = await connect(bob.client);
        const change = await waitFor(
            state.aliceWs.events,
            (m) => m.event === 'status_change' && m.data.user_id === bob.user.id && m.data.status === 'online',
            "bob's status_change",
        );
        assert.equal(change.data.status, 'online');
        const status = await alice.client.getStatus(bob.user.id);
        assert.equal(status.user_id, bob.user.id);
        assert.equal(status.status, 'online');
        assert.equal(status.manual, false);
        assert.equal(typeof status.last_activity_at, 'number');
    });

    it('2. updateStatus (dnd), getStatusesByIds; nobody sets anyone else\'s', STEP, async () => {
        const { alice, bob, carol, outsider } = state;
        const updated = await bob.client.updateStatus({ user_id: bob.user.id, status: 'dnd' });
        assert.equal(updated.status, 'dnd');
        assert.equal(updated.manual, true);
        await waitFor(
            state.aliceWs.events,
            (m) => m.event === 'status_change' && m.data.user_id === bob.user.id && m.data.status === 'dnd',
            "bob's dnd",
        );
        const statuses = await alice.client.getStatusesByIds([bob.user.id, carol.user.id, outsider.user.id]);
        const byId = Object.fromEntries(statuses.map((s) => [s.user_id, s.status]));
        assert.deepEqual(byId, { [bob.user.id]: 'dnd', [carol.user.id]: 'offline' });

        await rejectsWith(alice.client.updateStatus({ user_id: bob.user.id, status: 'online' }), 403, 'alice sets bob');
        const bad = await rejectsWith(alice.client.updateStatus({ user_id: alice.user.id, status: 'busy' }), 400, 'bad status');
        assert.match(bad.message, /^status/);
        await rejectsWith(alice.client.getStatus(outsider.user.id), 404, 'a user alice cannot see');
        assert.equal((await bob.client.getStatus(bob.user.id)).status, 'dnd');
    });

    it('3. createGroupChannel: one G channel per set, members only', STEP, async () => {
        const { alice, bob, carol, outsider, team } = state;
        const group = await alice.client.createGroupChannel([bob.user.id, carol.user.id]);
        assert.equal(group.type, 'G');
        assert.equal(group.team_id, '');
        assert.equal(group.display_name, 'alice, bob, carol');
        assert.match(group.name, /^[0-9a-f]{40}$/);
        const again = await carol.client.createGroupChannel([alice.user.id, bob.user.id, carol.user.id]);
        assert.equal(again.id, group.id);
        state.group = group;

        const post = await bob.client.createPost({ channel_id: group.id, message: 'group hello' });
        const posts = await carol.client.getPosts(group.id);
        assert.equal(posts.order[0], post.id);
        const mine = await carol.client.getMyChannels(team.id);
        assert.ok(mine.some((c) => c.id === group.id), 'the group is listed with the channels');
        await rejectsWith(state.admin.client.getPosts(group.id), 403, 'an admin outside the group');

        const small = await rejectsWith(alice.client.createGroupChannel([bob.user.id]), 400, 'two people');
        assert.match(small.message, /^user_ids/);
        await rejectsWith(alice.client.createGroupChannel([bob.user.id, outsider.user.id]), 400, 'someone alice cannot see');
    });

    it('4. savePreferences, getMyPreferences, deletePreferences (+ events)', STEP, async () => {
        const { alice, bob } = state;
        const group = need(state.group, 'the group (step 3)');
        const prefs = [
            { user_id: alice.user.id, category: 'favorite_channel', name: group.id, value: 'true' },
            { user_id: alice.user.id, category: 'display_settings', name: 'use_military_time', value: 'true' },
        ];
        await alice.client.savePreferences(alice.user.id, prefs);
        const changed = await waitFor(state.aliceWs.events, (m) => m.event === 'preferences_changed', 'preferences_changed');
        assert.equal(typeof changed.data.preferences, 'string');
        assert.equal(JSON.parse(changed.data.preferences).length, 2);

        const mine = await alice.client.getMyPreferences();
        assert.equal(mine.length, 2);
        assert.ok(mine.some((p) => p.category === 'favorite_channel' && p.name === group.id && p.value === 'true'));

        const categories = await alice.client.getChannelCategories(alice.user.id, state.team.id);
        const favorites = categories.categories.find((c) => c.type === 'favorites');
        assert.deepEqual(favorites?.channel_ids, [group.id]);

        await alice.client.deletePreferences(alice.user.id, [prefs[1]]);
        await waitFor(state.aliceWs.events, (m) => m.event === 'preferences_deleted', 'preferences_deleted');
        assert.equal((await alice.client.getMyPreferences()).length, 1);

        await rejectsWith(bob.client.savePreferences(alice.user.id, prefs), 403, "bob saves alice's");
        await rejectsWith(bob.client.getUserPreferences(alice.user.id), 403, "bob reads alice's");
        assert.ok(!state.bobWs.events.some((m) => m.event.startsWith('preferences_')), 'bob hears nothing of it');
    });

    it('5. userTyping → typing for the other members only', STEP, async () => {
        const { alice, bob } = state;
        const group = need(state.group, 'the group (step 3)');
        state.bobWs.socket.userTyping(group.id, '');
        const typing = await waitFor(state.aliceWs.events, (m) => m.event === 'typing', 'typing');
        assert.equal(typing.data.user_id, bob.user.id);
        assert.equal(typing.data.parent_id, '');
        assert.equal(typing.broadcast.channel_id, group.id);
        await sleep(200);
        assert.ok(!state.bobWs.events.some((m) => m.event === 'typing'), 'the typist is not told');

        // Typing where one is not a member is not broadcast.
        const outsiderWs = await connect(state.outsider.client);
        outsiderWs.socket.userTyping(group.id, '');
        await sleep(500);
        assert.equal(state.aliceWs.events.filter((m) => m.event === 'typing').length, 1);
        assert.ok(alice);
    });

    it('6. the last websocket closing makes its user offline', STEP, async () => {
        const { alice, carol } = state;
        const carolWs = await connect(carol.client);
        await waitFor(
            state.aliceWs.events,
            (m) => m.event === 'status_change' && m.data.user_id === carol.user.id && m.data.status === 'online',
            "carol's online",
        );
        carolWs.socket.close();
        await waitFor(
            state.aliceWs.events,
            (m) => m.event === 'status_change' && m.data.user_id === carol.user.id && m.data.status === 'offline',
            "carol's offline",
        );
    });
});
