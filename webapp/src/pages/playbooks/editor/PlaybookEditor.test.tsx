import {act, fireEvent, render, screen, within} from '@testing-library/react';
import React from 'react';
import {afterEach, describe, expect, it, vi} from 'vitest';

import {fakeHost, json, mockFetch, task} from '../../../test/fakes';
import type {Playbook} from '../../../types';
import {PlaybookEditor} from './PlaybookEditor';

function playbook(over: Partial<Playbook> = {}): Playbook {
    return {
        id: 'p1', title: 'Incident response', description: 'Be calm.', team_id: 't1', public: true, delete_at: 0,
        num_runs: 0, active_runs: 0, last_run_at: 0,
        checklists: [
            {id: 'c1', title: 'Triage', items: [task({id: 'a', title: 'Assess'}), task({id: 'b', title: 'Page'})]},
            {id: 'c2', title: 'Mitigate', items: [task({id: 'c', title: 'Fix'})]},
        ],
        metrics: [{id: 'm1', title: 'Time to mitigate', description: '', type: 'metric_duration', target: 3600000}],
        reminder_timer_default_seconds: 3600, status_update_enabled: true, broadcast_enabled: false, broadcast_channel_ids: [],
        webhook_on_creation_urls: [], webhook_on_status_update_urls: [], invited_user_ids: [], default_owner_id: '',
        channel_mode: 'create_new_channel', channel_id: '', members: [{user_id: 'u1', roles: ['playbook_member', 'playbook_admin']}],
        ...over,
    };
}

afterEach(() => vi.unstubAllGlobals());

async function click(el: HTMLElement) {
    await act(async () => {
        fireEvent.click(el);
    });
}

async function pick(label: string, typed: string, option: RegExp) {
    fireEvent.change(screen.getByRole('combobox', {name: label}), {target: {value: typed}});
    const o = await screen.findByRole('option', {name: option});
    await act(async () => {
        fireEvent.mouseDown(o);
    });
}

function setup(pb = playbook(), put: (body: any) => unknown = (b) => b) {
    return mockFetch([
        ['GET', '/playbooks/p1', () => pb],
        ['PUT', '/playbooks/p1', (_, body) => put(body)],
    ]);
}

const putBody = (requests: ReturnType<typeof mockFetch>) => requests.filter((r) => r.method === 'PUT').pop()?.body as Playbook;

