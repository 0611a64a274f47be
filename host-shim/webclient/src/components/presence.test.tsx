import {act, fireEvent, render, screen, waitFor} from '@testing-library/react';
import {afterEach, describe, expect, it} from 'vitest';

import {forgetStatuses} from '../state/presence';
import {getState, resetState, setState} from '../state/store';
import {channel, fakeServer, member, post, team, user} from '../test/fakeServer';
import {ChannelView} from './ChannelView';
import {DirectMessageModal} from './ChannelModals';
import {PostItem} from './PostItem';
import {Sidebar} from './Sidebar';

const status = (id: string, s: string) => ({user_id: id, status: s, manual: false, last_activity_at: 1, dnd_end_time: 0});

afterEach(() => {
    act(() => {
        forgetStatuses();
        resetState();
    });
});

function loggedIn() {
    resetState({
        me: user('me'), currentTeamId: 't1', currentChannelId: 'c1', teams: {t1: team()}, myTeamIds: ['t1'],
        users: {me: user('me'), u2: user('u2', 'bob'), u3: user('u3', 'carol')},
        channels: {c1: channel('c1', {display_name: 'Ops'})}, members: {c1: member('c1')}, myChannelIds: {t1: ['c1']},
        channelPosts: {c1: {order: [], complete: true}},
    });
}

describe('statuses in the client', () => {
    it("a post shows its author's status, asked for once", async () => {
        loggedIn();
        const requests = fakeServer([['POST', /\/users\/status\/ids$/, (ids: string[]) => ids.map((id) => status(id, 'away'))]]);
        render(<><PostItem post={post('p1')}/><PostItem post={post('p2')}/></>);
        await waitFor(() => expect(screen.getAllByRole('img', {name: 'Away'})).toHaveLength(2));
        expect(requests.filter((r) => r.path.endsWith('/status/ids'))).toHaveLength(1);
        act(() => setState((s) => ({...s, statuses: {...s.statuses, u2: 'dnd'}})));
        expect(screen.getAllByRole('img', {name: 'Do not disturb'})).toHaveLength(2);
    });

    it('the sidebar menu sets your own status', async () => {
        loggedIn();
        const requests = fakeServer([
            ['POST', /\/users\/status\/ids$/, (ids: string[]) => ids.map((id) => status(id, 'online'))],
            ['PUT', /\/users\/me\/status$/, (body: {status: string}) => status('me', body.status)],
            ['GET', /./, () => []],
        ]);
        render(<Sidebar/>);
        const button = await screen.findByRole('button', {name: 'Your status: Online'});
        fireEvent.click(button);
        fireEvent.click(screen.getByRole('menuitem', {name: 'Do not disturb'}));
        await screen.findByRole('button', {name: 'Your status: Do not disturb'});
        expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({user_id: 'me', status: 'dnd'});
    });
});

describe('group messages in the client', () => {
    it('two or more people picked make a group message', async () => {
        loggedIn();
        const group = channel('g1', {type: 'G', team_id: '', name: 'a'.repeat(40), display_name: 'bob, carol, me'});
        const requests = fakeServer([
            ['GET', /\/users\/autocomplete/, () => ({users: [user('u2', 'bob'), user('u3', 'carol')]})],
            ['POST', /\/channels\/group$/, () => group],
            ['GET', /\/users\/me\/teams\/t1\/channels$/, () => [channel('c1'), group]],
            ['GET', /\/channels\/members$/, () => []],
            ['GET', /\/channels\/categories$/, () => ({categories: [], order: []})],
        ]);
        let closed = false;
        render(<DirectMessageModal teamId='t1' onClose={() => {
            closed = true;
        }}/>);
        fireEvent.mouseDown(await screen.findByRole('option', {name: /@bob/}));
        fireEvent.mouseDown(await screen.findByRole('option', {name: /@carol/}));
        expect(screen.getByRole('list', {name: 'Chosen people'}).textContent).toContain('@carol');
        fireEvent.click(screen.getByRole('button', {name: 'Start group message'}));
        await waitFor(() => expect(closed).toBe(true));
        expect(requests.find((r) => r.path.endsWith('/channels/group'))?.body).toEqual(['u2', 'u3']);
        expect(getState().myChannelIds.t1).toContain('g1');
        expect(window.location.pathname).toBe(`/ops/channels/${'a'.repeat(40)}`);
    });
});

describe('favourites and typing in the channel view', () => {
    it('the star saves the favourite; others typing show under the box', async () => {
        loggedIn();
        const requests = fakeServer([
            ['PUT', /\/users\/me\/preferences$/, () => ({status: 'OK'})],
            ['GET', /\/users\/me\/teams\/t1\/channels$/, () => [channel('c1', {display_name: 'Ops'})]],
            ['GET', /./, () => []],
            ['POST', /./, () => []],
        ]);
        render(<ChannelView/>);
        fireEvent.click(screen.getByRole('button', {name: 'Add to favorites'}));
        await screen.findByRole('button', {name: 'Remove from favorites', pressed: true});
        expect(requests.find((r) => r.method === 'PUT')?.body).toEqual([{user_id: 'me', category: 'favorite_channel', name: 'c1', value: 'true'}]);

        act(() => setState((s) => ({...s, typing: {c1: {u2: Date.now() + 5000, u3: Date.now() + 5000}}})));
        expect(screen.getByText('bob and carol are typing…')).toBeTruthy();
    });
});
