// The run's timeline, oldest first, with filters; editors can remove an
// event (a soft delete on the server).

import React, {useState} from 'react';

import * as client from '../client';
import {useAction} from '../components/common';
import type {Host} from '../host';
import {timeline, type TimelineFilter} from '../logic';
import * as store from '../runStore';
import type {PlaybookRun} from '../types';

const FILTERS: Array<[TimelineFilter, string]> = [
    ['all', 'All events'], ['status', 'Status updates'], ['tasks', 'Tasks'], ['people', 'People'], ['events', 'Run events'],
];

export function Timeline({run, setError}: {run: PlaybookRun; host: Host; setError: (e: string) => void}) {
    const act = useAction(setError);
    const [filter, setFilter] = useState<TimelineFilter>('all');
    const events = timeline(run.timeline_events || [], filter);
    const canEdit = run.current_status === 'InProgress';
    const remove = async (id: string) => {
        const done = await act(() => client.runs.deleteTimelineEvent(run.id, id).then(() => true));
        if (done) {
            // 204 has no body: mark it here; the run_updated event brings the server's copy.
            const current = store.get(run.id) || run;
            store.put({...current, timeline_events: current.timeline_events.map((e) => (e.id === id ? {...e, delete_at: Date.now()} : e))});
        }
    };
    return (
        <section aria-label='Timeline' className='pb-timeline'>
            <div className='pb-row'>
                <h3>Timeline</h3>
                <label className='pb-filter'>Show
                    <select aria-label='Timeline filter' value={filter} onChange={(e) => setFilter(e.target.value as TimelineFilter)}>
                        {FILTERS.map(([f, label]) => <option key={f} value={f}>{label}</option>)}
                    </select>
                </label>
            </div>
            {events.length === 0 && <p className='pb-muted'>Nothing yet.</p>}
            <ol>
                {events.map((e) => (
                    <li key={e.id}>
                        <time dateTime={new Date(e.event_at).toISOString()}>{new Date(e.event_at).toLocaleString()}</time>
                        <span className='pb-timeline-summary'>{e.summary}</span>
                        {canEdit && (
                            <button type='button' className='pb-icon' aria-label={`Remove event ${e.summary}`} onClick={() => remove(e.id)}>×</button>
                        )}
                    </li>
                ))}
            </ol>
        </section>
    );
}
