// Reactions live on their post (`metadata.reactions`, as the server sends
// them): the HTTP answers and the websocket events both go through
// `applyReaction`, which is idempotent, so whichever arrives first wins and
// the other changes nothing.

import {api} from '../api/client';
import type {Post, Reaction} from '../api/types';
import {getState, setState, withPosts, type State} from './store';

export function reactionsOf(post: Post): Reaction[] {
    return post.metadata?.reactions ?? [];
}

const same = (a: Reaction, b: Reaction) => a.user_id === b.user_id && a.emoji_name === b.emoji_name;

/** `s` with a reaction added to or removed from its post (if the post is known). */
export function applyReaction(s: State, reaction: Reaction, added: boolean): State {
    const post = s.posts[reaction.post_id];
    if (!post) return s;
    const current = reactionsOf(post);
    const present = current.some((r) => same(r, reaction));
    if (present === added) return s;
    const reactions = added ? [...current, reaction] : current.filter((r) => !same(r, reaction));
    const metadata = {...(post.metadata || {})};
    if (reactions.length) {
        metadata.reactions = reactions;
    } else {
        delete metadata.reactions;
    }
    return withPosts(s, [{...post, has_reactions: reactions.length > 0, metadata}]);
}

export interface ReactionGroup {
    emoji: string;
    userIds: string[];
    mine: boolean;
}

/** Reactions by emoji, in the order each emoji was first used. */
export function groupReactions(reactions: Reaction[], me: string): ReactionGroup[] {
    const groups = new Map<string, ReactionGroup>();
    [...reactions].sort((a, b) => a.create_at - b.create_at).forEach((r) => {
        const group = groups.get(r.emoji_name) || {emoji: r.emoji_name, userIds: [], mine: false};
        group.userIds.push(r.user_id);
        group.mine = group.mine || r.user_id === me;
        groups.set(r.emoji_name, group);
    });
    return [...groups.values()];
}

/** Adds the user's reaction, or removes it when they already reacted so. */
export async function toggleReaction(post: Post, emoji: string) {
    const me = getState().me;
    if (!me) return;
    const mine = reactionsOf(getState().posts[post.id] || post).some((r) => r.user_id === me.id && r.emoji_name === emoji);
    if (mine) {
        await api.removeReaction(me.id, post.id, emoji);
        setState((s) => applyReaction(s, {user_id: me.id, post_id: post.id, emoji_name: emoji, create_at: 0}, false));
    } else {
        const reaction = await api.addReaction(me.id, post.id, emoji);
        setState((s) => applyReaction(s, reaction, true));
    }
}
