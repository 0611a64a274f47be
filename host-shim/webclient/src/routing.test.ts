import {describe, expect, it} from 'vitest';

import {parseRoute} from './routing';

describe('parseRoute', () => {
    it('knows Mattermost URLs', () => {
        expect(parseRoute('/')).toEqual({kind: 'root'});
        expect(parseRoute('/login')).toEqual({kind: 'login'});
        expect(parseRoute('/signup_user_complete')).toEqual({kind: 'signup'});
        expect(parseRoute('/ops/channels/town-square')).toEqual({kind: 'channel', team: 'ops', channel: 'town-square'});
        expect(parseRoute('/ops/messages/@bob')).toEqual({kind: 'dm', team: 'ops', username: 'bob'});
        expect(parseRoute('/ops/pl/abc')).toEqual({kind: 'permalink', team: 'ops', postId: 'abc'});
    });

    it('leaves plugin pages to the registry', () => {
        expect(parseRoute('/playbooks/runs/r1')).toEqual({kind: 'other', path: '/playbooks/runs/r1'});
        expect(parseRoute('/plug/playbooks/x')).toEqual({kind: 'other', path: '/plug/playbooks/x'});
        expect(parseRoute('/ops')).toEqual({kind: 'other', path: '/ops'});
    });

    it('decodes names and survives bad escapes', () => {
        expect(parseRoute('/ops/channels/caf%C3%A9')).toEqual({kind: 'channel', team: 'ops', channel: 'café'});
        expect(parseRoute('/ops/channels/%E0%A4%A')).toEqual({kind: 'channel', team: 'ops', channel: '%E0%A4%A'});
    });
});
