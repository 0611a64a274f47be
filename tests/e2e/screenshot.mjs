// Makes the README's screenshot (docs/images/rhs-during-a-run.png): the run
// details sidebar during a run, with a few posts, checked tasks and a status
// update, on the real server and plugin. Run: npm run screenshot
// (HOST_SHIM_BIN as for the tests).

import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { api, channelWith, pageAs, playbook, say, signUp, startApp, teamWith } from './harness.mjs';

const API = '/plugins/playbooks/api/v0';
const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/images/rhs-during-a-run.png');

const app = await startApp();
try {
    const alice = await signUp(app, 'alice');
    const bob = await signUp(app, 'bob');
    const team = await teamWith(app, alice, 'ops', [bob]);
    await channelWith(app, alice, team.id, 'incidents', [bob]);
    const pb = await playbook(app, alice, team.id, 'Incident response',
        ['Assess customer impact', 'Page the payments on-call', 'Roll back the last deploy', 'Post a status update', 'Write the timeline']);
    const { body: run } = await api(app, alice.token, 'POST', `${API}/runs`, {
        name: 'Checkout API errors', owner_user_id: alice.id, team_id: team.id, playbook_id: pb,
        summary: 'Checkout returns 502 for ~40% of requests since 14:02 UTC. Payments provider is healthy.',
    }, 201);
    await api(app, alice.token, 'POST', `${API}/runs/${run.id}/participants`, { user_ids: [bob.id] });
    const { body: full } = await api(app, alice.token, 'GET', `${API}/runs/${run.id}`);
    const { body: channel } = await api(app, alice.token, 'GET', `/api/v4/channels/${full.channel_id}`);
    const post = (who, message) => api(app, who.token, 'POST', '/api/v4/posts', { channel_id: channel.id, message }, 201);
    await post(bob, 'Error rate on `POST /checkout` jumped to **40%** at 14:02, right after deploy `v2.31.0`.');
    await post(alice, '@bob thanks. Rolling back now; can you watch the dashboards?');
    await post(bob, 'On it :eyes: — p99 latency is back under 300 ms on the canary.');
    for (const item of [0, 1, 2]) {
        await api(app, alice.token, 'PUT', `${API}/runs/${run.id}/checklists/0/item/${item}/state`, { new_state: 'closed' });
    }
    await api(app, alice.token, 'PUT', `${API}/runs/${run.id}/checklists/0/item/4/assignee`, { assignee_id: bob.id });
    await api(app, alice.token, 'POST', `${API}/runs/${run.id}/status`, {
        message: 'Rolled back to v2.30.4; checkout errors are back to baseline. Watching for 30 minutes before closing.', reminder: 1800,
    });
    const page = await pageAs(app, alice, `/ops/channels/${channel.name}`);
    await page.getByRole('article', { name: 'Run Checkout API errors' }).waitFor();
    await page.locator('.post', { hasText: 'Rolled back to v2.30.4' }).first().waitFor();
    await say(page, 'Rollback done, errors are back to normal. I will post the retro draft tomorrow.');
    await page.locator('.post', { hasText: 'Rollback done' }).waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: out });
    console.log(`wrote ${out}`);
} finally {
    await app.stop();
}
