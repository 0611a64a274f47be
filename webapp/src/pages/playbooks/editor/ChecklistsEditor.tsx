// The playbook's checklists and tasks: names, order (move buttons, across
// checklist borders for tasks), and per task its description, slash
// command, relative due date, assignee type and users, and the "keywords
// mark it done" task action.

import React, {useContext, useState} from 'react';

import {UsersField} from '../../../components/Picker';
import type {Host} from '../../../host';
import {itemMoveTarget} from '../../../logic';
import type {AssigneeType, ChecklistItem, Playbook} from '../../../types';
import {
    type OffsetUnit, errorInTask, joinOffset, keywordRule, moveIn, newChecklist, newTask, rowKey, splitOffset, stepTask, updateAt, updateTask,
    withKeywordRule,
} from '../editorLogic';
import {ErrorContext, ListField, SelectField, TextField, useFieldError} from '../../../components/fields';
import {moveButton, useMoveFocus} from './moveFocus';

const ASSIGNEE_TYPES: Array<[AssigneeType, string]> = [['', 'Specific users (or nobody)'], ['owner', 'The run owner'], ['creator', 'Whoever starts the run']];

export function ChecklistsEditor({pb, setPb, host}: {pb: Playbook; setPb: (pb: Playbook) => void; host: Host}) {
    const [newList, setNewList] = useState('');
    // Open details by task key: they stay with the task when it moves, also into another checklist.
    const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
    const moved = useMoveFocus();
    const lists = pb.checklists || [];
    const err = useFieldError('checklists');
    const setTaskOpen = (key: string, value: boolean) => setOpen((now) => {
        const next = new Set(now);
        if (value) {
            next.add(key);
        } else {
            next.delete(key);
        }
        return next;
    });
    return (
        <div className='pb-checklists-editor'>
            {err.node}
            {lists.map((list, c) => {
                const n = c + 1;
                const key = rowKey(list);
                return (
                    <fieldset key={key} className='pb-checklist-editor'>
                        <legend>Checklist {n}</legend>
                        <div className='pb-row'>
                            <TextField label={`Checklist ${n} name`} path={`checklists[${c}].title`} value={list.title}
                                onChange={(title) => setPb({...pb, checklists: updateAt(lists, c, {title})})}/>
                            <span className='pb-actions'>
                                <button type='button' className='pb-icon' aria-label={`Move checklist ${n} up`} disabled={c === 0} {...moveButton(key, 'up')}
                                    onClick={() => {
                                        moved(key, 'up');
                                        setPb({...pb, checklists: moveIn(lists, c, c - 1)});
                                    }}>↑</button>
                                <button type='button' className='pb-icon' aria-label={`Move checklist ${n} down`} disabled={c === lists.length - 1}
                                    {...moveButton(key, 'down')} onClick={() => {
                                        moved(key, 'down');
                                        setPb({...pb, checklists: moveIn(lists, c, c + 1)});
                                    }}>↓</button>
                                <button type='button' className='pb-danger' aria-label={`Delete checklist ${n}`}
                                    onClick={() => setPb({...pb, checklists: lists.filter((_, x) => x !== c)})}>Delete</button>
                            </span>
                        </div>
                        <ol className='pb-task-editors'>
                            {list.items.map((item, i) => {
                                const taskKey = rowKey(item);
                                return (
                                    <TaskEditor key={taskKey} rowId={taskKey} pb={pb} setPb={setPb} host={host} c={c} i={i} item={item}
                                        open={open.has(taskKey)} setOpen={(v) => setTaskOpen(taskKey, v)} moved={moved}/>
                                );
                            })}
                        </ol>
                        <AddTask n={n} onAdd={(title) => setPb({...pb, checklists: updateAt(lists, c, {items: [...list.items, newTask(title)]})})}/>
                    </fieldset>
                );
            })}
            <div className='pb-row'>
                <input aria-label='New checklist name' placeholder='New checklist' value={newList} onChange={(e) => setNewList(e.target.value)}
                    onKeyDown={(e) => {
                        if (e.key === 'Enter') {
                            e.preventDefault();
                            if (newList.trim()) {
                                setPb({...pb, checklists: [...lists, newChecklist(newList.trim())]});
                                setNewList('');
                            }
                        }
                    }}/>
                <button type='button' disabled={!newList.trim()} onClick={() => {
                    setPb({...pb, checklists: [...lists, newChecklist(newList.trim())]});
                    setNewList('');
                }}>Add checklist</button>
            </div>
        </div>
    );
}

function AddTask({n, onAdd}: {n: number; onAdd: (title: string) => void}) {
    const [title, setTitle] = useState('');
    const add = () => {
        if (title.trim()) {
            onAdd(title.trim());
            setTitle('');
        }
    };
    return (
        <div className='pb-row'>
            <input aria-label={`New task in checklist ${n}`} placeholder='New task' value={title} onChange={(e) => setTitle(e.target.value)}
                onKeyDown={(e) => {
                    // Enter adds the task instead of submitting (saving) the whole playbook.
                    if (e.key === 'Enter') {
                        e.preventDefault();
                        add();
                    }
                }}/>
            <button type='button' aria-label={`Add task to checklist ${n}`} disabled={!title.trim()} onClick={add}>Add task</button>
        </div>
    );
}

