import {act, fireEvent, render, screen, waitFor, within} from '@testing-library/react';
import React from 'react';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';

import * as store from '../runStore';
import {fakeHost, json, makeRun, mockFetch, type Recorded, task} from '../test/fakes';
import type {PlaybookRun} from '../types';
import {RunDetails} from './RunDetails';

type Routes = Parameters<typeof mockFetch>[0];

/** The sidebar on channel c1 with these runs; edits answer with `after` (default: the first run unchanged). */
function setup(runs: PlaybookRun[] = [makeRun()], extra: Routes = [], after?: PlaybookRun): Recorded[] {
    const answer = () => after || runs[0];
    return mockFetch([
        ...extra,
        ['GET', '/runs/channel/c1/runs', () => ({items: runs, total_count: runs.length, page_count: 1, has_more: false})],
        ['GET', '/status-updates', () => []],
        ['PUT', '/runs/', answer], ['POST', '/runs/', answer], ['DELETE', '/runs/', answer], ['PATCH', '/runs/', answer],
    ]);
}

const find = (requests: Recorded[], method: string, suffix: string) => requests.find((r) => r.method === method && r.url.endsWith(suffix));

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

beforeEach(() => store.clear());
afterEach(() => vi.unstubAllGlobals());

describe('run details sidebar', () => {
    it('shows the channel run and checks a task through the API', async () => {
        const checked = makeRun({task_completed: 2});
        checked.checklists[0].items[0] = {...checked.checklists[0].items[0], state: 'closed'};
        const requests = setup([makeRun()], [['PUT', '/checklists/0/item/0/state', () => checked]]);
        render(<RunDetails host={fakeHost()}/>);
        expect(await screen.findByRole('article', {name: 'Run DB outage'})).toBeTruthy();
        expect(screen.getByText('Primary down')).toBeTruthy();
        expect(screen.getByText('1/3 done')).toBeTruthy();
        const box = screen.getByRole('checkbox', {name: 'Assess'}) as HTMLInputElement;
        expect(box.checked).toBe(false);
        await click(box);
        expect(find(requests, 'PUT', '/checklists/0/item/0/state')?.body).toEqual({new_state: 'closed'});
        await waitFor(() => expect((screen.getByRole('checkbox', {name: 'Assess'}) as HTMLInputElement).checked).toBe(true));
        expect(screen.getByText('2/3 done')).toBeTruthy();
    });

    it('filters tasks and shows the server\'s error message', async () => {
        setup([makeRun()], [['PUT', '/skip', () => json({message: 'checklists[0].items[1]: already closed'}, 400)]]);
        render(<RunDetails host={fakeHost()}/>);
        await screen.findByRole('article', {name: 'Run DB outage'});
        fireEvent.change(screen.getByRole('combobox', {name: 'Task filter'}), {target: {value: 'checked'}});
        expect(screen.queryByRole('checkbox', {name: 'Assess'})).toBeNull();
        expect(screen.getByRole('checkbox', {name: 'Page'})).toBeTruthy();
        await click(screen.getByRole('button', {name: 'Skip Page'}));
        expect((await screen.findByRole('alert')).textContent).toContain('checklists[0].items[1]: already closed');
    });

    it('lists several runs with filters and opens one', async () => {
        const runs = [
            makeRun({id: 'r1', name: 'Old outage', create_at: 1, current_status: 'Finished'}),
            makeRun({id: 'r2', name: 'New outage', create_at: 2}),
            makeRun({id: 'r3', name: 'Other team outage', create_at: 3, owner_user_id: 'u2', participant_ids: ['u2']}),
        ];
        setup(runs);
        render(<RunDetails host={fakeHost()}/>);
        const list = await screen.findByRole('region', {name: 'Runs in this channel'});
        expect(within(list).getAllByRole('button', {name: /outage/}).map((b) => b.textContent)).toEqual(['Other team outage', 'New outage']);
        await click(screen.getByRole('button', {name: /^Finished/}));
        expect(within(list).getAllByRole('button', {name: /outage/}).map((b) => b.textContent)).toEqual(['Old outage']);
        await click(screen.getByRole('button', {name: /^Mine/}));
        expect(within(list).getAllByRole('button', {name: /outage/}).map((b) => b.textContent)).toEqual(['New outage', 'Old outage']);
        await click(screen.getByRole('button', {name: 'New outage'}));
        expect(screen.getByRole('article', {name: 'Run New outage'})).toBeTruthy();
        await click(screen.getByRole('button', {name: '← All runs'}));
        expect(screen.getByRole('region', {name: 'Runs in this channel'})).toBeTruthy();
    });

    it('finishes a run only after the in-page confirmation', async () => {
        const requests = setup();
        render(<RunDetails host={fakeHost()}/>);
        await click(await screen.findByRole('button', {name: 'Finish run'}));
        let dialog = screen.getByRole('dialog', {name: 'Finish DB outage?'});
        expect(dialog.textContent).toContain('2 tasks are still outstanding');
        await click(within(dialog).getByRole('button', {name: 'Cancel'}));
        expect(screen.queryByRole('dialog')).toBeNull();
        expect(find(requests, 'PUT', '/finish')).toBeUndefined();
        await click(screen.getByRole('button', {name: 'Finish run'}));
        dialog = screen.getByRole('dialog');
        expect(document.activeElement).toBe(within(dialog).getByRole('button', {name: 'Finish'}));
        await click(within(dialog).getByRole('button', {name: 'Finish'}));
        expect(find(requests, 'PUT', '/runs/run1/finish')).toBeTruthy();
    });

    it('changes the owner with the user picker', async () => {
        const requests = setup();
        render(<RunDetails host={fakeHost()}/>);
        await click(await screen.findByRole('button', {name: 'Change owner'}));
        await pick('New owner', 'bo', /@bob/);
        expect(find(requests, 'POST', '/runs/run1/owner')?.body).toEqual({owner_id: 'u2'});
    });

    it('adds and removes participants, never the owner', async () => {
        const requests = setup();
        render(<RunDetails host={fakeHost()}/>);
        await screen.findByRole('article', {name: 'Run DB outage'});
        await pick('Add participant', 'be', /@bea/);
        expect(find(requests, 'POST', '/runs/run1/participants')?.body).toEqual({user_ids: ['u3']});
        await click(await screen.findByRole('button', {name: 'Remove @bob from the run'}));
        expect(find(requests, 'DELETE', '/runs/run1/participants')?.body).toEqual({user_ids: ['u2']});
        expect(screen.queryByRole('button', {name: 'Remove @alice from the run'})).toBeNull();
    });

    it('sets several assignees and a due date, and clears them', async () => {
        const due = new Date(2030, 0, 2, 9, 30).getTime();
        const run = makeRun();
        run.checklists[0].items[0] = {...run.checklists[0].items[0], due_date: due};
        const requests = setup([run]);
        render(<RunDetails host={fakeHost()}/>);
        await click(await screen.findByRole('button', {name: 'Edit task Assess'}));
        await pick('Add assignee to Assess', 'bo', /@bob/);
        expect(find(requests, 'PUT', '/checklists/0/item/0/assignee')?.body).toEqual({assignee_ids: ['u1', 'u2']});
        await click(await screen.findByRole('button', {name: 'Unassign @alice from Assess'}));
        expect(requests.filter((r) => r.url.endsWith('/item/0/assignee')).pop()?.body).toEqual({assignee_ids: []});

        const input = screen.getByLabelText('Due date of Assess') as HTMLInputElement;
        expect(input.value).toBe('2030-01-02T09:30');
        fireEvent.change(input, {target: {value: '2030-01-03T10:00'}});
        await click(screen.getByRole('button', {name: 'Set due date'}));
        expect(find(requests, 'PUT', '/checklists/0/item/0/duedate')?.body).toEqual({due_date: new Date(2030, 0, 3, 10, 0).getTime()});
        await click(screen.getByRole('button', {name: 'Clear due date'}));
        expect(requests.filter((r) => r.url.endsWith('/item/0/duedate')).pop()?.body).toEqual({due_date: 0});
    });

    it('"Assign me" adds the caller to the assignees', async () => {
        const requests = setup();
        render(<RunDetails host={fakeHost()}/>);
        await click(await screen.findByRole('button', {name: 'Assign me to Page'}));
        expect(find(requests, 'PUT', '/checklists/0/item/1/assignee')?.body).toEqual({assignee_ids: ['u1']});
    });

    it('moves tasks and checklists with the up/down buttons, across checklist borders', async () => {
        const requests = setup();
        render(<RunDetails host={fakeHost()}/>);
        await screen.findByRole('article', {name: 'Run DB outage'});
        expect((screen.getByRole('button', {name: 'Move Assess up'}) as HTMLButtonElement).disabled).toBe(true);
        await click(screen.getByRole('button', {name: 'Move Assess down'}));
        await click(screen.getByRole('button', {name: 'Move Page down'}));
        await click(screen.getByRole('button', {name: 'Move Fix it up'}));
        const moves = requests.filter((r) => r.url.endsWith('/checklists/move-item')).map((r) => r.body);
        expect(moves).toEqual([
            {source_checklist_idx: 0, source_item_idx: 0, dest_checklist_idx: 0, dest_item_idx: 1},
            {source_checklist_idx: 0, source_item_idx: 1, dest_checklist_idx: 1, dest_item_idx: 0},
            {source_checklist_idx: 1, source_item_idx: 0, dest_checklist_idx: 0, dest_item_idx: 2},
        ]);
        expect((screen.getByRole('button', {name: 'Move checklist Triage up'}) as HTMLButtonElement).disabled).toBe(true);
        await click(screen.getByRole('button', {name: 'Move checklist Mitigate up'}));
        expect(find(requests, 'POST', '/checklists/move')?.body).toEqual({source_checklist_idx: 1, dest_checklist_idx: 0});
    });

    it('moves a task by drag and drop', async () => {
        const requests = setup();
        render(<RunDetails host={fakeHost()}/>);
        await screen.findByRole('article', {name: 'Run DB outage'});
        const row = (title: string) => screen.getByRole('checkbox', {name: title}).closest('li') as HTMLElement;
        fireEvent.dragStart(row('Fix it'));
        fireEvent.dragOver(row('Assess'));
        await act(async () => {
            fireEvent.drop(row('Assess'));
        });
        expect(find(requests, 'POST', '/checklists/move-item')?.body)
            .toEqual({source_checklist_idx: 1, source_item_idx: 0, dest_checklist_idx: 0, dest_item_idx: 0});
        // A checklist dragged onto another moves there.
        const header = screen.getByRole('group', {name: 'Checklist Mitigate'}).firstElementChild as HTMLElement;
        fireEvent.dragStart(header);
        await act(async () => {
            fireEvent.drop(screen.getByRole('group', {name: 'Checklist Triage'}));
        });
        expect(find(requests, 'POST', '/checklists/move')?.body).toEqual({source_checklist_idx: 1, dest_checklist_idx: 0});
    });

    it('adds, renames and deletes tasks; adds and renames checklists', async () => {
        const requests = setup();
        render(<RunDetails host={fakeHost()}/>);
        await screen.findByRole('article', {name: 'Run DB outage'});
        fireEvent.change(screen.getByRole('textbox', {name: 'New task in Mitigate'}), {target: {value: 'Call the vendor'}});
        await click(screen.getByRole('button', {name: 'Add task to Mitigate'}));
        expect(find(requests, 'POST', '/checklists/1/add')?.body).toEqual({title: 'Call the vendor'});

        await click(screen.getByRole('button', {name: 'Edit task Page'}));
        fireEvent.change(screen.getByRole('textbox', {name: 'Task name'}), {target: {value: 'Page the DBA'}});
        fireEvent.change(screen.getByRole('textbox', {name: 'Description (Markdown)'}), {target: {value: 'Use **PagerDuty**'}});
        await click(screen.getByRole('button', {name: 'Save task'}));
        expect(find(requests, 'PUT', '/checklists/0/item/1')?.body).toEqual({title: 'Page the DBA', description: 'Use **PagerDuty**', command: '/echo hi'});

        await click(screen.getByRole('button', {name: 'Edit task Assess'}));
        await click(screen.getByRole('button', {name: 'Delete task'}));
        await click(within(screen.getByRole('dialog')).getByRole('button', {name: 'Delete'}));
        expect(find(requests, 'DELETE', '/checklists/0/item/0')).toBeTruthy();

        fireEvent.change(screen.getByRole('textbox', {name: 'New checklist'}), {target: {value: 'Learn'}});
        await click(screen.getByRole('button', {name: 'Add checklist'}));
        expect(find(requests, 'POST', '/runs/run1/checklists')?.body).toEqual({title: 'Learn'});

        await click(screen.getAllByRole('button', {name: 'Edit checklist name'})[1]);
        const name = screen.getByRole('textbox', {name: 'Checklist name'});
        fireEvent.change(name, {target: {value: 'Fix'}});
        await act(async () => {
            fireEvent.keyDown(name, {key: 'Enter'});
        });
        expect(find(requests, 'PUT', '/checklists/1/rename')?.body).toEqual({title: 'Fix'});
    });

    it('renders task descriptions as Markdown through the host and runs slash commands', async () => {
        const run = makeRun();
        run.checklists[1].items[0] = task({id: 'i3', title: 'Fix it', description: '**careful**', command: '/deploy rollback'});
        const requests = setup([run]);
        const seen: string[] = [];
        const host = fakeHost('c1', {markdown: (t: string) => {
            seen.push(t);
            return <em>{t}</em>;
        }});
        render(<RunDetails host={host}/>);
        expect((await screen.findByText('**careful**')).tagName).toBe('EM');
        expect(seen).toContain('Primary down');
        await click(screen.getByRole('button', {name: 'Run /deploy rollback for Fix it'}));
        expect(find(requests, 'POST', '/checklists/1/item/0/run')).toBeTruthy();
    });

    it('follows live updates from the store without polling', async () => {
        const requests = setup();
        render(<RunDetails host={fakeHost()}/>);
        await screen.findByRole('article', {name: 'Run DB outage'});
        const before = requests.length;
        act(() => {
            store.put(makeRun({name: 'DB outage (mitigated)'}));
        });
        expect(screen.getByRole('article', {name: 'Run DB outage (mitigated)'})).toBeTruthy();
        expect(requests.filter((r) => r.url.includes('/runs/channel/')).length).toBe(1);
        expect(requests.length).toBeLessThanOrEqual(before + 1);
    });

    it('posts a status update with a reminder choice, Never included', async () => {
        const requests = setup();
        render(<RunDetails host={fakeHost()}/>);
        await click(await screen.findByRole('button', {name: 'Post update'}));
        fireEvent.change(screen.getByRole('textbox', {name: 'Update'}), {target: {value: 'Failover done'}});
        const reminder = screen.getByRole('combobox', {name: 'Next reminder'}) as HTMLSelectElement;
        expect(reminder.value).toBe('3600');
        fireEvent.change(reminder, {target: {value: '0'}});
        await click(screen.getByRole('button', {name: 'Post'}));
        expect(find(requests, 'POST', '/runs/run1/status')?.body).toEqual({message: 'Failover done', reminder: 0, finish_run: false});
    });

    it('drops a half-typed status update when moving to another run channel (nothing is posted to the other run)', async () => {
        const a = makeRun();
        const b = makeRun({id: 'run2', name: 'Cache miss', channel_id: 'c2'});
        const requests = mockFetch([
            ['GET', '/runs/channel/c1/runs', () => ({items: [a]})],
            ['GET', '/runs/channel/c2/runs', () => ({items: [b]})],
            ['GET', '/status-updates', () => []],
            ['POST', '/runs/', () => b],
        ]);
        store.put(a);
        store.put(b);
        let channel = 'c1';
        let moveTo: (id: string) => void = () => undefined;
        const host = fakeHost('c1', {
            channelId: () => channel,
            onChannelChange: (l) => {
                moveTo = l;
                return () => undefined;
            },
        });
        render(<RunDetails host={host}/>);
        await screen.findByRole('article', {name: 'Run DB outage'});
        await click(screen.getByRole('button', {name: 'Post update'}));
        fireEvent.change(screen.getByRole('textbox', {name: 'Update'}), {target: {value: 'For run A only'}});
        await act(async () => {
            channel = 'c2';
            moveTo('c2');
        });
        expect(screen.getByRole('article', {name: 'Run Cache miss'})).toBeTruthy();
        expect(screen.queryByRole('textbox', {name: 'Update'})).toBeNull();
        await click(screen.getByRole('button', {name: 'Post update'}));
        expect((screen.getByRole('textbox', {name: 'Update'}) as HTMLTextAreaElement).value).toBe('');
        expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
    });

    it('says when a channel has no runs', async () => {
        mockFetch([['GET', '/runs/channel/c2/runs', () => ({items: []})]]);
        render(<RunDetails host={fakeHost('c2')}/>);
        expect(await screen.findByText(/No runs in this channel/)).toBeTruthy();
    });
});
