// Posts: loading a channel's (newest page first, older on demand), threads,
// sending (optimistic, reconciled with the server's copy), editing,
// deleting, running slash commands, and the live events that change them.

import {ApiError, api} from '../api/client';
import type {FileInfo, Post, PostList} from '../api/types';
import {navigate} from '../routing';
import {getState, setState, withPosts, type ChannelPosts, type State} from './store';
import {ensureUsers} from './users';

export const PAGE_SIZE = 60;

/** A PostList as posts oldest first. */
export function listPosts(list: PostList): Post[] {
    return [...list.order].reverse().map((id) => list.posts[id]).filter(Boolean);
}

/** Merges ids into an order kept sorted by creation time (posts must be in `posts`). */
export function mergeOrder(order: string[], ids: string[], posts: Record<string, Post>): string[] {
    const all = new Set(order);
    ids.forEach((id) => all.add(id));
    return [...all].filter((id) => posts[id]).sort((a, b) => posts[a].create_at - posts[b].create_at || (a < b ? -1 : 1));
}

export async function loadPosts(channelId: string) {
    const list = await api.posts(channelId, {perPage: PAGE_SIZE});
    const posts = listPosts(list);
    setState((s) => {
        const next = withPosts(s, posts);
        const newest = posts[posts.length - 1]?.create_at ?? 0;
        // The page replaces what was known (posts deleted meanwhile go), except
        // what the server cannot list: ephemeral and pending posts, and posts
        // that arrived live after the page was read. A post that arrived
        // while the channel's first page was in flight is in no list yet, so
        // the known posts of the channel are looked at too.
        const known = new Set(s.channelPosts[channelId]?.order || []);
        Object.values(s.posts).forEach((p) => p.channel_id === channelId && p.create_at > newest && known.add(p.id));
        const kept = [...known].filter((id) => {
            const p = next.posts[id] as PendingPost | undefined;
            return p && !list.posts[id] && (p.ephemeral || p.pending || p.failed || p.create_at > newest);
        });
        const order = mergeOrder(kept, posts.map((p) => p.id), next.posts);
        return setChannelPosts(next, channelId, {order, complete: posts.length < PAGE_SIZE});
    });
    await ensureUsers(posts.map((p) => p.user_id));
}

export async function loadOlder(channelId: string): Promise<number> {
    const known = getState().channelPosts[channelId];
    const oldest = known?.order.find((id) => !getState().posts[id]?.ephemeral);
    if (!known || known.complete || !oldest) {
        return 0;
    }
    const list = await api.posts(channelId, {before: oldest, perPage: PAGE_SIZE});
    const posts = listPosts(list);
    setState((s) => {
        const next = withPosts(s, posts);
        const current = next.channelPosts[channelId] || {order: [], complete: false};
        return setChannelPosts(next, channelId, {order: mergeOrder(current.order, posts.map((p) => p.id), next.posts), complete: posts.length < PAGE_SIZE});
    });
    await ensureUsers(posts.map((p) => p.user_id));
    return posts.length;
}

export async function loadThread(rootId: string) {
    const list = await api.thread(rootId);
    const posts = Object.values(list.posts).sort((a, b) => a.create_at - b.create_at);
    setState((s) => {
        const next = withPosts(s, posts);
        const replies = posts.filter((p) => p.root_id === rootId).map((p) => p.id);
        const ephemeral = (s.threads[rootId] || []).filter((id) => s.posts[id]?.ephemeral);
        return {...next, threads: {...next.threads, [rootId]: mergeOrder(replies, ephemeral, next.posts)}};
    });
    await ensureUsers(posts.map((p) => p.user_id));
}

export function openThread(rootId: string) {
    setState((s) => ({...s, rhs: {kind: 'thread', rootId}}));
    loadThread(rootId).catch((e) => setState((s) => ({...s, notice: e.message})));
}

function setChannelPosts(s: State, channelId: string, value: ChannelPosts): State {
    return {...s, channelPosts: {...s.channelPosts, [channelId]: value}};
}

/** Adds a post that arrived live (or was just sent) to its channel and thread. */
export function receivePost(post: Post, s: State): State {
    const existed = Boolean(s.posts[post.id]);
    let next = withPosts(s, [post]);
    // A pending copy of our own message is replaced by the server's, which
    // echoes its `pending_post_id` (the HTTP answer and the websocket both).
    const pendingId = post.pending_post_id;
    if (pendingId && pendingId !== post.id && next.posts[pendingId]) {
        next = dropPost(next, pendingId);
    }
    const list = next.channelPosts[post.channel_id];
    if (list && !list.order.includes(post.id)) {
        next = setChannelPosts(next, post.channel_id, {...list, order: mergeOrder(list.order, [post.id], next.posts)});
    }
    if (post.root_id) {
        const thread = next.threads[post.root_id];
        if (thread && !thread.includes(post.id)) {
            next = {...next, threads: {...next.threads, [post.root_id]: mergeOrder(thread, [post.id], next.posts)}};
        }
        const root = next.posts[post.root_id];
        // Pending copies are not counted: the server's copy that replaces one is.
        if (root && !existed && !post.ephemeral && !(post as PendingPost).pending) {
            next = withPosts(next, [{...root, reply_count: (root.reply_count ?? 0) + 1}]);
        }
    }
    return next;
}

