// Ctrl+K / Cmd+K: jump to any of the user's channels or direct messages by
// typing part of its name (unread ones first), as in Mattermost.

import {useEffect, useState} from 'react';

import {channelPath, dmPath, navigate} from '../routing';
import {channelTitle, isUnread, useStore, type State} from '../state/store';
import {Modal} from './Modal';
import {useListKeys} from './useListKeys';

export interface SwitchItem {
    id: string;
    title: string;
    path: string;
    unread: boolean;
}

/** The user's channels in the current team matching `term`: unread first, then by name. */
export function switchItems(s: State, term: string): SwitchItem[] {
    const team = s.teams[s.currentTeamId];
    if (!team) return [];
    const needle = term.trim().toLowerCase().replace(/^[@~#]/, '');
    return (s.myChannelIds[team.id] || [])
        .map((id) => s.channels[id])
        .filter((c) => c && c.delete_at === 0)
        .map((c) => {
            const title = channelTitle(s, c);
            return {id: c.id, title, path: c.type === 'D' ? dmPath(team.name, title) : channelPath(team.name, c.name), unread: isUnread(s, c.id), name: c.name};
        })
        .filter((c) => !needle || c.title.toLowerCase().includes(needle) || c.name.includes(needle))
        .sort((a, b) => Number(b.unread) - Number(a.unread) || a.title.localeCompare(b.title))
        .slice(0, 30)
        .map(({id, title, path, unread}) => ({id, title, path, unread}));
}

export function QuickSwitcher() {
    const [open, setOpen] = useState(false);
    useEffect(() => {
        const onKey = (e: KeyboardEvent) => {
            if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
                e.preventDefault();
                setOpen((o) => !o);
            }
        };
        const onOpen = () => setOpen(true);
        window.addEventListener('keydown', onKey);
        window.addEventListener('open-quick-switcher', onOpen);
        return () => {
            window.removeEventListener('keydown', onKey);
            window.removeEventListener('open-quick-switcher', onOpen);
        };
    }, []);
    if (!open) return null;
    return <SwitcherDialog onClose={() => setOpen(false)}/>;
}

function SwitcherDialog({onClose}: {onClose: () => void}) {
    const [term, setTerm] = useState('');
    const items = useStore((s) => switchItems(s, term));
    const go = (item: SwitchItem | undefined) => {
        if (item) {
            navigate(item.path);
            onClose();
        }
    };
    const {active, setActive, onKeyDown} = useListKeys(items, go);
    return (
        <Modal title='Find a channel' onClose={onClose}>
            <label>Channel or person
                <input role='combobox' aria-expanded='true' aria-controls='switcher-list' aria-autocomplete='list' autoFocus value={term}
                    aria-activedescendant={items[active] ? `switch-${items[active].id}` : undefined}
                    onChange={(e) => {
                        setTerm(e.target.value);
                        setActive(0);
                    }}
                    onKeyDown={onKeyDown}/>
            </label>
            <ul id='switcher-list' role='listbox' className='picker-list'>
                {items.map((item, i) => (
                    <li key={item.id} id={`switch-${item.id}`} role='option' aria-selected={i === active} className={i === active ? 'active' : ''}
                        onMouseDown={(e) => {
                            e.preventDefault();
                            go(item);
                        }}>
                        {item.unread ? <strong>{item.title}</strong> : item.title}
                    </li>
                ))}
                {items.length === 0 && <li className='muted' role='presentation'>Nothing matches.</li>}
            </ul>
        </Modal>
    );
}
