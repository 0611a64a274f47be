// The run overview page (`/playbooks/runs/<id>`): summary, status updates,
// checklists, retrospective with metrics, timeline, participants, and the
// Markdown report export. Live through the run store like the sidebar.

import React, {useEffect, useState} from 'react';

import * as client from '../../client';
import {ErrorBanner, useRun} from '../../components/common';
import type {Host} from '../../host';
import {Checklists} from '../../rhs/Checklists';
import {People} from '../../rhs/People';
import {RunHeader, Summary} from '../../rhs/RunPanel';
import {StatusWidget} from '../../rhs/StatusWidget';
import {Timeline} from '../../rhs/Timeline';
import * as store from '../../runStore';
import type {StatusUpdate} from '../../types';
import {Retrospective} from './Retrospective';

export function RunOverview({runId, host}: {runId: string; host: Host}) {
    const [error, setError] = useState('');
    const [updates, setUpdates] = useState<StatusUpdate[]>([]);
    const [channelPath, setChannelPath] = useState('');
    const run = useRun(runId);
    useEffect(() => {
        client.runs.get(runId).then(store.put).catch((e) => setError(e.message));
        client.runs.metadata(runId)
            .then((m) => m.team_name && m.channel_name && setChannelPath(`/${m.team_name}/channels/${m.channel_name}`))
            .catch(() => undefined); // Only the "Go to channel" link depends on it.
    }, [runId]);
    const statusCount = run?.timeline_events?.filter((e) => e.event_type === 'status_updated').length ?? 0;
    useEffect(() => {
        client.runs.statusUpdates(runId).then(setUpdates).catch((e) => setError(e.message));
    }, [runId, statusCount]);
    if (!run) {
        return <div className='pb-page'><ErrorBanner error={error} onClose={() => setError('')}/>{!error && <p>Loading…</p>}</div>;
    }
    const shown = updates.filter((u) => !(u as {delete_at?: number}).delete_at);
    return (
        <div className='pb-page pb-overview'>
            <nav className='pb-row pb-breadcrumbs' aria-label='Run navigation'>
                <a href='/playbooks' onClick={(e) => {
                    e.preventDefault();
                    host.navigate('/playbooks');
                }}>Playbooks</a>
                {channelPath && <button type='button' onClick={() => host.navigate(channelPath)}>Go to channel</button>}
                <a href={client.runs.exportUrl(run.id)} download>Export report (Markdown)</a>
            </nav>
            <ErrorBanner error={error} onClose={() => setError('')}/>
            <article className='pb-run pb-overview-grid' aria-label={`Run ${run.name}`}>
                <div className='pb-overview-main'>
                    <RunHeader run={run} host={host} setError={setError} overviewLink={false}/>
                    <Summary run={run} host={host} setError={setError}/>
                    <StatusWidget run={run} host={host} setError={setError}/>
                    <section aria-label='Status updates' className='pb-updates'>
                        <h3>Status updates</h3>
                        {shown.length === 0 && <p className='pb-muted'>No status updates yet.</p>}
                        {shown.map((u) => (
                            <article key={u.id} className='pb-update' aria-label={`Update by @${u.author_user_name}`}>
                                <header className='pb-muted'>@{u.author_user_name} · <time dateTime={new Date(u.create_at).toISOString()}>{new Date(u.create_at).toLocaleString()}</time></header>
                                {host.markdown(u.message)}
                            </article>
                        ))}
                    </section>
                    <Checklists run={run} host={host} setError={setError}/>
                    <Retrospective run={run} host={host} setError={setError}/>
                </div>
                <aside className='pb-overview-side'>
                    <People run={run} host={host} setError={setError}/>
                    <Timeline run={run} host={host} setError={setError}/>
                </aside>
            </article>
        </div>
    );
}
