import {describe, expect, it} from 'vitest';

import {task} from '../../test/fakes';
import type {Playbook} from '../../types';
import {carryRowKeys, joinOffset, rebase, keywordRule, moveIn, newMetric, rowKey, splitOffset, stepTask, updateTask, withKeywordRule} from './editorLogic';

describe('playbook editor logic', () => {
    it('moves list entries and tasks across checklists', () => {
        expect(moveIn(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
        expect(moveIn(['a', 'b'], 0, 5)).toEqual(['a', 'b']);
        const lists = [{id: '', title: 'A', items: [task({title: 'a0'})]}, {id: '', title: 'B', items: [task({title: 'b0'})]}];
        const down = stepTask(lists, 0, 0, 1);
        expect(down.map((l) => l.items.map((i) => i.title))).toEqual([[], ['a0', 'b0']]);
        expect(lists[0].items).toHaveLength(1); // not mutated
        expect(stepTask(lists, 0, 0, -1)).toBe(lists);
    });

    it('writes relative due dates in the largest exact unit', () => {
        expect(splitOffset(2 * 86400000)).toEqual({amount: 2, unit: 'days'});
        expect(splitOffset(90 * 60000)).toEqual({amount: 90, unit: 'minutes'});
        expect(splitOffset(3 * 3600000)).toEqual({amount: 3, unit: 'hours'});
        expect(joinOffset(3, 'hours')).toBe(3 * 3600000);
        expect(joinOffset(0, 'days')).toBe(0);
        expect(joinOffset(NaN, 'days')).toBe(0);
    });

    it('reads and writes the keywords → mark done task action as upstream stores it (JSON text payloads)', () => {
        const other = {trigger: {type: 'something_else', payload: '{}'}, actions: []};
        const item = task({task_actions: [other]});
        expect(keywordRule(item)).toEqual({keywords: [], userIds: []});
        const withRule = withKeywordRule(item, {keywords: ['done', 'fixed'], userIds: ['u2']});
        expect(withRule.task_actions).toHaveLength(2);
        const ta = withRule.task_actions![1];
        expect(ta.trigger.type).toBe('keywords_by_users');
        expect(JSON.parse(ta.trigger.payload)).toEqual({keywords: ['done', 'fixed'], user_ids: ['u2']});
        expect(ta.actions).toEqual([{type: 'mark_item_as_done', payload: JSON.stringify({enabled: true})}]);
        expect(keywordRule(withRule)).toEqual({keywords: ['done', 'fixed'], userIds: ['u2']});
        // Replaced in place, other actions kept; no keywords removes the rule.
        expect(withKeywordRule(withRule, {keywords: ['ok'], userIds: []}).task_actions![1].trigger.payload).toBe('{"keywords":["ok"],"user_ids":[]}');
        expect(withKeywordRule(withRule, {keywords: [], userIds: []}).task_actions).toEqual([other]);
    });

    it('names new metrics uniquely', () => {
        expect(newMetric([]).title).toBe('Metric 1');
        expect(newMetric([{id: '', title: 'metric 2', description: '', type: 'metric_integer', target: null}]).title).toBe('Metric 3');
    });

    it('gives rows stable keys that survive edits and moves, stay out of the JSON, and carry over to a reloaded playbook', () => {
        const pb = {id: 'p', checklists: [{id: 'c', title: 'A', items: [task({title: 'a0'}), task({title: 'a1'})]}], metrics: []} as unknown as Playbook;
        // Keys are given on first use (the editor renders every row before it can be edited).
        const list = rowKey(pb.checklists[0]);
        const [k0, k1] = pb.checklists[0].items.map(rowKey);
        expect(k0).not.toBe(k1);
        const edited = updateTask(pb, 0, 0, {title: 'renamed'});
        expect(rowKey(edited.checklists[0].items[0])).toBe(k0);
        const moved = stepTask(edited.checklists, 0, 0, 1);
        expect(moved[0].items.map(rowKey)).toEqual([k1, k0]);
        expect(JSON.stringify(edited)).toBe(JSON.stringify({...pb, checklists: [{...pb.checklists[0], items: [{...pb.checklists[0].items[0], title: 'renamed'}, pb.checklists[0].items[1]]}]}));
        expect(JSON.stringify(edited)).not.toContain('row');
        const server = JSON.parse(JSON.stringify(edited)) as Playbook;
        const reloaded = carryRowKeys(edited, server);
        expect(reloaded.checklists[0].items.map(rowKey)).toEqual([k0, k1]);
        expect(rowKey(reloaded.checklists[0])).toBe(list);
        expect(JSON.stringify(reloaded)).toBe(JSON.stringify(server));
        // Fields the server left out stay out.
        expect('metrics' in carryRowKeys(edited, {id: 'p', checklists: []} as unknown as Playbook)).toBe(false);
    });

    it('rebases a draft on a newer stored playbook: untouched fields from the server, edits kept', () => {
        const base = {id: 'p', title: 'A', description: 'd', delete_at: 0, update_at: 1, checklists: [], metrics: [], old: 1} as unknown as Playbook;
        const server = {...base, delete_at: 9, update_at: 2, description: 'normalised'} as Playbook;
        delete (server as Record<string, unknown>).old;
        expect(rebase(base, base, server)).toBe(server);
        const draft = {...base, title: 'B', description: 'mine'};
        const out = rebase(draft, base, server);
        expect(out).toEqual({id: 'p', title: 'B', description: 'mine', delete_at: 9, update_at: 2, checklists: [], metrics: []});
    });
});
