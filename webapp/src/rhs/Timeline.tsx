import React, {useState} from 'react';

import {timeline, type TimelineFilter} from '../logic';
import type {PlaybookRun} from '../types';

const FILTERS: TimelineFilter[] = ['all', 'status', 'tasks', 'people', 'events'];

export function Timeline({run}: {run: PlaybookRun}) {
    const [filter, setFilter] = useState<TimelineFilter>('all');
    const events = timeline(run.timeline_events || [], filter);
    return (
        <section aria-label='Timeline' className='pb-timeline'>
            <div className='pb-row'>
                <h3>Timeline</h3>
                <label className='pb-filter'>Show
                    <select aria-label="Timeline filter" value={filter} onChange={(e) => setFilter(e.target.value as TimelineFilter)}>
                        {FILTERS.map((f) => <option key={f} value={f}>{f}</option>)}
                    </select>
                </label>
            </div>
            <ol>
                {events.map((e) => (
                    <li key={e.id}>
                        <time dateTime={new Date(e.event_at).toISOString()}>{new Date(e.event_at).toLocaleString()}</time>
                        <span>{e.summary}</span>
                    </li>
                ))}
            </ol>
        </section>
    );
}
