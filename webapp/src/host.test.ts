import {render, screen} from '@testing-library/react';
import React from 'react';
import {afterEach, describe, expect, it, vi} from 'vitest';

import {connect} from './host';
import {mockFetch} from './test/fakes';

describe('host adapter', () => {
    afterEach(() => {
        vi.unstubAllGlobals();
        delete (window as {PostUtils?: unknown}).PostUtils;
    });

    it('searches users through /api/v4/users/autocomplete in the current team', async () => {
        const requests = mockFetch([['GET', '/api/v4/users/autocomplete', () => ({users: [{id: 'u2', username: 'bob'}]})]]);
        const host = connect({getCurrentTeamId: () => 'team 1', getCurrentUserId: () => 'u1'});
        expect(await host.searchUsers('@bo')).toEqual([{id: 'u2', username: 'bob'}]);
        expect(requests[0].url).toBe('/api/v4/users/autocomplete?in_team=team%201&name=bo');
        // The search result fills the username cache: no request for it.
        expect(await host.username('u2')).toBe('bob');
        expect(requests).toHaveLength(1);
    });

    it('prefers users the client already loaded', async () => {
        const requests = mockFetch([]);
        const host = connect({getUser: (id: string) => (id === 'u9' ? {id: 'u9', username: 'zoe'} : undefined)});
        expect(await host.username('u9')).toBe('zoe');
        expect(requests).toHaveLength(0);
    });

    it('renders Markdown with the client\'s PostUtils, else plain text', () => {
        const host = connect({});
        const {unmount} = render(React.createElement('div', null, host.markdown('line one\nline two')));
        expect(screen.getByText(/line one/).innerHTML).toBe('line one<br>line two');
        unmount();
        const formatText = vi.fn((t: string) => `<strong>${t}</strong>`);
        (window as {PostUtils?: unknown}).PostUtils = {
            formatText,
            messageHtmlToComponent: (html: string) => React.createElement('span', {dangerouslySetInnerHTML: {__html: html}}),
        };
        render(React.createElement('div', null, host.markdown('**bold**')));
        expect(formatText).toHaveBeenCalledWith('**bold**');
        expect(screen.getByText('**bold**').tagName).toBe('STRONG');
    });

    it('passes on channel switches only, whatever the client notifies', () => {
        let channel = 'c1';
        let notify: (arg?: unknown) => void = () => undefined;
        const host = connect({getCurrentChannelId: () => channel, subscribe: (l: () => void) => {
            notify = l;
            return () => undefined;
        }});
        const seen: string[] = [];
        host.onChannelChange((id) => seen.push(id));
        notify();
        channel = 'c2';
        notify();
        notify();
        expect(seen).toEqual(['c2']);
    });
});
