import {act, fireEvent, render, screen, within} from '@testing-library/react';
import {afterEach, describe, expect, it} from 'vitest';

import {highlightWords, markWords} from '../state/search';
import {getState, resetState} from '../state/store';
import {channel, fakeServer, member, mmError, post, team, user} from '../test/fakeServer';
import {Rhs} from './Rhs';
import {SearchBox} from './Search';

afterEach(() => {
    act(() => resetState());
});

function loggedIn() {
    resetState({
        me: user('me'), currentTeamId: 't1', currentChannelId: 'c1', teams: {t1: team()},
        users: {me: user('me')}, channels: {c1: channel('c1', {display_name: 'Town Square'})}, members: {c1: member('c1')},
        channelPosts: {c1: {order: [], complete: true}},
    });
}

describe('search terms', () => {
    it('marks words and phrases, not modifiers or exclusions', () => {
        expect(highlightWords('Deploy "release notes" from:bob in:dev on:2024-01-01 -flaky data* #tag * -"not this"'))
            .toEqual(['deploy', 'release notes', 'data', 'tag']);
        expect(highlightWords('"unclosed phrase')).toEqual(['unclosed phrase']);
    });

    it('marks where a word starts, case-insensitively, and escapes regex characters', () => {
        expect(markWords('Deployment of the DEPLOY (v2.0) redeploy', ['deploy', 'v2.0'])).toEqual([
            {text: 'Deployment', mark: true},
            {text: ' of the ', mark: false},
            {text: 'DEPLOY', mark: true},
            {text: ' (', mark: false},
            {text: 'v2.0', mark: true},
            {text: ') redeploy', mark: false},
        ]);
        expect(markWords('a.b', ['.'])).toEqual([{text: 'a.b', mark: false}]);
        expect(markWords('plain', [])).toEqual([{text: 'plain', mark: false}]);
    });
});

describe('search box and results', () => {
    it('searches the team and lists results that link to the message', async () => {
        loggedIn();
        const hit = post('p1', {channel_id: 'c2', user_id: 'u2', message: 'the database is <b>down</b>'});
        const requests = fakeServer([
            ['POST', /\/teams\/t1\/posts\/search$/, () => ({order: ['p1'], posts: {p1: hit}, next_post_id: '', prev_post_id: '', has_next: false, matches: null})],
            ['GET', /\/channels\/c2$/, () => channel('c2', {display_name: 'Incidents'})],
            ['POST', /\/users\/ids$/, () => [user('u2', 'bob')]],
        ]);
        render(<><SearchBox/><Rhs/></>);
        const box = screen.getByRole('searchbox', {name: 'Search messages'});
        fireEvent.change(box, {target: {value: 'database from:bob'}});
        await act(async () => {
            fireEvent.submit(box.closest('form')!);
        });
        const panel = await screen.findByRole('complementary', {name: 'Search results'});
        const link = await within(panel).findByRole('link', {name: /bob in Incidents/});
        expect(link.getAttribute('href')).toBe('/ops/pl/p1');
        expect(link.querySelector('mark')?.textContent).toBe('database');
        // The message is text, never HTML.
        expect(link.querySelector('b')).toBeNull();
        expect(link.textContent).toContain('<b>down</b>');
        const sent = requests.find((r) => r.path.endsWith('/posts/search'))!;
        expect(sent.body).toMatchObject({terms: 'database from:bob', is_or_search: false, page: 0, per_page: 20});
        expect(typeof sent.body.time_zone_offset).toBe('number');
        expect(getState().rhs).toEqual({kind: 'search'});
    });

    it('shows the server error and an empty result', async () => {
        loggedIn();
        let calls = 0;
        fakeServer([
            ['POST', /\/posts\/search$/, () => (calls++ === 0
                ? mmError(400, 'terms: "on:2024-13-01" is not a date (expected on:YYYY-MM-DD)')
                : {order: [], posts: {}, next_post_id: '', prev_post_id: '', has_next: false, matches: null})],
        ]);
        render(<><SearchBox/><Rhs/></>);
        const box = screen.getByRole('searchbox', {name: 'Search messages'});
        fireEvent.change(box, {target: {value: 'on:2024-13-01'}});
        await act(async () => {
            fireEvent.submit(box.closest('form')!);
        });
        expect((await screen.findByRole('alert')).textContent).toContain('is not a date');
        fireEvent.change(box, {target: {value: 'nothing'}});
        await act(async () => {
            fireEvent.submit(box.closest('form')!);
        });
        expect((await screen.findByRole('status')).textContent).toContain('No results for “nothing”');
    });

    it('loads more pages and moves between results with the arrow keys', async () => {
        loggedIn();
        const page = (ids: string[], hasNext: boolean) => ({
            order: ids, posts: Object.fromEntries(ids.map((id) => [id, post(id, {channel_id: 'c1', user_id: 'me', message: `hit ${id}`})])),
            next_post_id: '', prev_post_id: '', has_next: hasNext, matches: null,
        });
        const requests = fakeServer([
            ['POST', /\/posts\/search$/, (body) => (body.page === 0 ? page(['a', 'b'], true) : page(['c'], false))],
        ]);
        render(<><SearchBox/><Rhs/></>);
        const box = screen.getByRole('searchbox', {name: 'Search messages'});
        fireEvent.change(box, {target: {value: 'hit'}});
        await act(async () => {
            fireEvent.submit(box.closest('form')!);
        });
        const more = await screen.findByRole('button', {name: 'More results'});
        await act(async () => {
            fireEvent.click(more);
        });
        const links = await screen.findAllByRole('link');
        expect(links.map((l) => l.getAttribute('href'))).toEqual(['/ops/pl/a', '/ops/pl/b', '/ops/pl/c']);
        expect(requests.filter((r) => r.path.endsWith('/posts/search')).map((r) => r.body.page)).toEqual([0, 1]);
        expect(screen.queryByRole('button', {name: 'More results'})).toBeNull();
        links[0].focus();
        fireEvent.keyDown(links[0], {key: 'ArrowDown'});
        expect(document.activeElement).toBe(links[1]);
        fireEvent.keyDown(links[1], {key: 'ArrowUp'});
        expect(document.activeElement).toBe(links[0]);
    });
});
