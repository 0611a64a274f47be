// The emoji picker: a search box over the server's whole standard set, by
// category. Keyboard: type to filter, arrows move through the grid, Enter
// picks, Escape closes; focus stays in the search box (the grid is a
// listbox it points into with aria-activedescendant). A click outside closes.

import {useEffect, useId, useMemo, useRef, useState} from 'react';

import type {StandardEmoji} from '../api/types';
import {searchEmoji, useEmojiList} from '../state/emoji';

/** Emoji per row of the grid (matches the CSS), for Up and Down. */
export const PICKER_COLUMNS = 8;

interface Props {
    onPick: (name: string) => void;
    onClose: () => void;
    /** Tests hand the list in; the app loads it from the server. */
    emoji?: StandardEmoji[];
}

export function EmojiPicker({onPick, onClose, emoji}: Props) {
    const loaded = useEmojiList(!emoji);
    const all = emoji ?? loaded;
    const [query, setQuery] = useState('');
    const [active, setActive] = useState(0);
    const root = useRef<HTMLDivElement>(null);
    const id = useId();
    const visible = useMemo(() => (all ? searchEmoji(all, query) : []), [all, query]);
    const sections = useMemo(() => {
        const byCategory = new Map<string, Array<{emoji: StandardEmoji; index: number}>>();
        visible.forEach((e, index) => {
            const list = byCategory.get(e.category) || [];
            list.push({emoji: e, index});
            byCategory.set(e.category, list);
        });
        return [...byCategory.entries()];
    }, [visible]);

    useEffect(() => {
        const outside = (e: MouseEvent) => {
            if (root.current && !root.current.contains(e.target as Node)) onClose();
        };
        document.addEventListener('mousedown', outside);
        return () => document.removeEventListener('mousedown', outside);
    }, [onClose]);

    useEffect(() => {
        const option = root.current?.querySelector(`[data-index="${active}"]`) as HTMLElement | null;
        option?.scrollIntoView?.({block: 'nearest'});
    }, [active]);

    const move = (delta: number) => setActive((a) => Math.max(0, Math.min(visible.length - 1, a + delta)));
    const onKeyDown = (e: React.KeyboardEvent) => {
        const step: Record<string, number> = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: PICKER_COLUMNS, ArrowUp: -PICKER_COLUMNS};
        if (e.key in step) {
            e.preventDefault();
            move(step[e.key]);
        } else if (e.key === 'Enter') {
            e.preventDefault();
            const chosen = visible[active];
            if (chosen) onPick(chosen.name);
        } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onClose();
        }
    };
    const optionId = (index: number) => `${id}-emoji-${index}`;

    return (
        <div className='emoji-picker' role='dialog' aria-label='Choose an emoji' ref={root}>
            <input type='search' className='emoji-search' aria-label='Search emoji' placeholder='Search emoji' autoFocus value={query}
                role='combobox' aria-expanded='true' aria-controls={`${id}-list`}
                aria-activedescendant={visible[active] ? optionId(active) : undefined}
                onChange={(e) => {
                    setQuery(e.target.value);
                    setActive(0);
                }} onKeyDown={onKeyDown}/>
            <div className='emoji-list' id={`${id}-list`} role='listbox' aria-label='Emoji'>
                {!all && <p className='muted emoji-empty'>Loading emoji…</p>}
                {all && visible.length === 0 && <p className='muted emoji-empty'>No emoji match “{query}”.</p>}
                {sections.map(([category, items]) => (
                    <div key={category} role='group' aria-label={category}>
                        <div className='emoji-category' aria-hidden='true'>{category}</div>
                        <div className='emoji-grid'>
                            {items.map(({emoji: e, index}) => (
                                <div key={e.name} id={optionId(index)} data-index={index} role='option' aria-selected={index === active}
                                    aria-label={`:${e.name}:`} title={`:${e.name}:`} className={index === active ? 'emoji-option active' : 'emoji-option'}
                                    onMouseDown={(ev) => ev.preventDefault()} onMouseEnter={() => setActive(index)} onClick={() => onPick(e.name)}>
                                    {e.unicode}
                                </div>
                            ))}
                        </div>
                    </div>
                ))}
            </div>
            <div className='emoji-preview muted' aria-live='polite'>{visible[active] ? `:${visible[active].name}:` : ''}</div>
        </div>
    );
}
