// Reusable pickers: a search-as-you-type combobox (WAI-ARIA combobox with a
// listbox popup: arrows move, Enter picks, Escape closes), and on top of it
// user and channel pickers backed by the Host (the server's
// `/api/v4/users/autocomplete` and the caller's channels), plus "chips"
// fields for lists of users or channels with a remove button each.

import React, {useEffect, useId, useRef, useState} from 'react';

import type {ChannelInfo, Host, UserInfo} from '../host';
import {useChannelName, useUsername} from './common';

export interface Option<T = unknown> {
    id: string;
    label: string;
    detail?: string;
    value: T;
}

const DEBOUNCE_MS = 150;

export function Autocomplete<T>({label, search, onPick, exclude = [], placeholder, disabled}: {
    /** The accessible name of the input. */
    label: string;
    search: (query: string) => Promise<Array<Option<T>>>;
    onPick: (option: Option<T>) => unknown;
    /** Ids not to offer (already chosen). */
    exclude?: string[];
    placeholder?: string;
    disabled?: boolean;
}) {
    const listId = useId();
    const [query, setQuery] = useState('');
    const [options, setOptions] = useState<Array<Option<T>>>([]);
    const [open, setOpen] = useState(false);
    const [active, setActive] = useState(0);
    const [error, setError] = useState('');
    const [loading, setLoading] = useState(false);
    // Answers can arrive out of order; only the latest query's counts.
    const seq = useRef(0);
    useEffect(() => {
        if (!open) {
            return undefined;
        }
        const mine = ++seq.current;
        const t = window.setTimeout(() => {
            setLoading(true);
            search(query.trim())
                .then((found) => {
                    if (mine === seq.current) {
                        setOptions(found.filter((o) => !exclude.includes(o.id)));
                        setActive(0);
                        setError('');
                    }
                })
                .catch((e) => mine === seq.current && setError(e instanceof Error ? e.message : String(e)))
                .finally(() => mine === seq.current && setLoading(false));
        }, DEBOUNCE_MS);
        return () => window.clearTimeout(t);
        // `search` and `exclude` are usually fresh closures/arrays each render; the query drives the search.
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [query, open]);
    const pick = (o: Option<T> | undefined) => {
        if (!o) {
            return;
        }
        onPick(o);
        setQuery('');
        setOpen(false);
        setOptions([]);
    };
    const keys = (e: React.KeyboardEvent<HTMLInputElement>) => {
        switch (e.key) {
        case 'ArrowDown':
            e.preventDefault();
            if (!open) {
                setOpen(true);
            } else {
                setActive((a) => Math.min(a + 1, options.length - 1));
            }
            break;
        case 'ArrowUp':
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
            break;
        case 'Enter':
            // Never submit the surrounding form from the picker.
            e.preventDefault();
            if (open) {
                pick(options[active]);
            }
            break;
        case 'Escape':
            if (open) {
                e.stopPropagation();
                setOpen(false);
            }
            break;
        }
    };
    const shown = open && (options.length > 0 || loading || error || query.trim() !== '');
    const optionId = (i: number) => `${listId}-o${i}`;
    return (
        <div className='pb-picker'>
            <input
                type='text'
                role='combobox'
                aria-label={label}
                aria-autocomplete='list'
                aria-expanded={Boolean(shown)}
                aria-controls={listId}
                aria-activedescendant={shown && options[active] ? optionId(active) : undefined}
                autoComplete='off'
                placeholder={placeholder}
                disabled={disabled}
                value={query}
                onChange={(e) => {
                    setQuery(e.target.value);
                    setOpen(true);
                }}
                onFocus={() => query && setOpen(true)}
                onBlur={() => setOpen(false)}
                onKeyDown={keys}
            />
            {shown && (
                <ul role='listbox' id={listId} aria-label={`${label} suggestions`} className='pb-picker-list'>
                    {options.map((o, i) => (
                        <li
                            key={o.id}
                            id={optionId(i)}
                            role='option'
                            aria-selected={i === active}
                            className={i === active ? 'pb-picker-active' : ''}
                            // mousedown, not click: the input's blur would close the list first.
                            onMouseDown={(e) => {
                                e.preventDefault();
                                pick(o);
                            }}
                        >
                            {o.label}{o.detail && <span className='pb-muted'> {o.detail}</span>}
                        </li>
                    ))}
                    {options.length === 0 && !error && <li role='presentation' className='pb-muted'>{loading ? 'Searching…' : 'No matches'}</li>}
                    {error && <li role='alert' className='pb-error'>{error}</li>}
                </ul>
            )}
        </div>
    );
}

function fullName(u: UserInfo): string {
    return [u.first_name, u.last_name].filter(Boolean).join(' ') || u.nickname || '';
}

/** Picks one user of the team by username prefix. */
export function UserPicker({host, label, onPick, exclude, placeholder = '@username', disabled}: {
    host: Host;
    label: string;
    onPick: (user: UserInfo) => unknown;
    exclude?: string[];
    placeholder?: string;
    disabled?: boolean;
}) {
    const search = async (q: string) => (await host.searchUsers(q)).map((u) => ({id: u.id, label: `@${u.username}`, detail: fullName(u), value: u}));
    return <Autocomplete label={label} search={search} onPick={(o) => onPick(o.value)} exclude={exclude} placeholder={placeholder} disabled={disabled}/>;
}

/** Picks one of the caller's channels in the team. */
export function ChannelPicker({host, label, onPick, exclude, disabled}: {
    host: Host;
    label: string;
    onPick: (channel: ChannelInfo) => unknown;
    exclude?: string[];
    disabled?: boolean;
}) {
    const search = async (q: string) => (await host.searchChannels(q)).map((c) => ({id: c.id, label: c.display_name || c.name, detail: `~${c.name}`, value: c}));
    return <Autocomplete label={label} search={search} onPick={(o) => onPick(o.value)} exclude={exclude} placeholder='~channel' disabled={disabled}/>;
}

function UserChip({host, id, onRemove, removeLabel}: {host: Host; id: string; onRemove?: () => void; removeLabel: (name: string) => string}) {
    const name = useUsername(host, id);
    return (
        <li className='pb-chip'>
            <span className='pb-user'>@{name}</span>
            {onRemove && <button type='button' className='pb-chip-remove' aria-label={removeLabel(`@${name}`)} onClick={onRemove}>×</button>}
        </li>
    );
}

/** A list of users, each removable, and a picker to add one. */
export function UsersField({host, label, ids, onChange, disabled, addLabel, removeLabel}: {
    host: Host;
    /** Names the group; by default the picker is "Add <label>" and each remove button "Remove @name from <label>". */
    label: string;
    ids: string[];
    onChange: (ids: string[]) => unknown;
    disabled?: boolean;
    addLabel?: string;
    removeLabel?: (name: string) => string;
}) {
    return (
        <div className='pb-chips-field' role='group' aria-label={label}>
            {ids.length > 0 && (
                <ul className='pb-chips'>
                    {ids.map((id) => (
                        <UserChip key={id} host={host} id={id} removeLabel={removeLabel || ((n) => `Remove ${n} from ${label}`)}
                            onRemove={disabled ? undefined : () => onChange(ids.filter((x) => x !== id))}/>
                    ))}
                </ul>
            )}
            {!disabled && <UserPicker host={host} label={addLabel || `Add ${label}`} exclude={ids} onPick={(u) => onChange([...ids, u.id])}/>}
        </div>
    );
}

function ChannelChip({host, id, onRemove, label}: {host: Host; id: string; onRemove: () => void; label: string}) {
    const name = useChannelName(host, id);
    return (
        <li className='pb-chip'>
            <span>~{name}</span>
            <button type='button' className='pb-chip-remove' aria-label={`Remove ${name} from ${label}`} onClick={onRemove}>×</button>
        </li>
    );
}

export function ChannelsField({host, label, ids, onChange}: {host: Host; label: string; ids: string[]; onChange: (ids: string[]) => unknown}) {
    return (
        <div className='pb-chips-field' role='group' aria-label={label}>
            {ids.length > 0 && (
                <ul className='pb-chips'>
                    {ids.map((id) => <ChannelChip key={id} host={host} id={id} label={label} onRemove={() => onChange(ids.filter((x) => x !== id))}/>)}
                </ul>
            )}
            <ChannelPicker host={host} label={`Add ${label}`} exclude={ids} onPick={(c) => onChange([...ids, c.id])}/>
        </div>
    );
}