describe('playbook editor', () => {
    it('edits checklists and tasks with form controls and PUTs the whole playbook', async () => {
        const requests = setup();
        render(<PlaybookEditor playbookId='p1' host={fakeHost()}/>);
        const title = await screen.findByLabelText('Title');
        fireEvent.change(title, {target: {value: 'Major incident'}});
        fireEvent.change(screen.getByLabelText('Checklist 2 name'), {target: {value: 'Fix'}});
        fireEvent.change(screen.getByLabelText('Task 1.1 name'), {target: {value: 'Assess impact'}});
        // Page moves down across the border, to the start of checklist 2.
        await click(screen.getByRole('button', {name: 'Move task 1.2 down'}));
        fireEvent.change(screen.getByRole('textbox', {name: 'New task in checklist 1'}), {target: {value: 'Open a bridge'}});
        await click(screen.getByRole('button', {name: 'Add task to checklist 1'}));
        await click(screen.getByRole('button', {name: 'Details of task 1.1'}));
        fireEvent.change(screen.getByLabelText('Task 1.1 slash command'), {target: {value: '/page dba'}});
        fireEvent.change(screen.getByLabelText('Task 1.1 due after'), {target: {value: '2'}});
        fireEvent.change(screen.getByLabelText('Task 1.1 due unit'), {target: {value: 'hours'}});
        fireEvent.change(screen.getByLabelText('Task 1.1 assignee'), {target: {value: 'owner'}});
        fireEvent.change(screen.getByLabelText('Task 1.1: mark done when a post contains'), {target: {value: 'assessed, impact known'}});
        await click(screen.getByRole('button', {name: 'Save'}));
        const body = putBody(requests);
        expect(body.title).toBe('Major incident');
        expect(body.checklists.map((l) => [l.title, l.items.map((i) => i.title)])).toEqual([
            ['Triage', ['Assess impact', 'Open a bridge']],
            ['Fix', ['Page', 'Fix']],
        ]);
        const first = body.checklists[0].items[0];
        expect(first).toMatchObject({id: 'a', command: '/page dba', due_date: 2 * 3600000, assignee_type: 'owner'});
        expect(first.task_actions).toEqual([{
            trigger: {type: 'keywords_by_users', payload: JSON.stringify({keywords: ['assessed', 'impact known'], user_ids: []})},
            actions: [{type: 'mark_item_as_done', payload: JSON.stringify({enabled: true})}],
        }]);
        // Everything else is sent back as it was.
        expect(body.members).toEqual(playbook().members);
        expect(await screen.findByText('Saved.')).toBeTruthy();
    });

    it('keeps a task\'s open details and the focus on its move button as it moves; the PUT body gains no fields', async () => {
        const three = playbook();
        three.checklists[0].items.push(task({id: 'x', title: 'Call'}));
        const requests = setup(three);
        render(<PlaybookEditor playbookId='p1' host={fakeHost()}/>);
        await screen.findByLabelText('Task 1.3 name');
        await click(screen.getByRole('button', {name: 'Details of task 1.3'}));
        fireEvent.change(screen.getByLabelText('Task 1.3: mark done when a post contains'), {target: {value: 'called, rang'}});
        const up = screen.getByRole('button', {name: 'Move task 1.3 up'});
        up.focus();
        // A keyboard user presses the focused button twice: Call goes to the top.
        await click(document.activeElement as HTMLElement);
        expect(document.activeElement).toBe(screen.getByRole('button', {name: 'Move task 1.2 up'}));
        await click(document.activeElement as HTMLElement);
        const titles = () => [1, 2, 3].map((i) => (screen.getByLabelText(`Task 1.${i} name`) as HTMLInputElement).value);
        expect(titles()).toEqual(['Call', 'Assess', 'Page']);
        // At the top "up" is disabled: the focus is on its "down".
        expect(document.activeElement).toBe(screen.getByRole('button', {name: 'Move task 1.1 down'}));
        // The details (and the keywords as typed) went with the task.
        expect(screen.getByRole('button', {name: 'Details of task 1.1'}).getAttribute('aria-expanded')).toBe('true');
        expect(screen.getByRole('button', {name: 'Details of task 1.3'}).getAttribute('aria-expanded')).toBe('false');
        expect((screen.getByLabelText('Task 1.1: mark done when a post contains') as HTMLInputElement).value).toBe('called, rang');
        // Across the checklist border too.
        await click(screen.getByRole('button', {name: 'Move task 1.3 down'}));
        expect(document.activeElement).toBe(screen.getByRole('button', {name: 'Move task 2.1 down'}));
        await click(screen.getByRole('button', {name: 'Details of task 2.1'}));
        await click(screen.getByRole('button', {name: 'Move task 2.1 up'}));
        expect(screen.getByRole('button', {name: 'Details of task 1.3'}).getAttribute('aria-expanded')).toBe('true');
        expect(document.activeElement).toBe(screen.getByRole('button', {name: 'Move task 1.3 up'}));
        // Checklists keep the focus on their move button as well.
        const listDown = screen.getByRole('button', {name: 'Move checklist 1 down'});
        listDown.focus();
        await click(listDown);
        expect(document.activeElement).toBe(screen.getByRole('button', {name: 'Move checklist 2 up'}));
        await click(screen.getByRole('button', {name: 'Save'}));
        const body = putBody(requests);
        expect(body.checklists.map((l) => l.title)).toEqual(['Mitigate', 'Triage']);
        expect(Object.keys(body.checklists[0]).sort()).toEqual(Object.keys(three.checklists[0]).sort());
        expect(Object.keys(body.checklists[1].items[1]).sort()).toEqual(Object.keys(three.checklists[0].items[0]).sort());
        expect(Object.keys(body.checklists[1].items[0]).sort()).toEqual([...Object.keys(three.checklists[0].items[0]), 'task_actions'].sort());
        expect(Object.keys(body).sort()).toEqual(Object.keys(three).sort());
    });

    it('keeps a metric\'s target as typed with the metric when it moves', async () => {
        const two = playbook({metrics: [
            {id: 'm1', title: 'Time to mitigate', description: '', type: 'metric_duration', target: 3600000},
            {id: 'm2', title: 'Time to fix', description: '', type: 'metric_duration', target: 7200000},
        ]});
        setup(two);
        render(<PlaybookEditor playbookId='p1' host={fakeHost()}/>);
        fireEvent.change(await screen.findByLabelText('Metric 1 target'), {target: {value: '90m'}});
        await click(screen.getByRole('button', {name: 'Move metric 1 down'}));
        expect((screen.getByLabelText('Metric 1 name') as HTMLInputElement).value).toBe('Time to fix');
        expect((screen.getByLabelText('Metric 1 target') as HTMLInputElement).value).toBe('2h');
        expect((screen.getByLabelText('Metric 2 target') as HTMLInputElement).value).toBe('90m');
    });

    it('keeps what is typed while a save is in flight, with the ids and times the server gave', async () => {
        let answer: (pb: Playbook) => void = () => undefined;
        let first = true;
        const requests = setup(playbook(), (body) => {
            if (!first) {
                return body;
            }
            first = false;
            return new Promise<Playbook>((resolve) => {
                answer = resolve;
            });
        });
        render(<PlaybookEditor playbookId='p1' host={fakeHost()}/>);
        fireEvent.change(await screen.findByLabelText('Title'), {target: {value: 'Major incident'}});
        fireEvent.change(screen.getByRole('textbox', {name: 'New task in checklist 2'}), {target: {value: 'Verify'}});
        await click(screen.getByRole('button', {name: 'Add task to checklist 2'}));
        await click(screen.getByRole('button', {name: 'Save'}));
        const sent = putBody(requests);
        expect(sent.checklists[1].items[1]).toMatchObject({id: '', title: 'Verify'});
        // Typed while the server works.
        fireEvent.change(screen.getByLabelText('Description'), {target: {value: 'Stay calm.'}});
        fireEvent.change(screen.getByLabelText('Task 2.2 name'), {target: {value: 'Verify the fix'}});
        await act(async () => {
            const stored = JSON.parse(JSON.stringify(sent)) as Playbook;
            stored.checklists[1].items[1].id = 'new1';
            answer({...stored, update_at: 99});
        });
        expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('Major incident');
        expect((screen.getByLabelText('Description') as HTMLTextAreaElement).value).toBe('Stay calm.');
        expect((screen.getByLabelText('Task 2.2 name') as HTMLInputElement).value).toBe('Verify the fix');
        expect(screen.getByRole('status').textContent).toBe('Unsaved changes');
        await click(screen.getByRole('button', {name: 'Save'}));
        const again = putBody(requests);
        expect(again).toMatchObject({title: 'Major incident', description: 'Stay calm.', update_at: 99});
        expect(again.checklists[1].items[1]).toMatchObject({id: 'new1', title: 'Verify the fix'});
        expect(await screen.findByText('Saved.')).toBeTruthy();
    });

    it('archives and restores without losing unsaved changes', async () => {
        let deleteAt = 0;
        const requests = mockFetch([
            ['DELETE', '/playbooks/p1', () => {
                deleteAt = 555;
                return {};
            }],
            ['PUT', '/playbooks/p1/restore', () => {
                deleteAt = 0;
                return {};
            }],
            ['GET', '/playbooks/p1', () => playbook({delete_at: deleteAt, update_at: deleteAt + 1})],
            ['PUT', '/playbooks/p1', (_, body) => body],
        ]);
        render(<PlaybookEditor playbookId='p1' host={fakeHost()}/>);
        fireEvent.change(await screen.findByLabelText('Title'), {target: {value: 'Major incident'}});
        await click(screen.getByRole('button', {name: 'Archive'}));
        await click(within(screen.getByRole('dialog', {name: 'Archive Major incident?'})).getByRole('button', {name: 'Archive'}));
        expect(await screen.findByText('archived')).toBeTruthy();
        expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('Major incident');
        expect(screen.getByRole('status').textContent).toBe('Unsaved changes');
        await click(screen.getByRole('button', {name: 'Restore'}));
        await screen.findByRole('button', {name: 'Archive'});
        expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('Major incident');
        await click(screen.getByRole('button', {name: 'Save'}));
        expect(putBody(requests)).toMatchObject({title: 'Major incident', delete_at: 0, update_at: 1});
    });

    it('archiving with nothing changed leaves nothing unsaved', async () => {
        mockFetch([
            ['DELETE', '/playbooks/p1', () => ({})],
            ['GET', '/playbooks/p1', (() => {
                let n = 0;
                return () => playbook(n++ === 0 ? {} : {delete_at: 555, update_at: 556});
            })()],
        ]);
        render(<PlaybookEditor playbookId='p1' host={fakeHost()}/>);
        await click(await screen.findByRole('button', {name: 'Archive'}));
        await click(within(screen.getByRole('dialog')).getByRole('button', {name: 'Archive'}));
        expect(await screen.findByText('archived')).toBeTruthy();
        expect(screen.getByRole('status').textContent).toBe('');
    });

    it('asks before duplicating with unsaved changes (in-page dialog), and can save first', async () => {
        const requests = mockFetch([
            ['POST', '/playbooks/p1/duplicate', () => ({id: 'p2'})],
            ['GET', '/playbooks/p1', () => playbook()],
            ['PUT', '/playbooks/p1', (_, body) => body],
        ]);
        const confirm = vi.spyOn(window, 'confirm');
        const host = fakeHost();
        render(<PlaybookEditor playbookId='p1' host={host}/>);
        fireEvent.change(await screen.findByLabelText('Title'), {target: {value: 'Major incident'}});
        await click(screen.getByRole('button', {name: 'Duplicate'}));
        const dialog = screen.getByRole('dialog', {name: 'Duplicate with unsaved changes?'});
        expect(requests.some((r) => r.method === 'POST')).toBe(false);
        expect(host.navigate).not.toHaveBeenCalled();
        await click(within(dialog).getByRole('button', {name: 'Cancel'}));
        expect(screen.queryByRole('dialog')).toBeNull();
        expect(requests.some((r) => r.method === 'POST')).toBe(false);
        await click(screen.getByRole('button', {name: 'Duplicate'}));
        await click(within(screen.getByRole('dialog')).getByRole('button', {name: 'Save and duplicate'}));
        const methods = requests.filter((r) => r.method !== 'GET').map((r) => r.method);
        expect(methods).toEqual(['PUT', 'POST']);
        expect(putBody(requests).title).toBe('Major incident');
        expect(host.navigate).toHaveBeenCalledWith('/playbooks/playbooks/p2');
        expect(confirm).not.toHaveBeenCalled();
        confirm.mockRestore();
    });

    it('duplicates at once when nothing is unsaved, and warns on leaving the page with unsaved changes', async () => {
        mockFetch([
            ['POST', '/playbooks/p1/duplicate', () => ({id: 'p2'})],
            ['GET', '/playbooks/p1', () => playbook()],
        ]);
        const host = fakeHost();
        render(<PlaybookEditor playbookId='p1' host={host}/>);
        const title = await screen.findByLabelText('Title');
        const leave = () => window.dispatchEvent(new Event('beforeunload', {cancelable: true}));
        expect(leave()).toBe(true);
        fireEvent.change(title, {target: {value: 'Major incident'}});
        expect(leave()).toBe(false);
        fireEvent.change(title, {target: {value: 'Incident response'}});
        expect(leave()).toBe(true);
        await click(screen.getByRole('button', {name: 'Duplicate'}));
        expect(screen.queryByRole('dialog')).toBeNull();
        expect(host.navigate).toHaveBeenCalledWith('/playbooks/playbooks/p2');
    });

    it('edits metrics: type, target as a duration, at most four', async () => {
        const requests = setup();
        render(<PlaybookEditor playbookId='p1' host={fakeHost()}/>);
        const target = await screen.findByLabelText('Metric 1 target') as HTMLInputElement;
        expect(target.value).toBe('1h');
        fireEvent.change(target, {target: {value: '1h 30m'}});
        await click(screen.getByRole('button', {name: 'Add metric'}));
        fireEvent.change(screen.getByLabelText('Metric 2 name'), {target: {value: 'Cost'}});
        fireEvent.change(screen.getByLabelText('Metric 2 type'), {target: {value: 'metric_currency'}});
        fireEvent.change(screen.getByLabelText('Metric 2 target'), {target: {value: '500'}});
        fireEvent.change(screen.getByLabelText('Metric 2 description'), {target: {value: 'Credits paid'}});
        await click(screen.getByRole('button', {name: 'Add metric'}));
        await click(screen.getByRole('button', {name: 'Add metric'}));
        expect((screen.getByRole('button', {name: 'Add metric'}) as HTMLButtonElement).disabled).toBe(true);
        await click(screen.getByRole('button', {name: 'Delete metric 4'}));
        await click(screen.getByRole('button', {name: 'Save'}));
        expect(putBody(requests).metrics).toEqual([
            {id: 'm1', title: 'Time to mitigate', description: '', type: 'metric_duration', target: 5400000},
            {id: '', title: 'Cost', description: 'Credits paid', type: 'metric_currency', target: 500},
            {id: '', title: 'Metric 3', description: '', type: 'metric_duration', target: null},
        ]);
    });

    it('edits the other settings with real controls', async () => {
        const requests = setup();
        render(<PlaybookEditor playbookId='p1' host={fakeHost()}/>);
        await screen.findByLabelText('Title');
        fireEvent.change(screen.getByLabelText('Reminder interval'), {target: {value: '0'}});
        fireEvent.click(screen.getByLabelText('Broadcast updates to channels'));
        await pick('Add broadcast channels', 'town', /Town Square/);
        fireEvent.click(screen.getByLabelText('Send new runs to webhooks'));
        fireEvent.change(screen.getByLabelText('Run start webhook URLs'), {target: {value: 'https://a.example/hook\nhttps://b.example/hook\n'}});
        fireEvent.click(screen.getByLabelText('Link to an existing channel'));
        await pick('Channel to link runs to', 'town', /Town Square/);
        fireEvent.click(screen.getByLabelText('Assign a default owner'));
        await pick('Default owner', 'bo', /@bob/);
        await pick('Add invited users', 'be', /@bea/);
        fireEvent.change(screen.getByLabelText('Run number prefix'), {target: {value: 'SEV'}});
        fireEvent.change(screen.getByLabelText('Retrospective reminders'), {target: {value: '86400'}});
        fireEvent.click(screen.getByLabelText('Only playbook admins can edit it'));
        await click(screen.getByRole('button', {name: 'Save'}));
        expect(putBody(requests)).toMatchObject({
            reminder_timer_default_seconds: 0,
            broadcast_enabled: true,
            broadcast_channel_ids: ['ch9'],
            webhook_on_creation_enabled: true,
            webhook_on_creation_urls: ['https://a.example/hook', 'https://b.example/hook'],
            channel_mode: 'link_existing_channel',
            channel_id: 'ch9',
            default_owner_enabled: true,
            default_owner_id: 'u2',
            invited_user_ids: ['u3'],
            run_number_prefix: 'SEV',
            retrospective_reminder_interval_seconds: 86400,
            admin_only_edit: true,
        });
    });

    it('shows the server\'s validation error next to the field it names, and focuses it', async () => {
        setup(playbook(), () => json({message: 'checklists[1].items[0].title: must not be empty'}, 400));
        render(<PlaybookEditor playbookId='p1' host={fakeHost()}/>);
        fireEvent.change(await screen.findByLabelText('Task 2.1 name'), {target: {value: ''}});
        await click(screen.getByRole('button', {name: 'Save'}));
        const alert = await screen.findByRole('alert');
        expect(alert.textContent).toContain('checklists[1].items[0].title');
        const field = screen.getByLabelText('Task 2.1 name');
        expect(field.getAttribute('aria-invalid')).toBe('true');
        expect(document.getElementById(field.getAttribute('aria-describedby')!.split(' ').pop()!)?.textContent).toBe('must not be empty');
        expect(document.activeElement).toBe(field);
        expect(screen.getByLabelText('Task 1.1 name').getAttribute('aria-invalid')).toBeNull();
    });

    it('opens a task\'s details when the error is inside them', async () => {
        setup(playbook(), () => json({message: 'checklists[0].items[1].task_actions[0].trigger.payload: expected value'}, 400));
        render(<PlaybookEditor playbookId='p1' host={fakeHost()}/>);
        await click(await screen.findByRole('button', {name: 'Save'}));
        const keywords = await screen.findByLabelText('Task 1.2: mark done when a post contains');
        expect(keywords.getAttribute('aria-invalid')).toBe('true');
        expect(within(keywords.closest('.pb-field') as HTMLElement).getByText('expected value')).toBeTruthy();
    });
});
