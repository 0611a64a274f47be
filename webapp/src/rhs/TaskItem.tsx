// One task of a run: its checkbox (named by the task title), assignees,
// due date, Markdown description, slash command, skip/restore, moves (drag
// handle and keyboard-friendly up/down buttons), and an editor for title,
// description, command, assignees, due date and deletion.

import React, {useEffect, useState} from 'react';

import * as client from '../client';
import {ConfirmDialog} from '../components/Dialog';
import {UsersField} from '../components/Picker';
import {Username} from '../components/common';
import type {Host} from '../host';
import {addAssignee, assignees, fromLocalInput, isDone, relative, toLocalInput} from '../logic';
import type {ChecklistItem, PlaybookRun} from '../types';

type Act = <T>(work: () => Promise<T>) => Promise<T | undefined>;

export interface TaskItemProps {
    run: PlaybookRun;
    c: number;
    i: number;
    item: ChecklistItem;
    host: Host;
    act: Act;
    now: number;
    /** null when that way is blocked (first task of the first checklist…). */
    moveUp: (() => void) | null;
    moveDown: (() => void) | null;
    drag: {
        onDragStart: (e: React.DragEvent) => void;
        onDragEnd: () => void;
        onDragOver: (e: React.DragEvent) => void;
        onDrop: (e: React.DragEvent) => void;
        over: boolean;
    };
}

export function TaskItem({run, c, i, item, host, act, now, moveUp, moveDown, drag}: TaskItemProps) {
    const finished = run.current_status === 'Finished';
    const me = host.userId();
    const [editing, setEditing] = useState(false);
    const who = assignees(item);
    const overdue = !isDone(item) && item.due_date > 0 && item.due_date <= now;
    const t = item.title;
    return (
        <li
            className={`pb-item pb-item-${item.state || 'open'}${drag.over ? ' pb-drop-target' : ''}`}
            draggable={!finished}
            onDragStart={drag.onDragStart}
            onDragEnd={drag.onDragEnd}
            onDragOver={drag.onDragOver}
            onDrop={drag.onDrop}
        >
            <div className='pb-item-main'>
                {!finished && <span className='pb-drag-handle' aria-hidden='true' title='Drag to move'>⠿</span>}
                <label className='pb-check'>
                    <input
                        type='checkbox'
                        disabled={finished || item.state === 'skipped'}
                        checked={item.state === 'closed'}
                        onChange={(e) => act(() => client.checklists.setState(run.id, c, i, e.target.checked ? 'closed' : ''))}
                    />
                    <span className='pb-item-title'>{t}</span>
                </label>
            </div>
            {(who.length > 0 || item.due_date > 0 || item.state === 'skipped') && (
                <div className='pb-item-meta'>
                    {who.map((a) => <Username key={a} host={host} id={a}/>)}
                    {item.due_date > 0 && (
                        <span className={overdue ? 'pb-overdue' : 'pb-due'}>
                            {overdue ? 'Overdue: ' : ''}due {relative(item.due_date, now)}
                        </span>
                    )}
                    {item.state === 'skipped' && <span className='pb-muted'>skipped</span>}
                </div>
            )}
            {item.description && <div className='pb-item-description'>{host.markdown(item.description)}</div>}
            {!finished && (
                <div className='pb-item-actions'>
                    {!who.includes(me) && (
                        <button type='button' aria-label={`Assign me to ${t}`} onClick={() => act(() => client.checklists.setAssignees(run.id, c, i, addAssignee(item, me)))}>Assign me</button>
                    )}
                    {item.command && (
                        <button type='button' aria-label={`Run ${item.command} for ${t}`} title={item.command_last_run ? `Last run ${relative(item.command_last_run, now)}` : item.command}
                            onClick={() => act(() => client.checklists.runCommand(run.id, c, i))}>Run {item.command}</button>
                    )}
                    {item.state === 'skipped' ? (
                        <button type='button' aria-label={`Restore task ${t}`} onClick={() => act(() => client.checklists.restore(run.id, c, i))}>Restore</button>
                    ) : (
                        <button type='button' aria-label={`Skip ${t}`} onClick={() => act(() => client.checklists.skip(run.id, c, i))}>Skip</button>
                    )}
                    <button type='button' className='pb-icon' aria-label={`Move ${t} up`} disabled={!moveUp} onClick={() => moveUp?.()}>↑</button>
                    <button type='button' className='pb-icon' aria-label={`Move ${t} down`} disabled={!moveDown} onClick={() => moveDown?.()}>↓</button>
                    <button type='button' aria-label={`Edit task ${t}`} aria-expanded={editing} onClick={() => setEditing(!editing)}>Edit</button>
                </div>
            )}
            {editing && !finished && <TaskEditor run={run} c={c} i={i} item={item} host={host} act={act} onClose={() => setEditing(false)}/>}
        </li>
    );
}

function TaskEditor({run, c, i, item, host, act, onClose}: {run: PlaybookRun; c: number; i: number; item: ChecklistItem; host: Host; act: Act; onClose: () => void}) {
    const [title, setTitle] = useState(item.title);
    const [description, setDescription] = useState(item.description);
    const [command, setCommand] = useState(item.command);
    const [due, setDue] = useState(toLocalInput(item.due_date));
    const [deleting, setDeleting] = useState(false);
    useEffect(() => setDue(toLocalInput(item.due_date)), [item.due_date]);
    const t = item.title;
    const save = async (e: React.FormEvent) => {
        e.preventDefault();
        const done = await act(() => client.checklists.editItem(run.id, c, i, {title, description, command}));
        if (done) {
            onClose();
        }
    };
    return (
        <div className='pb-task-editor'>
            <form onSubmit={save} className='pb-form'>
                <label>Task name<input value={title} required onChange={(e) => setTitle(e.target.value)}/></label>
                <label>Description (Markdown)<textarea rows={3} value={description} onChange={(e) => setDescription(e.target.value)}/></label>
                <label>Slash command<input value={command} placeholder='/command' onChange={(e) => setCommand(e.target.value)}/></label>
                <div className='pb-actions'>
                    <button type='submit' className='pb-primary'>Save task</button>
                    <button type='button' onClick={onClose}>Close</button>
                </div>
            </form>
            <UsersField host={host} label={`Assignees of ${t}`} ids={assignees(item)}
                addLabel={`Add assignee to ${t}`} removeLabel={(n) => `Unassign ${n} from ${t}`}
                onChange={(ids) => act(() => client.checklists.setAssignees(run.id, c, i, ids))}/>
            <form className='pb-row' onSubmit={(e) => {
                e.preventDefault();
                const ms = fromLocalInput(due);
                if (ms) {
                    act(() => client.checklists.setDueDate(run.id, c, i, ms));
                }
            }}>
                <label>Due date
                    <input type='datetime-local' aria-label={`Due date of ${t}`} value={due} onChange={(e) => setDue(e.target.value)}/>
                </label>
                <button type='submit' disabled={!fromLocalInput(due)}>Set due date</button>
                {item.due_date > 0 && (
                    <button type='button' onClick={() => act(() => client.checklists.setDueDate(run.id, c, i, 0))}>Clear due date</button>
                )}
            </form>
            <button type='button' className='pb-danger' onClick={() => setDeleting(true)}>Delete task</button>
            {deleting && (
                <ConfirmDialog title={`Delete the task “${t}”?`} confirmLabel='Delete' danger onCancel={() => setDeleting(false)} onConfirm={() => {
                    setDeleting(false);
                    act(() => client.checklists.deleteItem(run.id, c, i));
                }}/>
            )}
        </div>
    );
}
