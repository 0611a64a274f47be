// Wire-compatibility oracle: the official Mattermost client (`@mattermost/client`
// Client4 and WebSocketClient, unmodified) driven against host-shim.
//
// One server for the whole file; the steps run in order and build on each
// other (the state object below). A step whose prerequisite failed says so
// instead of failing with a confusing error.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';

import mm from '@mattermost/client';

import { startServer } from './server.mjs';
import { installBrowserGlobals, need } from './support.mjs';

const { Client4, ClientError, WebSocketClient } = mm;

installBrowserGlobals();

const STEP = { timeout: 20_000 };
const ID = /^[a-z0-9]{26}$/;
const PASSWORD = 'Compat-test-pw-1';

let server;
const state = {};
const ws = { client: null, sockets: [], events: [], frames: [], closes: 0, errors: [] };

function newClient() {
    const client = new Client4();
    client.setUrl(server.url);
    return client;
}

/** Fails clearly when an earlier step did not produce what this one needs. */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `probe` until it returns something truthy. */
async function eventually(probe, what, timeoutMs = 5_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
        try {
            const value = await probe();
            if (value) {
                return value;
            }
        } catch (err) {
            last = err;
        }
        if (Date.now() > deadline) {
            const detail = last ? `; last error: ${last.message}` : '';
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
        }
        await sleep(100);
    }
}

/**
 * Asserts `promise` rejects with a Client4 `ClientError` carrying a
 * Mattermost error body (Client4 copies `id` → `server_error_id`, `message`
 * and `status_code` from the body, not from the HTTP status line).
 */
async function rejectsWithClientError(promise, statuses, what) {
    let caught;
    await assert.rejects(promise, (err) => {
        caught = err;
        return true;
    }, `${what}: expected an error, the request succeeded`);
    assert.ok(caught instanceof ClientError, `${what}: expected a ClientError, got ${caught}`);
    assert.ok(
        statuses.includes(caught.status_code),
        `${what}: expected status_code ${statuses.join(' or ')} in the error body, got ` +
        `${JSON.stringify(caught.status_code)} (message ${JSON.stringify(caught.message)}, ` +
        `server_error_id ${JSON.stringify(caught.server_error_id)})`,
    );
    assert.equal(typeof caught.server_error_id, 'string', `${what}: error body has no string "id"`);
    assert.ok(caught.server_error_id.length > 0, `${what}: error body "id" is empty`);
    assert.equal(typeof caught.message, 'string', `${what}: error body has no string "message"`);
    assert.ok(caught.message.length > 0, `${what}: error body "message" is empty`);
    return caught;
}

function postIdOf(event) {
    const post = event?.data?.post;
    try {
        return (typeof post === 'string' ? JSON.parse(post) : post)?.id;
    } catch {
        return undefined;
    }
}

/**
 * Waits for a websocket event the client delivered to its listeners. With
 * `failOnError`, a socket error (e.g. the upgrade was refused) ends the wait.
 */
async function waitForEvent(predicate, what, { timeoutMs = 10_000, failOnError = false } = {}) {
    const deadline = Date.now() + timeoutMs;
    const errorsBefore = ws.errors.length;
    for (;;) {
        const found = ws.events.find(predicate);
        if (found) {
            return found;
        }
        if (failOnError && ws.errors.length > errorsBefore) {
            throw new Error(`websocket error while waiting for ${what}; ${wsDiagnostics()}`);
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${wsDiagnostics()}`);
        }
        await sleep(20);
    }
}

/** Waits for a raw frame (including action replies, which listeners do not see). */
async function waitForFrame(predicate, what, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const found = ws.frames.find(predicate);
        if (found) {
            return found;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${wsDiagnostics()}`);
        }
        await sleep(20);
    }
}

