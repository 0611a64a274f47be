// The server's REST API from the browser: the plugin's routes
// (`/plugins/playbooks/api/v0`, see plugin/api/openapi.yaml) and the few
// Mattermost v4 routes the UI needs. Same origin, the session cookie
// (MMAUTHTOKEN) set at login, and the `X-Requested-With` header the server
// expects on cookie-authenticated requests. Errors carry the server's
// Mattermost-style `message`, which the UI shows as it is (validation
// errors name the field: `checklists[1].items[0].title: must not be empty`).

import type {
    ChannelAction, ChecklistItem, Page, Playbook, PlaybookRun, PlaybookStats, StatusUpdate,
} from './types';

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

/** One request to any same-origin URL; JSON in and out, server messages as errors. */
export async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
    const response = await fetcher(url, {
        method,
        credentials: 'same-origin',
        headers: {
            'X-Requested-With': 'XMLHttpRequest',
            ...(body === undefined ? {} : {'Content-Type': 'application/json'}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if (text && (response.headers.get('content-type') || '').includes('json')) {
        try {
            parsed = JSON.parse(text);
        } catch {
            parsed = text;
        }
    }
    if (!response.ok) {
        const message = typeof parsed === 'object' && parsed && 'message' in parsed ? String((parsed as {message: unknown}).message) : `HTTP ${response.status}`;
        throw new ApiError(response.status, message);
    }
    return parsed as T;
}

/** A plugin API call (`path` below `/plugins/playbooks/api/v0`). */
export function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return request<T>(method, `${API}${path}`, body);
}

const enc = encodeURIComponent;

export type RunListFilter = 'in_progress' | 'finished' | 'mine';

export const runs = {
    get: (id: string) => call<PlaybookRun>('GET', `/runs/${enc(id)}`),
    inChannel: (channelId: string) =>
        call<Page<PlaybookRun>>('GET', `/runs/channel/${enc(channelId)}/runs?statuses=InProgress&statuses=Finished&sort=create_at&direction=desc&per_page=200`),
    list: (query: string) => call<Page<PlaybookRun>>('GET', `/runs?${query}`),
    patch: (id: string, changes: {name?: string; summary?: string}) => call<PlaybookRun>('PATCH', `/runs/${enc(id)}`, changes),
    setOwner: (id: string, ownerId: string) => call<PlaybookRun>('POST', `/runs/${enc(id)}/owner`, {owner_id: ownerId}),
    finish: (id: string) => call<PlaybookRun>('PUT', `/runs/${enc(id)}/finish`),
    restore: (id: string) => call<PlaybookRun>('PUT', `/runs/${enc(id)}/restore`),
    follow: (id: string) => call<string[]>('PUT', `/runs/${enc(id)}/followers`),
    unfollow: (id: string) => call<string[]>('DELETE', `/runs/${enc(id)}/followers`),
    /** Add participants (editors), or join with `[me]`. */
    addParticipants: (id: string, userIds: string[]) => call<PlaybookRun>('POST', `/runs/${enc(id)}/participants`, {user_ids: userIds}),
    /** Remove participants (editors), or leave with `[me]`; the owner cannot be removed. */
    removeParticipants: (id: string, userIds: string[]) => call<PlaybookRun>('DELETE', `/runs/${enc(id)}/participants`, {user_ids: userIds}),
    statusUpdates: (id: string) => call<StatusUpdate[]>('GET', `/runs/${enc(id)}/status-updates`),
    /** `reminder` in seconds; 0 = never remind (this project's addition). */
    postUpdate: (id: string, message: string, reminder: number, finishRun = false) =>
        call<PlaybookRun>('POST', `/runs/${enc(id)}/status`, {message, reminder, finish_run: finishRun}),
    requestUpdate: (id: string) => call<PlaybookRun>('POST', `/runs/${enc(id)}/request-update`),
    setStatusUpdatesEnabled: (id: string, enabled: boolean) => call<PlaybookRun>('PUT', `/runs/${enc(id)}/status-update-enabled`, {enabled}),
    saveRetrospective: (id: string, body: RetrospectiveBody) => call<PlaybookRun>('POST', `/runs/${enc(id)}/retrospective`, body),
    publishRetrospective: (id: string, body: RetrospectiveBody) => call<PlaybookRun>('POST', `/runs/${enc(id)}/retrospective/publish`, body),
    setRetrospectiveEnabled: (id: string, enabled: boolean) => call<PlaybookRun>('PUT', `/runs/${enc(id)}/retrospective-enabled`, {enabled}),
    metadata: (id: string) => call<{channel_name: string; channel_display_name: string; team_name: string}>('GET', `/runs/${enc(id)}/metadata`),
    cancelRetrospective: (id: string) => call<PlaybookRun>('POST', `/runs/${enc(id)}/no-retrospective-button`),
    deleteTimelineEvent: (id: string, eventId: string) => call<unknown>('DELETE', `/runs/${enc(id)}/timeline/${enc(eventId)}`),
    exportUrl: (id: string) => `${API}/runs/${enc(id)}/export`,
};

export interface RetrospectiveBody {
    retrospective: string;
    metrics: Array<{metric_config_id: string; value: number | null}>;
}

const item = (run: string, c: number, i: number) => `/runs/${enc(run)}/checklists/${c}/item/${i}`;
const list = (run: string, c: number) => `/runs/${enc(run)}/checklists/${c}`;

export const checklists = {
    setState: (run: string, c: number, i: number, state: string) => call<PlaybookRun>('PUT', `${item(run, c, i)}/state`, {new_state: state}),
    /** Several assignees (this project's extension); `[]` unassigns everyone. */
    setAssignees: (run: string, c: number, i: number, assigneeIds: string[]) =>
        call<PlaybookRun>('PUT', `${item(run, c, i)}/assignee`, {assignee_ids: assigneeIds}),
    /** Absolute ms; 0 clears the due date. */
    setDueDate: (run: string, c: number, i: number, due: number) => call<PlaybookRun>('PUT', `${item(run, c, i)}/duedate`, {due_date: due}),
    editItem: (run: string, c: number, i: number, fields: Pick<ChecklistItem, 'title' | 'description' | 'command'>) =>
        call<PlaybookRun>('PUT', item(run, c, i), fields),
    deleteItem: (run: string, c: number, i: number) => call<PlaybookRun>('DELETE', item(run, c, i)),
    skip: (run: string, c: number, i: number) => call<PlaybookRun>('PUT', `${item(run, c, i)}/skip`),
    restore: (run: string, c: number, i: number) => call<PlaybookRun>('PUT', `${item(run, c, i)}/restore`),
    runCommand: (run: string, c: number, i: number) => call<PlaybookRun>('POST', `${item(run, c, i)}/run`),
    addItem: (run: string, c: number, title: string) => call<PlaybookRun>('POST', `${list(run, c)}/add`, {title}),
    addChecklist: (run: string, title: string) => call<PlaybookRun>('POST', `/runs/${enc(run)}/checklists`, {title}),
    rename: (run: string, c: number, title: string) => call<PlaybookRun>('PUT', `${list(run, c)}/rename`, {title}),
    deleteChecklist: (run: string, c: number) => call<PlaybookRun>('DELETE', list(run, c)),
    moveChecklist: (run: string, from: number, to: number) =>
        call<PlaybookRun>('POST', `/runs/${enc(run)}/checklists/move`, {source_checklist_idx: from, dest_checklist_idx: to}),
    /** `to` is the position after the item left its place (the server removes, then inserts). */
    moveItem: (run: string, from: [number, number], to: [number, number]) =>
        call<PlaybookRun>('POST', `/runs/${enc(run)}/checklists/move-item`, {
            source_checklist_idx: from[0], source_item_idx: from[1], dest_checklist_idx: to[0], dest_item_idx: to[1],
        }),
};

export const playbooks = {
    list: (teamId: string, search = '', withArchived = false) =>
        call<Page<Playbook>>('GET', `/playbooks?team_id=${enc(teamId)}&per_page=200&search_term=${enc(search)}&with_archived=${withArchived}`),
    autocomplete: (teamId: string) => call<Array<{text: string; value: string}>>('GET', `/playbooks/autocomplete?team_id=${enc(teamId)}`),
    get: (id: string) => call<Playbook>('GET', `/playbooks/${enc(id)}`),
    create: (pb: Partial<Playbook>) => call<{id: string}>('POST', '/playbooks', pb),
    /** PUT replaces the whole playbook and answers the stored one. */
    update: (pb: Playbook) => call<Playbook>('PUT', `/playbooks/${enc(pb.id)}`, pb),
    archive: (id: string) => call<unknown>('DELETE', `/playbooks/${enc(id)}`),
    restore: (id: string) => call<unknown>('PUT', `/playbooks/${enc(id)}/restore`),
    duplicate: (id: string) => call<{id: string}>('POST', `/playbooks/${enc(id)}/duplicate`),
    exportUrl: (id: string) => `${API}/playbooks/${enc(id)}/export`,
    import: (teamId: string, exported: unknown) => call<{id: string}>('POST', `/playbooks/import?team_id=${enc(teamId)}`, exported),
    stats: (id: string) => call<PlaybookStats>('GET', `/stats/playbook?playbook_id=${enc(id)}`),
};

export const channelActions = {
    list: (channelId: string) => call<ChannelAction[]>('GET', `/actions/channels/${enc(channelId)}`),
    create: (channelId: string, action: Omit<ChannelAction, 'id' | 'channel_id' | 'delete_at'>) =>
        call<{id: string}>('POST', `/actions/channels/${enc(channelId)}`, action),
    update: (channelId: string, action: ChannelAction) =>
        call<ChannelAction>('PUT', `/actions/channels/${enc(channelId)}/${enc(action.id)}`, action),
};

/** Mattermost v4 routes of the chat server. */
export const v4 = {
    /** A button or select of a post's attachments, as the client's default renderer would do it. */
    postAction: (postId: string, actionId: string, selected?: string) =>
        request<unknown>('POST', `/api/v4/posts/${enc(postId)}/actions/${enc(actionId)}`, selected ? {selected_option: selected} : {}),
};

/** An uploaded file as the server's file search returns it (Mattermost's `FileInfo`). */
export interface FileInfo {
    id: string;
    name: string;
    extension: string;
    size: number;
    mime_type: string;
    user_id: string;
    create_at: number;
}

export const files = {
    /** The files posted in a channel (the server's team file search, `in:<channel>`), newest first. */
    inChannel: async (teamId: string, channelName: string): Promise<FileInfo[]> => {
        const list = await request<{order: string[]; file_infos: Record<string, FileInfo>}>('POST', `/api/v4/teams/${enc(teamId)}/files/search`,
            {terms: `in:${channelName}`, is_or_search: false, page: 0, per_page: 200});
        return list.order.map((id) => list.file_infos[id]).filter(Boolean);
    },
    url: (id: string) => `/api/v4/files/${enc(id)}`,
};
