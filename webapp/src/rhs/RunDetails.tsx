// The channel's right-hand sidebar: the run of this channel (a picker when
// there are several), with everything needed to drive it.

import React, {useEffect, useState, useSyncExternalStore} from 'react';

import * as client from '../client';
import {ErrorBanner, InlineEdit, Username, useAction, useRun} from '../components/common';
import type {Host} from '../host';
import {defaultRun} from '../logic';
import * as store from '../runStore';
import type {PlaybookRun} from '../types';
import {Checklists} from './Checklists';
import {StatusWidget} from './StatusWidget';
import {Timeline} from './Timeline';

export function RunDetails({host}: {host: Host}) {
    const [channelId, setChannelId] = useState(host.channelId());
    const [selected, setSelected] = useState<string | undefined>();
    const [error, setError] = useState('');
    const [loading, setLoading] = useState(true);
    useEffect(() => host.onChannelChange((id) => {
        setChannelId(id);
        setSelected(undefined);
    }), [host]);
    useEffect(() => {
        if (!channelId) {
            return;
        }
        setLoading(true);
        client.runs.inChannel(channelId)
            .then((page) => page.items.forEach(store.put))
            .catch((e) => setError(e.message))
            .finally(() => setLoading(false));
    }, [channelId]);
    const runs = useSyncExternalStore(store.subscribe, () => snapshot(channelId));
    const run = useRun(selected ?? defaultRun(runs)?.id);
    if (!channelId) {
        return <div className='pb-rhs pb-muted'>Open a channel to see its runs.</div>;
    }
    if (!run) {
        return (
            <div className='pb-rhs'>
                <ErrorBanner error={error} onClose={() => setError('')}/>
                <p className='pb-muted'>{loading ? 'Loading…' : 'No runs in this channel. Start one with /playbook run.'}</p>
            </div>
        );
    }
    return (
        <div className='pb-rhs'>
            <ErrorBanner error={error} onClose={() => setError('')}/>
            {runs.length > 1 && (
                <label className='pb-run-picker'>Run
                    <select value={run.id} onChange={(e) => setSelected(e.target.value)}>
                        {[...runs].sort((a, b) => b.create_at - a.create_at).map((r) => (
                            <option key={r.id} value={r.id}>{r.name}{r.current_status === 'Finished' ? ' (finished)' : ''}</option>
                        ))}
                    </select>
                </label>
            )}
            <RunPanel run={run} host={host} setError={setError}/>
        </div>
    );
}

// Cached per channel so useSyncExternalStore sees a stable value between updates.
let lastKey = '';
let lastValue: PlaybookRun[] = [];
function snapshot(channelId: string): PlaybookRun[] {
    const runs = store.inChannel(channelId);
    const key = channelId + '|' + runs.map((r) => r.id + ':' + (r as {update_at?: number}).update_at).join(',');
    if (key !== lastKey) {
        lastKey = key;
        lastValue = runs;
    }
    return lastValue;
}

export function RunPanel({run, host, setError}: {run: PlaybookRun; host: Host; setError: (e: string) => void}) {
    const act = useAction(setError);
    const me = host.userId();
    const finished = run.current_status === 'Finished';
    const following = (run.followers || []).includes(me);
    const participant = run.participant_ids.includes(me);
    const [owner, setOwner] = useState('');
    const changeOwner = async (e: React.FormEvent) => {
        e.preventDefault();
        const name = owner.replace(/^@/, '').trim();
        const r = await fetch(`/api/v4/users/username/${encodeURIComponent(name)}`, {credentials: 'same-origin', headers: {'X-Requested-With': 'XMLHttpRequest'}});
        if (!r.ok) {
            setError(`There is no user @${name}.`);
            return;
        }
        const user = await r.json();
        await act(() => client.runs.setOwner(run.id, user.id));
        setOwner('');
    };
    const refollow = async () => {
        const followers = await act(() => (following ? client.runs.unfollow(run.id) : client.runs.follow(run.id)));
        if (followers) {
            store.put({...run, followers});
        }
    };
    return (
        <article className='pb-run' aria-label={`Run ${run.name}`}>
            <header>
                <h2>{finished ? run.name : <InlineEdit label='run name' value={run.name} onSave={(name) => act(() => client.runs.patch(run.id, {name}))}/>}</h2>
                <span className={`pb-badge pb-badge-${finished ? 'finished' : 'progress'}`}>{finished ? 'Finished' : 'In progress'}</span>
                {run.sequential_id && <span className='pb-muted'>{run.sequential_id}</span>}
            </header>
            <div className='pb-actions'>
                <button type='button' onClick={() => host.navigate(`/playbooks/runs/${run.id}`)}>Overview</button>
                <button type='button' onClick={refollow}>{following ? 'Unfollow' : 'Follow'}</button>
                {!participant && !finished && (
                    <button type='button' onClick={() => act(() => client.call('POST', `/runs/${run.id}/participants`, {user_ids: [me]}))}>Join</button>
                )}
                {finished ? (
                    <button type='button' onClick={() => act(() => client.runs.restore(run.id))}>Restore</button>
                ) : (
                    <button type='button' className='pb-danger' onClick={() => {
                        const open = run.task_total - run.task_completed;
                        if (window.confirm(`${open} outstanding task(s). Finish ${run.name} for everyone?`)) {
                            act(() => client.runs.finish(run.id));
                        }
                    }}>Finish run</button>
                )}
            </div>
            <section aria-label='Summary' className='pb-summary'>
                <h3>Summary</h3>
                {finished ? <p>{run.summary}</p> : <InlineEdit multiline label='summary' value={run.summary} onSave={(summary) => act(() => client.runs.patch(run.id, {summary}))}/>}
            </section>
            <section aria-label='People' className='pb-people'>
                <p>Owner <Username host={host} id={run.owner_user_id}/></p>
                {!finished && (
                    <form onSubmit={changeOwner} className='pb-row'>
                        <input aria-label='New owner' placeholder='@username' value={owner} onChange={(e) => setOwner(e.target.value)}/>
                        <button type='submit'>Change owner</button>
                    </form>
                )}
                <p>Participants {run.participant_ids.map((p) => <Username key={p} host={host} id={p}/>)}</p>
            </section>
            <StatusWidget run={run} setError={setError}/>
            <Checklists run={run} host={host} setError={setError}/>
            <Timeline run={run}/>
        </article>
    );
}
