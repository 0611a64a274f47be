// Last update, due/overdue countdown, and posting an update (with the
// reminder choices, "never" included).

import React, {useEffect, useState} from 'react';

import * as client from '../client';
import {useAction, useNow} from '../components/common';
import {statusInfo} from '../logic';
import type {PlaybookRun, StatusUpdate} from '../types';

export const REMINDERS: Array<[number, string]> = [
    [900, '15 minutes'], [1800, '30 minutes'], [3600, '1 hour'], [14400, '4 hours'], [86400, '1 day'], [604800, '1 week'], [0, 'Never'],
];

export function StatusWidget({run, setError}: {run: PlaybookRun; setError: (e: string) => void}) {
    const now = useNow();
    const act = useAction(setError);
    const [last, setLast] = useState<StatusUpdate | undefined>();
    const [open, setOpen] = useState(false);
    const [message, setMessage] = useState('');
    const [reminder, setReminder] = useState(run.reminder_timer_default_seconds || 3600);
    const posts = run.timeline_events?.filter((e) => e.event_type === 'status_updated').length ?? 0;
    useEffect(() => {
        client.runs.statusUpdates(run.id).then((u) => setLast(u[0])).catch(() => undefined);
    }, [run.id, posts]);
    const info = statusInfo(run, now);
    const submit = async (e: React.FormEvent) => {
        e.preventDefault();
        const done = await act(() => client.runs.postUpdate(run.id, message, reminder));
        if (done) {
            setOpen(false);
            setMessage('');
        }
    };
    return (
        <section className={`pb-status pb-status-${info.kind}`} aria-label='Status update'>
            <div className='pb-status-line'>
                <strong>{info.text}</strong>
                {run.current_status === 'InProgress' && run.status_update_enabled && (
                    <button type='button' className='pb-primary' onClick={() => setOpen(!open)}>Post update</button>
                )}
            </div>
            {last && <blockquote className='pb-last-update'>{last.message} <span className='pb-muted'>— @{last.author_user_name}</span></blockquote>}
            {open && (
                <form onSubmit={submit} className='pb-update-form'>
                    <label>Update<textarea required value={message} onChange={(e) => setMessage(e.target.value)} rows={4}/></label>
                    <label>Next reminder
                        <select value={reminder} onChange={(e) => setReminder(Number(e.target.value))}>
                            {REMINDERS.map(([s, label]) => <option key={s} value={s}>{label}</option>)}
                        </select>
                    </label>
                    <button type='submit' className='pb-primary'>Post</button>
                </form>
            )}
        </section>
    );
}
