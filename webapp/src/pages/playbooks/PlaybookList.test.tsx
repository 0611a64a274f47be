import {act, fireEvent, render, screen, waitFor, within} from '@testing-library/react';
import React from 'react';
import {afterEach, describe, expect, it, vi} from 'vitest';

import * as store from '../../runStore';
import {fakeHost, mockFetch} from '../../test/fakes';
import {PlaybookList} from './PlaybookList';
import {TEMPLATES} from './templates';

afterEach(() => vi.unstubAllGlobals());

const pb = (id: string, title: string, deleted = 0) => ({id, title, delete_at: deleted, num_runs: 1, active_runs: 0, last_run_at: 0});

describe('playbook list', () => {
    it('creates from each template, archives behind a confirmation, restores, and reloads on playbook events', async () => {
        const requests = mockFetch([
            ['GET', '/playbooks?', (url) => ({items: url.includes('with_archived=true') ? [pb('p1', 'Incident response'), pb('p2', 'Old', 5)] : [pb('p1', 'Incident response')]})],
            ['POST', '/playbooks', () => ({id: 'new1'})],
            ['DELETE', '/playbooks/p1', () => undefined],
            ['PUT', '/playbooks/p2/restore', () => undefined],
        ]);
        const host = fakeHost();
        render(<PlaybookList host={host}/>);
        expect(await screen.findByRole('link', {name: 'Incident response'})).toBeTruthy();
        // Browser tests look the playbook up by a substring of its link's name: it must be the only such link.
        expect(screen.getAllByRole('link').filter((l) => /incident response/i.test(l.textContent + ' ' + (l.getAttribute('aria-label') || '')))).toHaveLength(1);
        expect(TEMPLATES.map((t) => t.name)).toEqual(['Blank', 'Incident response', 'Release checklist']);
        await act(async () => {
            fireEvent.click(screen.getByRole('button', {name: 'Create from template Release checklist'}));
        });
        const created = requests.find((r) => r.method === 'POST')!.body;
        expect(created).toMatchObject({title: 'Release checklist', team_id: 't1', run_number_prefix: 'REL'});
        expect(created.checklists.length).toBeGreaterThan(1);
        expect(host.navigate).toHaveBeenCalledWith('/playbooks/playbooks/new1');

        fireEvent.click(screen.getByRole('button', {name: 'Archive Incident response'}));
        const dialog = screen.getByRole('dialog', {name: 'Archive Incident response?'});
        await act(async () => {
            fireEvent.click(within(dialog).getByRole('button', {name: 'Archive'}));
        });
        expect(requests.some((r) => r.method === 'DELETE' && r.url.endsWith('/playbooks/p1'))).toBe(true);

        fireEvent.click(screen.getByRole('checkbox', {name: 'Show archived'}));
        const restore = await screen.findByRole('button', {name: 'Restore Old'});
        await act(async () => {
            fireEvent.click(restore);
        });
        expect(requests.some((r) => r.method === 'PUT' && r.url.endsWith('/playbooks/p2/restore'))).toBe(true);

        const lists = requests.filter((r) => r.method === 'GET').length;
        act(() => store.playbooksChanged());
        await waitFor(() => expect(requests.filter((r) => r.method === 'GET').length).toBe(lists + 1));
    });

    it('every template is a valid starting point', () => {
        for (const t of TEMPLATES) {
            const p = t.make('t1');
            expect(p.title).toBeTruthy();
            expect(p.team_id).toBe('t1');
            expect((p.metrics || []).length).toBeLessThanOrEqual(4);
            for (const list of p.checklists || []) {
                expect(list.title).toBeTruthy();
                list.items.forEach((i) => expect(i.due_date).toBeGreaterThanOrEqual(0));
            }
        }
    });
});
