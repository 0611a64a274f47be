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
});
