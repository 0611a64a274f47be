import {act, fireEvent, render, screen, waitFor} from '@testing-library/react';
import {afterEach, describe, expect, it} from 'vitest';

import {registryFor, unloadPlugins} from '../plugins/registry';
import {getState, resetState, setState} from '../state/store';
import {channel, fakeServer, member, mmError, post, team, user} from '../test/fakeServer';
import {DialogModal, validate} from './DialogModal';
import {MenuButton} from './Menu';
import {MessageBox, lastOwnPost} from './MessageBox';
import {switchItems} from './QuickSwitcher';
import {PostItem} from './PostItem';
import {sidebarSections} from './Sidebar';
import {triggerAt} from './suggest';

afterEach(() => {
    act(() => {
        unloadPlugins();
        resetState();
    });
});

function loggedIn() {
    resetState({
        me: user('me'), currentTeamId: 't1', currentChannelId: 'c1', teams: {t1: team()},
        users: {me: user('me'), u2: user('u2', 'bob')}, channels: {c1: channel('c1')}, members: {c1: member('c1')},
        channelPosts: {c1: {order: [], complete: true}},
    });
}

describe('message box', () => {
    it('suggests slash commands from the server and completes with Tab', async () => {
        loggedIn();
        const requests = fakeServer([
            ['GET', /autocomplete_suggestions/, () => [{Complete: 'playbook', Suggestion: 'playbook', Hint: '[command]', Description: 'Playbooks', IconData: ''}]],
        ]);
        render(<MessageBox channelId='c1' placeholder='Write to c1'/>);
        const box = screen.getByRole('combobox', {name: 'Write to c1'}) as HTMLTextAreaElement;
        fireEvent.change(box, {target: {value: '/pla', selectionStart: 4}});
        await screen.findByRole('option', {name: /\/playbook/});
        expect(requests[0].path).toContain('user_input=%2Fpla&channel_id=c1');
        fireEvent.keyDown(box, {key: 'Tab'});
        expect(box.value).toBe('/playbook ');
    });

    it('runs a command on Enter and shows its error, keeping the text', async () => {
        loggedIn();
        const requests = fakeServer([
            ['GET', /autocomplete_suggestions/, () => []],
            ['POST', /\/commands\/execute$/, () => mmError(404, "Command with a trigger of 'nope' not found.")],
        ]);
        render(<MessageBox channelId='c1' placeholder='Write to c1'/>);
        const box = screen.getByRole('combobox', {name: 'Write to c1'}) as HTMLTextAreaElement;
        fireEvent.change(box, {target: {value: '/nope', selectionStart: 5}});
        await act(async () => {
            fireEvent.keyDown(box, {key: 'Enter'});
        });
        expect((await screen.findByRole('alert')).textContent).toContain("trigger of 'nope'");
        expect(box.value).toBe('/nope');
        expect(requests.find((r) => r.path.endsWith('/commands/execute'))?.body.command).toBe('/nope');
    });

    it('Shift+Enter makes a new line, Enter posts', async () => {
        loggedIn();
        const requests = fakeServer([['POST', /\/posts$/, (body) => post('p1', {...body, user_id: 'me'})]]);
        render(<MessageBox channelId='c1' placeholder='Write to c1'/>);
        const box = screen.getByRole('combobox', {name: 'Write to c1'}) as HTMLTextAreaElement;
        fireEvent.change(box, {target: {value: 'line one', selectionStart: 8}});
        expect(fireEvent.keyDown(box, {key: 'Enter', shiftKey: true})).toBe(true); // default (newline) not prevented
        await act(async () => {
            fireEvent.keyDown(box, {key: 'Enter'});
        });
        expect(requests[0].body).toMatchObject({channel_id: 'c1', message: 'line one', root_id: ''});
        expect(box.value).toBe('');
        expect(getState().channelPosts.c1.order).toEqual(['p1']);
    });

    it('knows what the text before the caret asks for', () => {
        expect(triggerAt('/playbook ru', 12)).toEqual({kind: 'command', text: '/playbook ru'});
        expect(triggerAt('hi @bo', 6)).toEqual({kind: 'user', prefix: 'bo', start: 3});
        expect(triggerAt('see ~inc', 8)).toEqual({kind: 'channel', prefix: 'inc', start: 4});
        expect(triggerAt('mail a@b', 8)).toBeUndefined();
        expect(triggerAt('//not a command', 5)).toBeUndefined();
    });
});

