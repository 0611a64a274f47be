// The server's event stream (`/api/v4/websocket`). The upgrade request
// carries the session cookie, so no challenge is needed. On a drop it
// reconnects with back-off and tells its listener, which refetches what
// may have been missed: the server does not replay events.

import type {WsMessage} from './types';

export interface SocketListener {
    onEvent(message: WsMessage): void;
    onOpen(reconnected: boolean): void;
    onClose(): void;
}

type SocketFactory = (url: string) => WebSocket;

export class EventSocket {
    private socket?: WebSocket;
    private attempts = 0;
    private everOpened = false;
    private stopped = false;
    private timer?: ReturnType<typeof setTimeout>;
    private seq = 1;

    constructor(private listener: SocketListener, private factory: SocketFactory = (url) => new WebSocket(url)) {}

    static url(): string {
        const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
        return `${scheme}://${window.location.host}/api/v4/websocket`;
    }

    start() {
        this.stopped = false;
        this.connect();
    }

    stop() {
        this.stopped = true;
        clearTimeout(this.timer);
        this.socket?.close();
        this.socket = undefined;
    }

    /** Sends an action (`user_typing`…); dropped while disconnected. */
    send(action: string, data: Record<string, unknown>) {
        if (this.socket?.readyState === 1) {
            this.socket.send(JSON.stringify({seq: this.seq++, action, data}));
        }
    }

    /** Delay before reconnect attempt `n` (1-based): 1 s doubling to 30 s, with jitter. */
    static backoff(n: number, random = Math.random()): number {
        const base = Math.min(30000, 1000 * 2 ** Math.max(0, n - 1));
        return Math.round(base * (0.75 + random * 0.5));
    }

    private connect() {
        const socket = this.factory(EventSocket.url());
        this.socket = socket;
        socket.onmessage = (e) => {
            let message: WsMessage;
            try {
                message = JSON.parse(String(e.data));
            } catch {
                return;
            }
            if (!message || typeof message.event !== 'string') {
                return; // replies to our actions ({status, seq_reply})
            }
            if (message.event === 'hello') {
                const reconnected = this.everOpened;
                this.everOpened = true;
                this.attempts = 0;
                this.listener.onOpen(reconnected);
                return;
            }
            this.listener.onEvent(message);
        };
        socket.onclose = () => {
            if (this.socket !== socket) {
                return;
            }
            this.socket = undefined;
            this.listener.onClose();
            if (!this.stopped) {
                this.attempts += 1;
                this.timer = setTimeout(() => this.connect(), EventSocket.backoff(this.attempts));
            }
        };
    }
}
