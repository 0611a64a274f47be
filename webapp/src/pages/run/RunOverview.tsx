// The run overview page (`/playbooks/runs/<id>`): summary, status updates,
// checklists, retrospective with metrics, timeline, participants, the run
// channel's files, and the Markdown report export. Live through the run
// store like the sidebar (the file list is read when the page opens).

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
    const [channelName, setChannelName] = useState('');
    const run = useRun(runId);
    useEffect(() => {
        client.runs.get(runId).then(store.put).catch((e) => setError(e.message));
        client.runs.metadata(runId)
            .then((m) => {
                if (m.team_name && m.channel_name) {
                    setChannelPath(`/${m.team_name}/channels/${m.channel_name}`);
                    setChannelName(m.channel_name);
                }
            })
            .catch(() => undefined); // Only the "Go to channel" link and the files depend on it.
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
                    <RunFiles teamId={run.team_id} channelName={channelName}/>
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

/** The run channel's files, linking to their content. */
export function RunFiles({teamId, channelName}: {teamId: string; channelName: string}) {
    const [files, setFiles] = useState<client.FileInfo[] | null>(null);
    const [error, setError] = useState('');
    useEffect(() => {
        if (!teamId || !channelName) return undefined;
        let live = true;
        client.files.inChannel(teamId, channelName)
            .then((found) => live && setFiles(found))
            .catch((e) => live && setError(e.message));
        return () => {
            live = false;
        };
    }, [teamId, channelName]);
    return (
        <section aria-label='Files' className='pb-files'>
            <h3>Files</h3>
            {error && <p className='pb-muted' role='alert'>Files could not be listed: {error}</p>}
            {!error && files === null && <p className='pb-muted'>Loading…</p>}
            {files?.length === 0 && <p className='pb-muted'>No files in the run channel yet.</p>}
            {files && files.length > 0 && (
                <ul>
                    {files.map((f) => (
                        <li key={f.id}>
                            <a href={client.files.url(f.id)} target='_blank' rel='noopener noreferrer'>{f.name}</a>{' '}
                            <span className='pb-muted'>{formatBytes(f.size)} · <time dateTime={new Date(f.create_at).toISOString()}>{new Date(f.create_at).toLocaleString()}</time></span>
                        </li>
                    ))}
                </ul>
            )}
        </section>
    );
}

function formatBytes(n: number): string {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
    return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
