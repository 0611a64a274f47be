// The chat client in a real browser against the real server: first-run
// sign-up and login, a post seen live in a second browser, unread and
// mention markers, slash-command autocomplete, ephemeral replies, threads.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { api, eventually, logIn, messageBox, pageAs, pageErrors, report, say, signUp, startApp, watch } from './harness.mjs';

let app;
const pages = [];

before(async () => {
    app = await startApp();
});

after(async () => {
    await app?.stop();
});

/** Registers a page for the end-of-test report (a screenshot each, and their console). */
async function track(t, page) {
    pages.push(page);
    const n = pages.length;
    t.after(async () => {
        await report(`${t.name.replace(/\W+/g, '-').slice(0, 60)}-${n}`, [page]);
    });
    return page;
}

test('first-run sign-up makes the admin, creates a team, and login comes back to the last channel', async (t) => {
    const context = await app.context();
    const page = await track(t, await context.newPage());
    watch(page, 'alice');
    await page.goto(app.url('/'));
    // An empty server offers the first account.
    await page.waitForURL(/\/signup_user_complete$/);
    await page.getByText('this first account will be its system admin').waitFor();
    await page.getByLabel('Email').fill('alice@example.com');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/select_team$/);
    await page.getByLabel('Team name').fill('Ops');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.waitForURL(/\/ops\/channels\/town-square$/);
    await page.getByRole('heading', { name: 'Town Square' }).waitFor();
    await page.getByRole('link', { name: 'Off-Topic' }).click();
    await page.waitForURL(/\/ops\/channels\/off-topic$/);

    const me = await page.evaluate(async () => (await fetch('/api/v4/users/me')).json());
    assert.match(me.roles, /system_admin/);

    // Log out from the team menu; a wrong password is refused with Mattermost's message.
    await page.getByRole('button', { name: /Ops/ }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByLabel('Email or username').fill('alice');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Enter a valid email or username and\/or password/);
    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/ops\/channels\/off-topic$/);
    assert.deepEqual(pageErrors(page), []);
});

test('a post shows up live in a second browser, with unread and mention markers', async (t) => {
    const alice = await logIn(app, 'alice');
    const bob = await signUp(app, 'bob');
    const { body: team } = await api(app, alice.token, 'GET', '/api/v4/teams/name/ops');
    await api(app, alice.token, 'POST', `/api/v4/teams/${team.id}/members`, { team_id: team.id, user_id: bob.id }, 201);

    const alicePage = await track(t, await pageAs(app, alice, '/ops/channels/town-square'));
    const bobPage = await track(t, await pageAs(app, bob, '/ops/channels/town-square'));
    await bobPage.getByRole('heading', { name: 'Town Square' }).waitFor();
    await alicePage.getByRole('heading', { name: 'Town Square' }).waitFor();

    await say(alicePage, 'Deploy is **done** <b>not bold</b>');
    const seen = bobPage.locator('.post', { hasText: 'Deploy is' });
    await seen.waitFor();
    assert.equal(await seen.locator('.post-message strong').innerText(), 'done');
    await seen.locator('.post-author', { hasText: 'alice' }).waitFor();
    assert.match(await seen.innerText(), /<b>not bold<\/b>/, 'raw HTML is shown as text');

    // Bob looks elsewhere; a mention in Town Square marks it for him.
    await bobPage.getByRole('link', { name: 'Off-Topic' }).click();
    await bobPage.getByRole('heading', { name: 'Off-Topic' }).waitFor();
    await say(alicePage, '@bob can you check the dashboards?');
    const marked = bobPage.getByRole('link', { name: 'Town Square, unread, 1 mention' });
    await marked.waitFor();
    await marked.click();
    await bobPage.getByText('New messages', { exact: true }).waitFor();
    await bobPage.getByRole('link', { name: 'Town Square', exact: true }).waitFor();
    // Read on the server too: a reload shows no marker.
    await bobPage.reload();
    await bobPage.getByRole('link', { name: 'Town Square', exact: true }).waitFor();
    assert.deepEqual([...pageErrors(alicePage), ...pageErrors(bobPage)], []);
});

