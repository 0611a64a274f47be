// Statuses, group messages, typing and favourites in real browsers
// against the real server (decision 020): a status dot that follows the
// other person live, one's own status set from the sidebar, a group
// message started from "+ Message" and seen in the other browser, "X is
// typing…", and a favourite channel in the sidebar's Favorites.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, messageBox, pageAs, pageErrors, report, say, signUp, startApp, teamWith } from './harness.mjs';

let app;

before(async () => {
    app = await startApp();
});

after(async () => {
    await app?.stop();
});

test('statuses, a group message, typing and a favourite across two browsers', async (t) => {
    const admin = await signUp(app, 'admin');
    const alice = await signUp(app, 'alice');
    const bob = await signUp(app, 'bob');
    const carol = await signUp(app, 'carol');
    await teamWith(app, admin, 'ops', [alice, bob, carol]);

    const alicePage = await pageAs(app, alice, '/ops/channels/town-square');
    const bobPage = await pageAs(app, bob, '/ops/channels/town-square');
    t.after(async () => {
        await report('presence', [alicePage, bobPage]);
    });
    await alicePage.getByRole('heading', { name: 'Town Square' }).waitFor();
    await bobPage.getByRole('heading', { name: 'Town Square' }).waitFor();

    // Bob's post shows him online to alice; his choice of "do not disturb"
    // reaches her dot live.
    await say(bobPage, 'morning all');
    const bobsPost = alicePage.locator('.post', { hasText: 'morning all' });
    await bobsPost.getByRole('img', { name: 'Online' }).waitFor();
    await bobPage.getByRole('button', { name: 'Your status: Online' }).click();
    await bobPage.getByRole('menuitem', { name: 'Do not disturb' }).click();
    await bobPage.getByRole('button', { name: 'Your status: Do not disturb' }).waitFor();
    await bobsPost.getByRole('img', { name: 'Do not disturb' }).waitFor();

    // Alice starts a group message with bob and carol.
    await alicePage.getByRole('button', { name: '+ Message' }).click();
    const picker = alicePage.getByRole('dialog', { name: 'Direct message' });
    const find = picker.getByRole('combobox', { name: 'Find someone' });
    await find.fill('bo');
    await picker.getByRole('option', { name: /@bob/ }).click();
    await find.fill('ca');
    await picker.getByRole('option', { name: /@carol/ }).click();
    await picker.getByRole('button', { name: 'Start group message' }).click();
    await alicePage.waitForURL(/\/ops\/channels\/[0-9a-f]{40}$/);
    await alicePage.getByRole('heading', { name: 'bob, carol' }).waitFor();
    await say(alicePage, 'Retro at 3?');

    // Bob finds it with his direct messages, unread, as a mention.
    const group = bobPage.getByRole('region', { name: 'Direct Messages' }).getByRole('link', { name: 'alice, carol, unread, 1 mention' });
    await group.waitFor();
    await group.click();
    await bobPage.locator('.post', { hasText: 'Retro at 3?' }).waitFor();
    // Carol, who has no browser open, has it too.
    const channelId = await alicePage.evaluate(() => window.location.pathname.split('/').pop());
    const { body: carolsTeams } = await api(app, carol.token, 'GET', '/api/v4/users/me/teams');
    const { body: listed } = await api(app, carol.token, 'GET', `/api/v4/users/me/teams/${carolsTeams[0].id}/channels`);
    const gm = listed.find((c) => c.type === 'G');
    assert.equal(gm?.name, channelId);
    const { body: posts } = await api(app, carol.token, 'GET', `/api/v4/channels/${gm.id}/posts`);
    assert.ok(Object.values(posts.posts).some((p) => p.message === 'Retro at 3?'));

    // Bob types: alice reads it under her message box.
    await messageBox(bobPage).fill('Sounds good, I will');
    await alicePage.getByText('bob is typing…').waitFor();
    await messageBox(bobPage).press('Enter');
    await alicePage.locator('.post', { hasText: 'Sounds good, I will' }).waitFor();
    await alicePage.getByText('bob is typing…').waitFor({ state: 'detached' });

    // Alice makes the group a favourite: it moves to Favorites.
    await alicePage.getByRole('button', { name: 'Add to favorites' }).click();
    await alicePage.getByRole('button', { name: 'Remove from favorites' }).waitFor();
    await alicePage.getByRole('region', { name: 'Favorites' }).getByRole('link', { name: /bob, carol/ }).waitFor();
    assert.equal(await alicePage.getByRole('region', { name: 'Direct Messages' }).getByRole('link', { name: /bob, carol/ }).count(), 0);

    // Bob closes his browser: his choice of "do not disturb" stands.
    await bobPage.context().close();
    await new Promise((r) => setTimeout(r, 500));
    await alicePage.goto(app.url('/ops/channels/town-square'));
    await alicePage.locator('.post', { hasText: 'morning all' }).getByRole('img', { name: 'Do not disturb' }).waitFor();

    assert.deepEqual(pageErrors(alicePage), []);
});
