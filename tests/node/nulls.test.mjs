// What third-party Mattermost clients send: `null` for fields they leave
// empty (`"root_id": null`), empty lists, and bodies without a JSON
// Content-Type. Mattermost's Go server reads null as "not given"; so must
// this one, on its own API and on the playbooks plugin's. Sent through the
// official Client4 (its public doFetch, as a client with its own request
// shapes would) and through plain fetch. Its own server; steps in order.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import mm from '@mattermost/client';

import { startServer } from './server.mjs';
import { need } from './support.mjs';

const { Client4 } = mm;

const STEP = { timeout: 20_000 };
const PASSWORD = 'Nulls-test-pw-1';

let server;
const s = {};

describe('null members and odd content types, as real clients send them', () => {
    before(async () => {
        server = await startServer();
    }, { timeout: 70_000 });

    after(async () => {
        await server?.stop();
    }, { timeout: 20_000 });

    it('1. a person, a team and a channel', STEP, async () => {
        const client = new Client4();
        client.setUrl(server.url);
        const user = await client.createUser({ username: 'nullsadmin', email: 'nulls@example.com', password: PASSWORD });
        await client.login('nullsadmin', PASSWORD);
        const team = await client.createTeam({ name: 'ops', display_name: 'Ops', type: 'O' });
        const channel = await client.createChannel({ team_id: team.id, name: 'war-room', display_name: 'War room', type: 'O' });
        Object.assign(s, { client, user, team, channel });
    });

    it('2. a post with root_id, props and priority null and file_ids empty', STEP, async () => {
        const client = need(s.client, 'the client (step 1)');
        const post = await client.doFetch(`${client.getPostsRoute()}`, {
            method: 'post',
            body: JSON.stringify({
                channel_id: s.channel.id, message: 'db is down', root_id: null, file_ids: [],
                props: null, metadata: { priority: null }, pending_post_id: null, unknown_field: 1,
            }),
        });
        assert.equal(post.message, 'db is down');
        assert.equal(post.root_id, '');
        const reply = await client.doFetch(`${client.getPostsRoute()}`, {
            method: 'post',
            body: JSON.stringify({ channel_id: s.channel.id, message: 'on it', root_id: post.id, file_ids: null }),
        });
        assert.equal(reply.root_id, post.id);
        s.post = post;
    });

    it('3. a channel patch where null means "leave as it is"', STEP, async () => {
        const client = need(s.client, 'the client (step 1)');
        const patched = await client.doFetch(`${client.getChannelRoute(s.channel.id)}/patch`, {
            method: 'put',
            body: JSON.stringify({ display_name: null, header: 'Sev 1', purpose: null }),
        });
        assert.equal(patched.display_name, 'War room');
        assert.equal(patched.header, 'Sev 1');
    });

    it('4. the playbooks plugin reads nulls the same way', STEP, async () => {
        const client = need(s.client, 'the client (step 1)');
        const base = `${server.url}/plugins/playbooks/api/v0`;
        const created = await client.doFetch(`${base}/playbooks`, {
            method: 'post',
            body: JSON.stringify({
                title: 'Incident', team_id: s.team.id, description: null, public: true,
                checklists: [{ title: 'Triage', items: [{ title: 'Assess', description: null, command: null }] }],
                metrics: null, members: null,
            }),
        });
        const playbook = await client.doFetch(`${base}/playbooks/${created.id}`, { method: 'get' });
        assert.equal(playbook.title, 'Incident');
        assert.equal(playbook.description, '');
        assert.equal(playbook.checklists[0].items[0].title, 'Assess');
    });

    it('5. a JSON body sent as text/plain or without a Content-Type is read as JSON', STEP, async () => {
        const client = need(s.client, 'the client (step 1)');
        for (const contentType of ['text/plain', null]) {
            const headers = { Authorization: `Bearer ${client.getToken()}`, 'X-Requested-With': 'XMLHttpRequest' };
            if (contentType) {
                headers['Content-Type'] = contentType;
            }
            const body = new TextEncoder().encode(JSON.stringify({ channel_id: s.channel.id, message: `as ${contentType}`, root_id: null }));
            const response = await fetch(`${server.url}/api/v4/posts`, { method: 'POST', headers, body });
            assert.equal(response.status, 201, `${contentType}: ${await response.text()}`);
        }
    });

    it('6. a wrong type still gets a 400 naming the field', STEP, async () => {
        const client = need(s.client, 'the client (step 1)');
        await assert.rejects(
            client.doFetch(`${client.getPostsRoute()}`, {
                method: 'post',
                body: JSON.stringify({ channel_id: s.channel.id, message: 'x', root_id: 5 }),
            }),
            (err) => err.status_code === 400 && err.message.includes('root_id'),
        );
    });
});
