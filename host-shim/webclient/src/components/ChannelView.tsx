// The channel on screen: header (name, Markdown header, plugin buttons,
// channel menu), its posts and the message box.

import {useState} from 'react';

import type {Channel} from '../api/types';
import {useRegistrations} from '../plugins/registry';
import {leaveChannel} from '../state/channels';
import {setFavorite} from '../state/presence';
import {channelTitle, dmPartnerId, getState, setState, useStore} from '../state/store';
import {EditHeaderModal, MembersModal} from './ChannelModals';
import {DrawerToggle, Icon} from './Icon';
import {MenuButton} from './Menu';
import {Markdown} from './Markdown';
import {MessageBox, attachFiles} from './MessageBox';
import {PostList} from './PostList';
import {SearchBox} from './Search';
import {StatusDot} from './StatusDot';

export function ChannelView() {
    const channel = useStore((s) => s.channels[s.currentChannelId]);
    const noChannels = useStore((s) => s.myChannelIds[s.currentTeamId]?.length === 0);
    if (!channel) {
        return (
            <main className='center'>
                <header className='channel-header'>
                    <DrawerToggle/>
                </header>
                <p className='muted center-empty'>{noChannels ? 'You are not in any channel of this team yet: create one or browse the channels in the sidebar.' : 'Loading…'}</p>
            </main>
        );
    }
    return (
        <main className='center' aria-label={`Channel ${channel.display_name || channel.name}`}
            onDragOver={(e) => {
                if (Array.from(e.dataTransfer?.types ?? []).includes('Files')) e.preventDefault();
            }}
            onDrop={(e) => {
                const dropped = Array.from(e.dataTransfer?.files ?? []);
                if (dropped.length > 0) {
                    e.preventDefault();
                    attachFiles(channel.id, '', dropped);
                }
            }}>
            <ChannelHeader channel={channel}/>
            {/* Keyed: scroll position, "load older" and anchors belong to one channel. */}
            <PostList key={channel.id} channelId={channel.id}/>
            <MessageBox channelId={channel.id} placeholder={`Write to ${channelTitle(getState(), channel)}`}/>
        </main>
    );
}

function ChannelHeader({channel}: {channel: Channel}) {
    const title = useStore((s) => channelTitle(s, channel));
    const member = useStore((s) => s.members[channel.id]);
    const registrations = useRegistrations();
    const [modal, setModal] = useState<'' | 'edit' | 'members'>('');
    const icon = channel.type === 'D' ? '@' : channel.type === 'P' ? <Icon name='lock' size={14}/> : '#';
    const regular = channel.type === 'O' || channel.type === 'P';
    const favorite = useStore((s) => s.favorites.includes(channel.id));
    const partner = useStore((s) => (channel.type === 'D' && s.me ? dmPartnerId(channel, s.me.id) : ''));
    const toggleFavorite = () => {
        setFavorite(channel.id, !favorite).catch((e) => setState((s) => ({...s, notice: `Could not change favorites: ${e.message}`})));
    };
    return (
        <header className='channel-header'>
            <DrawerToggle/>
            <div className='channel-header-text'>
                <div className='channel-title-row'>
                    <h1><span aria-hidden='true' className='channel-icon'>{icon}</span> {title}</h1>
                    {partner && <StatusDot userId={partner}/>}
                    <button type='button' className={`icon-button favorite-button${favorite ? ' on' : ''}`} aria-pressed={favorite}
                        aria-label={favorite ? 'Remove from favorites' : 'Add to favorites'} title={favorite ? 'Remove from favorites' : 'Add to favorites'}
                        onClick={toggleFavorite}>{favorite ? '★' : '☆'}</button>
                </div>
                {channel.header && <Markdown inline className='channel-header-markdown' text={channel.header}/>}
            </div>
            <SearchBox/>
            <div className='channel-header-buttons'>
                {registrations.headerButtons.map((b) => (
                    <button key={b.id} type='button' className='icon-button header-plugin-button' aria-label={b.tooltipText || b.dropdownText} title={b.tooltipText || b.dropdownText}
                        onClick={() => b.action(channel, member)}>
                        {b.icon}
                    </button>
                ))}
                <button type='button' className='icon-button' aria-label='Members' title='Members' onClick={() => setModal('members')}><Icon name='members'/></button>
                <MenuButton label='Channel menu' buttonClass='icon-button' align='right' items={[
                    {key: 'edit', label: 'Edit channel', onSelect: () => setModal('edit')},
                    {key: 'members', label: 'Members', onSelect: () => setModal('members')},
                    ...registrations.channelMenu.map((m) => ({key: m.id, label: m.text, onSelect: () => m.action(channel.id)})),
                    ...(regular && channel.name !== 'town-square'
                        ? [{key: 'leave', label: 'Leave channel', danger: true, onSelect: () => {
                            leaveChannel(channel.id).catch((e) => setState((s) => ({...s, notice: e.message})));
                        }}]
                        : []),
                ]}>
                    <Icon name='dots'/>
                </MenuButton>
            </div>
            {modal === 'edit' && <EditHeaderModal channel={channel} onClose={() => setModal('')}/>}
            {modal === 'members' && <MembersModal channel={channel} onClose={() => setModal('')}/>}
        </header>
    );
}
