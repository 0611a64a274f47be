// Reactions in real browsers: one person reacts through the emoji picker
// (search and keyboard), another sees it live and joins in with a click on
// the reaction; un-reacting is seen in the other browser too.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, channelWith, eventually, pageAs, pageErrors, report, signUp, startApp, teamWith } from './harness.mjs';

let app;

before(async () => {
    app = await startApp();
});

after(async () => {
    await app?.stop();
});

/** The reaction buttons under a post, as their accessible names. */
async function reactionNames(page, postId) {
    return page.locator(`[data-post-id="${postId}"] .reactions button.reaction:not(.reaction-add)`).evaluateAll(
        (buttons) => buttons.map((b) => `${b.getAttribute('aria-label')}|${b.getAttribute('aria-pressed')}`));
}

async function expectReactions(page, postId, expected, who) {
    await eventually(`${who} sees ${JSON.stringify(expected)}`, async () => {
        const names = await reactionNames(page, postId);
        return JSON.stringify(names) === JSON.stringify(expected) ? names : false;
    });
}

test('reacting and un-reacting, seen live in a second browser', async (t) => {
    const alice = await signUp(app, 'alice');
    const bob = await signUp(app, 'bob');
    const team = await teamWith(app, alice, 'ops', [bob]);
    const channel = await channelWith(app, alice, team.id, 'war-room', [bob]);
    const { body: post } = await api(app, alice.token, 'POST', '/api/v4/posts', { channel_id: channel.id, message: 'Rollback finished' }, 201);

    const alicePage = await pageAs(app, alice, '/ops/channels/war-room');
    const bobPage = await pageAs(app, bob, '/ops/channels/war-room');
    t.after(() => report('reactions', [alicePage, bobPage]));
    const alicePost = alicePage.locator(`[data-post-id="${post.id}"]`);
    const bobPost = bobPage.locator(`[data-post-id="${post.id}"]`);
    await alicePost.waitFor();
    await bobPost.waitFor();

    // Alice opens the picker from the post's menu, searches and picks with the keyboard.
    await alicePost.hover();
    await alicePost.getByRole('button', { name: 'Add reaction', exact: true }).click();
    const search = alicePage.getByRole('combobox', { name: 'Search emoji' });
    await search.waitFor();
    await search.fill('tada');
    await search.press('Enter');
    await alicePage.getByRole('dialog', { name: 'Choose an emoji' }).waitFor({ state: 'detached' });
    await expectReactions(alicePage, post.id, [':tada: 1, you reacted with :tada:|true'], 'alice');
    assert.equal(await alicePost.locator('.reaction-emoji').first().innerText(), '🎉');
    await expectReactions(bobPage, post.id, [':tada: 1, alice reacted with :tada:|false'], 'bob');

    // Bob joins in with a click, then adds another from the row's picker by
    // browsing with the arrow keys.
    await bobPost.getByRole('button', { name: /^:tada: 1,/ }).click();
    await expectReactions(bobPage, post.id, [':tada: 2, alice and you reacted with :tada:|true'], 'bob');
    await expectReactions(alicePage, post.id, [':tada: 2, you and bob reacted with :tada:|true'], 'alice');
    await bobPost.getByRole('button', { name: 'Add a reaction' }).click();
    const bobSearch = bobPage.getByRole('combobox', { name: 'Search emoji' });
    await bobSearch.fill('thumbs');
    const first = await bobPage.getByRole('option', { selected: true }).getAttribute('aria-label');
    await bobSearch.press('ArrowRight');
    const second = await bobPage.getByRole('option', { selected: true }).getAttribute('aria-label');
    assert.notEqual(first, second, 'the arrow key moved the selection');
    await bobSearch.press('ArrowLeft');
    assert.equal(first, ':+1:');
    await bobSearch.press('Enter');
    await expectReactions(alicePage, post.id, [
        ':tada: 2, you and bob reacted with :tada:|true',
        ':+1: 1, bob reacted with :+1:|false',
    ], 'alice');

    // Un-reacting, in either browser, shows in the other.
    await alicePost.getByRole('button', { name: /^:tada: 2,/ }).click();
    await expectReactions(bobPage, post.id, [
        ':tada: 1, you reacted with :tada:|true',
        ':+1: 1, you reacted with :+1:|true',
    ], 'bob');
    await bobPost.getByRole('button', { name: /^:tada: 1,/ }).click();
    await bobPost.getByRole('button', { name: /^:\+1: 1,/ }).click();
    await expectReactions(alicePage, post.id, [], 'alice');
    await expectReactions(bobPage, post.id, [], 'bob');
    assert.equal(await alicePost.locator('.reactions').count(), 0, 'no empty reactions row');

    // What the browsers showed is what the server has; after a reload too.
    const { body: stored } = await api(app, alice.token, 'GET', `/api/v4/posts/${post.id}/reactions`);
    assert.deepEqual(stored, []);
    await api(app, alice.token, 'POST', '/api/v4/reactions', { user_id: alice.id, post_id: post.id, emoji_name: 'white_check_mark' });
    await bobPage.reload();
    await expectReactions(bobPage, post.id, [':white_check_mark: 1, alice reacted with :white_check_mark:|false'], 'bob after reload');
    assert.equal(await bobPage.locator(`[data-post-id="${post.id}"] .reaction-emoji`).first().innerText(), '✅');
    assert.deepEqual(pageErrors(alicePage), []);
    assert.deepEqual(pageErrors(bobPage), []);
});