describe('interactive dialog', () => {
    const open = {
        trigger_id: 'tr', url: '/plugins/playbooks/api/v0/runs/dialog',
        dialog: {
            callback_id: 'cb', title: 'Run playbook', submit_label: 'Start run', state: 's1',
            elements: [
                {display_name: 'Playbook', name: 'playbook', type: 'select' as const, options: [{text: 'Incident response', value: 'pb1'}]},
                {display_name: 'Run name', name: 'name', type: 'text' as const, optional: true, max_length: 10},
                {display_name: 'Public', name: 'public', type: 'bool' as const, default: 'true'},
            ],
        },
    };

    it('checks required fields before sending, then shows the plugin\'s field errors', async () => {
        loggedIn();
        const requests = fakeServer([['POST', /\/actions\/dialogs\/submit$/, () => ({errors: {name: 'A run with that name exists.'}})]]);
        setState((s) => ({...s, dialog: open}));
        render(<DialogModal/>);
        const dialog = screen.getByRole('dialog', {name: 'Run playbook'});
        fireEvent.click(screen.getByRole('button', {name: 'Start run'}));
        expect(await screen.findByText('This field is required.')).toBeTruthy();
        expect(requests).toHaveLength(0);
        fireEvent.change(screen.getByLabelText(/Playbook/), {target: {value: 'pb1'}});
        fireEvent.change(screen.getByLabelText(/Run name/), {target: {value: 'DB'}});
        await act(async () => {
            fireEvent.click(screen.getByRole('button', {name: 'Start run'}));
        });
        expect(requests[0].body).toEqual({
            url: open.url, callback_id: 'cb', state: 's1', channel_id: 'c1', team_id: 't1', cancelled: false,
            submission: {playbook: 'pb1', name: 'DB', public: true},
        });
        expect(await screen.findByText('A run with that name exists.')).toBeTruthy();
        expect(dialog.isConnected).toBe(true);
    });

    it('closes when the plugin accepts', async () => {
        loggedIn();
        fakeServer([['POST', /\/actions\/dialogs\/submit$/, () => ({})]]);
        setState((s) => ({...s, dialog: {...open, dialog: {...open.dialog, elements: [open.dialog.elements[1]]}}}));
        render(<DialogModal/>);
        await act(async () => {
            fireEvent.click(screen.getByRole('button', {name: 'Start run'}));
        });
        await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
        expect(getState().dialog).toBeNull();
    });

    it('validates lengths and numbers', () => {
        const elements = [
            {display_name: 'N', name: 'n', type: 'text' as const, subtype: 'number'},
            {display_name: 'S', name: 's', type: 'text' as const, min_length: 3},
        ];
        expect(validate(elements, {n: 'x', s: 'ab'})).toEqual({n: 'Must be a number.', s: 'Must be at least 3 characters.'});
        expect(validate(elements, {n: '4', s: 'abc'})).toEqual({});
    });
});

describe('posts', () => {
    it('renders a plugin post type with the plugin component, others as Markdown with attachments', async () => {
        loggedIn();
        registryFor('playbooks').registerPostTypeComponent('custom_run_update', ({post: p}) => <p>Status: {p.message}</p>);
        const requests = fakeServer([['POST', /\/posts\/p2\/actions\/yes$/, () => ({})]]);
        render(<>
            <PostItem post={post('p1', {type: 'custom_run_update', message: 'all good'})}/>
            <PostItem post={post('p2', {message: 'Run **it**?', props: {attachments: [{text: 'Prompt', actions: [{id: 'yes', name: 'Yes, run playbook', type: 'button'}]}]}})}/>
        </>);
        expect(screen.getByText('Status: all good')).toBeTruthy();
        expect(screen.getByText('it').tagName).toBe('STRONG');
        await act(async () => {
            fireEvent.click(screen.getByRole('button', {name: 'Yes, run playbook'}));
        });
        expect(requests[0]).toMatchObject({method: 'POST', path: '/api/v4/posts/p2/actions/yes', body: {}});
    });

    it('a plugin renderer that throws shows a line, not a blank page', () => {
        loggedIn();
        registryFor('broken').registerPostTypeComponent('custom_bad', () => {
            throw new Error('nope');
        });
        const quiet = console.error;
        console.error = () => undefined;
        render(<PostItem post={post('p1', {type: 'custom_bad'})}/>);
        console.error = quiet;
        expect(screen.getByRole('alert').textContent).toContain('could not be shown: nope');
    });
});

