// The plugin's REST API from the browser: same origin, the session cookie
// (MMAUTHTOKEN) set at login, and the `X-Requested-With` header the server
// expects on cookie-authenticated requests. Errors carry the server's
// Mattermost-style message.

import type {Page, Playbook, PlaybookRun, StatusUpdate} from './types';

export const API = '/plugins/playbooks/api/v0';

export class ApiError extends Error {
    constructor(public status: number, message: string) {
        super(message);
    }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

let fetcher: Fetch = (input, init) => fetch(input, init);

/** Lets tests (and clients with their own fetch) replace the transport. */
export function setFetch(f: Fetch) {
    fetcher = f;
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetcher(`${API}${path}`, {
        method,
        credentials: 'same-origin',
        headers: {
            'X-Requested-With': 'XMLHttpRequest',
            ...(body === undefined ? {} : {'Content-Type': 'application/json'}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text && (response.headers.get('content-type') || '').includes('json') ? JSON.parse(text) : text;
    if (!response.ok) {
        const message = typeof parsed === 'object' && parsed && 'message' in parsed ? String(parsed.message) : `HTTP ${response.status}`;
        throw new ApiError(response.status, message);
    }
    return parsed as T;
}

const enc = encodeURIComponent;

export const runs = {
    get: (id: string) => call<PlaybookRun>('GET', `/runs/${enc(id)}`),
    inChannel: (channelId: string) =>
        call<Page<PlaybookRun>>('GET', `/runs/channel/${enc(channelId)}/runs?statuses=InProgress&statuses=Finished&sort=create_at&direction=desc`),
    list: (query: string) => call<Page<PlaybookRun>>('GET', `/runs?${query}`),
    patch: (id: string, changes: {name?: string; summary?: string}) => call<PlaybookRun>('PATCH', `/runs/${enc(id)}`, changes),
    setOwner: (id: string, ownerId: string) => call<PlaybookRun>('POST', `/runs/${enc(id)}/owner`, {owner_id: ownerId}),
    finish: (id: string) => call<PlaybookRun>('PUT', `/runs/${enc(id)}/finish`),
    restore: (id: string) => call<PlaybookRun>('PUT', `/runs/${enc(id)}/restore`),
    follow: (id: string) => call<string[]>('PUT', `/runs/${enc(id)}/followers`),
    unfollow: (id: string) => call<string[]>('DELETE', `/runs/${enc(id)}/followers`),
    statusUpdates: (id: string) => call<StatusUpdate[]>('GET', `/runs/${enc(id)}/status-updates`),
    postUpdate: (id: string, message: string, reminder: number, finishRun = false) =>
        call<PlaybookRun>('POST', `/runs/${enc(id)}/status`, {message, reminder, finish_run: finishRun}),
    requestUpdate: (id: string) => call<PlaybookRun>('POST', `/runs/${enc(id)}/request-update`),
    exportUrl: (id: string) => `${API}/runs/${enc(id)}/export`,
};

const item = (run: string, c: number, i: number) => `/runs/${enc(run)}/checklists/${c}/item/${i}`;

export const checklists = {
    setState: (run: string, c: number, i: number, state: string) => call<PlaybookRun>('PUT', `${item(run, c, i)}/state`, {new_state: state}),
    setAssignee: (run: string, c: number, i: number, assigneeId: string) => call<PlaybookRun>('PUT', `${item(run, c, i)}/assignee`, {assignee_id: assigneeId}),
    setDueDate: (run: string, c: number, i: number, due: number) => call<PlaybookRun>('PUT', `${item(run, c, i)}/duedate`, {due_date: due}),
    skip: (run: string, c: number, i: number) => call<PlaybookRun>('PUT', `${item(run, c, i)}/skip`),
    restore: (run: string, c: number, i: number) => call<PlaybookRun>('PUT', `${item(run, c, i)}/restore`),
    runCommand: (run: string, c: number, i: number) => call<PlaybookRun>('POST', `${item(run, c, i)}/run`),
    addItem: (run: string, c: number, title: string) => call<PlaybookRun>('POST', `/runs/${enc(run)}/checklists/${c}/add`, {title}),
    addChecklist: (run: string, title: string) => call<PlaybookRun>('POST', `/runs/${enc(run)}/checklists`, {title}),
    rename: (run: string, c: number, title: string) => call<PlaybookRun>('PUT', `/runs/${enc(run)}/checklists/${c}/rename`, {title}),
    moveItem: (run: string, from: [number, number], to: [number, number]) =>
        call<PlaybookRun>('POST', `/runs/${enc(run)}/checklists/move-item`, {
            source_checklist_idx: from[0], source_item_idx: from[1], dest_checklist_idx: to[0], dest_item_idx: to[1],
        }),
};

export const playbooks = {
    list: (teamId: string, search = '', withArchived = false) =>
        call<Page<Playbook>>('GET', `/playbooks?team_id=${enc(teamId)}&per_page=100&search_term=${enc(search)}&with_archived=${withArchived}`),
    get: (id: string) => call<Playbook>('GET', `/playbooks/${enc(id)}`),
    create: (pb: Partial<Playbook>) => call<{id: string}>('POST', '/playbooks', pb),
    update: (pb: Playbook) => call<unknown>('PUT', `/playbooks/${enc(pb.id)}`, pb),
    archive: (id: string) => call<unknown>('DELETE', `/playbooks/${enc(id)}`),
    restore: (id: string) => call<unknown>('PUT', `/playbooks/${enc(id)}/restore`),
    duplicate: (id: string) => call<{id: string}>('POST', `/playbooks/${enc(id)}/duplicate`),
    exportUrl: (id: string) => `${API}/playbooks/${enc(id)}/export`,
    import: (teamId: string, exported: unknown) => call<{id: string}>('POST', `/playbooks/import?team_id=${enc(teamId)}`, exported),
};
