// Test doubles shared by the component tests: a run, a Host, and a fake
// `fetch` that answers by route and records every request.

import {vi} from 'vitest';

import type {Host, UserInfo} from '../host';
import {plainText} from '../host';
import type {ChecklistItem, PlaybookRun} from '../types';

export function task(over: Partial<ChecklistItem> = {}): ChecklistItem {
    return {id: 'i', title: 't', description: '', state: '', assignee_id: '', assignee_ids: [], command: '', command_last_run: 0, due_date: 0, ...over};
}

export function makeRun(over: Partial<PlaybookRun> = {}): PlaybookRun {
    return {
        id: 'run1', name: 'DB outage', summary: 'Primary down', owner_user_id: 'u1', reporter_user_id: 'u1', team_id: 't1',
        channel_id: 'c1', playbook_id: 'p1', create_at: 1, end_at: 0, current_status: 'InProgress',
        checklists: [
            {id: 'cl', title: 'Triage', items: [
                task({id: 'i1', title: 'Assess', assignee_ids: ['u1'], assignee_id: 'u1'}),
                task({id: 'i2', title: 'Page', state: 'closed', command: '/echo hi'}),
            ]},
            {id: 'cl2', title: 'Mitigate', items: [task({id: 'i3', title: 'Fix it'})]},
        ],
        participant_ids: ['u1', 'u2'], followers: [], timeline_events: [], status_update_enabled: true, status_update_due_at: 0,
        last_status_update_at: 0, reminder_timer_default_seconds: 3600, retrospective: '', retrospective_enabled: false,
        retrospective_published_at: 0, retrospective_was_canceled: false, metrics_data: [], sequential_id: 'INC-00001',
        task_total: 3, task_completed: 1, ...over,
    };
}

export const USERS: UserInfo[] = [
    {id: 'u1', username: 'alice', first_name: 'Alice', last_name: 'A'},
    {id: 'u2', username: 'bob', first_name: 'Bob', last_name: 'B'},
    {id: 'u3', username: 'bea', first_name: 'Bea', last_name: 'C'},
];

export function fakeHost(channel = 'c1', over: Partial<Host> = {}): Host {
    return {
        userId: () => 'u1',
        channelId: () => channel,
        teamId: () => 't1',
        onChannelChange: () => () => undefined,
        navigate: vi.fn(),
        username: (id) => Promise.resolve(USERS.find((u) => u.id === id)?.username || id),
        searchUsers: vi.fn((prefix: string) => Promise.resolve(USERS.filter((u) => u.username.startsWith(prefix.replace(/^@/, ''))))),
        searchChannels: vi.fn(() => Promise.resolve([{id: 'ch9', name: 'town-square', display_name: 'Town Square', team_id: 't1', type: 'O'}])),
        channelName: (id) => Promise.resolve(id === 'ch9' ? 'Town Square' : id),
        markdown: plainText,
        ...over,
    };
}

export const json = (body: unknown, status = 200) =>
    new Response(body === undefined ? '' : JSON.stringify(body), {status, headers: {'content-type': 'application/json'}});

export interface Recorded {
    method: string;
    url: string;
    body: any;
}

type Responder = (url: string, body: any) => unknown;

/** Routes: [method, URL substring or pattern, answer]. An answer that is a Response is sent as is, anything else as JSON; a promise is awaited first (a slow server). */
export function mockFetch(routes: Array<[string, string | RegExp, Responder]>): Recorded[] {
    const requests: Recorded[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
        const method = init?.method || 'GET';
        const body = typeof init?.body === 'string' && init.body ? JSON.parse(init.body) : undefined;
        requests.push({method, url, body});
        for (const [m, pattern, respond] of routes) {
            const hit = typeof pattern === 'string' ? url.includes(pattern) : pattern.test(url);
            if (m === method && hit) {
                const answer = await respond(url, body);
                return answer instanceof Response ? answer : json(answer);
            }
        }
        return json({message: `no route for ${method} ${url}`}, 404);
    }));
    return requests;
}
