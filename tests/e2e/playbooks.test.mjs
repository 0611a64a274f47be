// The playbooks plugin's UI, loaded by the chat client from the plugin's
// own web bundle: a run started with `/playbook run` through the dialog, the
// run details sidebar in two browsers (a task checked in one shows checked
// in the other), a status update with its reminder, finishing the run, the
// keyword prompt, and editing a playbook.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { api, artifacts, channelWith, eventually, pageAs, pageErrors, playbook, report, say, signUp, startApp, teamWith } from './harness.mjs';

const API = '/plugins/playbooks/api/v0';
let app;
let alice;
let bob;
let team;
let incidents;
let playbookId;
const pages = [];

before(async () => {
    app = await startApp();
    alice = await signUp(app, 'alice');
    bob = await signUp(app, 'bob');
    team = await teamWith(app, alice, 'ops', [bob]);
    incidents = await channelWith(app, alice, team.id, 'incidents', [bob]);
    playbookId = await playbook(app, alice, team.id, 'Incident response', ['Assess impact', 'Page on-call', 'Write timeline']);
});

after(async () => {
    await app?.stop();
});

function track(t, page) {
    pages.push(page);
    const n = pages.length;
    t.after(() => report(`${t.name.replace(/\W+/g, '-').slice(0, 60)}-${n}`, [page]));
    return page;
}

/** The run details sidebar of a page, for the run called `name`. */
const sidebar = (page, name) => page.getByRole('article', { name: `Run ${name}` });

async function runNamed(name) {
    const { body } = await api(app, alice.token, 'GET', `${API}/runs?team_id=${team.id}&per_page=100`);
    return body.items.find((r) => r.name === name);
}

test('a run started with /playbook run opens in the sidebar; a task checked in one browser shows checked in the other', async (t) => {
    const page = track(t, await pageAs(app, alice, '/ops/channels/incidents'));
    await page.getByRole('heading', { name: 'incidents' }).waitFor();
    await say(page, '/playbook run');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByLabel(/Playbook/).selectOption({ label: 'Incident response' });
    await dialog.getByLabel(/Run name/).fill('DB outage');
    await dialog.getByRole('button', { name: /Start run/ }).click();
    await dialog.waitFor({ state: 'detached' });

    // The bot says the run started (its link opens the run's overview); the run's
    // channel appears in the sidebar, and opening it opens the run details.
    await page.locator('.post-ephemeral').getByRole('link', { name: 'DB outage' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: /^DB outage/ }).click();
    await page.waitForURL(/\/ops\/channels\/db-outage/);
    const rhs = sidebar(page, 'DB outage');
    await rhs.waitFor();
    await page.screenshot({ path: path.join(artifacts, 'rhs-during-a-run.png') });

    const run = await runNamed('DB outage');
    assert.ok(run, 'the run exists');
    assert.equal(run.playbook_id, playbookId);
    await api(app, alice.token, 'POST', `${API}/runs/${run.id}/participants`, { user_ids: [bob.id] });

    const bobPage = track(t, await pageAs(app, bob, new URL(page.url()).pathname));
    const bobRhs = sidebar(bobPage, 'DB outage');
    await bobRhs.waitFor();
    const bobTask = bobRhs.getByRole('checkbox', { name: 'Assess impact' });
    assert.equal(await bobTask.isChecked(), false);

    // The box follows the server's answer (it is the run's state, not the click's).
    await rhs.getByRole('checkbox', { name: 'Assess impact' }).click();
    await eventually('alice sees the task checked', () => rhs.getByRole('checkbox', { name: 'Assess impact' }).isChecked());
    await eventually('bob sees the task checked', () => bobTask.isChecked());
    const stored = await runNamed('DB outage');
    assert.equal(stored.checklists[0].items[0].state, 'closed');
    assert.deepEqual([...pageErrors(page), ...pageErrors(bobPage)], []);
});

test('a status update posts to the channel and sets the next reminder', async (t) => {
    const run = await runNamed('DB outage');
    const page = track(t, await pageAs(app, alice, `/ops/channels/${(await channelName(run.channel_id))}`));
    const rhs = sidebar(page, 'DB outage');
    await rhs.waitFor();
    await rhs.getByRole('button', { name: 'Post update' }).click();
    await rhs.getByRole('textbox', { name: 'Update' }).fill('Failover to the replica is done; writes are back.');
    await rhs.getByRole('combobox', { name: 'Next reminder' }).selectOption({ label: '15 minutes' });
    const before = Date.now();
    await rhs.getByRole('button', { name: 'Post', exact: true }).click();

    // The update is a post in the run channel, rendered by the plugin.
    await page.locator('main .post', { hasText: 'Failover to the replica is done' }).waitFor();
    const updated = await eventually('the reminder is set', async () => {
        const r = await runNamed('DB outage');
        return r.status_update_due_at > before ? r : null;
    });
    const minutes = (updated.status_update_due_at - before) / 60000;
    assert.ok(minutes > 14 && minutes <= 15.5, `next reminder in ${minutes} minutes`);
    await rhs.getByText(/Update due in 1[45]m/).waitFor();
    assert.deepEqual(pageErrors(page), []);
});

