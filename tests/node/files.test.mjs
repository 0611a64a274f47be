// Files through the official client (`@mattermost/client`, unmodified):
// uploadFile with FormData, posts carrying file_ids and metadata.files,
// getFileInfosForPost, the file / thumbnail / preview URLs Client4 builds,
// searchFiles, and an outsider who gets none of it.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import mm from '@mattermost/client';

import { startServer } from './server.mjs';
import { need } from './support.mjs';

const { Client4, ClientError } = mm;

const STEP = { timeout: 20_000 };
const ID = /^[a-z0-9]{26}$/;
const PASSWORD = 'Files-test-pw-1';
// A 2×2 PNG (red, green / blue, white).
const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAAMIM/4EAAB/uBfsL2WiLAAAAAElFTkSuQmCC',
    'base64',
);
const TEXT = 'Timeline:\n10:02 alert fired\n';

let server;
const state = {};

function newClient() {
    const client = new Client4();
    client.setUrl(server.url);
    return client;
}

async function signUp(name) {
    await newClient().createUser({ username: name, email: `${name}@example.com`, password: PASSWORD });
    const client = newClient();
    const me = await client.login(name, PASSWORD);
    return { client, me };
}

/** GET a URL Client4 built, with the client's token. */
async function get(client, url) {
    return fetch(url, { headers: { Authorization: `Bearer ${client.getToken()}` } });
}

describe('files with @mattermost/client', () => {
    before(async () => {
        server = await startServer();
    }, { timeout: 70_000 });

    after(async () => {
        await server?.stop();
    }, { timeout: 20_000 });

    it('1. accounts, a team, a private channel with one member', STEP, async () => {
        const admin = await signUp('admin1');
        const alice = await signUp('alice');
        const outsider = await signUp('outsider');
        const team = await admin.client.createTeam({ name: 'ops', display_name: 'Ops', type: 'O' });
        await admin.client.addToTeam(team.id, alice.me.id);
        await admin.client.addToTeam(team.id, outsider.me.id);
        const channel = await alice.client.createChannel({
            team_id: team.id, name: 'incident-1', display_name: 'Incident 1', type: 'P',
        });
        Object.assign(state, { alice, outsider, team, channel });
    });

    it('2. uploadFile with FormData: 201 with file_infos and client_ids', STEP, async () => {
        const alice = need(state.alice, 'accounts (step 1)');
        const form = new FormData();
        form.append('channel_id', state.channel.id);
        form.append('client_ids', 'client-png');
        form.append('files', new Blob([PNG], { type: 'image/png' }), 'graph.png');
        form.append('client_ids', 'client-txt');
        form.append('files', new Blob([TEXT], { type: 'text/plain' }), 'timeline.txt');
        const uploaded = await alice.client.uploadFile(form);
        assert.deepEqual(uploaded.client_ids, ['client-png', 'client-txt']);
        assert.equal(uploaded.file_infos.length, 2);
        const [png, txt] = uploaded.file_infos;
        assert.match(png.id, ID);
        assert.equal(png.name, 'graph.png');
        assert.equal(png.extension, 'png');
        assert.equal(png.mime_type, 'image/png');
        assert.equal(png.size, PNG.length);
        assert.equal(png.width, 2);
        assert.equal(png.height, 2);
        assert.equal(png.has_preview_image, true);
        assert.equal(png.user_id, alice.me.id);
        assert.equal(png.channel_id, state.channel.id);
        assert.equal(txt.name, 'timeline.txt');
        assert.equal(txt.size, Buffer.byteLength(TEXT));
        assert.equal(txt.has_preview_image, false);
        state.files = uploaded.file_infos;
    });

    it('3. createPost with file_ids: the post carries file_ids and metadata.files', STEP, async () => {
        const files = need(state.files, 'uploads (step 2)');
        const post = await state.alice.client.createPost({
            channel_id: state.channel.id, message: 'graph and timeline', file_ids: files.map((f) => f.id),
        });
        assert.deepEqual(post.file_ids, files.map((f) => f.id));
        assert.deepEqual(post.metadata.files.map((f) => f.id), files.map((f) => f.id));
        assert.ok(post.metadata.files.every((f) => f.post_id === post.id));
        const again = await state.alice.client.getPost(post.id);
        assert.deepEqual(again.metadata.files.map((f) => f.name), ['graph.png', 'timeline.txt']);
        state.post = post;
    });

    it('4. getFileInfosForPost and the file, thumbnail and preview URLs', STEP, async () => {
        const post = need(state.post, 'the post (step 3)');
        const client = state.alice.client;
        const infos = await client.getFileInfosForPost(post.id);
        assert.deepEqual(infos.map((i) => i.name), ['graph.png', 'timeline.txt']);
        assert.ok(infos.every((i) => i.post_id === post.id));
        const [png, txt] = state.files;

        let res = await get(client, client.getFileUrl(png.id, Date.now()));
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'image/png');
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);

        res = await get(client, client.getFileUrl(txt.id));
        assert.equal(res.status, 200);
        assert.equal(await res.text(), TEXT);
        assert.match(res.headers.get('content-disposition'), /^attachment;.*filename\*=UTF-8''timeline\.txt/);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');

        for (const url of [client.getFileThumbnailUrl(png.id), client.getFilePreviewUrl(png.id)]) {
            res = await get(client, url);
            assert.equal(res.status, 200, url);
            assert.equal(res.headers.get('content-type'), 'image/jpeg', url);
            const bytes = Buffer.from(await res.arrayBuffer());
            assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8], `${url} is a JPEG`);
        }
    });

    it('5. searchFiles finds the channel\'s files by name and extension', STEP, async () => {
        need(state.post, 'the post (step 3)');
        const client = state.alice.client;
        const byName = await client.searchFiles(state.team.id, 'timeline', false);
        assert.deepEqual(byName.order, [state.files[1].id]);
        assert.equal(byName.file_infos[state.files[1].id].name, 'timeline.txt');
        const byExt = await client.searchFiles(state.team.id, 'ext:png in:incident-1', false);
        assert.deepEqual(byExt.order, [state.files[0].id]);
    });

    it('6. an outsider gets no file, info, thumbnail, preview or search hit', STEP, async () => {
        need(state.post, 'the post (step 3)');
        const outsider = state.outsider.client;
        await assert.rejects(outsider.getFileInfosForPost(state.post.id), (err) => {
            assert.ok(err instanceof ClientError, String(err));
            assert.equal(err.status_code, 403);
            return true;
        });
        for (const file of state.files) {
            for (const url of [
                outsider.getFileUrl(file.id),
                `${outsider.getFileRoute(file.id)}/info`,
                outsider.getFileThumbnailUrl(file.id),
                outsider.getFilePreviewUrl(file.id),
            ]) {
                const res = await get(outsider, url);
                assert.equal(res.status, 404, url);
                const body = await res.json();
                assert.equal(body.status_code, 404);
                assert.ok(!JSON.stringify(body).includes(file.name), 'the answer must not reveal the file');
            }
        }
        const found = await outsider.searchFiles(state.team.id, 'timeline', false);
        assert.deepEqual(found.order, []);
        // Nor can they upload into the channel.
        const form = new FormData();
        form.append('channel_id', state.channel.id);
        form.append('files', new Blob(['x']), 'x.txt');
        await assert.rejects(outsider.uploadFile(form), (err) => {
            assert.equal(err.status_code, 403, `${err} ${JSON.stringify(err)}`);
            return true;
        });
    });
});