describe('sidebar', () => {
    it('files channels by category and puts the rest under Channels and Direct Messages', () => {
        loggedIn();
        setState((s) => ({
            ...s,
            channels: {
                a: channel('a', {display_name: 'Alpha'}), b: channel('b', {display_name: 'Beta'}), r: channel('r', {display_name: 'Run 1', type: 'P'}),
                d: channel('d', {type: 'D', name: 'me__u2', team_id: ''}), gone: channel('gone', {delete_at: 5}),
            },
            myChannelIds: {t1: ['a', 'b', 'r', 'd', 'gone']},
            categories: {t1: [{id: 'cat1', team_id: 't1', user_id: 'me', type: 'custom', display_name: 'Playbook runs', channel_ids: ['r']}]},
        }));
        const sections = sidebarSections(getState(), 't1');
        expect(sections.map((x) => [x.title, x.channels.map((c) => c.id)])).toEqual([
            ['Playbook runs', ['r']], ['Channels', ['a', 'b']], ['Direct Messages', ['d']],
        ]);
    });
});

describe('keyboard', () => {
    it('the quick switcher lists unread channels first and matches names', () => {
        loggedIn();
        setState((s) => ({
            ...s,
            channels: {a: channel('a', {display_name: 'Alpha'}), b: channel('b', {display_name: 'Beta', total_msg_count: 2}), d: channel('d', {type: 'D', name: 'me__u2', team_id: ''})},
            members: {a: member('a'), b: member('b'), d: member('d')},
            myChannelIds: {t1: ['a', 'b', 'd']},
        }));
        expect(switchItems(getState(), '').map((i) => i.title)).toEqual(['Beta', 'Alpha', 'bob']);
        expect(switchItems(getState(), '@bo')).toEqual([{id: 'd', title: 'bob', path: '/ops/messages/@bob', unread: false}]);
        expect(switchItems(getState(), '~alp').map((i) => i.path)).toEqual(['/ops/channels/a']);
    });

    it('Up in an empty box edits the newest own message', () => {
        loggedIn();
        const mine = post('m1', {user_id: 'me'});
        const theirs = post('t1');
        const eph = {...post('e1', {user_id: 'me'}), ephemeral: true};
        setState((s) => ({...s, posts: {m1: mine, t1: theirs, e1: eph}, channelPosts: {c1: {order: ['m1', 't1', 'e1'], complete: true}}}));
        expect(lastOwnPost(getState(), 'c1', '')).toBe('m1');
        render(<MessageBox channelId='c1' placeholder='Write to c1'/>);
        fireEvent.keyDown(screen.getByRole('combobox', {name: 'Write to c1'}), {key: 'ArrowUp'});
        expect(getState().editingPostId).toBe('m1');
    });
});

describe('menus', () => {
    it('open on the button, move with arrows, close on Escape back to the button', () => {
        const chosen: string[] = [];
        render(<MenuButton label='Channel menu' items={[
            {key: 'a', label: 'Edit channel', onSelect: () => chosen.push('edit')},
            {key: 'b', label: 'Leave channel', onSelect: () => chosen.push('leave')},
        ]}>⋯</MenuButton>);
        const button = screen.getByRole('button', {name: 'Channel menu'});
        fireEvent.click(button);
        const items = screen.getAllByRole('menuitem');
        expect(document.activeElement).toBe(items[0]);
        fireEvent.keyDown(items[0], {key: 'ArrowDown'});
        expect(document.activeElement).toBe(items[1]);
        fireEvent.keyDown(items[1], {key: 'ArrowDown'});
        expect(document.activeElement).toBe(items[0]);
        fireEvent.keyDown(items[0], {key: 'Escape'});
        expect(screen.queryByRole('menu')).toBeNull();
        expect(document.activeElement).toBe(button);
        fireEvent.click(button);
        fireEvent.click(screen.getByRole('menuitem', {name: 'Leave channel'}));
        expect(chosen).toEqual(['leave']);
        expect(screen.queryByRole('menu')).toBeNull();
    });
});