test('slash commands autocomplete from the server and answer ephemerally', async (t) => {
    const alice = await logIn(app, 'alice');
    const page = await track(t, await pageAs(app, alice, '/ops/channels/town-square'));
    const box = messageBox(page);
    await box.fill('/play');
    await page.getByRole('option', { name: /\/playbook/ }).waitFor();
    await box.press('Tab');
    assert.equal(await box.inputValue(), '/playbook ');
    await box.pressSequentially('he');
    await page.getByRole('option', { name: /help/ }).waitFor();
    await box.press('Escape');
    await box.fill('/playbook help');
    await box.press('Enter');
    const reply = page.locator('.post-ephemeral').last();
    await reply.getByText('(Only visible to you)').waitFor();
    assert.match(await reply.innerText(), /\/playbook run/);
    // An unknown command is an error under the box, and the text stays to fix.
    await box.fill('/nosuchcommand');
    await box.press('Enter');
    await eventually('the error', async () => /nosuchcommand/.test(await page.locator('.message-box [role=alert]').innerText()));
    assert.equal(await box.inputValue(), '/nosuchcommand');
});

test('replies go to the thread in the sidebar and are counted on the root', async (t) => {
    const alice = await logIn(app, 'alice');
    const bob = await logIn(app, 'bob');
    const alicePage = await track(t, await pageAs(app, alice, '/ops/channels/off-topic'));
    const bobPage = await track(t, await pageAs(app, bob, '/ops/channels/off-topic'));
    await say(alicePage, 'Who owns the pager this week?');
    const root = bobPage.locator('.post', { hasText: 'Who owns the pager' });
    await root.hover();
    await root.getByRole('button', { name: 'Reply' }).click();
    const thread = bobPage.getByRole('complementary', { name: 'Thread' });
    await thread.waitFor();
    await thread.getByRole('combobox', { name: 'Reply to the thread' }).fill('I do');
    await thread.getByRole('combobox', { name: 'Reply to the thread' }).press('Enter');
    await thread.locator('.post', { hasText: 'I do' }).waitFor();
    await alicePage.locator('.post', { hasText: 'Who owns the pager' }).getByRole('button', { name: '1 reply' }).waitFor();
    // The replier's own view counts it once too (sent over HTTP, echoed on the websocket).
    await root.getByRole('button', { name: '1 reply' }).waitFor();
});

test('keyboard only: Ctrl+K finds a channel, Up edits the last message', async (t) => {
    const alice = await logIn(app, 'alice');
    const page = await track(t, await pageAs(app, alice, '/ops/channels/town-square'));
    await page.getByRole('heading', { name: 'Town Square' }).waitFor();
    await page.keyboard.press('Control+k');
    const switcher = page.getByRole('dialog', { name: 'Find a channel' });
    await switcher.waitFor();
    await page.keyboard.type('off');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ops\/channels\/off-topic$/);
    await switcher.waitFor({ state: 'detached' });
    const box = messageBox(page);
    await box.focus();
    await page.keyboard.type('Typo hre');
    await page.keyboard.press('Enter');
    await page.locator('.post', { hasText: 'Typo hre' }).waitFor();
    await page.keyboard.press('ArrowUp');
    const edit = page.getByRole('textbox', { name: 'Edit message' });
    await edit.waitFor();
    await edit.fill('Typo fixed here');
    await page.keyboard.press('Enter');
    await page.locator('.post', { hasText: 'Typo fixed here' }).getByText('(edited)').waitFor();
});

