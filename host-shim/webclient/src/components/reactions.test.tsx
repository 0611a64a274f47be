import {act, cleanup, fireEvent, render, screen, waitFor} from '@testing-library/react';
import {afterEach, describe, expect, it, vi} from 'vitest';

import type {Reaction, StandardEmoji, WsMessage} from '../api/types';
import {resetEmoji, searchEmoji} from '../state/emoji';
import {handleEvent} from '../state/events';
import {applyReaction, groupReactions} from '../state/reactions';
import {getState, resetState} from '../state/store';
import {channel, fakeServer, mmError, post, team, user} from '../test/fakeServer';
import {EmojiPicker, PICKER_COLUMNS} from './EmojiPicker';
import {PostItem} from './PostItem';
import {whoReacted} from './Reactions';

const EMOJI: StandardEmoji[] = [
    {name: 'smile', aliases: ['smile'], unicode: '😄', category: 'Smileys & Emotion'},
    {name: 'smiley', aliases: ['smiley'], unicode: '😃', category: 'Smileys & Emotion'},
    {name: 'heart', aliases: ['heart'], unicode: '❤️', category: 'Smileys & Emotion'},
    {name: '+1', aliases: ['+1', 'thumbsup'], unicode: '👍', category: 'People & Body'},
    {name: 'wave', aliases: ['wave'], unicode: '👋', category: 'People & Body'},
    {name: 'dog', aliases: ['dog'], unicode: '🐶', category: 'Animals & Nature'},
    {name: 'tada', aliases: ['tada'], unicode: '🎉', category: 'Activities'},
    {name: 'rocket', aliases: ['rocket'], unicode: '🚀', category: 'Travel & Places'},
    {name: 'white_check_mark', aliases: ['white_check_mark'], unicode: '✅', category: 'Symbols'},
    {name: 'eyes', aliases: ['eyes'], unicode: '👀', category: 'People & Body'},
];

const reaction = (user_id: string, emoji_name: string, create_at = 1, post_id = 'p1'): Reaction =>
    ({user_id, post_id, emoji_name, create_at, update_at: create_at, delete_at: 0, remote_id: '', channel_id: 'c1'});

function setup(reactions: Reaction[] = []) {
    resetEmoji(EMOJI);
    const p = post('p1', {has_reactions: reactions.length > 0, metadata: reactions.length ? {reactions} : {}});
    resetState({
        me: user('me'), currentTeamId: 't1', currentChannelId: 'c1', teams: {t1: team()},
        users: {me: user('me'), u2: user('u2', 'bob'), u3: user('u3', 'carol')}, channels: {c1: channel('c1')},
        posts: {p1: p}, channelPosts: {c1: {order: ['p1'], complete: true}},
    });
    return p;
}

function Rendered() {
    // PostItem reads its post from props: re-render from the state like the list does.
    const p = getState().posts.p1;
    return <PostItem post={p}/>;
}

afterEach(() => {
    cleanup();
    act(() => {
        resetState();
        resetEmoji(null);
    });
});

