// Message search in a real browser against the real server: the header's
// search box, results in the right-hand sidebar (only channels the user
// can read), and a result that jumps to an old message in its channel,
// by mouse and by keyboard.

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

test('searching finds readable messages and a result jumps to the message', async (t) => {
    const alice = await signUp(app, 'alice');
    const bob = await signUp(app, 'bob');
    const team = await teamWith(app, alice, 'ops', [bob]);
    const incidents = await channelWith(app, alice, team.id, 'incidents', [bob]);
    const { body: vault } = await api(app, alice.token, 'POST', '/api/v4/channels',
        { team_id: team.id, name: 'vault', display_name: 'Vault', type: 'P' }, 201);
    await api(app, alice.token, 'POST', '/api/v4/posts', { channel_id: vault.id, message: 'needle secret in the vault' }, 201);
    const { body: needle } = await api(app, alice.token, 'POST', '/api/v4/posts',
        { channel_id: incidents.id, message: 'the needle is in the haystack' }, 201);
    // Enough newer posts that the needle is not on the channel's first page.
    for (let i = 0; i < 75; i += 1) {
        await api(app, alice.token, 'POST', '/api/v4/posts', { channel_id: incidents.id, message: `filler ${i}` }, 201);
    }

    const page = await pageAs(app, bob, '/ops/channels/town-square');
    t.after(() => report('search', [page]));
    await page.getByRole('heading', { name: 'Town Square' }).waitFor();

    const box = page.getByRole('searchbox', { name: 'Search messages' });
    await box.fill('needle');
    await box.press('Enter');
    const panel = page.getByRole('complementary', { name: 'Search results' });
    const result = panel.getByRole('link', { name: /alice in incidents: the needle is in the haystack/ });
    await result.waitFor();
    assert.equal(await panel.getByRole('link').count(), 1, 'the private channel bob is not in stays hidden');
    assert.equal(await result.locator('mark').innerText(), 'needle');

    await result.click();
    await page.waitForURL(/\/ops\/channels\/incidents$/);
    const post = page.locator(`main [data-post-id="${needle.id}"]`);
    await post.waitFor();
    assert.match(await post.getAttribute('class'), /post-highlight/);
    await eventually('the message scrolled into view', () => post.isVisible());

    // Keyboard: Ctrl+Shift+F focuses the box; Tab reaches the result; Enter jumps.
    await page.goto(app.url('/ops/channels/town-square'));
    await page.getByRole('heading', { name: 'Town Square' }).waitFor();
    await page.keyboard.press('Control+Shift+F');
    await eventually('the search box focused', () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Search messages'));
    await page.keyboard.type('haystack -filler from:alice');
    await page.keyboard.press('Enter');
    const again = page.getByRole('complementary', { name: 'Search results' }).getByRole('link', { name: /the needle is in the haystack/ });
    await again.waitFor();
    await again.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ops\/channels\/incidents$/);
    await page.locator(`main [data-post-id="${needle.id}"].post-highlight`).waitFor();

    // A malformed date is the server's clear error, shown in the sidebar.
    await box.fill('on:2024-13-40 needle');
    await box.press('Enter');
    const alert = page.getByRole('complementary', { name: 'Search results' }).getByRole('alert');
    assert.match(await alert.innerText(), /terms: .*is not a date/);
    assert.deepEqual(pageErrors(page), []);
});
