// Teams and channels: loading a team's channels, memberships (unread
// counts) and sidebar categories; switching channel and marking it read;
// creating, joining, leaving; direct messages.

import {api} from '../api/client';
import type {Channel, Team} from '../api/types';
import {channelPath, navigate} from '../routing';
import {loadOlder, loadPosts, openThread} from './posts';
import {forgetChannel, lastChannel, lastTeam, rememberChannel} from './session';
import {dmPartnerId, failed, getState, isUnread, setState, withChannels, withUsers} from './store';
import {ensureUsers} from './users';

const loadedTeams = new Set<string>();

/** Loads (or reloads) the user's channels, memberships and categories in a team. */
export async function loadTeamChannels(teamId: string) {
    const me = getState().me;
    if (!me) return;
    const [channels, members, categories] = await Promise.all([
        api.myChannels(me.id, teamId),
        api.myMembers(me.id, teamId).catch(() => []),
        api.categories(me.id, teamId).catch(() => ({categories: [], order: []})),
    ]);
    loadedTeams.add(teamId);
    setState((s) => {
        // Message counts only grow: a channel that saw posts live while this
        // answer was on its way keeps its newer counts (and its membership's).
        const newer = (id: string, total: number) => (s.channels[id]?.total_msg_count ?? -1) > total;
        const next = withChannels(s, channels.filter((c) => !newer(c.id, c.total_msg_count)));
        const memberMap = {...next.members};
        const totals = new Map(channels.map((c) => [c.id, c.total_msg_count]));
        members.forEach((m) => {
            if (!newer(m.channel_id, totals.get(m.channel_id) ?? 0)) {
                memberMap[m.channel_id] = m;
            }
        });
        return {
            ...next,
            members: memberMap,
            myChannelIds: {...next.myChannelIds, [teamId]: channels.filter((c) => c.delete_at === 0).map((c) => c.id)},
            categories: {...next.categories, [teamId]: categories.categories},
        };
    });
    const partners = channels.filter((c) => c.type === 'D').map((c) => dmPartnerId(c, me.id));
    await ensureUsers(partners);
}

export function forgetLoadedTeams() {
    loadedTeams.clear();
}

/** Loads a team's channels once (plugin pages show the sidebar too). */
export async function ensureTeamLoaded(teamId: string) {
    if (!loadedTeams.has(teamId)) {
        await loadTeamChannels(teamId);
    }
}

async function ensureTeam(teamName: string): Promise<Team | undefined> {
    const s = getState();
    let team = s.myTeamIds.map((id) => s.teams[id]).find((t) => t?.name === teamName);
    if (!team) {
        // Maybe joined since load (or in another tab).
        const teams = await api.myTeams().catch(() => []);
        setState((st) => ({
            ...st,
            teams: {...st.teams, ...Object.fromEntries(teams.map((t) => [t.id, t]))},
            myTeamIds: teams.filter((t) => t.delete_at === 0).map((t) => t.id),
        }));
        team = teams.find((t) => t.name === teamName);
    }
    if (team) {
        await ensureTeamLoaded(team.id);
    }
    if (team) {
        setState((st) => (st.currentTeamId === team!.id ? st : {...st, currentTeamId: team!.id}));
    }
    return team;
}

/** Where `/` goes: the last channel of the last team, else town-square, else the first channel. */
export async function defaultPath(teamName?: string): Promise<string> {
    const s = getState();
    const teams = s.myTeamIds.map((id) => s.teams[id]).filter(Boolean);
    if (teams.length === 0) {
        return '/select_team';
    }
    const remembered = teamName ?? lastTeam();
    const team = teams.find((t) => t.name === remembered) ?? teams[0];
    const last = lastChannel(team.name);
    if (last) {
        return channelPath(team.name, last);
    }
    await ensureTeam(team.name);
    const st = getState();
    const mine = (st.myChannelIds[team.id] || []).map((id) => st.channels[id]).filter((c) => c && c.type !== 'D' && c.type !== 'G');
    const first = mine.find((c) => c.name === 'town-square') ?? mine.sort((a, b) => a.display_name.localeCompare(b.display_name))[0];
    return channelPath(team.name, first ? first.name : 'town-square');
}

