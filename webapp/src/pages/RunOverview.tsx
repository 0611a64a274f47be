// The run overview page (`/playbooks/runs/<id>`): summary, status updates,
// checklists, retrospective with metrics, timeline, participants, and the
// Markdown report export.

import React, {useEffect, useState} from 'react';

import * as client from '../client';
import {ErrorBanner, useAction, useRun} from '../components/common';
import type {Host} from '../host';
import {RunPanel} from '../rhs/RunDetails';
import * as store from '../runStore';
import type {Playbook, PlaybookRun, StatusUpdate} from '../types';

export function RunOverview({runId, host}: {runId: string; host: Host}) {
    const [error, setError] = useState('');
    const [updates, setUpdates] = useState<StatusUpdate[]>([]);
    const run = useRun(runId);
    useEffect(() => {
        client.runs.get(runId).then(store.put).catch((e) => setError(e.message));
    }, [runId]);
    const statusCount = run?.timeline_events?.filter((e) => e.event_type === 'status_updated').length ?? 0;
    useEffect(() => {
        client.runs.statusUpdates(runId).then(setUpdates).catch(() => undefined);
    }, [runId, statusCount]);
    if (!run) {
        return <div className='pb-page'><ErrorBanner error={error} onClose={() => setError('')}/>{!error && <p>Loading…</p>}</div>;
    }
    return (
        <div className='pb-page pb-overview'>
            <ErrorBanner error={error} onClose={() => setError('')}/>
            <p><a href={client.runs.exportUrl(run.id)} download>Export report (Markdown)</a></p>
            <RunPanel run={run} host={host} setError={setError}/>
            <section aria-label='Status updates'>
                <h3>Status updates</h3>
                {updates.length === 0 && <p className='pb-muted'>No status updates yet.</p>}
                {updates.map((u) => (
                    <article key={u.id} className='pb-update'>
                        <header>@{u.author_user_name} · {new Date(u.create_at).toLocaleString()}</header>
                        <p>{u.message}</p>
                    </article>
                ))}
            </section>
            {run.retrospective_enabled && <Retrospective run={run} setError={setError}/>}
        </div>
    );
}

function Retrospective({run, setError}: {run: PlaybookRun; setError: (e: string) => void}) {
    const act = useAction(setError);
    const [playbook, setPlaybook] = useState<Playbook>();
    const [text, setText] = useState(run.retrospective);
    const [values, setValues] = useState<Record<string, string>>(() =>
        Object.fromEntries((run.metrics_data || []).map((m) => [m.metric_config_id, m.value === null ? '' : String(m.value)])));
    useEffect(() => {
        if (run.playbook_id) {
            client.playbooks.get(run.playbook_id).then(setPlaybook).catch(() => undefined);
        }
    }, [run.playbook_id]);
    const body = () => ({
        retrospective: text,
        metrics: (playbook?.metrics || []).map((m) => ({metric_config_id: m.id, value: values[m.id] === '' || values[m.id] === undefined ? null : Number(values[m.id])})),
    });
    const published = run.retrospective_published_at > 0;
    return (
        <section aria-label='Retrospective' className='pb-retro'>
            <h3>Retrospective {published && <span className='pb-badge'>{run.retrospective_was_canceled ? 'canceled' : 'published'}</span>}</h3>
            <textarea aria-label='Retrospective text' rows={6} value={text} onChange={(e) => setText(e.target.value)}/>
            {(playbook?.metrics || []).map((m) => (
                <label key={m.id}>{m.title} ({m.type.replace('metric_', '')}{m.target !== null ? `, target ${m.target}` : ''})
                    <input type='number' min={0} value={values[m.id] ?? ''} onChange={(e) => setValues({...values, [m.id]: e.target.value})}/>
                </label>
            ))}
            <div className='pb-actions'>
                <button type='button' onClick={() => act(() => client.call<PlaybookRun>('POST', `/runs/${run.id}/retrospective`, body()))}>Save draft</button>
                <button type='button' className='pb-primary' onClick={() => act(() => client.call<PlaybookRun>('POST', `/runs/${run.id}/retrospective/publish`, body()))}>Publish</button>
            </div>
        </section>
    );
}
