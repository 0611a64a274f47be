// What the websocket's events do to the state. Every event also goes to
// the plugins' registered handlers. After a reconnect the client refetches
// what may have changed meanwhile (the server does not replay events).

import type {Channel, OpenDialog, Post, Preference, Reaction, StatusName, WsMessage} from '../api/types';
import {EventSocket} from '../api/websocket';
import {dispatchPluginEvent, notifyReconnect} from '../plugins/registry';
import {navigate} from '../routing';
import {defaultPath, loadTeamChannels, markViewed} from './channels';
import {loadPosts, loadThread, receivePost, removePost} from './posts';
import {applyReaction} from './reactions';
import {receivePreferences, receiveStatus, receiveTyping, refreshStatuses, stopTyping} from './presence';
import {failed, getState, setState, withChannels} from './store';
import {ensureUsers} from './users';

let socket: EventSocket | undefined;

/** Coming back to the tab: what arrived meanwhile in the channel on screen is now seen. */
function onVisible() {
    const s = getState();
    if (document.visibilityState === 'visible' && s.currentChannelId) {
        markViewed(s.currentChannelId);
    }
}

export function startEvents() {
    document.addEventListener('visibilitychange', onVisible);
    socket?.stop();
    socket = new EventSocket({
        onEvent: (message) => {
            try {
                handleEvent(message);
            } finally {
                dispatchPluginEvent(message);
            }
        },
        onOpen: (reconnected) => {
            setState((s) => ({...s, connected: true}));
            // Even the first hello can come after the page loaded the
            // channel: a post made in between reached neither, so what is
            // on screen is refetched whenever the stream (re)opens.
            resync();
            if (reconnected) {
                notifyReconnect();
            }
        },
        onClose: () => setState((s) => ({...s, connected: false})),
    });
    socket.start();
}

export function stopEvents() {
    document.removeEventListener('visibilitychange', onVisible);
    socket?.stop();
    socket = undefined;
}

export function sendTyping(channelId: string, parentId = '') {
    socket?.send('user_typing', {channel_id: channelId, parent_id: parentId});
}

/** How often, at most, typing in one box is announced (the server drops more than one a second). */
export const TYPING_EVERY_MS = 2000;
const typedAt = new Map<string, number>();

/** The user typed in a message box: tells the others, throttled. Returns whether it did. */
export function typed(channelId: string, parentId = '', now = Date.now()): boolean {
    const key = `${channelId}:${parentId}`;
    if (now - (typedAt.get(key) ?? -Infinity) < TYPING_EVERY_MS) return false;
    typedAt.set(key, now);
    sendTyping(channelId, parentId);
    return true;
}

function parse<T>(value: unknown): T | undefined {
    if (typeof value !== 'string') {
        return value as T | undefined;
    }
    try {
        return JSON.parse(value) as T;
    } catch {
        return undefined;
    }
}

/** Whether the user is looking at this channel right now. */
function watching(channelId: string): boolean {
    return getState().currentChannelId === channelId && typeof document !== 'undefined' && document.visibilityState !== 'hidden';
}

