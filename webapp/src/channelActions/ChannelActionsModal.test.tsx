import {act, fireEvent, render, screen, within} from '@testing-library/react';
import React from 'react';
import {afterEach, describe, expect, it, vi} from 'vitest';

import {fakeHost, json, mockFetch} from '../test/fakes';
import type {ChannelAction} from '../types';
import {ChannelActionsModal} from './ChannelActionsModal';

afterEach(() => vi.unstubAllGlobals());

const welcome: ChannelAction = {
    id: 'w1', channel_id: 'c1', enabled: true, delete_at: 0, action_type: 'send_welcome_message', trigger_type: 'new_member_joins',
    payload: {message: 'Hello'},
};

function setup(actions: ChannelAction[], post: (body: any) => unknown = () => ({id: 'new'})) {
    return mockFetch([
        ['GET', '/actions/channels/c1', () => actions],
        ['GET', '/playbooks/autocomplete?team_id=t1', () => [{text: 'Incident response', value: 'p1'}, {text: 'Release', value: 'p2'}]],
        ['POST', '/actions/channels/c1', (_, body) => post(body)],
        ['PUT', '/actions/channels/c1/', (_, body) => body],
    ]);
}

describe('channel actions editor', () => {
    it('creates a keyword trigger (POST) and replaces the welcome message (PUT)', async () => {
        const requests = setup([welcome]);
        const onClose = vi.fn();
        render(<ChannelActionsModal channelId='c1' host={fakeHost()} onClose={onClose}/>);
        const dialog = await screen.findByRole('dialog', {name: 'Channel actions'});
        const message = await within(dialog).findByLabelText('Welcome message') as HTMLTextAreaElement;
        expect(message.value).toBe('Hello');
        fireEvent.click(within(dialog).getByLabelText('Offer to run a playbook'));
        fireEvent.change(within(dialog).getByLabelText('Keywords'), {target: {value: 'outage, sev1'}});
        await vi.waitFor(() => expect(within(dialog).getByRole('option', {name: 'Release'})).toBeTruthy());
        fireEvent.change(within(dialog).getByLabelText('Playbook to run'), {target: {value: 'p2'}});
        fireEvent.change(within(dialog).getByLabelText('Match'), {target: {value: 'substring'}});
        fireEvent.change(message, {target: {value: 'Welcome! Read the runbook.'}});
        await act(async () => {
            fireEvent.click(within(dialog).getByRole('button', {name: 'Save actions'}));
        });
        expect(requests.find((r) => r.method === 'POST')?.body).toEqual({
            action_type: 'prompt_run_playbook', trigger_type: 'keywords', enabled: true,
            payload: {keywords: ['outage', 'sev1'], playbook_id: 'p2', match_mode: 'substring'},
        });
        const put = requests.find((r) => r.method === 'PUT');
        expect(put?.url).toBe('/plugins/playbooks/api/v0/actions/channels/c1/w1');
        expect(put?.body).toEqual({...welcome, payload: {message: 'Welcome! Read the runbook.'}});
        expect(requests.filter((r) => r.method !== 'GET')).toHaveLength(2);
        expect(onClose).toHaveBeenCalled();
    });

    it('shows the server\'s refusal next to the field it names and stays open', async () => {
        setup([], () => json({message: 'payload.keywords: add at least one keyword'}, 400));
        const onClose = vi.fn();
        render(<ChannelActionsModal channelId='c1' host={fakeHost()} onClose={onClose}/>);
        fireEvent.click(await screen.findByLabelText('Offer to run a playbook'));
        await act(async () => {
            fireEvent.click(screen.getByRole('button', {name: 'Save actions'}));
        });
        const keywords = screen.getByLabelText('Keywords');
        expect(keywords.getAttribute('aria-invalid')).toBe('true');
        expect(screen.getAllByText('add at least one keyword').length).toBeGreaterThan(0);
        expect(onClose).not.toHaveBeenCalled();
    });

    it('Escape closes it', async () => {
        setup([]);
        const onClose = vi.fn();
        render(<ChannelActionsModal channelId='c1' host={fakeHost()} onClose={onClose}/>);
        fireEvent.keyDown(await screen.findByRole('dialog'), {key: 'Escape'});
        expect(onClose).toHaveBeenCalled();
    });
});