describe('emoji picker', () => {
    it('shows the whole list by category and filters by any alias', () => {
        render(<EmojiPicker emoji={EMOJI} onPick={() => undefined} onClose={() => undefined}/>);
        expect(screen.getAllByRole('option')).toHaveLength(EMOJI.length);
        expect(screen.getByRole('group', {name: 'Animals & Nature'})).toBeTruthy();
        fireEvent.change(screen.getByRole('combobox', {name: 'Search emoji'}), {target: {value: ':thumbs'}});
        expect(screen.getAllByRole('option').map((o) => o.getAttribute('aria-label'))).toEqual([':+1:']);
        fireEvent.change(screen.getByRole('combobox', {name: 'Search emoji'}), {target: {value: 'zzz'}});
        expect(screen.queryAllByRole('option')).toHaveLength(0);
        expect(screen.getByText(/No emoji match/)).toBeTruthy();
    });

    it('ranks names starting with the query first, then other matches and categories', () => {
        // 'heart' is in "Smileys & Emotion".
        expect(searchEmoji(EMOJI, 'smil').map((e) => e.name)).toEqual(['smile', 'smiley', 'heart']);
        expect(searchEmoji(EMOJI, 'check').map((e) => e.name)).toEqual(['white_check_mark']);
        expect(searchEmoji(EMOJI, 'e').map((e) => e.name)[0]).toBe('eyes');
        expect(searchEmoji(EMOJI, '')).toBe(EMOJI);
    });

    it('is used with the keyboard: arrows move, Enter picks, Escape closes', () => {
        const onPick = vi.fn();
        const onClose = vi.fn();
        render(<EmojiPicker emoji={EMOJI} onPick={onPick} onClose={onClose}/>);
        const box = screen.getByRole('combobox', {name: 'Search emoji'});
        expect(document.activeElement).toBe(box);
        const selected = () => screen.getAllByRole('option').find((o) => o.getAttribute('aria-selected') === 'true')?.getAttribute('aria-label');
        expect(selected()).toBe(':smile:');
        fireEvent.keyDown(box, {key: 'ArrowRight'});
        expect(selected()).toBe(':smiley:');
        expect(box.getAttribute('aria-activedescendant')).toBe(screen.getByRole('option', {name: ':smiley:'}).id);
        fireEvent.keyDown(box, {key: 'ArrowDown'});
        expect(selected()).toBe(`:${EMOJI[Math.min(1 + PICKER_COLUMNS, EMOJI.length - 1)].name}:`);
        fireEvent.keyDown(box, {key: 'ArrowUp'});
        fireEvent.keyDown(box, {key: 'ArrowLeft'});
        fireEvent.keyDown(box, {key: 'ArrowLeft'});
        expect(selected()).toBe(':smile:');
        fireEvent.change(box, {target: {value: 'rock'}});
        fireEvent.keyDown(box, {key: 'Enter'});
        expect(onPick).toHaveBeenCalledWith('rocket');
        fireEvent.keyDown(box, {key: 'Escape'});
        expect(onClose).toHaveBeenCalled();
    });

    it('picks on click and closes on a click outside', () => {
        const onPick = vi.fn();
        const onClose = vi.fn();
        render(<div><button type='button'>outside</button><EmojiPicker emoji={EMOJI} onPick={onPick} onClose={onClose}/></div>);
        fireEvent.click(screen.getByRole('option', {name: ':tada:'}));
        expect(onPick).toHaveBeenCalledWith('tada');
        fireEvent.mouseDown(screen.getByRole('button', {name: 'outside'}));
        expect(onClose).toHaveBeenCalled();
    });
});