function wsDiagnostics() {
    const frames = ws.frames.slice(-10).map((f) => JSON.stringify(f).slice(0, 300));
    return (
        `websocket: ${ws.sockets.length} connection attempt(s), ${ws.closes} close(s), ` +
        `${ws.errors.length} error(s) [${ws.errors.map((e) => e?.message ?? String(e)).join('; ')}]; ` +
        `events seen: [${ws.events.map((e) => e.event).join(', ')}]; ` +
        `last frames:\n  ${frames.join('\n  ') || '(none)'}`
    );
}

/** Stops the websocket client and its sockets (no more reconnects). */
function shutdownWebSocket() {
    ws.client?.close();
    for (const socket of ws.sockets) {
        try {
            if (typeof socket.terminate === 'function') {
                socket.terminate();
            } else {
                socket.close();
            }
        } catch {
            // already closed
        }
    }
}

describe('@mattermost/client against host-shim', () => {
    before(async () => {
        server = await startServer();
    }, { timeout: 70_000 });

    after(async () => {
        shutdownWebSocket();
        await server?.stop();
    }, { timeout: 20_000 });

    it('1. createUser: the first account is a system admin', STEP, async () => {
        const user = await newClient().createUser({
            username: 'admin1',
            email: 'admin1@example.com',
            password: PASSWORD,
        });
        state.admin = user;
        assert.match(user.id, ID);
        assert.equal(user.username, 'admin1');
        assert.equal(typeof user.roles, 'string');
        assert.ok(user.roles.split(' ').includes('system_admin'), `roles: ${user.roles}`);
        assert.ok(user.roles.split(' ').includes('system_user'), `roles: ${user.roles}`);
        assert.equal(user.password ?? '', '', 'the password must never leave the server');
        assert.equal(typeof user.create_at, 'number');
        // Mattermost returns the new account unsanitised to its creator (email included).
        assert.equal(user.email, 'admin1@example.com');
    });

    it('2. login stores the Token header; getMe returns the user', STEP, async () => {
        need(state.admin, 'the admin account (step 1)');
        const admin = newClient();
        const profile = await admin.login('admin1', PASSWORD);
        assert.equal(profile.id, state.admin.id);
        assert.equal(profile.username, 'admin1');
        assert.ok(admin.getToken(), 'Client4 found no Token header in the login response');
        state.adminClient = admin;
        state.adminToken = admin.getToken();

        let me;
        try {
            me = await admin.getMe();
        } catch (err) {
            if (err.status_code === 401) {
                // Pinpoint the usual cause: Client4 sends "Authorization: BEARER <token>".
                const probe = await fetch(`${server.url}/api/v4/users/me`, {
                    headers: { Authorization: `Bearer ${state.adminToken}` },
                });
                if (probe.ok) {
                    assert.fail(
                        'getMe: 401 for Client4\'s "Authorization: BEARER <token>" but 200 for "Bearer <token>": ' +
                        'Mattermost reads the scheme case-insensitively',
                    );
                }
            }
            throw err;
        }
        assert.equal(me.id, state.admin.id);
        assert.equal(me.username, 'admin1');
        assert.equal(me.email, 'admin1@example.com');
        assert.ok(me.roles.split(' ').includes('system_admin'), `roles: ${me.roles}`);
    });

    it('3. createTeam, getTeamByName, getMyTeams', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const team = await admin.createTeam({ name: 'ops', display_name: 'Ops', type: 'O' });
        state.team = team;
        assert.match(team.id, ID);
        assert.equal(team.name, 'ops');
        assert.equal(team.display_name, 'Ops');
        assert.equal(team.type, 'O');

        const byName = await admin.getTeamByName('ops');
        assert.equal(byName.id, team.id);
        assert.equal(byName.display_name, 'Ops');

        const mine = await admin.getMyTeams();
        assert.ok(Array.isArray(mine), 'getMyTeams returns an array');
        assert.ok(mine.some((t) => t.id === team.id), `getMyTeams: ${JSON.stringify(mine)}`);
    });

    it('4. a second user signs up as system_user and is added to the team', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const team = need(state.team, 'the team (step 3)');
        const user = await newClient().createUser({
            username: 'user2',
            email: 'user2@example.com',
            password: PASSWORD,
        });
        state.user2 = user;
        assert.match(user.id, ID);
        assert.equal(user.username, 'user2');
        const roles = user.roles.split(' ');
        assert.ok(roles.includes('system_user'), `roles: ${user.roles}`);
        assert.ok(!roles.includes('system_admin'), `a later account must not be admin: ${user.roles}`);

        const member = await admin.addToTeam(team.id, user.id);
        assert.equal(member.team_id, team.id);
        assert.equal(member.user_id, user.id);

        const client2 = newClient();
        await client2.login('user2', PASSWORD);
        assert.ok(client2.getToken(), 'no Token header for user2');
        state.user2Client = client2;
        const teams = await client2.getMyTeams();
        assert.ok(teams.some((t) => t.id === team.id), `user2's teams: ${JSON.stringify(teams)}`);
    });

    it('5a. createChannel, getChannelByName, getChannels, getMyChannels', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const team = need(state.team, 'the team (step 3)');
        const channel = await admin.createChannel({
            team_id: team.id,
            name: 'incidents',
            display_name: 'Incidents',
            type: 'O',
        });
        state.channel = channel;
        assert.match(channel.id, ID);
        assert.equal(channel.team_id, team.id);
        assert.equal(channel.name, 'incidents');
        assert.equal(channel.display_name, 'Incidents');
        assert.equal(channel.type, 'O');
        assert.equal(channel.creator_id, state.admin.id);

        const byName = await admin.getChannelByName(team.id, 'incidents');
        assert.equal(byName.id, channel.id);

        const publicList = await admin.getChannels(team.id);
        assert.ok(Array.isArray(publicList), 'getChannels returns an array');
        assert.ok(publicList.some((c) => c.id === channel.id), `getChannels: ${JSON.stringify(publicList)}`);

        const mine = await admin.getMyChannels(team.id);
        assert.ok(Array.isArray(mine), 'getMyChannels returns an array');
        assert.ok(mine.some((c) => c.id === channel.id), `getMyChannels: ${JSON.stringify(mine)}`);
    });

    it('5b. addToChannel, getChannelMembers', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const channel = need(state.channel, 'the channel (step 5a)');
        const user2 = need(state.user2, 'the second user (step 4)');

        const member = await admin.addToChannel(user2.id, channel.id);
        assert.equal(member.channel_id, channel.id);
        assert.equal(member.user_id, user2.id);

        const members = await admin.getChannelMembers(channel.id);
        assert.ok(Array.isArray(members), 'getChannelMembers returns an array');
        const ids = members.map((m) => m.user_id);
        assert.ok(ids.includes(state.admin.id), `members: ${ids}`);
        assert.ok(ids.includes(user2.id), `members: ${ids}`);
        for (const m of members) {
            assert.equal(m.channel_id, channel.id);
        }

        const user2Channels = await need(state.user2Client, 'user2 client (step 4)').getMyChannels(state.team.id);
        assert.ok(user2Channels.some((c) => c.id === channel.id), 'user2 sees the channel after being added');
    });

    it('5c. a private channel is closed to a non-member (ClientError with a Mattermost body)', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const client2 = need(state.user2Client, 'a logged-in user2 client (step 4)');
        const team = need(state.team, 'the team (step 3)');
        const secret = await admin.createChannel({
            team_id: team.id,
            name: 'secret',
            display_name: 'Secret',
            type: 'P',
        });
        assert.equal(secret.type, 'P');

        await rejectsWithClientError(client2.getChannel(secret.id), [403, 404], 'user2 getChannel(private)');
        await rejectsWithClientError(
            client2.getChannelByName(team.id, 'secret'), [403, 404], 'user2 getChannelByName(private)');
        await rejectsWithClientError(client2.getPosts(secret.id), [403, 404], 'user2 getPosts(private)');

        const visible = await client2.getMyChannels(team.id);
        assert.ok(!visible.some((c) => c.id === secret.id), 'user2 must not list the private channel');
    });

    it('6a. websocket: connects with the token and receives hello (seq 0)', STEP, async () => {
        const token = need(state.adminToken, 'the admin session token (step 2)');
        const client = new WebSocketClient({
            // Keep a handle on the raw socket to see action replies too.
            newWebSocketFn: (url) => {
                const socket = new globalThis.WebSocket(url);
                ws.sockets.push(socket);
                socket.addEventListener('message', (event) => {
                    try {
                        ws.frames.push(JSON.parse(String(event.data)));
                    } catch {
                        ws.frames.push({ unparsable: String(event.data) });
                    }
                });
                return socket;
            },
        });
        ws.client = client;
        client.addMessageListener((msg) => ws.events.push(msg));
        client.addCloseListener(() => ws.closes++);
        client.addErrorListener((err) => ws.errors.push(err));
        client.initialize(server.wsUrl, token);

        try {
            const hello = await waitForEvent((m) => m.event === 'hello', 'the hello event', { failOnError: true });
            assert.equal(hello.seq, 0, 'hello is the first event of the stream (seq 0)');
            assert.equal(typeof hello.data?.server_version, 'string', `hello.data: ${JSON.stringify(hello.data)}`);
            assert.ok(hello.broadcast && typeof hello.broadcast === 'object', `hello.broadcast: ${JSON.stringify(hello.broadcast)}`);

            // WebSocketClient sends authentication_challenge (seq 1) then ping (seq 2) on open.
            const authReply = await waitForFrame((f) => f.seq_reply === 1, 'the reply to authentication_challenge');
            assert.equal(authReply.status, 'OK', `authentication_challenge reply: ${JSON.stringify(authReply)}`);
            const pingReply = await waitForFrame((f) => f.seq_reply === 2, 'the reply to ping');
            assert.equal(pingReply.status, 'OK', `ping reply: ${JSON.stringify(pingReply)}`);
            assert.equal(ws.closes, 0, `the connection closed: ${wsDiagnostics()}`);
            ws.hello = hello;
        } catch (err) {
            // No endless reconnect attempts in the background of later steps.
            shutdownWebSocket();
            throw err;
        }
    });

    it('6b. websocket: createPost arrives as "posted" with data.post a JSON string', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const channel = need(state.channel, 'the channel (step 5a)');
        const post = await admin.createPost({ channel_id: channel.id, message: 'hello from client4' });
        state.post = post;
        assert.match(post.id, ID);
        assert.equal(post.message, 'hello from client4');
        assert.equal(post.channel_id, channel.id);
        assert.equal(post.user_id, state.admin.id);
        assert.equal(post.root_id, '');
        assert.equal(typeof post.create_at, 'number');

        need(ws.hello, 'a connected websocket client (step 6a)');
        const event = await waitForEvent(
            (m) => m.event === 'posted' && postIdOf(m) === post.id, `a posted event for post ${post.id}`);
        assert.equal(typeof event.data.post, 'string', 'posted.data.post must be a JSON string');
        const sent = JSON.parse(event.data.post);
        assert.equal(sent.id, post.id);
        assert.equal(sent.message, 'hello from client4');
        assert.equal(sent.channel_id, channel.id);
        assert.equal(sent.user_id, state.admin.id);
        assert.equal(event.broadcast?.channel_id, channel.id, `broadcast: ${JSON.stringify(event.broadcast)}`);
        assert.equal(event.data.channel_type, 'O');
        assert.equal(event.data.channel_name, 'incidents');
        assert.equal(event.data.channel_display_name, 'Incidents');
        assert.equal(event.data.team_id, state.team.id);
        assert.equal(typeof event.seq, 'number');
        // WebSocketClient drops and reopens the connection on any seq gap.
        assert.equal(ws.closes, 0, `the connection closed: ${wsDiagnostics()}`);
    });

    it('7a. getPosts: a PostList, newest first, keyed by id', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const channel = need(state.channel, 'the channel (step 5a)');
        const post = need(state.post, 'the post (step 6b)');
        const list = await admin.getPosts(channel.id);
        assert.ok(Array.isArray(list.order), `PostList.order: ${JSON.stringify(list)}`);
        assert.equal(typeof list.posts, 'object');
        assert.equal(list.order[0], post.id, `order: ${JSON.stringify(list.order)}`);
        assert.equal(list.posts[post.id]?.message, 'hello from client4');
        for (const id of list.order) {
            assert.equal(list.posts[id]?.id, id, `posts is keyed by id (${id})`);
        }
        assert.equal(typeof list.next_post_id, 'string');
        assert.equal(typeof list.prev_post_id, 'string');
    });

    it('7b. getPost, patchPost', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const post = need(state.post, 'the post (step 6b)');
        const fetched = await admin.getPost(post.id);
        assert.equal(fetched.id, post.id);
        assert.equal(fetched.message, 'hello from client4');

        const patched = await admin.patchPost({ id: post.id, message: 'edited' });
        assert.equal(patched.id, post.id);
        assert.equal(patched.message, 'edited');
        assert.ok(patched.edit_at > 0, `edit_at after an edit: ${patched.edit_at}`);
        assert.equal((await admin.getPost(post.id)).message, 'edited');
    });

    it('7c. reply with root_id, getPostThread', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const channel = need(state.channel, 'the channel (step 5a)');
        const post = need(state.post, 'the post (step 6b)');
        const reply = await admin.createPost({ channel_id: channel.id, root_id: post.id, message: 'a reply' });
        state.reply = reply;
        assert.match(reply.id, ID);
        assert.equal(reply.root_id, post.id);

        const thread = await admin.getPostThread(post.id);
        assert.ok(Array.isArray(thread.order), `thread: ${JSON.stringify(thread)}`);
        assert.ok(thread.order.includes(post.id), `thread order: ${thread.order}`);
        assert.ok(thread.order.includes(reply.id), `thread order: ${thread.order}`);
        assert.equal(thread.posts[post.id]?.message, 'edited');
        assert.equal(thread.posts[reply.id]?.root_id, post.id);
    });

    it('7d. deletePost', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const post = need(state.post, 'the post (step 6b)');
        const reply = need(state.reply, 'the reply (step 7c)');
        const answer = await admin.deletePost(reply.id);
        assert.equal(answer?.status, 'OK', `deletePost answer: ${JSON.stringify(answer)}`);
        await rejectsWithClientError(admin.getPost(reply.id), [404], 'getPost(deleted)');
        const thread = await admin.getPostThread(post.id);
        assert.ok(!thread.order.includes(reply.id), `deleted reply still in the thread: ${thread.order}`);
        const list = await admin.getPosts(state.channel.id);
        assert.ok(!list.order.includes(reply.id), 'deleted reply still in getPosts');
    });

    it('7e. websocket: post_edited and post_deleted carry the post as a JSON string', STEP, async () => {
        const post = need(state.post, 'the post (step 6b)');
        const reply = need(state.reply, 'the reply (step 7c)');
        need(ws.hello, 'a connected websocket client (step 6a)');
        const edited = await waitForEvent(
            (m) => m.event === 'post_edited' && postIdOf(m) === post.id, 'post_edited for the post');
        assert.equal(typeof edited.data.post, 'string');
        assert.equal(JSON.parse(edited.data.post).message, 'edited');
        const deleted = await waitForEvent(
            (m) => m.event === 'post_deleted' && postIdOf(m) === reply.id, 'post_deleted for the reply');
        assert.equal(typeof deleted.data.post, 'string');
        assert.equal(ws.closes, 0, `the connection closed: ${wsDiagnostics()}`);
    });

    it('8a. executeCommand /echo posts its text', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const channel = need(state.channel, 'the channel (step 5a)');
        const response = await admin.executeCommand('/echo hi there', {
            channel_id: channel.id,
            team_id: state.team.id,
        });
        assert.equal(typeof response, 'object', `CommandResponse: ${JSON.stringify(response)}`);
        const echoed = await eventually(async () => {
            const list = await admin.getPosts(channel.id);
            return Object.values(list.posts).find((p) => p.message === 'hi there');
        }, 'a "hi there" post in the channel');
        assert.equal(echoed.channel_id, channel.id);
        assert.equal(echoed.user_id, state.admin.id);
    });

    it('8b. executeCommand /playbook help answers ephemerally', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const channel = need(state.channel, 'the channel (step 5a)');
        const response = await admin.executeCommand('/playbook help', {
            channel_id: channel.id,
            team_id: state.team.id,
        });
        assert.equal(response.response_type, 'ephemeral', `CommandResponse: ${JSON.stringify(response)}`);
        assert.equal(typeof response.text, 'string');
        assert.ok(response.text.includes('selfcheck'), `help text: ${response.text}`);
    });

    it('8c. executeCommand with an unknown command is a 404 ClientError', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const channel = need(state.channel, 'the channel (step 5a)');
        const err = await rejectsWithClientError(
            admin.executeCommand('/no-such-command now', { channel_id: channel.id, team_id: state.team.id }),
            [404],
            'executeCommand(/no-such-command)',
        );
        // The webapp recognises this id to offer sending the text as a message
        // (and a missing route would answer api.context.404.app_error instead).
        assert.equal(err.server_error_id, 'api.command.execute_command.not_found.app_error');
    });

    it('9. incoming webhook: JSON and form payloads posted with curl', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const channel = need(state.channel, 'the channel (step 5a)');
        const hook = await admin.createIncomingWebhook({ channel_id: channel.id, display_name: 'alerts' });
        assert.match(hook.id, ID);
        assert.equal(hook.channel_id, channel.id);
        assert.equal(hook.display_name, 'alerts');

        const hookUrl = `${server.url}/hooks/${hook.id}`;
        const curl = (...args) => execFileSync('curl', ['-sS', '-X', 'POST', ...args, hookUrl], {
            encoding: 'utf8',
            timeout: 10_000,
        });
        const jsonAnswer = curl('-H', 'Content-Type: application/json', '-d', JSON.stringify({ text: 'from curl' }));
        assert.equal(jsonAnswer, 'ok', `JSON webhook answer: ${JSON.stringify(jsonAnswer)}`);
        // curl -d without a Content-Type sends application/x-www-form-urlencoded.
        const formAnswer = curl('-d', 'payload={"text":"form style"}');
        assert.equal(formAnswer, 'ok', `form webhook answer: ${JSON.stringify(formAnswer)}`);

        const found = await eventually(async () => {
            const list = await admin.getPosts(channel.id);
            const posts = Object.values(list.posts);
            const json = posts.find((p) => p.message === 'from curl');
            const form = posts.find((p) => p.message === 'form style');
            return json && form ? { json, form } : null;
        }, 'both webhook posts in the channel');
        for (const post of [found.json, found.form]) {
            assert.equal(post.channel_id, channel.id);
            assert.equal(post.props?.from_webhook, 'true', `props of "${post.message}": ${JSON.stringify(post.props)}`);
        }
    });

    it('9b. unread: getChannelMember lags, a mention counts, viewMyChannel resets (getMyChannelMembers)', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const client2 = need(state.user2Client, 'a logged-in user2 client (step 4)');
        const user2 = need(state.user2, 'the second user (step 4)');
        const channel = need(state.channel, 'the channel (step 5a)');
        const team = need(state.team, 'the team (step 3)');

        // user2 was added in 5b and has read nothing since.
        const before = await client2.getChannelMember(channel.id, user2.id);
        assert.equal(before.channel_id, channel.id);
        assert.equal(before.user_id, user2.id);
        for (const key of ['last_viewed_at', 'msg_count', 'mention_count', 'last_update_at']) {
            assert.equal(typeof before[key], 'number', `ChannelMember.${key}: ${JSON.stringify(before)}`);
        }
        assert.equal(typeof before.notify_props, 'object');
        const total = (await client2.getChannel(channel.id)).total_msg_count;
        assert.ok(before.msg_count < total, `msg_count ${before.msg_count} lags total_msg_count ${total}`);

        const post = await admin.createPost({ channel_id: channel.id, message: 'please look @user2.' });
        const mentioned = await client2.getChannelMember(channel.id, user2.id);
        assert.equal(mentioned.mention_count, before.mention_count + 1, JSON.stringify(mentioned));
        // The admin's own post marks the channel read for the admin.
        const adminMember = await admin.getChannelMember(channel.id, 'me');
        assert.equal(adminMember.msg_count, total + 1, JSON.stringify(adminMember));
        assert.equal(adminMember.last_viewed_at, post.create_at);
        if (ws.hello) {
            const event = await waitForEvent(
                (m) => m.event === 'posted' && postIdOf(m) === post.id, `a posted event for post ${post.id}`);
            assert.equal(typeof event.data.mentions, 'string', `posted.data.mentions: ${JSON.stringify(event.data)}`);
            assert.deepEqual(JSON.parse(event.data.mentions), [user2.id]);
        }

        const viewed = await client2.viewMyChannel(channel.id);
        assert.equal(viewed.status, 'OK', `viewMyChannel: ${JSON.stringify(viewed)}`);
        assert.equal(typeof viewed.last_viewed_at_times?.[channel.id], 'number', JSON.stringify(viewed));
        const members = await client2.getMyChannelMembers(team.id);
        assert.ok(Array.isArray(members), 'getMyChannelMembers returns an array');
        const mine = members.find((m) => m.channel_id === channel.id);
        assert.ok(mine, `the channel among user2's members: ${JSON.stringify(members)}`);
        assert.equal(mine.msg_count, total + 1);
        assert.equal(mine.mention_count, 0);
        assert.equal(mine.last_viewed_at, viewed.last_viewed_at_times[channel.id]);
        assert.ok(members.every((m) => m.user_id === user2.id));

        // The admin's view reaches the admin's websocket as channel_viewed.
        if (ws.hello) {
            await admin.viewMyChannel(channel.id);
            const event = await waitForEvent(
                (m) => m.event === 'channel_viewed' && m.data?.channel_id === channel.id, 'channel_viewed');
            assert.equal(event.broadcast?.user_id, state.admin.id);
            assert.equal(ws.closes, 0, `the connection closed: ${wsDiagnostics()}`);
        }
        await rejectsWithClientError(
            client2.getChannelMember(channel.id, 'nosuchuser0000000000000000'), [404], 'getChannelMember(non-member)');
    });

    it('9c. getProfiles, autocompleteUsers, searchUsers', STEP, async () => {
        const client2 = need(state.user2Client, 'a logged-in user2 client (step 4)');
        const user2 = need(state.user2, 'the second user (step 4)');
        const channel = need(state.channel, 'the channel (step 5a)');
        const team = need(state.team, 'the team (step 3)');

        const profiles = await client2.getProfiles(0, 60);
        assert.ok(Array.isArray(profiles), 'getProfiles returns an array');
        const names = profiles.map((u) => u.username);
        assert.deepEqual(names, [...names].sort(), 'sorted by username');
        assert.ok(names.includes('admin1') && names.includes('user2'), `getProfiles: ${names}`);
        assert.equal(profiles.find((u) => u.username === 'admin1').email, '', 'others\' emails are hidden');
        const inTeam = await client2.getProfilesInTeam(team.id, 0, 60);
        assert.ok(inTeam.some((u) => u.id === user2.id), 'getProfilesInTeam');
        const inChannel = await client2.getProfilesInChannel(channel.id, 0, 60);
        assert.ok(inChannel.some((u) => u.id === state.admin.id), 'getProfilesInChannel');

        const auto = await client2.autocompleteUsers('USER', team.id, channel.id);
        assert.ok(Array.isArray(auto.users), `autocompleteUsers: ${JSON.stringify(auto)}`);
        assert.deepEqual(auto.users.map((u) => u.username), ['user2']);
        assert.ok(Array.isArray(auto.out_of_channel ?? []));
        const inTeamOnly = await client2.autocompleteUsers('adm', team.id, '');
        assert.deepEqual(inTeamOnly.users.map((u) => u.username), ['admin1']);

        const found = await client2.searchUsers('admin', { team_id: team.id });
        assert.ok(Array.isArray(found), 'searchUsers returns an array');
        assert.deepEqual(found.map((u) => u.username), ['admin1']);
        await rejectsWithClientError(client2.searchUsers('', {}), [400], 'searchUsers(empty term)');
    });

    it('9d. getTeams, getTeamMembers, patchChannel (channel_updated)', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const client2 = need(state.user2Client, 'a logged-in user2 client (step 4)');
        const channel = need(state.channel, 'the channel (step 5a)');
        const team = need(state.team, 'the team (step 3)');

        const teams = await client2.getTeams();
        assert.ok(Array.isArray(teams), `getTeams: ${JSON.stringify(teams)}`);
        assert.ok(teams.some((t) => t.id === team.id), `getTeams: ${JSON.stringify(teams)}`);
        const members = await client2.getTeamMembers(team.id);
        assert.ok(members.some((m) => m.user_id === state.user2.id && m.team_id === team.id), JSON.stringify(members));

        const patched = await client2.patchChannel(channel.id, { header: 'Sev 2: database', purpose: 'Incident work' });
        assert.equal(patched.id, channel.id);
        assert.equal(patched.header, 'Sev 2: database');
        assert.equal(patched.purpose, 'Incident work');
        assert.equal(patched.display_name, 'Incidents', 'fields not given are kept');
        if (ws.hello) {
            const event = await waitForEvent((m) => {
                if (m.event !== 'channel_updated') {
                    return false;
                }
                const sent = typeof m.data?.channel === 'string' ? JSON.parse(m.data.channel) : null;
                return sent?.id === channel.id && sent.header === 'Sev 2: database';
            }, 'channel_updated with the new header');
            assert.equal(typeof event.data.channel, 'string', 'channel_updated.data.channel must be a JSON string');
        }
        const err = await rejectsWithClientError(
            client2.patchChannel(channel.id, { purpose: 'p'.repeat(251) }), [400], 'patchChannel(long purpose)');
        assert.ok(err.message.startsWith('purpose'), `the message names the field: ${err.message}`);
        assert.equal((await admin.getChannel(channel.id)).header, 'Sev 2: database');
    });

    it('10. logout: later requests are 401', STEP, async () => {
        const admin = need(state.adminClient, 'a logged-in admin client (step 2)');
        const token = need(state.adminToken, 'the admin session token (step 2)');
        shutdownWebSocket();
        const before = await admin.getMe();
        assert.equal(before.id, state.admin.id, 'the session works before logout');
        const response = await admin.logout();
        assert.ok(response.ok, `logout answered ${response.status}`);
        assert.equal(admin.getToken(), '', 'Client4 forgets the token after logout');
        await rejectsWithClientError(admin.getMe(), [401], 'getMe after logout');

        // The session itself is gone on the server, not just forgotten by the client.
        const stale = newClient();
        stale.setToken(token);
        await rejectsWithClientError(stale.getMe(), [401], 'getMe with the logged-out token');
    });
});
