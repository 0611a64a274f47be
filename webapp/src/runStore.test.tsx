import {act, renderHook} from '@testing-library/react';
import {beforeEach, describe, expect, it, vi} from 'vitest';

import {useAction} from './components/common';
import * as store from './runStore';
import {makeRun} from './test/fakes';
import type {PlaybookRun} from './types';

beforeEach(() => store.clear());

/** run1 with the first `closed` tasks of its first checklist closed, as of `at`. */
function ticked(at: number, closed: number): PlaybookRun {
    const run = makeRun({update_at: at});
    run.checklists[0].items = run.checklists[0].items.map((t, i) => ({...t, state: i < closed ? 'closed' : ''}));
    return run;
}

describe('run store', () => {
    it('keeps a newer run over an older one that arrives later, accepts equal and newer ones', () => {
        const listener = vi.fn();
        const off = store.subscribe(listener);
        store.put(ticked(20, 2));
        expect(listener).toHaveBeenCalledTimes(1);
        // A slow answer from before the second tick.
        expect(store.put(ticked(10, 1)).update_at).toBe(20);
        expect(store.get('run1')?.checklists[0].items.map((t) => t.state)).toEqual(['closed', 'closed']);
        expect(listener).toHaveBeenCalledTimes(1);
        // Same time: a local change on top of the stored run (e.g. followers) is taken.
        store.put({...ticked(20, 2), followers: ['u1']});
        expect(store.get('run1')?.followers).toEqual(['u1']);
        store.put(ticked(30, 0));
        expect(store.get('run1')?.update_at).toBe(30);
        // Runs without a time are taken as they come.
        store.put(makeRun({name: 'No time'}));
        expect(store.get('run1')?.name).toBe('No time');
        off();
    });

    it('a slow API answer does not overwrite a newer websocket update (useAction)', async () => {
        const {result} = renderHook(() => useAction(() => undefined));
        let answer: (r: PlaybookRun) => void = () => undefined;
        const slow = new Promise<PlaybookRun>((resolve) => {
            answer = resolve;
        });
        let done: Promise<unknown> = Promise.resolve();
        act(() => {
            done = result.current(() => slow);
        });
        // The second tick's event arrives first...
        store.put(ticked(20, 2));
        // ...then the first tick's answer.
        await act(async () => {
            answer(ticked(10, 1));
            await done;
        });
        expect(store.get('run1')?.checklists[0].items.map((t) => t.state)).toEqual(['closed', 'closed']);
    });

    it('applies incremental updates to the run known, by id, and ignores stale or unknown ones', () => {
        const event = (id: string, at = 1) => ({id, event_at: at, event_type: 'x', summary: id, delete_at: 0, subject_user_id: '', creator_user_id: '', post_id: ''});
        store.put(makeRun({update_at: 10, timeline_events: [event('e1'), event('e2')]}));
        const listener = vi.fn();
        const off = store.subscribe(listener);
        const next = store.applyUpdate({
            id: 'run1',
            playbook_run_updated_at: 20,
            changed_fields: {
                task_completed: 2,
                timeline_events: [{...event('e1'), delete_at: 5}, event('e3')],
                checklists: [
                    {id: 'cl', item_updates: [{id: 'i1', fields: {state: 'closed'}}], item_inserts: [{...makeRun().checklists[1].items[0], id: 'i9'}], items_order: ['i9', 'i1', 'i2']},
                    {id: 'cl3', fields: {title: 'New'}, item_inserts: []},
                ],
            },
            checklist_deletes: ['cl2'],
        });
        expect(listener).toHaveBeenCalledTimes(1);
        expect(next?.update_at).toBe(20);
        expect(next?.task_completed).toBe(2);
        expect(next?.timeline_events.map((e) => [e.id, e.delete_at])).toEqual([['e1', 5], ['e2', 0], ['e3', 0]]);
        expect(next?.checklists.map((c) => c.id)).toEqual(['cl', 'cl3']);
        expect(next?.checklists[0].items.map((t) => [t.id, t.state])).toEqual([['i9', ''], ['i1', 'closed'], ['i2', 'closed']]);
        expect(next?.checklists[1]).toMatchObject({title: 'New', items: []});
        // Older than what is known: ignored. Unknown run: left alone.
        expect(store.applyUpdate({id: 'run1', playbook_run_updated_at: 15, changed_fields: {name: 'stale'}})?.name).toBe('DB outage');
        expect(store.applyUpdate({id: 'nope', changed_fields: {name: 'x'}})).toBeUndefined();
        expect(store.get('nope')).toBeUndefined();
        // The event's payload is upstream's: JSON text (or an object).
        expect(store.updateFromEvent({payload: JSON.stringify({id: 'run1', changed_fields: {}})})?.id).toBe('run1');
        expect(store.updateFromEvent({payload: 'not json'})).toBeUndefined();
        off();
    });
});
