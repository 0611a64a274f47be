import {describe, expect, it} from 'vitest';

import type {ChannelAction} from '../types';
import {formFromActions, requestsFor} from './logic';

const prompt: ChannelAction = {
    id: 'a1', channel_id: 'c1', enabled: true, delete_at: 0, action_type: 'prompt_run_playbook', trigger_type: 'keywords',
    payload: {keywords: ['outage'], playbook_id: 'p1', match_mode: 'word'},
};

describe('channel actions logic', () => {
    it('reads the form from the channel\'s actions, ignoring deleted ones', () => {
        const form = formFromActions([prompt, {...prompt, id: 'old', action_type: 'send_welcome_message', trigger_type: 'new_member_joins',
            payload: {message: 'gone'}, delete_at: 5}]);
        expect(form.prompt).toEqual({enabled: true, keywords: ['outage'], playbookId: 'p1', matchMode: 'word'});
        expect(form.welcome).toEqual({enabled: false, message: ''});
    });

    it('PUTs changed actions, POSTs new ones that are on or have content, and leaves the rest alone', () => {
        const form = formFromActions([prompt]);
        expect(requestsFor([prompt], form)).toEqual([]);
        form.prompt = {...form.prompt, keywords: ['outage', 'down'], matchMode: 'substring'};
        form.welcome = {enabled: true, message: 'Hi!'};
        form.category = {enabled: false, categoryName: ''};
        const requests = requestsFor([prompt], form);
        expect(requests).toEqual([
            {kind: 'prompt', method: 'PUT', body: {...prompt, payload: {keywords: ['outage', 'down'], playbook_id: 'p1', match_mode: 'substring'}}},
            {kind: 'welcome', method: 'POST', body: {action_type: 'send_welcome_message', trigger_type: 'new_member_joins', enabled: true, payload: {message: 'Hi!'}}},
        ]);
    });

    it('turns an action off with a PUT of enabled false', () => {
        const form = formFromActions([prompt]);
        form.prompt.enabled = false;
        const [r] = requestsFor([prompt], form);
        expect(r.method).toBe('PUT');
        expect(r.body.enabled).toBe(false);
    });
});
