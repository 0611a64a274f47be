// The checklists of a run: the task filter, each checklist (rename, move,
// delete, add task) and its tasks, adding checklists, and moving tasks and
// checklists by drag and drop. Every move also has up/down buttons, since
// drag and drop is out of reach of keyboards and many screen readers.

import React, {useState} from 'react';

import * as client from '../client';
import {ConfirmDialog} from '../components/Dialog';
import {InlineEdit, useAction, useNow} from '../components/common';
import type {Host} from '../host';
import {ITEM_FILTERS, type ItemFilter, checklistMoveTarget, isDone, itemDropTarget, itemMoveTarget, matchesFilter} from '../logic';
import type {Checklist, PlaybookRun} from '../types';
import {TaskItem} from './TaskItem';

type Drag = {kind: 'item'; from: [number, number]} | {kind: 'list'; from: number} | null;

const FILTER_LABELS: Record<ItemFilter, string> = {
    all: 'All tasks', mine: 'Assigned to me', unassigned: 'Unassigned', checked: 'Checked', skipped: 'Skipped', overdue: 'Overdue',
};

export function Checklists({run, host, setError}: {run: PlaybookRun; host: Host; setError: (e: string) => void}) {
    const act = useAction(setError);
    const now = useNow();
    const [filter, setFilter] = useState<ItemFilter>('all');
    const [drag, setDrag] = useState<Drag>(null);
    const [over, setOver] = useState('');
    const [newList, setNewList] = useState('');
    const finished = run.current_status === 'Finished';
    const me = host.userId();
    const lists = run.checklists || [];
    const moveItem = (from: [number, number], to: [number, number] | null) => to && act(() => client.checklists.moveItem(run.id, from, to));
    const endDrag = () => {
        setDrag(null);
        setOver('');
    };
    const start = (d: Drag) => (e: React.DragEvent) => {
        e.stopPropagation();
        // Firefox starts a drag only with data set.
        e.dataTransfer?.setData('text/plain', d?.kind === 'item' ? `task ${d.from.join('.')}` : `checklist ${d?.from}`);
        if (e.dataTransfer) {
            e.dataTransfer.effectAllowed = 'move';
        }
        setDrag(d);
    };
    const allowDrop = (key: string, accepts: boolean) => (e: React.DragEvent) => {
        if (accepts) {
            e.preventDefault();
            e.stopPropagation();
            setOver(key);
        }
    };
    /** Dropped on task (c, i), or on checklist c (its end) when i is undefined. */
    const dropOn = (c: number, i?: number) => (e: React.DragEvent) => {
        e.preventDefault();
        e.stopPropagation();
        if (drag?.kind === 'item') {
            moveItem(drag.from, itemDropTarget(lists, drag.from, c, i));
        } else if (drag?.kind === 'list' && drag.from !== c) {
            const from = drag.from;
            act(() => client.checklists.moveChecklist(run.id, from, c));
        }
        endDrag();
    };
    return (
        <section aria-label='Checklists' className='pb-checklists'>
            <div className='pb-row'>
                <h3>Checklists</h3>
                <span className='pb-muted'>{run.task_completed}/{run.task_total} done</span>
                <label className='pb-filter'>Show
                    <select aria-label='Task filter' value={filter} onChange={(e) => setFilter(e.target.value as ItemFilter)}>
                        {ITEM_FILTERS.map((f) => <option key={f} value={f}>{FILTER_LABELS[f]}</option>)}
                    </select>
                </label>
            </div>
            {lists.map((list, c) => (
                <ChecklistSection
                    key={list.id || c}
                    run={run}
                    list={list}
                    c={c}
                    count={lists.length}
                    act={act}
                    finished={finished}
                    over={over === `list-${c}`}
                    onDragStart={start({kind: 'list', from: c})}
                    onDragEnd={endDrag}
                    onDragOver={allowDrop(`list-${c}`, drag !== null)}
                    onDrop={dropOn(c)}
                >
                    {list.items.map((item, i) => matchesFilter(item, filter, me, now) && (
                        <TaskItem
                            key={item.id || i}
                            run={run} c={c} i={i} item={item} host={host} act={act} now={now}
                            moveUp={itemMoveTarget(lists, c, i, -1) ? () => moveItem([c, i], itemMoveTarget(lists, c, i, -1)) : null}
                            moveDown={itemMoveTarget(lists, c, i, 1) ? () => moveItem([c, i], itemMoveTarget(lists, c, i, 1)) : null}
                            drag={{
                                onDragStart: start({kind: 'item', from: [c, i]}),
                                onDragEnd: endDrag,
                                onDragOver: allowDrop(`item-${c}-${i}`, drag?.kind === 'item'),
                                onDrop: dropOn(c, i),
                                over: over === `item-${c}-${i}`,
                            }}
                        />
                    ))}
                </ChecklistSection>
            ))}
            {!finished && (
                <form className='pb-row' onSubmit={(e) => {
                    e.preventDefault();
                    if (newList.trim()) {
                        act(() => client.checklists.addChecklist(run.id, newList.trim())).then((r) => r && setNewList(''));
                    }
                }}>
                    <input aria-label='New checklist' placeholder='New checklist' value={newList} onChange={(e) => setNewList(e.target.value)}/>
                    <button type='submit'>Add checklist</button>
                </form>
            )}
        </section>
    );
}