describe('reactions under a post', () => {
    it('groups by emoji with counts, marks mine, and names who reacted', () => {
        setup([reaction('u2', '+1', 1), reaction('me', '+1', 2), reaction('u3', 'tada', 3)]);
        render(<Rendered/>);
        const plusOne = screen.getByRole('button', {name: /^:\+1: 2,/});
        expect(plusOne.getAttribute('aria-pressed')).toBe('true');
        expect(plusOne.textContent).toContain('👍');
        expect(plusOne.getAttribute('title')).toBe('bob and you reacted with :+1:');
        const tada = screen.getByRole('button', {name: /^:tada: 1,/});
        expect(tada.getAttribute('aria-pressed')).toBe('false');
        expect(tada.getAttribute('title')).toBe('carol reacted with :tada:');
    });

    it('a click on my reaction removes it, on another adds mine', async () => {
        setup([reaction('me', '+1', 1), reaction('u3', 'tada', 2)]);
        const requests = fakeServer([
            ['DELETE', /\/users\/me\/posts\/p1\/reactions\/%2B1$/, () => ({status: 'OK'})],
            ['POST', /\/reactions$/, (body) => reaction(body.user_id, body.emoji_name, 5)],
        ]);
        const {rerender} = render(<Rendered/>);
        await act(async () => {
            fireEvent.click(screen.getByRole('button', {name: /^:\+1: 1,/}));
        });
        await waitFor(() => expect(getState().posts.p1.metadata?.reactions?.map((r) => r.emoji_name)).toEqual(['tada']));
        rerender(<Rendered/>);
        expect(screen.queryByRole('button', {name: /^:\+1:/})).toBeNull();
        await act(async () => {
            fireEvent.click(screen.getByRole('button', {name: /^:tada: 1,/}));
        });
        await waitFor(() => expect(getState().posts.p1.metadata?.reactions).toHaveLength(2));
        rerender(<Rendered/>);
        expect(screen.getByRole('button', {name: /^:tada: 2,/}).getAttribute('aria-pressed')).toBe('true');
        expect(requests.find((r) => r.method === 'POST' && r.path.endsWith('/reactions'))?.body).toEqual({user_id: 'me', post_id: 'p1', emoji_name: 'tada'});
    });

    it('the post menu opens the picker and reacting shows the new reaction', async () => {
        setup();
        fakeServer([['POST', /\/reactions$/, (body) => reaction(body.user_id, body.emoji_name, 5)]]);
        const {rerender} = render(<Rendered/>);
        expect(screen.queryByRole('group', {name: 'Reactions'})).toBeNull();
        fireEvent.click(screen.getByRole('button', {name: 'Add reaction'}));
        const box = screen.getByRole('combobox', {name: 'Search emoji'});
        fireEvent.change(box, {target: {value: 'eyes'}});
        await act(async () => {
            fireEvent.keyDown(box, {key: 'Enter'});
        });
        await waitFor(() => expect(getState().posts.p1.has_reactions).toBe(true));
        rerender(<Rendered/>);
        expect(screen.queryByRole('dialog', {name: 'Choose an emoji'})).toBeNull();
        expect(screen.getByRole('button', {name: /^:eyes: 1, you reacted/}).textContent).toContain('👀');
    });

    it('a refused reaction is reported, not shown', async () => {
        setup();
        fakeServer([['POST', /\/reactions$/, () => mmError(403, 'post_id: the channel is archived')]]);
        render(<Rendered/>);
        fireEvent.click(screen.getByRole('button', {name: 'Add reaction'}));
        await act(async () => {
            fireEvent.click(screen.getByRole('option', {name: ':wave:'}));
        });
        await waitFor(() => expect(getState().notice).toContain('archived'));
        expect(getState().posts.p1.metadata?.reactions).toBeUndefined();
    });

    it('archived channels show reactions without letting anyone change them', () => {
        setup([reaction('u2', 'heart')]);
        resetState({...getState(), channels: {c1: channel('c1', {delete_at: 5})}});
        render(<Rendered/>);
        expect((screen.getByRole('button', {name: /^:heart: 1,/}) as HTMLButtonElement).disabled).toBe(true);
        expect(screen.queryByRole('button', {name: 'Add reaction'})).toBeNull();
        expect(screen.queryByRole('button', {name: 'Add a reaction'})).toBeNull();
    });
});

describe('reaction state', () => {
    const event = (name: string, r: Reaction): WsMessage => ({event: name, data: {reaction: JSON.stringify(r)}, broadcast: {channel_id: 'c1'}, seq: 1});

    it('websocket events add and remove, once each', () => {
        setup();
        handleEvent(event('reaction_added', reaction('u2', 'dog')));
        handleEvent(event('reaction_added', reaction('u2', 'dog')));
        expect(getState().posts.p1.metadata?.reactions).toEqual([reaction('u2', 'dog')]);
        expect(getState().posts.p1.has_reactions).toBe(true);
        handleEvent(event('reaction_removed', reaction('u2', 'dog')));
        expect(getState().posts.p1.metadata?.reactions).toBeUndefined();
        expect(getState().posts.p1.has_reactions).toBe(false);
        const before = getState();
        handleEvent(event('reaction_removed', reaction('u2', 'dog')));
        handleEvent(event('reaction_added', reaction('u2', 'dog', 1, 'unknown-post')));
        expect(getState()).toBe(before);
    });

    it('groups keep first-use order and count people', () => {
        const groups = groupReactions([reaction('u3', 'tada', 5), reaction('u2', '+1', 1), reaction('me', 'tada', 7)], 'me');
        expect(groups).toEqual([
            {emoji: '+1', userIds: ['u2'], mine: false},
            {emoji: 'tada', userIds: ['u3', 'me'], mine: true},
        ]);
        const s = applyReaction(getState(), reaction('u2', 'x'), true);
        expect(s).toBe(getState());
    });

    it('tooltips shorten long lists', () => {
        const users = {a: user('a', 'ann'), b: user('b', 'ben'), c: user('c', 'cy'), d: user('d', 'di')};
        expect(whoReacted(['a'], users, 'me')).toBe('ann');
        expect(whoReacted(['a', 'me'], users, 'me')).toBe('ann and you');
        expect(whoReacted(['a', 'b', 'c'], users, 'me')).toBe('ann, ben and cy');
        expect(whoReacted(['a', 'b', 'c', 'd'], users, 'me')).toBe('ann, ben and 2 others');
    });
});