test('an overdue reminder offers Update status (the update dialog) and Snooze', async (t) => {
    const run = await runNamed('DB outage');
    // A one-second reminder: the host's scheduler fires it almost at once.
    await api(app, alice.token, 'POST', `${API}/runs/${run.id}/status`, { message: 'Still investigating.', reminder: 1 });
    const page = track(t, await pageAs(app, alice, `/ops/channels/${await channelName(run.channel_id)}`));
    const reminders = page.locator('main .post', { hasText: 'please provide a status update' });
    await reminders.first().waitFor({ timeout: 15_000 });
    await sidebar(page, 'DB outage').getByText(/overdue/i).first().waitFor();

    // Update status opens the plugin's dialog, prefilled with the last update;
    // the timer keeps the last choice (one second), so another reminder follows.
    await reminders.first().getByRole('button', { name: /Update status/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Post update' });
    await dialog.waitFor();
    const text = dialog.getByRole('textbox').first();
    assert.equal(await text.inputValue(), 'Still investigating.');
    await text.fill('Root cause found: a bad index migration.');
    await dialog.getByRole('button', { name: 'Post' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('main .post', { hasText: 'Root cause found' }).waitFor();

    // The next reminder is snoozed: it goes, and the due time moves forward.
    await reminders.first().waitFor({ timeout: 15_000 });
    const before = Date.now();
    const snooze = reminders.first().getByRole('combobox', { name: /Snooze/i });
    const options = await snooze.locator('option:not([disabled])').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(options.length > 0, 'snooze has choices');
    await snooze.selectOption(options[0]);
    await page.locator('.post-ephemeral', { hasText: 'snoozed' }).waitFor();
    await eventually('the reminder moves forward', async () => (await runNamed('DB outage')).status_update_due_at > before + 60_000);
    assert.equal(await reminders.count(), 0, 'the snoozed reminder is gone');
    assert.deepEqual(pageErrors(page), []);
});

test('finishing the run asks first, then shows it finished to everyone', async (t) => {
    const run = await runNamed('DB outage');
    const route = `/ops/channels/${await channelName(run.channel_id)}`;
    const page = track(t, await pageAs(app, alice, route));
    const bobPage = track(t, await pageAs(app, bob, route));
    const rhs = sidebar(page, 'DB outage');
    await rhs.waitFor();
    await sidebar(bobPage, 'DB outage').waitFor();
    await rhs.getByRole('button', { name: 'Finish run' }).click();
    const confirm = page.getByRole('dialog');
    const outstanding = run.task_total - run.task_completed;
    assert.equal(outstanding, 2, 'one of three tasks was checked');
    await confirm.getByText(`${outstanding} tasks are still outstanding`, { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Finish', exact: true }).click();
    await rhs.getByText('Finished', { exact: true }).waitFor();
    await sidebar(bobPage, 'DB outage').getByText('Finished', { exact: true }).waitFor();
    assert.equal((await runNamed('DB outage')).current_status, 'Finished');
});

test('a keyword set in the channel actions editor prompts to run the playbook, and Yes starts it through the dialog', async (t) => {
    // Alice sets the trigger up from the channel menu.
    const admin = track(t, await pageAs(app, alice, '/ops/channels/incidents'));
    await admin.getByRole('heading', { name: 'incidents' }).waitFor();
    await admin.getByRole('button', { name: 'Channel menu' }).click();
    await admin.getByRole('menuitem', { name: /Channel actions/ }).click();
    const editor = admin.getByRole('dialog', { name: 'Channel actions' });
    await editor.getByLabel('Offer to run a playbook').check();
    await editor.getByLabel('Keywords').fill('outage, sev1');
    await editor.getByLabel('Playbook to run').selectOption({ label: 'Incident response' });
    await editor.getByRole('button', { name: 'Save actions' }).click();
    await editor.waitFor({ state: 'detached' });
    const { body: actions } = await api(app, alice.token, 'GET', `${API}/actions/channels/${incidents.id}`);
    const prompt = actions.find((a) => a.action_type === 'prompt_run_playbook');
    assert.ok(prompt?.enabled, JSON.stringify(actions));
    assert.deepEqual(prompt.payload.keywords, ['outage', 'sev1']);
    assert.equal(prompt.payload.playbook_id, playbookId);

    // Bob mentions an outage.
    const page = track(t, await pageAs(app, bob, '/ops/channels/incidents'));
    await page.getByRole('heading', { name: 'incidents' }).waitFor();
    await say(page, 'Looks like an outage in eu-west');
    const yes = page.getByRole('button', { name: /^Yes, run/ });
    await yes.waitFor();
    await yes.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByLabel(/Run name/).fill('EU outage');
    await dialog.getByRole('button', { name: /Start run/ }).click();
    await dialog.waitFor({ state: 'detached' });
    const run = await eventually('the run started from the prompt', () => runNamed('EU outage'));
    assert.equal(run.playbook_id, playbookId);
    assert.equal(run.owner_user_id, bob.id);
    assert.ok(run.post_id, 'the run is linked to the post that triggered it');
    assert.deepEqual(pageErrors(page), []);
});

test('a playbook is edited on its page and the change is saved', async (t) => {
    const page = track(t, await pageAs(app, alice, '/ops/channels/town-square'));
    await page.getByRole('link', { name: 'Playbooks' }).click();
    await page.waitForURL(/\/playbooks/);
    await page.getByRole('link', { name: 'Incident response' }).click();
    await page.waitForURL(new RegExp(`/playbooks/playbooks/${playbookId}`));
    const title = page.getByLabel('Title', { exact: true });
    await title.fill('Major incident response');
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually('the new title is stored', async () => {
        const { body } = await api(app, alice.token, 'GET', `${API}/playbooks/${playbookId}`);
        return body.title === 'Major incident response';
    });
    assert.deepEqual(pageErrors(page), []);
});

async function channelName(id) {
    const { body } = await api(app, alice.token, 'GET', `/api/v4/channels/${id}`);
    return body.name;
}