/**
 * Whether the page being opened for `path` is still wanted: every opener
 * checks after each wait, so a slow answer for a channel the user already
 * left never takes the screen from the one they went to.
 */
const wanted = (path: string) => getState().path === path;

/** Shows `/<team>/channels/<name>`: joins a public channel the user is not in yet, as Mattermost does. */
export async function openChannelByName(teamName: string, channelName: string, path = getState().path) {
    const team = await ensureTeam(teamName);
    if (!wanted(path)) return;
    if (!team) {
        setState((s) => ({...s, notice: `You are not a member of the team "${teamName}".`}));
        navigate('/select_team', true);
        return;
    }
    const s = getState();
    let channel = (s.myChannelIds[team.id] || []).map((id) => s.channels[id]).find((c) => c?.name === channelName);
    if (!channel) {
        const found = await api.channelByName(team.id, channelName).catch(() => undefined);
        if (!wanted(path)) return;
        if (found && found.type === 'O' && found.delete_at === 0 && s.me) {
            await api.addMember(found.id, s.me.id);
            await loadTeamChannels(team.id);
            channel = found;
        } else if (found && found.type === 'D') {
            channel = found;
        } else {
            forgetChannel(team.name);
            const fallback = await defaultPath(team.name);
            if (!wanted(path)) return;
            if (fallback === channelPath(team.name, channelName)) {
                // Not even the team's default channel: nothing to show but the sidebar.
                setState((st) => ({...st, currentChannelId: ''}));
                return;
            }
            setState((st) => ({...st, notice: `Channel "${channelName}" was not found, or you cannot see it.`}));
            navigate(fallback, true);
            return;
        }
    }
    if (!wanted(path)) return;
    rememberChannel(team.name, channel.name);
    await selectChannel(channel.id);
}

/** `/<team>/messages/@<username>`: the direct channel with that user, created on first use. */
export async function openDirectMessage(teamName: string, username: string, path = getState().path) {
    const team = await ensureTeam(teamName);
    const me = getState().me;
    if (!wanted(path)) return;
    if (!team || !me) {
        navigate('/select_team', true);
        return;
    }
    const user = await api.userByUsername(username).catch(() => undefined);
    if (!wanted(path)) return;
    if (!user) {
        setState((s) => ({...s, notice: `There is no user @${username}.`}));
        navigate(await defaultPath(team.name), true);
        return;
    }
    const channel = await api.directChannel(me.id, user.id);
    setState((s) => {
        const ids = s.myChannelIds[team.id] || [];
        const next = withUsers(withChannels(s, [channel]), [user]);
        return ids.includes(channel.id) ? next : {...next, myChannelIds: {...next.myChannelIds, [team.id]: [...ids, channel.id]}};
    });
    if (!wanted(path)) return;
    rememberChannel(team.name, channel.name);
    await selectChannel(channel.id);
}

/** Creates (or finds) the group message of the user and `userIds`, and opens it. */
export async function openGroupMessage(teamId: string, userIds: string[]) {
    const channel = await api.groupChannel(userIds);
    await loadTeamChannels(teamId);
    setState((s) => {
        const ids = s.myChannelIds[teamId] || [];
        const next = withChannels(s, [channel]);
        return ids.includes(channel.id) ? next : {...next, myChannelIds: {...next.myChannelIds, [teamId]: [...ids, channel.id]}};
    });
    const team = getState().teams[teamId];
    if (team) navigate(channelPath(team.name, channel.name));
}

/** How many older pages a permalink may load to reach its post (60 posts each). */
const PERMALINK_PAGES = 20;