export function handleEvent(message: WsMessage) {
    const data = message.data || {};
    const me = getState().me;
    switch (message.event) {
    case 'posted': {
        const post = parse<Post>(data.post);
        if (!post) return;
        const mentions = parse<string[]>(data.mentions) || [];
        setState((s) => {
            let next = receivePost(post, s);
            const channel = next.channels[post.channel_id];
            if (channel) {
                next = withChannels(next, [{...channel, total_msg_count: channel.total_msg_count + 1, last_post_at: post.create_at}]);
                const member = next.members[post.channel_id];
                if (member) {
                    const own = post.user_id === me?.id;
                    const mentioned = !own && me && mentions.includes(me.id);
                    next = {...next, members: {...next.members, [post.channel_id]: {
                        ...member,
                        msg_count: own ? member.msg_count + 1 : member.msg_count,
                        mention_count: member.mention_count + (mentioned ? 1 : 0),
                    }}};
                }
            }
            return next;
        });
        ensureUsers([post.user_id]);
        stopTyping(post.channel_id, post.user_id, post.root_id);
        if (!getState().channels[post.channel_id]) {
            // A channel we did not know: a new DM, or someone added us.
            const team = getState().currentTeamId;
            if (team) loadTeamChannels(team).catch(failed('load a new channel'));
        } else if (watching(post.channel_id) && post.user_id !== me?.id) {
            markViewed(post.channel_id);
        }
        return;
    }
    case 'post_edited': {
        const post = parse<Post>(data.post);
        if (post) setState((s) => (s.posts[post.id] ? {...s, posts: {...s.posts, [post.id]: {...post, reply_count: s.posts[post.id].reply_count}}} : s));
        return;
    }
    case 'post_deleted': {
        const post = parse<Post>(data.post);
        if (post) setState((s) => removePost(post, s));
        return;
    }
    case 'reaction_added':
    case 'reaction_removed': {
        const reaction = parse<Reaction>(data.reaction);
        if (reaction?.post_id) {
            setState((s) => applyReaction(s, reaction, message.event === 'reaction_added'));
            ensureUsers([reaction.user_id]);
        }
        return;
    }
    case 'ephemeral_message': {
        const post = parse<Post>(data.post);
        if (post) {
            setState((s) => receivePost({...post, ephemeral: true}, s));
            ensureUsers([post.user_id]);
        }
        return;
    }
    case 'open_dialog': {
        const dialog = parse<OpenDialog>(data.dialog);
        if (dialog?.dialog) setState((s) => ({...s, dialog}));
        return;
    }
    case 'channel_viewed': {
        const channelId = String(data.channel_id || '');
        setState((s) => {
            const member = s.members[channelId];
            const channel = s.channels[channelId];
            if (!member || !channel) return s;
            return {...s, members: {...s.members, [channelId]: {...member, msg_count: channel.total_msg_count, mention_count: 0}}};
        });
        return;
    }
    case 'channel_updated': {
        const channel = parse<Channel>(data.channel);
        if (channel) setState((s) => withChannels(s, [channel]));
        return;
    }
    case 'channel_deleted': {
        const channelId = String(data.channel_id || message.broadcast.channel_id || '');
        setState((s) => (s.channels[channelId] ? withChannels(s, [{...s.channels[channelId], delete_at: Number(data.delete_at) || Date.now()}]) : s));
        return;
    }
    case 'status_change': {
        const who = String(data.user_id || '');
        const status = String(data.status || '') as StatusName;
        if (who && ['online', 'away', 'offline', 'dnd'].includes(status)) receiveStatus(who, status);
        return;
    }
    case 'typing': {
        const who = String(data.user_id || '');
        const channelId = String(message.broadcast.channel_id || '');
        if (who && channelId && who !== me?.id) {
            receiveTyping(channelId, who, String(data.parent_id || ''));
            ensureUsers([who]);
        }
        return;
    }
    case 'preferences_changed':
    case 'preferences_deleted': {
        const preferences = parse<Preference[]>(data.preferences);
        if (Array.isArray(preferences)) receivePreferences(preferences, message.event === 'preferences_deleted');
        return;
    }
    case 'group_added': {
        const team = getState().currentTeamId;
        if (team) loadTeamChannels(team).catch(failed('refresh the channel list'));
        return;
    }
    case 'channel_created':
    case 'user_added': {
        const who = String(data.user_id || message.broadcast.user_id || '');
        const teamId = String(data.team_id || getState().currentTeamId);
        if ((message.event === 'channel_created' || who === me?.id) && teamId) {
            loadTeamChannels(teamId).catch(failed('refresh the channel list'));
        }
        return;
    }
    case 'user_removed': {
        const who = String(data.user_id || message.broadcast.user_id || '');
        const channelId = String(data.channel_id || message.broadcast.channel_id || '');
        if (who && who === me?.id && channelId) {
            const teamId = getState().channels[channelId]?.team_id || getState().currentTeamId;
            setState((s) => ({...s, myChannelIds: {...s.myChannelIds, [teamId]: (s.myChannelIds[teamId] || []).filter((id) => id !== channelId)}}));
            if (getState().currentChannelId === channelId) {
                const team = getState().teams[teamId];
                setState((s) => ({...s, notice: 'You were removed from the channel.'}));
                defaultPath(team?.name).then((p) => navigate(p, true));
            }
            loadTeamChannels(teamId).catch(failed('refresh the channel list'));
        }
        return;
    }
    default:
    }
}

/**
 * After a reconnect: events may have been missed, so every other channel's
 * and thread's posts are dropped (reloaded when opened), and the current
 * channel, its open thread and every unread count are fetched again.
 */
export function resync() {
    setState((st) => ({
        ...st,
        channelPosts: st.channelPosts[st.currentChannelId] ? {[st.currentChannelId]: st.channelPosts[st.currentChannelId]} : {},
        threads: {},
    }));
    refreshStatuses();
    const s = getState();
    if (s.rhs.kind === 'thread') {
        loadThread(s.rhs.rootId).catch(failed('reload the thread', true));
    }
    if (s.currentChannelId) {
        loadPosts(s.currentChannelId).catch(failed('reload the messages after reconnecting', true));
    }
    if (s.currentTeamId) {
        loadTeamChannels(s.currentTeamId).catch(failed('refresh unread counts after reconnecting'));
    }
}
