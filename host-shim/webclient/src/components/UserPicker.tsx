// Pick a user by typing part of their name (the server's autocomplete).

import {useEffect, useState} from 'react';

import {api} from '../api/client';
import type {User} from '../api/types';
import {setState, useStore, withUsers} from '../state/store';
import {useListKeys} from './useListKeys';

export function UserPicker({teamId, label, onPick, exclude = []}: {teamId: string; label: string; onPick: (u: User) => void; exclude?: string[]}) {
    const [term, setTerm] = useState('');
    const [found, setFound] = useState<User[]>([]);
    const [error, setError] = useState('');
    const {active, setActive, onKeyDown} = useListKeys(found, onPick);
    const me = useStore((s) => s.me?.id);
    useEffect(() => {
        let live = true;
        const t = setTimeout(() => {
            api.autocompleteUsers(teamId, term.replace(/^@/, ''))
                .then((r) => {
                    if (!live) return;
                    const users = [...r.users, ...(r.out_of_channel || [])];
                    setState((s) => withUsers(s, users));
                    setFound(users.filter((u) => !exclude.includes(u.id) && u.delete_at === 0));
                    setActive(0);
                    setError('');
                })
                .catch((e) => live && setError(e.message));
        }, 120);
        return () => {
            live = false;
            clearTimeout(t);
        };
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [teamId, term, exclude.join(',')]);
    return (
        <div className='user-picker'>
            <label>{label}
                <input role='combobox' aria-expanded={found.length > 0} aria-controls='user-picker-list' aria-autocomplete='list' autoFocus
                    placeholder='Type a name' value={term} onChange={(e) => setTerm(e.target.value)} onKeyDown={onKeyDown}/>
            </label>
            {error && <p className='form-error' role='alert'>{error}</p>}
            <ul id='user-picker-list' role='listbox' className='picker-list'>
                {found.map((u, i) => (
                    <li key={u.id} role='option' aria-selected={i === active} className={i === active ? 'active' : ''}
                        onMouseDown={(e) => {
                            e.preventDefault();
                            onPick(u);
                        }}>
                        <strong>@{u.username}</strong> {fullName(u)} {u.id === me && <span className='muted'>(you)</span>} {u.is_bot && <span className='tag'>BOT</span>}
                    </li>
                ))}
                {found.length === 0 && !error && <li className='muted' role='presentation'>No one matches.</li>}
            </ul>
        </div>
    );
}

export function fullName(u: User): string {
    return [u.first_name, u.last_name].filter(Boolean).join(' ') || u.nickname || '';
}
