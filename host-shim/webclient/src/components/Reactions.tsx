// The reactions under a post: one button per emoji with its count
// (pressed when the user reacted so; a click toggles), a tooltip naming who
// reacted, and a button that opens the emoji picker.

import {useCallback, useEffect, useState} from 'react';

import type {Post, User} from '../api/types';
import {emojiFor, useEmojiList} from '../state/emoji';
import {groupReactions, reactionsOf, toggleReaction} from '../state/reactions';
import {setState, useStore} from '../state/store';
import {ensureUsers} from '../state/users';
import {EmojiPicker} from './EmojiPicker';
import {Icon} from './Icon';

/** "you, alice and 2 others" for a reaction's tooltip. */
export function whoReacted(userIds: string[], users: Record<string, User>, me: string): string {
    const names = userIds.map((id) => (id === me ? 'you' : users[id]?.username ?? 'someone'));
    if (names.length <= 3) {
        return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('');
    }
    return `${names.slice(0, 2).join(', ')} and ${names.length - 2} others`;
}

export function reactionFailed(e: unknown) {
    const reason = e instanceof Error ? e.message : String(e);
    setState((s) => ({...s, notice: `Could not change the reaction: ${reason}`}));
}

/** Shows the picker and reacts with what is picked. */
export function useReactionPicker(post: Post) {
    const [open, setOpen] = useState(false);
    const close = useCallback(() => setOpen(false), []);
    const pick = useCallback((name: string) => {
        setOpen(false);
        toggleReaction(post, name).catch(reactionFailed);
    }, [post]);
    return {open, setOpen, picker: open ? <EmojiPicker onPick={pick} onClose={close}/> : null};
}

export function Reactions({post, readOnly}: {post: Post; readOnly?: boolean}) {
    const me = useStore((s) => s.me?.id ?? '');
    const users = useStore((s) => s.users);
    const reactions = reactionsOf(post);
    const groups = groupReactions(reactions, me);
    // Loaded only when there is something to show; re-renders once it is in.
    useEmojiList(groups.length > 0);
    const {setOpen, picker} = useReactionPicker(post);
    const unknown = groups.flatMap((g) => g.userIds).filter((id) => !users[id]).join(',');
    useEffect(() => {
        if (unknown) ensureUsers(unknown.split(',')).catch(() => undefined);
    }, [unknown]);
    if (groups.length === 0) return null;
    return (
        <div className='reactions' role='group' aria-label='Reactions'>
            {groups.map((g) => {
                const who = whoReacted(g.userIds, users, me);
                const title = `${who} reacted with :${g.emoji}:`;
                return (
                    <button key={g.emoji} type='button' className={g.mine ? 'reaction reaction-mine' : 'reaction'} aria-pressed={g.mine}
                        aria-label={`:${g.emoji}: ${g.userIds.length}, ${title}`} title={title} disabled={readOnly}
                        onClick={() => toggleReaction(post, g.emoji).catch(reactionFailed)}>
                        <span className='reaction-emoji' aria-hidden='true'>{emojiFor(g.emoji)?.unicode ?? `:${g.emoji}:`}</span>
                        <span className='reaction-count' aria-hidden='true'>{g.userIds.length}</span>
                    </button>
                );
            })}
            {!readOnly && (
                <button type='button' className='reaction reaction-add' aria-label='Add a reaction' title='Add a reaction' onClick={() => setOpen(true)}>
                    <Icon name='smile' size={16}/>
                </button>
            )}
            {picker}
        </div>
    );
}