function TaskEditor({pb, setPb, host, c, i, item, rowId, open, setOpen, moved}: {
    pb: Playbook;
    setPb: (pb: Playbook) => void;
    host: Host;
    c: number;
    i: number;
    item: ChecklistItem;
    /** The task's stable key (see rowKey). */
    rowId: string;
    open: boolean;
    setOpen: (open: boolean) => void;
    moved: (key: string, dir: 'up' | 'down') => void;
}) {
    const error = useContext(ErrorContext);
    const lists = pb.checklists;
    const name = `${c + 1}.${i + 1}`;
    const base = `checklists[${c}].items[${i}]`;
    const set = (change: Partial<ChecklistItem>) => setPb(updateTask(pb, c, i, change));
    // A server error about this task opens its details, so the message is seen.
    const expanded = open || Boolean(error && errorInTask(error.field, c, i) && error.field !== `${base}.title`);
    const offset = splitOffset(item.due_date || 0);
    const rule = keywordRule(item);
    const type = (item.assignee_type || '') as AssigneeType;
    return (
        <li className='pb-task-editor-row'>
            <div className='pb-row'>
                <TextField label={`Task ${name} name`} path={`${base}.title`} value={item.title} onChange={(title) => set({title})}/>
                <span className='pb-actions'>
                    <button type='button' className='pb-icon' aria-label={`Move task ${name} up`} disabled={!itemMoveTarget(lists, c, i, -1)}
                        {...moveButton(rowId, 'up')} onClick={() => {
                            moved(rowId, 'up');
                            setPb({...pb, checklists: stepTask(lists, c, i, -1)});
                        }}>↑</button>
                    <button type='button' className='pb-icon' aria-label={`Move task ${name} down`} disabled={!itemMoveTarget(lists, c, i, 1)}
                        {...moveButton(rowId, 'down')} onClick={() => {
                            moved(rowId, 'down');
                            setPb({...pb, checklists: stepTask(lists, c, i, 1)});
                        }}>↓</button>
                    <button type='button' aria-expanded={expanded} aria-label={`Details of task ${name}`} onClick={() => setOpen(!expanded)}>Details</button>
                    <button type='button' className='pb-danger' aria-label={`Delete task ${name}`}
                        onClick={() => setPb({...pb, checklists: updateAt(lists, c, {items: lists[c].items.filter((_, x) => x !== i)})})}>Delete</button>
                </span>
            </div>
            {expanded && (
                <div className='pb-task-details'>
                    <TextField label={`Task ${name} description (Markdown)`} path={`${base}.description`} multiline rows={3}
                        value={item.description} onChange={(description) => set({description})}/>
                    <TextField label={`Task ${name} slash command`} path={`${base}.command`} placeholder='/command'
                        value={item.command} onChange={(command) => set({command})}/>
                    <DueOffset name={name} path={`${base}.due_date`} amount={item.due_date ? offset.amount : 0} unit={offset.unit}
                        onChange={(amount, unit) => set({due_date: joinOffset(amount, unit)})}/>
                    <SelectField label={`Task ${name} assignee`} path={`${base}.assignee_type`} value={type} options={ASSIGNEE_TYPES}
                        onChange={(assignee_type) => set({assignee_type})}/>
                    {type === '' && (
                        <UsersField host={host} label={`Assignees of task ${name}`} ids={item.assignee_ids || []}
                            addLabel={`Add assignee to task ${name}`} removeLabel={(n) => `Unassign ${n} from task ${name}`}
                            onChange={(ids) => set({assignee_ids: ids, assignee_id: ids[0] || ''})}/>
                    )}
                    <ListField label={`Task ${name}: mark done when a post contains`} path={`${base}.task_actions`} separator='comma'
                        placeholder='keyword, another keyword' value={rule.keywords}
                        hint='Comma-separated keywords. A post in the run channel with one of them checks the task.'
                        onChange={(keywords) => setPb(updateTask(pb, c, i, withKeywordRule(item, {...rule, keywords})))}/>
                    {rule.keywords.length > 0 && (
                        <UsersField host={host} label={`People whose posts check task ${name}`} ids={rule.userIds}
                            addLabel={`Only posts by (task ${name})`} removeLabel={(n) => `Remove ${n} from the keyword rule of task ${name}`}
                            onChange={(userIds) => setPb(updateTask(pb, c, i, withKeywordRule(item, {...rule, userIds})))}/>
                    )}
                </div>
            )}
        </li>
    );
}

function DueOffset({name, path, amount, unit, onChange}: {name: string; path: string; amount: number; unit: OffsetUnit; onChange: (amount: number, unit: OffsetUnit) => void}) {
    const err = useFieldError(path);
    return (
        <fieldset className='pb-inline-fieldset'>
            <legend>Task {name} due</legend>
            <div className='pb-row'>
                <input type='number' min={0} aria-label={`Task ${name} due after`} value={amount || ''} placeholder='none'
                    aria-invalid={err.message ? true : undefined} aria-describedby={err.message ? err.id : undefined}
                    onChange={(e) => onChange(Number(e.target.value), unit)}/>
                <select aria-label={`Task ${name} due unit`} value={unit} onChange={(e) => onChange(amount, e.target.value as OffsetUnit)}>
                    <option value='minutes'>minutes</option>
                    <option value='hours'>hours</option>
                    <option value='days'>days</option>
                </select>
                <span className='pb-muted'>after the run starts (empty: no due date)</span>
            </div>
            {err.node}
        </fieldset>
    );
}
