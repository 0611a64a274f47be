// Unit tests' stand-in for the server: answers requests from a route
// table and records them, so a test can check what the client sent.

import {setTransport} from '../api/client';
import type {Channel, ChannelMember, Post, Team, User} from '../api/types';

export interface Recorded {
    method: string;
    path: string;
    body: any;
}

type Handler = (body: any, match: RegExpMatchArray) => {status?: number; body: unknown} | unknown | Promise<unknown>;

export function fakeServer(routes: Array<[string, RegExp, Handler]>) {
    const requests: Recorded[] = [];
    setTransport(async (input, init) => {
        const method = init?.method ?? 'GET';
        const body = init?.body ? JSON.parse(String(init.body)) : undefined;
        requests.push({method, path: input, body});
        for (const [m, pattern, handler] of routes) {
            const match = input.match(pattern);
            if (m === method && match) {
                const result = (await handler(body, match)) as {status?: number; body?: unknown} | undefined;
                const wrapped = result && typeof result === 'object' && 'status' in result && 'body' in result;
                const status = wrapped ? result.status ?? 200 : 200;
                const payload = wrapped ? result.body : result;
                return new Response(JSON.stringify(payload ?? null), {status, headers: {'content-type': 'application/json'}});
            }
        }
        return new Response(JSON.stringify({id: 'api.context.404.app_error', message: `no route ${method} ${input}`, status_code: 404}), {
            status: 404, headers: {'content-type': 'application/json'},
        });
    });
    return requests;
}

export const mmError = (status: number, message: string) => ({status, body: {id: 'x', message, detailed_error: '', request_id: '', status_code: status}});

export function user(id: string, username = id): User {
    return {id, username, nickname: '', first_name: '', last_name: '', roles: 'system_user', is_bot: false, delete_at: 0};
}

export function team(id = 't1', name = 'ops'): Team {
    return {id, name, display_name: name.toUpperCase(), description: '', type: 'O', delete_at: 0};
}

export function channel(id: string, over: Partial<Channel> = {}): Channel {
    return {id, team_id: 't1', type: 'O', name: id, display_name: id, header: '', purpose: '', last_post_at: 0, total_msg_count: 0, creator_id: '', delete_at: 0, ...over};
}

export function member(channelId: string, over: Partial<ChannelMember> = {}): ChannelMember {
    return {channel_id: channelId, user_id: 'me', last_viewed_at: 0, msg_count: 0, mention_count: 0, ...over};
}

let clock = 1_000_000;
export function post(id: string, over: Partial<Post> = {}): Post {
    clock += 1000;
    return {id, create_at: clock, update_at: clock, edit_at: 0, delete_at: 0, user_id: 'u2', channel_id: 'c1', root_id: '', message: id, type: '', props: {}, ...over};
}