/** `/<team>/pl/<post id>`: the post's channel, scrolled to the post (older pages loaded until it is there). */
export async function openPermalink(teamName: string, postId: string, path = getState().path) {
    const post = await api.post(postId).catch(() => undefined);
    const team = await ensureTeam(teamName);
    if (!wanted(path)) return;
    if (!post || !team) {
        setState((s) => ({...s, notice: 'That message was not found, or you cannot see it.'}));
        navigate(await defaultPath(team?.name), true);
        return;
    }
    const channel = getState().channels[post.channel_id] ?? (await api.channel(post.channel_id).catch(() => undefined));
    if (!wanted(path)) return;
    if (!channel) {
        navigate(await defaultPath(team.name), true);
        return;
    }
    setState((s) => withChannels(s, [channel]));
    const target = post.root_id || post.id;
    await selectChannel(channel.id);
    for (let page = 0; page < PERMALINK_PAGES && wanted(path); page += 1) {
        const list = getState().channelPosts[channel.id];
        if (!list || list.order.includes(target) || list.complete) break;
        await loadOlder(channel.id);
    }
    if (!wanted(path)) return;
    setState((s) => ({...s, highlight: post.id}));
    if (post.root_id) {
        openThread(post.root_id);
    }
    // The address becomes the channel's (a reload opens the channel, not the jump).
    const route = channel.type === 'D' ? window.location.pathname : channelPath(team.name, channel.name);
    window.history.replaceState({}, '', route);
    setState((s) => ({...s, path: route}));
}

let viewTimer: ReturnType<typeof setTimeout> | undefined;

/** Makes `channelId` the channel on screen and marks it read. */
export async function selectChannel(channelId: string) {
    const s = getState();
    const previous = s.currentChannelId;
    setState((st) => ({
        ...st,
        currentChannelId: channelId,
        highlight: previous === channelId ? st.highlight : '',
        // "New messages" marks what was unread on arrival; nothing when all was read.
        newSince: previous === channelId ? st.newSince : {...st.newSince, [channelId]: isUnread(st, channelId) ? st.members[channelId]?.last_viewed_at ?? 0 : 0},
        rhs: st.rhs.kind === 'thread' && st.posts[st.rhs.rootId]?.channel_id !== channelId ? {kind: 'none'} : st.rhs,
    }));
    if (!getState().channelPosts[channelId]) {
        await loadPosts(channelId);
    }
    markViewed(channelId, previous === channelId ? '' : previous);
}

/** Tells the server the user has read the channel (debounced: many posts, one call). */
export function markViewed(channelId: string, previous = '') {
    const me = getState().me;
    if (!me || !channelId) return;
    setState((st) => {
        const member = st.members[channelId];
        const channel = st.channels[channelId];
        if (!member || !channel || (member.msg_count === channel.total_msg_count && member.mention_count === 0)) {
            return st;
        }
        return {...st, members: {...st.members, [channelId]: {...member, msg_count: channel.total_msg_count, mention_count: 0, last_viewed_at: Date.now()}}};
    });
    clearTimeout(viewTimer);
    viewTimer = setTimeout(() => {
        api.viewChannel(me.id, channelId, previous).catch(failed('mark the channel read'));
    }, previous ? 0 : 500);
}

export async function createChannel(teamId: string, displayName: string, isPrivate: boolean, purpose: string): Promise<Channel> {
    const channel = await api.createChannel({team_id: teamId, display_name: displayName.trim(), name: slug(displayName), type: isPrivate ? 'P' : 'O', purpose});
    await loadTeamChannels(teamId);
    const team = getState().teams[teamId];
    if (team) navigate(channelPath(team.name, channel.name));
    return channel;
}

/** A URL name for a display name: lowercase letters, digits and dashes (Mattermost's rule), or a random one. */
export function slug(displayName: string): string {
    const base = displayName.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
    return base.length >= 2 ? base : `${base || 'channel'}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function joinChannel(channel: Channel) {
    const s = getState();
    const team = s.teams[channel.team_id];
    if (!s.me || !team) return;
    await api.addMember(channel.id, s.me.id);
    await loadTeamChannels(team.id);
    navigate(channelPath(team.name, channel.name));
}

export async function leaveChannel(channelId: string) {
    const s = getState();
    const channel = s.channels[channelId];
    if (!s.me || !channel) return;
    await api.removeMember(channelId, s.me.id);
    const teamId = channel.team_id || s.currentTeamId;
    setState((st) => ({...st, myChannelIds: {...st.myChannelIds, [teamId]: (st.myChannelIds[teamId] || []).filter((id) => id !== channelId)}}));
    await loadTeamChannels(teamId);
    const team = getState().teams[teamId];
    navigate(await defaultPath(team?.name), true);
}
