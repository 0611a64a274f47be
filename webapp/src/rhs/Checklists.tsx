// Checklists of a run: filter, check/uncheck, assignees, due dates,
// descriptions, slash commands, skip/restore, add/rename, and moving tasks
// by drag and drop.

import React, {useState} from 'react';

import * as client from '../client';
import {InlineEdit, Username, useAction, useNow} from '../components/common';
import type {Host} from '../host';
import {ITEM_FILTERS, type ItemFilter, assignees, matchesFilter, relative} from '../logic';
import type {PlaybookRun} from '../types';

export function Checklists({run, host, setError}: {run: PlaybookRun; host: Host; setError: (e: string) => void}) {
    const act = useAction(setError);
    const now = useNow();
    const [filter, setFilter] = useState<ItemFilter>('all');
    const [dragging, setDragging] = useState<[number, number] | null>(null);
    const [newList, setNewList] = useState('');
    const finished = run.current_status === 'Finished';
    const me = host.userId();
    const drop = (c: number, i: number) => {
        if (dragging && (dragging[0] !== c || dragging[1] !== i)) {
            const from = dragging;
            act(() => client.checklists.moveItem(run.id, from, [c, i]));
        }
        setDragging(null);
    };
    return (
        <section aria-label='Checklists' className='pb-checklists'>
            <div className='pb-row'>
                <h3>Checklists</h3>
                <span className='pb-muted'>{run.task_completed}/{run.task_total} done</span>
                <label className='pb-filter'>Show
                    <select aria-label="Task filter" value={filter} onChange={(e) => setFilter(e.target.value as ItemFilter)}>
                        {ITEM_FILTERS.map((f) => <option key={f} value={f}>{f}</option>)}
                    </select>
                </label>
            </div>
            {run.checklists.map((list, c) => (
                <div key={list.id || c} className='pb-checklist'>
                    <h4>
                        {finished ? list.title : (
                            <InlineEdit label='checklist title' value={list.title} onSave={(t) => act(() => client.checklists.rename(run.id, c, t))}/>
                        )}
                    </h4>
                    <ul>
                        {list.items.map((item, i) => matchesFilter(item, filter, me, now) && (
                            <li
                                key={item.id || i}
                                className={`pb-item pb-item-${item.state || 'open'}`}
                                draggable={!finished}
                                onDragStart={() => setDragging([c, i])}
                                onDragOver={(e) => e.preventDefault()}
                                onDrop={() => drop(c, i)}
                            >
                                <label className='pb-check'>
                                    <input
                                        type='checkbox'
                                        disabled={finished || item.state === 'skipped'}
                                        checked={item.state === 'closed'}
                                        onChange={(e) => act(() => client.checklists.setState(run.id, c, i, e.target.checked ? 'closed' : ''))}
                                    />
                                    <span className='pb-item-title'>{item.title}</span>
                                </label>
                                <span className='pb-item-meta'>
                                    {assignees(item).map((a) => <Username key={a} host={host} id={a}/>)}
                                    {item.due_date > 0 && (
                                        <span className={item.due_date <= now && item.state !== 'closed' ? 'pb-overdue' : 'pb-due'}>
                                            due {relative(item.due_date, now)}
                                        </span>
                                    )}
                                </span>
                                {!finished && (
                                    <span className='pb-item-actions'>
                                        {!assignees(item).includes(me) && (
                                            <button type='button' onClick={() => act(() => client.checklists.setAssignee(run.id, c, i, me))}>Assign me</button>
                                        )}
                                        {item.command && (
                                            <button type='button' title={item.command} onClick={() => act(() => client.checklists.runCommand(run.id, c, i))}>Run {item.command}</button>
                                        )}
                                        {item.state === 'skipped' ? (
                                            <button type='button' onClick={() => act(() => client.checklists.restore(run.id, c, i))}>Restore</button>
                                        ) : (
                                            <button type='button' onClick={() => act(() => client.checklists.skip(run.id, c, i))}>Skip</button>
                                        )}
                                    </span>
                                )}
                                {item.description && <details><summary>Description</summary><p>{item.description}</p></details>}
                            </li>
                        ))}
                    </ul>
                    {!finished && <AddTask onAdd={(title) => act(() => client.checklists.addItem(run.id, c, title))}/>}
                </div>
            ))}
            {!finished && (
                <form className='pb-row' onSubmit={(e) => {
                    e.preventDefault();
                    if (newList.trim()) {
                        act(() => client.checklists.addChecklist(run.id, newList.trim())).then(() => setNewList(''));
                    }
                }}>
                    <input aria-label='New checklist' placeholder='New checklist' value={newList} onChange={(e) => setNewList(e.target.value)}/>
                    <button type='submit'>Add checklist</button>
                </form>
            )}
        </section>
    );
}

function AddTask({onAdd}: {onAdd: (title: string) => Promise<unknown>}) {
    const [title, setTitle] = useState('');
    return (
        <form className='pb-row' onSubmit={(e) => {
            e.preventDefault();
            if (title.trim()) {
                onAdd(title.trim()).then(() => setTitle(''));
            }
        }}>
            <input aria-label='New task' placeholder='New task' value={title} onChange={(e) => setTitle(e.target.value)}/>
            <button type='submit'>Add task</button>
        </form>
    );
}
