import {afterEach, describe, expect, it, vi} from 'vitest';

import {EventSocket} from './websocket';

class FakeSocket {
    static made: FakeSocket[] = [];
    readyState = 1;
    sent: string[] = [];
    onmessage?: (e: {data: string}) => void;
    onclose?: () => void;
    constructor(public url: string) {
        FakeSocket.made.push(this);
    }
    send(text: string) {
        this.sent.push(text);
    }
    close() {
        this.onclose?.();
    }
    deliver(value: unknown) {
        this.onmessage?.({data: typeof value === 'string' ? value : JSON.stringify(value)});
    }
}

afterEach(() => {
    FakeSocket.made = [];
    vi.useRealTimers();
});

describe('event socket', () => {
    it('reports events, ignores replies and junk, and reconnects after a drop saying so', () => {
        vi.useFakeTimers();
        const seen: string[] = [];
        const opens: boolean[] = [];
        let closes = 0;
        const socket = new EventSocket({
            onEvent: (m) => seen.push(m.event),
            onOpen: (reconnected) => opens.push(reconnected),
            onClose: () => {
                closes += 1;
            },
        }, (url) => new FakeSocket(url) as unknown as WebSocket);
        socket.start();
        const first = FakeSocket.made[0];
        expect(first.url).toMatch(/^ws:\/\/.*\/api\/v4\/websocket$/);
        first.deliver({event: 'hello', data: {}, broadcast: {}, seq: 0});
        first.deliver({status: 'OK', seq_reply: 1});
        first.deliver('not json');
        first.deliver({event: 'posted', data: {}, broadcast: {}, seq: 1});
        expect(opens).toEqual([false]);
        expect(seen).toEqual(['posted']);

        socket.send('user_typing', {channel_id: 'c1'});
        expect(JSON.parse(first.sent[0])).toMatchObject({seq: 1, action: 'user_typing', data: {channel_id: 'c1'}});

        first.onclose?.();
        expect(closes).toBe(1);
        expect(FakeSocket.made).toHaveLength(1);
        vi.advanceTimersByTime(1500);
        expect(FakeSocket.made).toHaveLength(2);
        FakeSocket.made[1].deliver({event: 'hello', data: {}, broadcast: {}, seq: 0});
        expect(opens).toEqual([false, true]);

        socket.stop();
        vi.advanceTimersByTime(60000);
        expect(FakeSocket.made).toHaveLength(2);
    });

    it('backs off from 1 s to 30 s', () => {
        expect(EventSocket.backoff(1, 0.5)).toBe(1000);
        expect(EventSocket.backoff(3, 0.5)).toBe(4000);
        expect(EventSocket.backoff(20, 0.5)).toBe(30000);
        expect(EventSocket.backoff(1, 0)).toBe(750);
    });
});
