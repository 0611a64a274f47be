// The left sidebar: team switcher, products (plugin pages), the user's
// channels by sidebar category with unread and mention markers, and the
// ways to add channels and direct messages.

import {useState} from 'react';

import type {Channel, SidebarCategory, StatusName} from '../api/types';
import {useRegistrations} from '../plugins/registry';
import {channelPath, navigate} from '../routing';
import {setMyStatus, STATUS_LABELS} from '../state/presence';
import {logOut} from '../state/session';
import {channelTitle, dmPartnerId, isUnread, mentionCount, setState, useStore, type State} from '../state/store';
import {BrowseChannelsModal, DirectMessageModal, NewChannelModal} from './ChannelModals';
import {Icon} from './Icon';
import {MenuButton} from './Menu';
import {StatusDot} from './StatusDot';

type Open = '' | 'new' | 'browse' | 'dm';

export function Sidebar() {
    const me = useStore((s) => s.me);
    const team = useStore((s) => s.teams[s.currentTeamId]);
    const teams = useStore((s) => s.myTeamIds.map((id) => s.teams[id]).filter(Boolean));
    const connected = useStore((s) => s.connected);
    const registrations = useRegistrations();
    const [open, setOpen] = useState<Open>('');
    if (!me) return null;
    return (
        <nav className='sidebar' aria-label='Channels sidebar'>
            <div className='sidebar-header'>
                <MenuButton label={`${team?.display_name ?? 'No team'} menu`} buttonClass='team-name' items={[
                    ...teams.filter((t) => t.id !== team?.id).map((t) => ({key: t.id, label: `Switch to ${t.display_name}`, onSelect: () => navigate(`/${t.name}`)})),
                    {key: 'teams', label: 'Join or create a team', onSelect: () => navigate('/select_team')},
                    ...registrations.mainMenu.map((m) => ({key: m.id, label: m.text, onSelect: () => m.action()})),
                    {key: 'logout', label: 'Log out', onSelect: () => logOut()},
                ]}>
                    <strong>{team?.display_name ?? 'No team'}</strong>
                    <span className='muted'>@{me.username}{connected ? '' : ' · reconnecting'}</span>
                </MenuButton>
                <StatusMenu userId={me.id}/>
            </div>
            {registrations.products.length > 0 && (
                <ul className='products' aria-label='Products'>
                    {registrations.products.map((p) => (
                        <li key={p.id}><a href={p.baseURL}>{p.switcherText}</a></li>
                    ))}
                </ul>
            )}
            <button type='button' className='find-channel' onClick={() => window.dispatchEvent(new Event('open-quick-switcher'))}>
                Find channel <kbd>Ctrl K</kbd>
            </button>
            <div className='sidebar-actions'>
                <button type='button' onClick={() => setOpen('new')}>+ Channel</button>
                <button type='button' onClick={() => setOpen('browse')}>Browse</button>
                <button type='button' onClick={() => setOpen('dm')}>+ Message</button>
            </div>
            {team && <Categories teamId={team.id} teamName={team.name}/>}
            {open === 'new' && team && <NewChannelModal teamId={team.id} onClose={() => setOpen('')}/>}
            {open === 'browse' && team && <BrowseChannelsModal teamId={team.id} onClose={() => setOpen('')}/>}
            {open === 'dm' && team && <DirectMessageModal teamId={team.id} onClose={() => setOpen('')}/>}
        </nav>
    );
}

/** The user's own status, and the menu to choose it. */
function StatusMenu({userId}: {userId: string}) {
    const status = useStore((s) => s.statuses[userId] ?? 'offline');
    const choose = (next: StatusName) => {
        setMyStatus(next).catch((e) => setState((s) => ({...s, notice: `Could not set your status: ${e.message}`})));
    };
    return (
        <MenuButton label={`Your status: ${STATUS_LABELS[status]}`} buttonClass='icon-button status-button' align='right'
            items={STATUSES.map((name) => ({
                key: name,
                label: <><span className={`status-dot status-${name}`} aria-hidden='true'/>{' '}{STATUS_LABELS[name]}{name === status ? ' (current)' : ''}</>,
                onSelect: () => choose(name),
            }))}>
            <StatusDot userId={userId}/>
        </MenuButton>
    );
}

const STATUSES: StatusName[] = ['online', 'away', 'dnd', 'offline'];

