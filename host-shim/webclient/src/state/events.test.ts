import {afterEach, describe, expect, it} from 'vitest';

import type {WsMessage} from '../api/types';
import {channel, member, post, user} from '../test/fakeServer';
import {handleEvent} from './events';
import {getState, isUnread, mentionCount, resetState} from './store';

const event = (name: string, data: Record<string, unknown>, broadcast = {}): WsMessage => ({event: name, data, broadcast, seq: 1});

function setup() {
    resetState({
        me: user('me'),
        currentTeamId: 't1',
        currentChannelId: 'c0',
        users: {me: user('me'), u2: user('u2')},
        channels: {c1: channel('c1', {total_msg_count: 3})},
        myChannelIds: {t1: ['c1']},
        members: {c1: member('c1', {msg_count: 3})},
        channelPosts: {c1: {order: [], complete: true}},
    });
}

afterEach(() => resetState());

describe('websocket events', () => {
    it('a post elsewhere makes the channel unread, a mention counts', () => {
        setup();
        handleEvent(event('posted', {post: JSON.stringify(post('p1', {channel_id: 'c1'}))}));
        expect(isUnread(getState(), 'c1')).toBe(true);
        expect(mentionCount(getState(), 'c1')).toBe(0);
        expect(getState().channelPosts.c1.order).toEqual(['p1']);
        handleEvent(event('posted', {post: JSON.stringify(post('p2', {channel_id: 'c1', message: '@me'})), mentions: JSON.stringify(['me'])}));
        expect(mentionCount(getState(), 'c1')).toBe(1);
        expect(getState().channels.c1.total_msg_count).toBe(5);
    });

    it("the user's own posts keep the channel read", () => {
        setup();
        handleEvent(event('posted', {post: JSON.stringify(post('p1', {channel_id: 'c1', user_id: 'me'}))}));
        expect(isUnread(getState(), 'c1')).toBe(false);
    });

    it('channel_viewed (another tab) clears the markers', () => {
        setup();
        handleEvent(event('posted', {post: JSON.stringify(post('p1', {channel_id: 'c1'})), mentions: '["me"]'}));
        handleEvent(event('channel_viewed', {channel_id: 'c1'}));
        expect(isUnread(getState(), 'c1')).toBe(false);
        expect(mentionCount(getState(), 'c1')).toBe(0);
    });

    it('ephemeral posts join the list, marked; deletions and edits apply', () => {
        setup();
        handleEvent(event('ephemeral_message', {post: JSON.stringify(post('e1', {channel_id: 'c1', type: 'system_ephemeral'}))}));
        expect(getState().posts.e1.ephemeral).toBe(true);
        expect(getState().channelPosts.c1.order).toEqual(['e1']);
        handleEvent(event('posted', {post: JSON.stringify(post('p1', {channel_id: 'c1'}))}));
        handleEvent(event('post_edited', {post: JSON.stringify({...getState().posts.p1, message: 'edited', edit_at: 5})}));
        expect(getState().posts.p1.message).toBe('edited');
        handleEvent(event('post_deleted', {post: JSON.stringify(getState().posts.p1)}));
        expect(getState().channelPosts.c1.order).toEqual(['e1']);
    });

    it('open_dialog opens the dialog it carries; bad payloads are ignored', () => {
        setup();
        handleEvent(event('open_dialog', {dialog: '{not json'}));
        expect(getState().dialog).toBeNull();
        const dialog = {trigger_id: 't', url: '/plugins/playbooks/x', dialog: {callback_id: 'cb', title: 'Run playbook', elements: []}};
        handleEvent(event('open_dialog', {dialog: JSON.stringify(dialog)}));
        expect(getState().dialog?.dialog.title).toBe('Run playbook');
    });

    it('being removed from a channel drops it from the sidebar', () => {
        setup();
        handleEvent(event('user_removed', {user_id: 'me', channel_id: 'c1'}));
        expect(getState().myChannelIds.t1).toEqual([]);
    });
});
