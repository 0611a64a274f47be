// The server's HTTP API from the browser: same origin, the `MMAUTHTOKEN`
// session cookie set at login, and `X-Requested-With` on every request
// (the server's CSRF rule for cookie sessions). Errors carry the server's
// Mattermost error body, whose message is what the user should read.

import type {
    Channel, ChannelMember, ClientConfig, CommandResponse, Dialog, FileInfo, PluginManifest, Post,
    PostList, PostSearchResults, Preference, Reaction, SidebarCategory, StandardEmoji, StatusName,
    Suggestion, Team, User, UserStatus,
} from './types';

export class ApiError extends Error {
    constructor(public status: number, message: string, public id = '') {
        super(message);
    }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

let transport: Fetch = (input, init) => fetch(input, init);
let onUnauthorized: () => void = () => undefined;

/** Tests replace the transport. */
export function setTransport(f: Fetch) {
    transport = f;
}

/** Called when a request says the session is gone (401), so the app can show the login page. */
export function setUnauthorizedHandler(handler: () => void) {
    onUnauthorized = handler;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
        response = await transport(path, {
            method,
            credentials: 'same-origin',
            headers: {
                'X-Requested-With': 'XMLHttpRequest',
                ...(body === undefined ? {} : {'Content-Type': 'application/json'}),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
    } catch {
        throw new ApiError(0, 'The server cannot be reached. Check your connection.');
    }
    const text = await response.text();
    let parsed: any = text;
    if (text && (response.headers.get('content-type') || '').includes('json')) {
        try {
            parsed = JSON.parse(text);
        } catch {
            parsed = text;
        }
    }
    if (!response.ok) {
        if (response.status === 401 && !path.endsWith('/users/login')) {
            onUnauthorized();
        }
        const message = parsed && typeof parsed === 'object' && parsed.message ? String(parsed.message) : `Request failed (HTTP ${response.status}).`;
        throw new ApiError(response.status, message, parsed?.id || '');
    }
    return parsed as T;
}

const enc = encodeURIComponent;
const V4 = '/api/v4';

export const api = {
    config: () => request<ClientConfig>('GET', `${V4}/config/client?format=old`),

    // users
    login: (loginId: string, password: string) => request<User>('POST', `${V4}/users/login`, {login_id: loginId, password}),
    logout: () => request<unknown>('POST', `${V4}/users/logout`),
    signUp: (user: {username: string; email: string; password: string}) => request<User>('POST', `${V4}/users`, user),
    me: () => request<User>('GET', `${V4}/users/me`),
    usersByIds: (ids: string[]) => request<User[]>('POST', `${V4}/users/ids`, ids),
    userByUsername: (username: string) => request<User>('GET', `${V4}/users/username/${enc(username)}`),
    autocompleteUsers: (teamId: string, name: string, channelId = '') =>
        request<{users: User[]; out_of_channel?: User[]}>('GET',
            `${V4}/users/autocomplete?in_team=${enc(teamId)}&name=${enc(name)}${channelId ? `&in_channel=${enc(channelId)}` : ''}&limit=20`),
    statuses: (ids: string[]) => request<UserStatus[]>('POST', `${V4}/users/status/ids`, ids),
    setStatus: (userId: string, status: StatusName) => request<UserStatus>('PUT', `${V4}/users/${enc(userId)}/status`, {user_id: userId, status}),
    myPreferences: () => request<Preference[]>('GET', `${V4}/users/me/preferences`),
    savePreferences: (userId: string, preferences: Preference[]) => request<unknown>('PUT', `${V4}/users/${enc(userId)}/preferences`, preferences),
    deletePreferences: (userId: string, preferences: Preference[]) =>
        request<unknown>('POST', `${V4}/users/${enc(userId)}/preferences/delete`, preferences),
    teamUsers: (teamId: string, page = 0) => request<User[]>('GET', `${V4}/users?in_team=${enc(teamId)}&page=${page}&per_page=200`),

    // teams
    myTeams: () => request<Team[]>('GET', `${V4}/users/me/teams`),
    teams: () => request<Team[]>('GET', `${V4}/teams?per_page=200`),
    createTeam: (team: {name: string; display_name: string; type: 'O' | 'I'}) => request<Team>('POST', `${V4}/teams`, team),
    joinTeam: (teamId: string, userId: string) => request<unknown>('POST', `${V4}/teams/${enc(teamId)}/members`, {team_id: teamId, user_id: userId}),

    // channels
    myChannels: (userId: string, teamId: string) => request<Channel[]>('GET', `${V4}/users/${enc(userId)}/teams/${enc(teamId)}/channels`),
    myMembers: (userId: string, teamId: string) => request<ChannelMember[]>('GET', `${V4}/users/${enc(userId)}/teams/${enc(teamId)}/channels/members`),
    channel: (id: string) => request<Channel>('GET', `${V4}/channels/${enc(id)}`),
    channelByName: (teamId: string, name: string) => request<Channel>('GET', `${V4}/teams/${enc(teamId)}/channels/name/${enc(name)}`),
    publicChannels: (teamId: string, page = 0) => request<Channel[]>('GET', `${V4}/teams/${enc(teamId)}/channels?page=${page}&per_page=200`),
    createChannel: (channel: {team_id: string; name: string; display_name: string; type: 'O' | 'P'; purpose?: string}) =>
        request<Channel>('POST', `${V4}/channels`, channel),
    patchChannel: (id: string, patch: {display_name?: string; header?: string; purpose?: string}) =>
        request<Channel>('PUT', `${V4}/channels/${enc(id)}/patch`, patch),
    directChannel: (a: string, b: string) => request<Channel>('POST', `${V4}/channels/direct`, [a, b]),
    groupChannel: (userIds: string[]) => request<Channel>('POST', `${V4}/channels/group`, userIds),
    addMember: (channelId: string, userId: string) => request<ChannelMember>('POST', `${V4}/channels/${enc(channelId)}/members`, {user_id: userId}),
    removeMember: (channelId: string, userId: string) => request<unknown>('DELETE', `${V4}/channels/${enc(channelId)}/members/${enc(userId)}`),
    channelMembers: (channelId: string) => request<ChannelMember[]>('GET', `${V4}/channels/${enc(channelId)}/members?per_page=200`),
    viewChannel: (userId: string, channelId: string, prevChannelId = '') =>
        request<unknown>('POST', `${V4}/channels/members/${enc(userId)}/view`, {channel_id: channelId, prev_channel_id: prevChannelId}),
    categories: (userId: string, teamId: string) =>
        request<{categories: SidebarCategory[]; order: string[]}>('GET', `${V4}/users/${enc(userId)}/teams/${enc(teamId)}/channels/categories`),

    // posts
    posts: (channelId: string, query: {before?: string; after?: string; since?: number; perPage?: number} = {}) => {
        const q = new URLSearchParams({per_page: String(query.perPage ?? 60)});
        if (query.before) q.set('before', query.before);
        if (query.after) q.set('after', query.after);
        if (query.since) q.set('since', String(query.since));
        return request<PostList>('GET', `${V4}/channels/${enc(channelId)}/posts?${q}`);
    },
    post: (id: string) => request<Post>('GET', `${V4}/posts/${enc(id)}`),
    thread: (rootId: string) => request<PostList>('GET', `${V4}/posts/${enc(rootId)}/thread`),
    createPost: (post: {channel_id: string; message: string; root_id?: string; pending_post_id?: string; file_ids?: string[]}) => request<Post>('POST', `${V4}/posts`, post),
    patchPost: (id: string, message: string) => request<Post>('PUT', `${V4}/posts/${enc(id)}/patch`, {message}),
    deletePost: (id: string) => request<unknown>('DELETE', `${V4}/posts/${enc(id)}`),
    /** Mattermost's search syntax; days in the browser's time zone. */
    searchPosts: (teamId: string, terms: string, page = 0, perPage = 20) =>
        request<PostSearchResults>('POST', `${V4}/teams/${enc(teamId)}/posts/search`, {
            terms, is_or_search: false, include_deleted_channels: false, page, per_page: perPage,
            time_zone_offset: -new Date().getTimezoneOffset() * 60,
        }),
    postAction: (postId: string, actionId: string, selectedOption?: string) =>
        request<unknown>('POST', `${V4}/posts/${enc(postId)}/actions/${enc(actionId)}`, selectedOption === undefined ? {} : {selected_option: selectedOption}),

    // reactions
    addReaction: (userId: string, postId: string, emojiName: string) =>
        request<Reaction>('POST', `${V4}/reactions`, {user_id: userId, post_id: postId, emoji_name: emojiName}),
    removeReaction: (userId: string, postId: string, emojiName: string) =>
        request<unknown>('DELETE', `${V4}/users/${enc(userId)}/posts/${enc(postId)}/reactions/${enc(emojiName)}`),
    standardEmoji: () => request<StandardEmoji[]>('GET', `${V4}/emoji/standard`),
    searchFiles: (teamId: string, terms: string) =>
        request<{order: string[]; file_infos: Record<string, FileInfo>}>('POST', `${V4}/teams/${enc(teamId)}/files/search`, {terms, is_or_search: false, page: 0, per_page: 100}),

    // commands and dialogs
    executeCommand: (args: {channel_id: string; team_id: string; command: string; root_id?: string}) =>
        request<CommandResponse>('POST', `${V4}/commands/execute`, args),
    suggestions: (teamId: string, channelId: string, userInput: string, rootId = '') =>
        request<Suggestion[]>('GET',
            `${V4}/teams/${enc(teamId)}/commands/autocomplete_suggestions?user_input=${enc(userInput)}&channel_id=${enc(channelId)}&root_id=${enc(rootId)}`),
    submitDialog: (body: {url: string; callback_id: string; state: string; channel_id: string; team_id: string; submission: Record<string, unknown>; cancelled: boolean}) =>
        request<{errors?: Record<string, string>; error?: string} | null>('POST', `${V4}/actions/dialogs/submit`, body),

    // plugins
    webappPlugins: () => request<PluginManifest[]>('GET', `${V4}/plugins/webapp`),
};

export type {Dialog};