/** The categories to show: the server's, with channels it does not list yet in "Channels"/"Direct Messages". */
export function sidebarSections(s: State, teamId: string): Array<{id: string; title: string; channels: Channel[]}> {
    const mine = (s.myChannelIds[teamId] || []).map((id) => s.channels[id]).filter((c): c is Channel => Boolean(c) && c.delete_at === 0);
    const categories: SidebarCategory[] = s.categories[teamId] || [];
    const placed = new Set<string>();
    const sections: Array<{id: string; type: string; title: string; channels: Channel[]}> = categories.map((cat) => {
        const channels = cat.channel_ids.map((id) => s.channels[id]).filter((c): c is Channel => Boolean(c) && c.delete_at === 0 && mine.includes(c));
        channels.forEach((c) => placed.add(c.id));
        return {id: cat.id, type: cat.type, title: cat.display_name, channels};
    });
    const leftover = mine.filter((c) => !placed.has(c.id));
    const pick = (type: string, title: string, test: (c: Channel) => boolean) => {
        const found = sections.find((x) => x.type === type);
        const section = found ?? {id: type, type, title, channels: []};
        if (!found) {
            sections.push(section);
        }
        section.channels.push(...leftover.filter(test));
    };
    pick('channels', 'Channels', (c) => c.type === 'O' || c.type === 'P');
    pick('direct_messages', 'Direct Messages', (c) => c.type === 'D' || c.type === 'G');
    return sections
        .filter((x) => x.channels.length > 0 || x.type === 'channels')
        .map((x) => ({id: x.id, title: x.title, channels: sortChannels(s, x.channels, x.type)}));
}

function sortChannels(s: State, channels: Channel[], type: string): Channel[] {
    if (type === 'direct_messages') {
        return [...channels].sort((a, b) => b.last_post_at - a.last_post_at);
    }
    return [...channels].sort((a, b) => channelTitle(s, a).localeCompare(channelTitle(s, b)));
}

function Categories({teamId, teamName}: {teamId: string; teamName: string}) {
    const state = useStore((s) => s);
    const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});
    const sections = sidebarSections(state, teamId);
    return (
        <div className='categories'>
            {sections.map((section) => (
                <section key={section.id} className='category' aria-label={section.title}>
                    <h3>
                        <button type='button' aria-expanded={!collapsed[section.id]} onClick={() => setCollapsed({...collapsed, [section.id]: !collapsed[section.id]})}>
                            {collapsed[section.id] ? '▸' : '▾'} {section.title}
                        </button>
                    </h3>
                    <ul>
                        {section.channels
                            .filter((c) => !collapsed[section.id] || isUnread(state, c.id) || c.id === state.currentChannelId)
                            .map((c) => <ChannelLink key={c.id} channel={c} teamName={teamName} state={state}/>)}
                    </ul>
                </section>
            ))}
        </div>
    );
}

function ChannelLink({channel, teamName, state}: {channel: Channel; teamName: string; state: State}) {
    const unread = isUnread(state, channel.id);
    const mentions = mentionCount(state, channel.id);
    const active = state.currentChannelId === channel.id;
    const title = channelTitle(state, channel);
    const partner = channel.type === 'D' && state.me ? state.users[dmPartnerId(channel, state.me.id)] : undefined;
    const href = partner ? `/${teamName}/messages/@${partner.username}` : channelPath(teamName, channel.name);
    const icon = partner ? <StatusDot userId={partner.id}/>
        : channel.type === 'D' ? '@'
            : channel.type === 'G' ? String(channel.display_name.split(', ').length)
                : channel.type === 'P' ? <Icon name='lock' size={12}/> : '#';
    return (
        <li>
            <a
                href={href}
                className={`channel-link-item${active ? ' active' : ''}${unread ? ' unread' : ''}`}
                aria-current={active ? 'page' : undefined}
                aria-label={`${title}${unread ? ', unread' : ''}${mentions ? `, ${mentions} mention${mentions > 1 ? 's' : ''}` : ''}`}
                onClick={() => setState((s) => ({...s, drawerOpen: false}))}
            >
                <span className='channel-icon' aria-hidden='true'>{icon}</span>
                <span className='channel-name'>{title}</span>
                {mentions > 0 && <span className='badge' aria-hidden='true'>{mentions}</span>}
            </a>
        </li>
    );
}