function ChecklistSection({run, list, c, count, act, finished, over, children, onDragStart, onDragEnd, onDragOver, onDrop}: {
    run: PlaybookRun;
    list: Checklist;
    c: number;
    count: number;
    act: ReturnType<typeof useAction>;
    finished: boolean;
    over: boolean;
    children: React.ReactNode;
    onDragStart: (e: React.DragEvent) => void;
    onDragEnd: () => void;
    onDragOver: (e: React.DragEvent) => void;
    onDrop: (e: React.DragEvent) => void;
}) {
    const [deleting, setDeleting] = useState(false);
    const [collapsed, setCollapsed] = useState(false);
    const done = list.items.filter(isDone).length;
    const up = checklistMoveTarget(count, c, -1);
    const down = checklistMoveTarget(count, c, 1);
    const title = list.title;
    return (
        <div className={`pb-checklist${over ? ' pb-drop-target' : ''}`} role='group' aria-label={`Checklist ${title}`}
            onDragOver={onDragOver} onDrop={onDrop}>
            <div className='pb-checklist-header' draggable={!finished} onDragStart={onDragStart} onDragEnd={onDragEnd}>
                <button type='button' className='pb-icon' aria-expanded={!collapsed} aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${title}`}
                    onClick={() => setCollapsed(!collapsed)}>{collapsed ? '▸' : '▾'}</button>
                <h4>
                    {finished ? title : <InlineEdit label='checklist name' value={title} onSave={(t) => act(() => client.checklists.rename(run.id, c, t))}/>}
                </h4>
                <span className='pb-muted'>{done}/{list.items.length}</span>
                {!finished && (
                    <span className='pb-checklist-actions'>
                        <button type='button' className='pb-icon' aria-label={`Move checklist ${title} up`} disabled={up === null}
                            onClick={() => up !== null && act(() => client.checklists.moveChecklist(run.id, c, up))}>↑</button>
                        <button type='button' className='pb-icon' aria-label={`Move checklist ${title} down`} disabled={down === null}
                            onClick={() => down !== null && act(() => client.checklists.moveChecklist(run.id, c, down))}>↓</button>
                        <button type='button' className='pb-icon pb-danger' aria-label={`Delete checklist ${title}`} title='Delete checklist' onClick={() => setDeleting(true)}>×</button>
                    </span>
                )}
            </div>
            {!collapsed && (
                <>
                    <ul>{children}</ul>
                    {list.items.length === 0 && <p className='pb-muted pb-drop-hint'>No tasks yet{finished ? '' : ': add one, or drop one here'}.</p>}
                    {!finished && <AddTask checklist={title} onAdd={(t) => act(() => client.checklists.addItem(run.id, c, t))}/>}
                </>
            )}
            {deleting && (
                <ConfirmDialog title={`Delete the checklist “${title}”?`} confirmLabel='Delete' danger onCancel={() => setDeleting(false)} onConfirm={() => {
                    setDeleting(false);
                    act(() => client.checklists.deleteChecklist(run.id, c));
                }}>
                    <p>Its {list.items.length} task{list.items.length === 1 ? '' : 's'} go with it.</p>
                </ConfirmDialog>
            )}
        </div>
    );
}

function AddTask({checklist, onAdd}: {checklist: string; onAdd: (title: string) => Promise<unknown>}) {
    const [title, setTitle] = useState('');
    return (
        <form className='pb-row pb-add-task' onSubmit={(e) => {
            e.preventDefault();
            if (title.trim()) {
                onAdd(title.trim()).then((r) => r && setTitle(''));
            }
        }}>
            <input aria-label={`New task in ${checklist}`} placeholder='New task' value={title} onChange={(e) => setTitle(e.target.value)}/>
            <button type='submit' aria-label={`Add task to ${checklist}`}>Add task</button>
        </form>
    );
}
