// The channel's runs when there are several: filters (in progress /
// finished / mine) and one entry per run, newest first.

import React, {useState} from 'react';

import {Username, useNow} from '../components/common';
import type {Host} from '../host';
import {RUN_FILTERS, type RunFilter, filterRuns, relative} from '../logic';
import type {PlaybookRun} from '../types';

export function RunList({runs, host, onOpen}: {runs: PlaybookRun[]; host: Host; onOpen: (id: string) => void}) {
    const me = host.userId();
    const now = useNow();
    // Start where the action is: runs in progress, unless there are none.
    const [filter, setFilter] = useState<RunFilter>(() => (runs.some((r) => r.current_status === 'InProgress') ? 'in_progress' : 'finished'));
    const shown = filterRuns(runs, filter, me);
    return (
        <section aria-label='Runs in this channel' className='pb-run-list'>
            <h2>Runs in this channel</h2>
            <div role='group' aria-label='Run filter' className='pb-segmented'>
                {RUN_FILTERS.map(([f, label]) => (
                    <button key={f} type='button' aria-pressed={filter === f} onClick={() => setFilter(f)}>
                        {label} <span className='pb-count'>{filterRuns(runs, f, me).length}</span>
                    </button>
                ))}
            </div>
            {shown.length === 0 && <p className='pb-muted'>No runs here.</p>}
            <ul className='pb-runs'>
                {shown.map((r) => (
                    <li key={r.id} className='pb-run-entry'>
                        <button type='button' className='pb-link' onClick={() => onOpen(r.id)}>{r.name}</button>
                        <span className={`pb-badge pb-badge-${r.current_status === 'Finished' ? 'finished' : 'progress'}`}>
                            {r.current_status === 'Finished' ? 'Finished' : 'In progress'}
                        </span>
                        <div className='pb-muted pb-run-meta'>
                            Owner <Username host={host} id={r.owner_user_id}/> · {r.task_completed}/{r.task_total} tasks · started {relative(r.create_at, now)}
                        </div>
                    </li>
                ))}
            </ul>
        </section>
    );
}