test('on a phone-width screen the channel list is a drawer and the sidebar covers the channel', async (t) => {
    const alice = await logIn(app, 'alice');
    const context = await app.context({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await context.addCookies([
        { name: 'MMAUTHTOKEN', value: alice.token, url: app.url('/'), httpOnly: true },
        { name: 'MMUSERID', value: alice.id, url: app.url('/') },
    ]);
    const page = await track(t, await context.newPage());
    watch(page, 'alice-phone');
    await page.goto(app.url('/ops/channels/town-square'));
    await page.getByRole('heading', { name: 'Town Square' }).waitFor();
    const channelList = page.getByRole('navigation', { name: 'Channels sidebar' });
    // Off screen until asked for.
    const hidden = await channelList.boundingBox();
    assert.ok(hidden && hidden.x + hidden.width <= 0, `drawer closed: ${JSON.stringify(hidden)}`);
    await page.getByRole('button', { name: 'Show channels' }).click();
    await eventually('the drawer slides in', async () => (await channelList.boundingBox())?.x === 0);
    await channelList.getByRole('link', { name: 'Off-Topic' }).tap();
    await page.getByRole('heading', { name: 'Off-Topic' }).waitFor();
    await eventually('the drawer closes', async () => {
        const box = await channelList.boundingBox();
        return box && box.x + box.width <= 0;
    });
    await say(page, 'Posting from my phone');
    await page.locator('.post', { hasText: 'Posting from my phone' }).waitFor();
    // Touch screens have no hover: the actions are there without it, and the
    // thread sidebar takes the whole screen.
    const post = page.locator('.post', { hasText: 'Posting from my phone' });
    await post.getByRole('button', { name: 'Reply' }).tap();
    const thread = page.getByRole('complementary', { name: 'Thread' });
    await thread.waitFor();
    const box = await thread.boundingBox();
    assert.equal(Math.round(box.width), 390);
    await thread.getByRole('button', { name: 'Close sidebar' }).tap();
    await thread.waitFor({ state: 'detached' });
    // Nothing sticks out sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.equal(overflow, 0);
    assert.deepEqual(pageErrors(page), []);
});

test('people browse and join public channels, and talk in direct messages', async (t) => {
    const alice = await logIn(app, 'alice');
    const bob = await logIn(app, 'bob');
    const { body: team } = await api(app, alice.token, 'GET', '/api/v4/teams/name/ops');
    await api(app, alice.token, 'POST', '/api/v4/channels', { team_id: team.id, name: 'announcements', display_name: 'Announcements', type: 'O', purpose: 'Company news' }, 201);
    const bobPage = await track(t, await pageAs(app, bob, '/ops/channels/town-square'));
    await bobPage.getByRole('button', { name: 'Browse' }).click();
    const browse = bobPage.getByRole('dialog', { name: 'Browse channels' });
    await browse.getByText('Company news').waitFor();
    await browse.getByRole('button', { name: 'Join Announcements' }).click();
    await bobPage.waitForURL(/\/ops\/channels\/announcements$/);
    await bobPage.getByRole('navigation').getByRole('link', { name: 'Announcements' }).waitFor();

    const alicePage = await track(t, await pageAs(app, alice, '/ops/channels/town-square'));
    await alicePage.getByRole('button', { name: '+ Message' }).click();
    const picker = alicePage.getByRole('dialog', { name: 'Direct message' });
    await picker.getByRole('combobox', { name: 'Find someone' }).fill('bo');
    await picker.getByRole('option', { name: /@bob/ }).click();
    await picker.getByRole('button', { name: 'Go' }).click();
    await alicePage.waitForURL(/\/ops\/messages\/@bob$/);
    await alicePage.getByRole('heading', { name: 'bob' }).waitFor();
    await say(alicePage, 'Got a minute for the postmortem?');
    // A direct message counts as a mention for bob, in the Direct Messages section.
    const dm = bobPage.getByRole('region', { name: 'Direct Messages' }).getByRole('link', { name: 'alice, unread, 1 mention' });
    await dm.waitFor();
    await dm.click();
    await bobPage.waitForURL(/\/ops\/messages\/@alice$/);
    await bobPage.locator('.post', { hasText: 'Got a minute for the postmortem?' }).waitFor();
    assert.deepEqual([...pageErrors(alicePage), ...pageErrors(bobPage)], []);
});
