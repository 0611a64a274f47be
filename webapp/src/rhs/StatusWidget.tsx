// Status updates of a run: the last update (Markdown), the due/overdue
// countdown, posting an update with the next reminder (Never included) and
// optionally finishing the run, asking the owner for an update, and turning
// updates on or off.

import React, {useEffect, useState} from 'react';

import * as client from '../client';
import {useAction, useNow} from '../components/common';
import type {Host} from '../host';
import {relative, statusInfo} from '../logic';
import type {PlaybookRun, StatusUpdate} from '../types';

/** The server's reminder choices (seconds); 0 = never, this project's addition. */
export const REMINDERS: Array<[number, string]> = [
    [900, '15 minutes'], [1800, '30 minutes'], [3600, '1 hour'], [14400, '4 hours'], [86400, '1 day'], [604800, '1 week'], [0, 'Never'],
];

/** The choices, plus the run's own default when it is not one of them. */
export function reminderChoices(current: number): Array<[number, string]> {
    if (REMINDERS.some(([s]) => s === current)) {
        return REMINDERS;
    }
    return [[current, `${Math.round(current / 60)} minutes`], ...REMINDERS];
}

export function StatusWidget({run, host, setError}: {run: PlaybookRun; host: Host; setError: (e: string) => void}) {
    // Seconds count in the last two minutes; the line flips to overdue on time.
    const soon = run.status_update_due_at > 0 && run.status_update_due_at - Date.now() < 120000;
    const now = useNow(soon ? 1000 : 30000, run.status_update_due_at);
    const act = useAction(setError);
    const [last, setLast] = useState<StatusUpdate | undefined>();
    const [open, setOpen] = useState(false);
    const [message, setMessage] = useState('');
    const [finishToo, setFinishToo] = useState(false);
    const initial = run.reminder_timer_default_seconds ?? 3600;
    const [reminder, setReminder] = useState(initial);
    const posts = run.timeline_events?.filter((e) => e.event_type === 'status_updated').length ?? 0;
    useEffect(() => {
        let live = true;
        client.runs.statusUpdates(run.id).then((u) => live && setLast(u.find((x) => !(x as {delete_at?: number}).delete_at))).catch((e) => live && setError(e.message));
        return () => {
            live = false;
        };
        // A new update shows as a status_updated timeline event: refetch then, not on a timer.
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [run.id, posts]);
    const info = statusInfo(run, now);
    const inProgress = run.current_status === 'InProgress';
    const me = host.userId();
    const submit = async (e: React.FormEvent) => {
        e.preventDefault();
        const done = await act(() => client.runs.postUpdate(run.id, message, reminder, finishToo));
        if (done) {
            setOpen(false);
            setMessage('');
            setFinishToo(false);
        }
    };
    return (
        <section className={`pb-status pb-status-${info.kind}`} aria-label='Status update'>
            <div className='pb-status-line'>
                <strong>{info.text}</strong>
                {inProgress && run.status_update_enabled && (
                    <button type='button' className='pb-primary' aria-expanded={open} onClick={() => {
                        // Start from the playbook's update template, as upstream does.
                        if (!open && !message && run.reminder_message_template) {
                            setMessage(run.reminder_message_template);
                        }
                        setOpen(!open);
                    }}>Post update</button>
                )}
            </div>
            {last && (
                <div className='pb-last-update'>
                    <div className='pb-muted'>Last update by @{last.author_user_name}, {relative(last.create_at, now)}</div>
                    {host.markdown(last.message)}
                </div>
            )}
            {open && (
                <form onSubmit={submit} className='pb-update-form'>
                    <label>Update
                        <textarea required value={message} onChange={(e) => setMessage(e.target.value)} rows={5}
                            placeholder='What changed, what is next? (Markdown)'/>
                    </label>
                    <label>Next reminder
                        <select value={reminder} onChange={(e) => setReminder(Number(e.target.value))}>
                            {reminderChoices(initial).map(([s, label]) => <option key={s} value={s}>{label}</option>)}
                        </select>
                    </label>
                    <label className='pb-check'>
                        <input type='checkbox' checked={finishToo} onChange={(e) => setFinishToo(e.target.checked)}/> Also finish the run
                    </label>
                    <div className='pb-actions'>
                        <button type='submit' className='pb-primary'>Post</button>
                        <button type='button' onClick={() => setOpen(false)}>Cancel</button>
                    </div>
                </form>
            )}
            {inProgress && (
                <div className='pb-actions pb-small'>
                    {run.status_update_enabled && me !== run.owner_user_id && (
                        <button type='button' onClick={() => act(() => client.runs.requestUpdate(run.id))}>Request update</button>
                    )}
                    <button type='button' onClick={() => act(() => client.runs.setStatusUpdatesEnabled(run.id, !run.status_update_enabled))}>
                        {run.status_update_enabled ? 'Turn off status updates' : 'Turn on status updates'}
                    </button>
                </div>
            )}
        </section>
    );
}
