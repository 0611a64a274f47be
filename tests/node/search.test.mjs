// Post search through the official client: Client4.searchPostsWithParams
// and searchPosts against host-shim (decision 019). Own server; the steps
// run in order and build on each other.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import mm from '@mattermost/client';

import { startServer } from './server.mjs';
import { need } from './support.mjs';

const { Client4, ClientError } = mm;

const STEP = { timeout: 20_000 };
const PASSWORD = 'Search-test-pw-1';

let server;
const s = {};

async function signUp(username) {
    const client = new Client4();
    client.setUrl(server.url);
    const user = await client.createUser({ username, email: `${username}@example.com`, password: PASSWORD });
    await client.login(username, PASSWORD);
    return { client, user };
}

/** The messages of a PostSearchResults, in order, after checking its shape. */
function messages(results) {
    assert.ok(Array.isArray(results.order), JSON.stringify(results));
    assert.equal(typeof results.posts, 'object');
    assert.equal(typeof results.has_next, 'boolean');
    assert.ok('matches' in results, 'PostSearchResults has matches');
    assert.equal(results.order.length, Object.keys(results.posts).length);
    return results.order.map((id) => results.posts[id].message);
}

describe('post search with @mattermost/client', () => {
    before(async () => {
        server = await startServer();
    }, { timeout: 70_000 });

    after(async () => {
        await server?.stop();
    }, { timeout: 20_000 });

    it('1. people, a team, channels and posts', STEP, async () => {
        s.alice = await signUp('alice');
        s.bob = await signUp('bob');
        s.carol = await signUp('carol');
        const team = await s.alice.client.createTeam({ name: 'ops', display_name: 'Ops', type: 'O' });
        s.team = team;
        for (const who of [s.bob, s.carol]) {
            await s.alice.client.addToTeam(team.id, who.user.id);
        }
        s.incidents = await s.alice.client.createChannel({ team_id: team.id, name: 'incidents', display_name: 'Incidents', type: 'O' });
        await s.alice.client.addToChannel(s.bob.user.id, s.incidents.id);
        s.vault = await s.alice.client.createChannel({ team_id: team.id, name: 'vault', display_name: 'Vault', type: 'P' });
        await s.alice.client.addToChannel(s.carol.user.id, s.vault.id);

        s.outage = await s.alice.client.createPost({ channel_id: s.incidents.id, message: 'Database outage in eu-west' });
        await s.bob.client.createPost({ channel_id: s.incidents.id, message: 'database restored' });
        await s.alice.client.createPost({ channel_id: s.vault.id, message: 'database password rotation' });
        const dm = await s.alice.client.createDirectChannel([s.alice.user.id, s.carol.user.id]);
        await s.alice.client.createPost({ channel_id: dm.id, message: 'database gossip' });
    });

    it('2. searchPosts and searchPostsWithParams find what the caller can read, newest first', STEP, async () => {
        const bob = need(s.bob, 'users').client;
        const team = need(s.team, 'team');
        assert.deepEqual(messages(await bob.searchPosts(team.id, 'database', false)),
            ['database restored', 'Database outage in eu-west']);
        assert.deepEqual(messages(await bob.searchPostsWithParams(team.id, {
            terms: 'database -restored', is_or_search: false, time_zone_offset: 3600, page: 0, per_page: 20,
        })), ['Database outage in eu-west']);
        assert.deepEqual(messages(await bob.searchPosts(team.id, '"outage in eu" from:alice in:incidents', false)),
            ['Database outage in eu-west']);
        assert.deepEqual(messages(await bob.searchPosts(team.id, 'restored outage', true)).length, 2);
        // Prefix and paging.
        const first = await bob.searchPostsWithParams(team.id, { terms: 'data*', page: 0, per_page: 1 });
        assert.deepEqual(messages(first), ['database restored']);
        assert.equal(first.has_next, true);
        const second = await bob.searchPostsWithParams(team.id, { terms: 'data*', page: 1, per_page: 1 });
        assert.deepEqual(messages(second), ['Database outage in eu-west']);
        assert.equal(second.has_next, false);
        // All teams (no team id): Client4 uses POST /posts/search.
        assert.deepEqual(messages(await bob.searchPostsWithParams('', { terms: 'database' })).length, 2);
    });

    it('3. private channels, others\' DMs and unknown names never leak', STEP, async () => {
        const bob = need(s.bob, 'users').client;
        const team = need(s.team, 'team');
        for (const terms of ['password', 'gossip', 'in:vault database', 'in:@alice database', 'in:@carol gossip', 'from:nobody database', 'in:nowhere database']) {
            const found = messages(await bob.searchPosts(team.id, terms, false));
            assert.deepEqual(found, [], `bob searching ${terms}`);
        }
        // Carol reads the vault and her DM.
        const carol = s.carol.client;
        assert.deepEqual(messages(await carol.searchPosts(team.id, 'database', false)).sort(),
            ['database gossip', 'database password rotation']);
    });

    it('4. edits and deletes are searched as they are now', STEP, async () => {
        const alice = need(s.alice, 'users').client;
        const team = need(s.team, 'team');
        const outage = need(s.outage, 'the outage post');
        await alice.patchPost({ id: outage.id, message: 'incident closed' });
        assert.deepEqual(messages(await alice.searchPosts(team.id, 'outage', false)), []);
        assert.deepEqual(messages(await alice.searchPosts(team.id, 'closed', false)), ['incident closed']);
        await alice.deletePost(outage.id);
        assert.deepEqual(messages(await alice.searchPosts(team.id, 'closed', false)), []);
    });

    it('5. bad input is a Mattermost error naming terms; strangers are refused', STEP, async () => {
        const bob = need(s.bob, 'users').client;
        const team = need(s.team, 'team');
        for (const terms of ['', 'on:2024-02-30', 'x'.repeat(1025)]) {
            let caught;
            await assert.rejects(bob.searchPosts(team.id, terms, false), (err) => {
                caught = err;
                return true;
            });
            assert.ok(caught instanceof ClientError, String(caught));
            assert.equal(caught.status_code, 400, caught.message);
            assert.match(caught.message, /^terms: /);
        }
        const stranger = await signUp('dave');
        let caught;
        await assert.rejects(stranger.client.searchPosts(team.id, 'database', false), (err) => {
            caught = err;
            return true;
        });
        assert.equal(caught.status_code, 403);
    });
});
