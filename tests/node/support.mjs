// What the suites share besides the server (server.mjs).

import WS from 'ws';

/**
 * WebSocketClient uses the browser globals `WebSocket` (also for
 * `WebSocket.OPEN`) and, when it drops a connection itself, `CloseEvent`.
 * Node 20 has neither without a flag: provide them (Node 22+ has its own).
 */
export function installBrowserGlobals() {
    globalThis.WebSocket ??= WS;
    globalThis.CloseEvent ??= class CloseEvent extends Event {
        constructor(type, init = {}) {
            super(type);
            this.code = init.code ?? 0;
            this.reason = init.reason ?? '';
            this.wasClean = init.wasClean ?? false;
        }
    };
}

/**
 * The steps of a suite run in order on one server: a later step names what
 * an earlier one made, and fails with this message (not a confusing
 * TypeError) when that step failed.
 */
export function need(value, what) {
    if (value === undefined || value === null || value === '') {
        throw new Error(`prerequisite missing: ${what} (an earlier step failed)`);
    }
    return value;
}
