// Starts a throw-away host-shim server for the compatibility tests.
//
// The binary is $HOST_SHIM_BIN, or ../../target/debug/host-shim relative to
// this file (what `cargo build -p host-shim` produces). Each server gets a
// free loopback port and a fresh temporary data dir, runs with the default
// configuration (every HOST_SHIM_* setting is removed from its environment,
// so HOST_SHIM_WEBHOOK_ALLOWED_HOSTS is unset), and is stopped with SIGTERM,
// then SIGKILL, by `stop()`.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The server binary to run. */
export function serverBinary() {
    const fromEnv = process.env.HOST_SHIM_BIN;
    if (fromEnv) {
        return path.resolve(fromEnv);
    }
    return path.resolve(here, '../../target/debug/host-shim');
}

/** A port nobody listens on right now (bind 127.0.0.1:0, read it, close). */
export function freePort() {
    return new Promise((resolve, reject) => {
        const probe = net.createServer();
        probe.unref();
        probe.once('error', reject);
        probe.listen(0, '127.0.0.1', () => {
            const { port } = probe.address();
            probe.close(() => resolve(port));
        });
    });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the last `limit` lines written to a stream. */
class Tail {
    constructor(limit = 80) {
        this.limit = limit;
        this.lines = [];
        this.partial = '';
    }

    push(chunk) {
        const parts = (this.partial + chunk.toString('utf8')).split('\n');
        this.partial = parts.pop();
        this.lines.push(...parts);
        if (this.lines.length > this.limit) {
            this.lines.splice(0, this.lines.length - this.limit);
        }
    }

    toString() {
        return [...this.lines, this.partial].filter((l) => l !== '').join('\n');
    }
}

/**
 * Spawns the server and waits until `GET /api/v4/system/ping` answers 200.
 * `args` are extra `serve` options (`--open-signup true`, …).
 *
 * Returns `{url, wsUrl, port, dataDir, process, stderrTail(), stdoutTail(),
 * report(), stop()}`; a failed start throws with the server's output tails.
 */
export async function startServer({ timeoutMs = 60_000, args = [] } = {}) {
    const bin = serverBinary();
    if (!existsSync(bin)) {
        throw new Error(
            `host-shim binary not found at ${bin}: run \`cargo build -p host-shim\` ` +
            'or set HOST_SHIM_BIN',
        );
    }
    const port = await freePort();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'host-shim-compat-'));
    const url = `http://127.0.0.1:${port}`;

    const env = { ...process.env };
    for (const name of Object.keys(env)) {
        if (name.startsWith('HOST_SHIM_')) {
            delete env[name];
        }
    }

    const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new Tail();
    const stderr = new Tail();
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));

    let exited = null;
    const exitPromise = new Promise((resolve) => {
        child.once('exit', (code, signal) => {
            exited = { code, signal };
            resolve(exited);
        });
        child.once('error', (err) => {
            exited = { code: null, signal: null, error: err };
            resolve(exited);
        });
    });
    // Never leave a server behind, even if the test process dies early.
    const killOnExit = () => {
        if (exited === null) {
            child.kill('SIGKILL');
        }
    };
    process.once('exit', killOnExit);

    const stderrTail = () => stderr.toString() || '(no stderr output)';
    // tracing logs go to stdout; panics and startup errors to stderr.
    const report = () =>
        `--- stderr (tail) ---\n${stderrTail()}\n` +
        `--- stdout (tail) ---\n${stdout.toString() || '(no stdout output)'}`;

    let stopped = false;
    const stop = async () => {
        if (stopped) {
            return;
        }
        stopped = true;
        process.removeListener('exit', killOnExit);
        if (exited === null) {
            child.kill('SIGTERM');
            const done = await Promise.race([exitPromise, sleep(5_000).then(() => null)]);
            if (done === null && exited === null) {
                child.kill('SIGKILL');
                await exitPromise;
            }
        }
        await rm(dataDir, { recursive: true, force: true });
    };

    const deadline = Date.now() + timeoutMs;
    let lastError = 'no answer yet';
    for (;;) {
        if (exited !== null) {
            await stop();
            const how = exited.error
                ? `could not start: ${exited.error.message}`
                : `exited early (code ${exited.code}, signal ${exited.signal})`;
            throw new Error(`host-shim ${how}\n${report()}`);
        }
        try {
            const response = await fetch(`${url}/api/v4/system/ping`, {
                signal: AbortSignal.timeout(2_000),
            });
            if (response.ok) {
                await response.arrayBuffer();
                break;
            }
            lastError = `HTTP ${response.status}`;
        } catch (err) {
            lastError = err.cause?.code ?? err.message;
        }
        if (Date.now() > deadline) {
            await stop();
            throw new Error(
                `host-shim did not answer GET /api/v4/system/ping within ${timeoutMs / 1000} s ` +
                `(last: ${lastError})\n${report()}`,
            );
        }
        await sleep(100);
    }

    return {
        url,
        wsUrl: `ws://127.0.0.1:${port}/api/v4/websocket`,
        port,
        dataDir,
        process: child,
        stderrTail,
        stdoutTail: () => stdout.toString(),
        report,
        stop,
    };
}
