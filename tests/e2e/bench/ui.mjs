// Benchmarks of the web UI as people feel it (not a test: it asserts
// nothing, it measures). Real server, real plugin, Debian's Chromium:
// - first load: navigation to a channel with 200 posts until they are shown;
// - channel switch: click in the sidebar until the other channel's posts show;
// - live delivery: a post sent over the API until it is in another browser's DOM;
// - a task checked in one browser until the other browser's checkbox is checked.
// Run: HOST_SHIM_BIN=../../target/release/host-shim npm run bench

import { api, channelWith, pageAs, playbook, signUp, startApp, teamWith } from '../harness.mjs';

const ROUNDS = Number(process.env.ROUNDS || 30);
const API = '/plugins/playbooks/api/v0';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const row = (what, xs) => console.log(`| ${what} | ${median(xs).toFixed(1)} ms | ${p95(xs).toFixed(1)} ms | ${xs.length} |`);

/** Resolves (in the page) with Date.now() when an element matching `selector` with `text` appears. */
function whenVisible(page, selector, text) {
    return page.evaluate(([sel, t]) => new Promise((resolve) => {
        const found = () => [...document.querySelectorAll(sel)].some((el) => el.textContent.includes(t));
        if (found()) return resolve(Date.now());
        const observer = new MutationObserver(() => {
            if (found()) {
                observer.disconnect();
                resolve(Date.now());
            }
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    }), [selector, text]);
}

const app = await startApp();
try {
    const alice = await signUp(app, 'alice');
    const bob = await signUp(app, 'bob');
    const team = await teamWith(app, alice, 'ops', [bob]);
    const busy = await channelWith(app, alice, team.id, 'busy', [bob]);
    for (let i = 0; i < 200; i += 1) {
        await api(app, alice.token, 'POST', '/api/v4/posts', { channel_id: busy.id, message: `Message **${i}** with a [link](https://example.com) and @bob` }, 201);
    }
    console.log('| what | median | p95 | n |\n|---|---|---|---|');

    const loads = [];
    const switches = [];
    for (let i = 0; i < Math.min(ROUNDS, 15); i += 1) {
        const context = await app.context();
        await context.addCookies([
            { name: 'MMAUTHTOKEN', value: alice.token, url: app.url('/'), httpOnly: true },
            { name: 'MMUSERID', value: alice.id, url: app.url('/') },
        ]);
        const page = await context.newPage();
        const start = Date.now();
        await page.goto(app.url('/ops/channels/busy'));
        await page.locator('.post', { hasText: 'Message 199' }).waitFor();
        loads.push(Date.now() - start);
        const t0 = Date.now();
        await page.getByRole('link', { name: /^Town Square/ }).click();
        await page.getByRole('heading', { name: 'Town Square' }).waitFor();
        await page.locator('.post-list').waitFor();
        const t1 = Date.now();
        await page.getByRole('link', { name: /^busy/ }).click();
        await page.locator('.post', { hasText: 'Message 199' }).waitFor();
        switches.push((Date.now() - t1 + (t1 - t0)) / 2);
        await context.close();
    }
    row('first load of a channel with 200 posts (navigation → posts shown)', loads);
    row('channel switch (click → posts shown)', switches);

    const bobPage = await pageAs(app, bob, '/ops/channels/busy');
    await bobPage.locator('.post', { hasText: 'Message 199' }).waitFor();
    const live = [];
    for (let i = 0; i < ROUNDS; i += 1) {
        const text = `live ${i} ${Math.random().toString(36).slice(2)}`;
        const seen = whenVisible(bobPage, '.post-message', text);
        const sent = Date.now();
        await api(app, alice.token, 'POST', '/api/v4/posts', { channel_id: busy.id, message: text }, 201);
        live.push((await seen) - sent);
    }
    row('post sent over the API → shown in another browser', live);

    const pb = await playbook(app, alice, team.id, 'Bench', Array.from({ length: ROUNDS }, (_, i) => `Task ${i}`));
    const { body: run } = await api(app, alice.token, 'POST', `${API}/runs`, { name: 'Bench run', owner_user_id: alice.id, team_id: team.id, playbook_id: pb }, 201);
    await api(app, alice.token, 'POST', `${API}/runs/${run.id}/participants`, { user_ids: [bob.id] });
    const { body: full } = await api(app, alice.token, 'GET', `${API}/runs/${run.id}`);
    const { body: channel } = await api(app, alice.token, 'GET', `/api/v4/channels/${full.channel_id}`);
    const alicePage = await pageAs(app, alice, `/ops/channels/${channel.name}`);
    await bobPage.goto(app.url(`/ops/channels/${channel.name}`));
    const rhs = (p) => p.getByRole('article', { name: 'Run Bench run' });
    await rhs(alicePage).waitFor();
    await rhs(bobPage).waitFor();
    const checks = [];
    for (let i = 0; i < ROUNDS; i += 1) {
        // React sets `checked` as a property (no mutation to observe): poll every 5 ms.
        const seen = bobPage.evaluate((name) => new Promise((resolve) => {
            const timer = setInterval(() => {
                const box = [...document.querySelectorAll('input[type=checkbox]')].find((el) => el.closest('label')?.textContent?.trim() === name);
                if (box?.checked) {
                    clearInterval(timer);
                    resolve(Date.now());
                }
            }, 5);
        }), `Task ${i}`);
        const clicked = Date.now();
        await rhs(alicePage).getByRole('checkbox', { name: `Task ${i}`, exact: true }).click();
        checks.push((await seen) - clicked);
    }
    row('task checked in one browser → checked in the other', checks);
} finally {
    await app.stop();
}