function dropPost(s: State, id: string): State {
    const post = s.posts[id];
    if (!post) return s;
    const posts = {...s.posts};
    delete posts[id];
    let next: State = {...s, posts};
    const list = next.channelPosts[post.channel_id];
    if (list) {
        next = setChannelPosts(next, post.channel_id, {...list, order: list.order.filter((x) => x !== id)});
    }
    if (post.root_id && next.threads[post.root_id]) {
        next = {...next, threads: {...next.threads, [post.root_id]: next.threads[post.root_id].filter((x) => x !== id)}};
    }
    return next;
}

/** A deleted post leaves the lists (a deleted root takes its replies along); twice is once. */
export function removePost(post: Post, s: State): State {
    const known = Boolean(s.posts[post.id]);
    let next = dropPost(s, post.id);
    if (!post.root_id) {
        const replies = Object.values(next.posts).filter((p) => p.root_id === post.id).map((p) => p.id);
        replies.forEach((id) => {
            next = dropPost(next, id);
        });
        if (next.rhs.kind === 'thread' && next.rhs.rootId === post.id) {
            next = {...next, rhs: {kind: 'none'}};
        }
    } else if (known) {
        const root = next.posts[post.root_id];
        if (root) {
            next = withPosts(next, [{...root, reply_count: Math.max(0, (root.reply_count ?? 1) - 1)}]);
        }
    }
    return next;
}

export interface PendingPost extends Post {
    pending?: boolean;
    failed?: string;
}

let pendingSeq = 0;

/**
 * Sends what the user typed: a slash command (`/x …`, but not `//x`, which
 * posts `/x`) or a message. Resolves to an error message to show under the
 * box, or '' on success.
 */
export async function send(channelId: string, text: string, rootId = '', files: FileInfo[] = []): Promise<string> {
    const s = getState();
    const me = s.me;
    if (!me) return 'You are not logged in.';
    const trimmed = text.trim();
    if (!trimmed && files.length === 0) return '';
    if (files.length === 0 && trimmed.startsWith('/') && !trimmed.startsWith('//')) {
        try {
            const response = await api.executeCommand({channel_id: channelId, team_id: s.currentTeamId, command: trimmed, root_id: rootId});
            if (response?.goto_location) {
                navigate(response.goto_location);
            }
            return '';
        } catch (e) {
            return e instanceof ApiError ? e.message : String(e);
        }
    }
    const message = trimmed.startsWith('//') ? trimmed.slice(1) : text.replace(/\s+$/, '');
    const pendingId = `${me.id}:${Date.now()}:${pendingSeq++}`;
    const now = Date.now();
    const pending: PendingPost = {
        id: pendingId, create_at: now, update_at: now, edit_at: 0, delete_at: 0, user_id: me.id, channel_id: channelId,
        root_id: rootId, message, type: '', props: {}, pending: true, pending_post_id: pendingId,
        ...(files.length > 0 ? {file_ids: files.map((f) => f.id), metadata: {files}} : {}),
    };
    setState((st) => receivePost(pending, st));
    try {
        const fileIds = files.length > 0 ? {file_ids: files.map((f) => f.id)} : {};
        const created = await api.createPost({channel_id: channelId, message, root_id: rootId, pending_post_id: pendingId, ...fileIds});
        setState((st) => receivePost(created, st));
        return '';
    } catch (e) {
        const reason = e instanceof ApiError ? e.message : String(e);
        setState((st) => withPosts(st, [{...pending, failed: reason} as PendingPost]));
        return reason;
    }
}

/** Retries a failed message (its text stays in the list until then). */
export async function retry(post: PendingPost): Promise<string> {
    setState((s) => dropPost(s, post.id));
    return send(post.channel_id, post.message, post.root_id, post.metadata?.files ?? []);
}

export function discard(post: PendingPost) {
    setState((s) => dropPost(s, post.id));
}

export async function editPost(postId: string, message: string) {
    const updated = await api.patchPost(postId, message);
    setState((s) => withPosts(s, [updated]));
}

export async function deletePost(post: Post) {
    if (post.ephemeral) {
        setState((s) => dropPost(s, post.id));
        return;
    }
    await api.deletePost(post.id);
    setState((s) => removePost(post, s));
}

/** An interactive button or select on a post. */
export async function doPostAction(postId: string, actionId: string, selected?: string): Promise<string> {
    try {
        await api.postAction(postId, actionId, selected);
        return '';
    } catch (e) {
        return e instanceof ApiError ? e.message : String(e);
    }
}
