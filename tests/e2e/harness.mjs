// What the browser tests share: the real server (the same binary and
// embedded plugin the integration tests use, on a free loopback port with a
// fresh data dir), Debian's Chromium through playwright-core, people logged
// in through the real login route, and small polling helpers (playwright-core
// has no `expect`).

import assert from 'node:assert/strict';
import { mkdtemp, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { startServer } from '../node/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where failing tests leave a screenshot and the page's console. */
export const artifacts = path.join(here, 'test-results');

/** Compiled components are cached across the suite's servers. */
const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'e2e-component-cache-'));

export async function startApp() {
    const server = await startServer({ args: ['--open-signup', 'true', '--component-cache-dir', cacheDir] });
    const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const contexts = [];
    return {
        server,
        browser,
        url: (p = '/') => `${server.url}${p}`,
        /** A browser context (its own cookies: one person), tracked for cleanup. */
        async context(options = {}) {
            const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
            contexts.push(context);
            return context;
        },
        async stop() {
            await browser.close().catch(() => undefined);
            await server.stop();
        },
        contexts,
    };
}

/** Calls the server's API as `token` (or anonymously); the parsed body, asserting `expected`. */
export async function api(app, token, method, route, body, expected) {
    const response = await fetch(app.url(route), {
        method,
        headers: {
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : null;
    if (expected !== undefined) {
        assert.equal(response.status, expected, `${method} ${route}: ${text}`);
    } else {
        assert.ok(response.ok, `${method} ${route}: ${response.status} ${text}`);
    }
    return { body: parsed, headers: response.headers };
}

/** Signs up `username` through the API (the first account becomes admin); `{id, token}`. */
export async function signUp(app, username) {
    await api(app, null, 'POST', '/api/v4/users', { username, email: `${username}@example.com`, password: 'correct horse' }, 201);
    return logIn(app, username);
}

export async function logIn(app, username) {
    const { body, headers } = await api(app, null, 'POST', '/api/v4/users/login', { login_id: username, password: 'correct horse' });
    return { id: body.id, token: headers.get('token'), username };
}

/**
 * A page logged in as `user` through the session cookie a browser gets at
 * login (the client reads nothing else), open at `route`.
 */
export async function pageAs(app, user, route = '/') {
    const context = await app.context();
    await context.addCookies([
        { name: 'MMAUTHTOKEN', value: user.token, url: app.url('/'), httpOnly: true, sameSite: 'Lax' },
        { name: 'MMUSERID', value: user.id, url: app.url('/'), sameSite: 'Lax' },
    ]);
    const page = await context.newPage();
    watch(page, user.username);
    await page.goto(app.url(route));
    return page;
}

const logs = new WeakMap();

/** Keeps the page's console errors and uncaught exceptions, for failure reports. */
export function watch(page, name) {
    const lines = [];
    logs.set(page, lines);
    page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') lines.push(`[${name} console.${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => lines.push(`[${name} pageerror] ${e.message}`));
    page.on('response', (r) => {
        if (r.status() >= 400) lines.push(`[${name} http ${r.status()}] ${r.request().method()} ${new URL(r.url()).pathname}`);
    });
}

/** Uncaught exceptions a page had: a test fails on any. */
export function pageErrors(page) {
    return (logs.get(page) || []).filter((l) => l.includes('pageerror'));
}

/** Saves a screenshot and the console of each page, named after the test. */
export async function report(name, pages) {
    await mkdir(artifacts, { recursive: true });
    for (const [i, page] of pages.entries()) {
        await page.screenshot({ path: path.join(artifacts, `${name}-${i}.png`), fullPage: true }).catch(() => undefined);
        const lines = logs.get(page) || [];
        if (lines.length) console.log(lines.join('\n'));
    }
}

/** Polls `check` until it returns a truthy value (returned) or `timeoutMs` passes (throws with `what`). */
export async function eventually(what, check, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
        try {
            last = await check();
            if (last) return last;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

/** The message box of the channel on screen. */
export const messageBox = (page) => page.locator('main .message-box textarea');

/** Types into the channel's message box and sends with Enter. */
export async function say(page, text) {
    const box = messageBox(page);
    await box.fill(text);
    await box.press('Enter');
}

/** A team with the given members (team admin: `admin`), its `{id, name}`. */
export async function teamWith(app, admin, name, members = []) {
    const { body: team } = await api(app, admin.token, 'POST', '/api/v4/teams', { name, display_name: name.toUpperCase(), type: 'O' }, 201);
    for (const m of members) {
        await api(app, admin.token, 'POST', `/api/v4/teams/${team.id}/members`, { team_id: team.id, user_id: m.id }, 201);
    }
    return team;
}

/** A public channel with the given members; the channel. */
export async function channelWith(app, creator, teamId, name, members = []) {
    const { body: channel } = await api(app, creator.token, 'POST', '/api/v4/channels', { team_id: teamId, name, display_name: name, type: 'O' }, 201);
    for (const m of members) {
        await api(app, creator.token, 'POST', `/api/v4/channels/${channel.id}/members`, { user_id: m.id }, 201);
    }
    return channel;
}

/** A playbook in `teamId` with one checklist of `tasks`. */
export async function playbook(app, user, teamId, title, tasks, extra = {}) {
    const { body } = await api(app, user.token, 'POST', '/plugins/playbooks/api/v0/playbooks', {
        title, team_id: teamId, public: true, reminder_timer_default_seconds: 3600, status_update_enabled: true,
        checklists: [{ title: 'Triage', items: tasks.map((t) => ({ title: t })) }], ...extra,
    }, 201);
    return body.id;
}
