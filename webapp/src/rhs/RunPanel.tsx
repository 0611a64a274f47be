// One run, with everything needed to drive it: name and summary (inline
// edit), follow / join / finish (with an in-page confirmation) / restore,
// people, status updates, checklists, timeline. The sidebar shows it whole;
// the overview page reuses the pieces.

import React, {useState} from 'react';

import * as client from '../client';
import {ConfirmDialog} from '../components/Dialog';
import {InlineEdit, useAction} from '../components/common';
import type {Host} from '../host';
import * as store from '../runStore';
import type {PlaybookRun} from '../types';
import {Checklists} from './Checklists';
import {People} from './People';
import {StatusWidget} from './StatusWidget';
import {Timeline} from './Timeline';

type SetError = (e: string) => void;

export function RunHeader({run, host, setError, overviewLink = true}: {run: PlaybookRun; host: Host; setError: SetError; overviewLink?: boolean}) {
    const act = useAction(setError);
    const me = host.userId();
    const finished = run.current_status === 'Finished';
    const following = (run.followers || []).includes(me);
    const participant = (run.participant_ids || []).includes(me);
    const [confirm, setConfirm] = useState(false);
    const refollow = async () => {
        const followers = await act(() => (following ? client.runs.unfollow(run.id) : client.runs.follow(run.id)));
        if (Array.isArray(followers)) {
            store.put({...(store.get(run.id) || run), followers});
        }
    };
    const open = run.task_total - run.task_completed;
    return (
        <header className='pb-run-header'>
            <h2 className='pb-run-name'>
                {finished ? run.name : <InlineEdit label='run name' value={run.name} onSave={(name) => act(() => client.runs.patch(run.id, {name}))}/>}
            </h2>
            <div className='pb-row'>
                <span className={`pb-badge pb-badge-${finished ? 'finished' : 'progress'}`}>{finished ? 'Finished' : 'In progress'}</span>
                {run.sequential_id && <span className='pb-muted'>{run.sequential_id}</span>}
            </div>
            <div className='pb-actions'>
                {overviewLink && <button type='button' onClick={() => host.navigate(`/playbooks/runs/${run.id}`)}>Overview</button>}
                <button type='button' onClick={refollow}>{following ? 'Unfollow' : 'Follow'}</button>
                {!participant && !finished && (
                    <button type='button' onClick={() => act(() => client.runs.addParticipants(run.id, [me]))}>Join</button>
                )}
                {finished ? (
                    <button type='button' onClick={() => act(() => client.runs.restore(run.id))}>Restore</button>
                ) : (
                    <button type='button' className='pb-danger' onClick={() => setConfirm(true)}>Finish run</button>
                )}
            </div>
            {confirm && (
                <ConfirmDialog
                    title={`Finish ${run.name}?`}
                    confirmLabel='Finish'
                    onCancel={() => setConfirm(false)}
                    onConfirm={() => {
                        setConfirm(false);
                        act(() => client.runs.finish(run.id));
                    }}
                >
                    <p>
                        {open > 0 ? `${open} task${open === 1 ? ' is' : 's are'} still outstanding. ` : 'Every task is done. '}
                        Finishing the run ends it for everyone{run.retrospective_enabled ? ' and starts the retrospective' : ''}.
                    </p>
                </ConfirmDialog>
            )}
        </header>
    );
}

export function Summary({run, host, setError}: {run: PlaybookRun; host: Host; setError: SetError}) {
    const act = useAction(setError);
    const finished = run.current_status === 'Finished';
    return (
        <section aria-label='Summary' className='pb-summary'>
            <h3>Summary</h3>
            {finished ? (run.summary ? host.markdown(run.summary) : <p className='pb-muted'>No summary</p>) : (
                <InlineEdit multiline label='summary' value={run.summary} render={(v) => host.markdown(v)}
                    onSave={(summary) => act(() => client.runs.patch(run.id, {summary}))}/>
            )}
        </section>
    );
}

export function RunPanel({run, host, setError}: {run: PlaybookRun; host: Host; setError: SetError}) {
    return (
        <article className='pb-run' aria-label={`Run ${run.name}`}>
            <RunHeader run={run} host={host} setError={setError}/>
            <Summary run={run} host={host} setError={setError}/>
            <People run={run} host={host} setError={setError}/>
            <StatusWidget run={run} host={host} setError={setError}/>
            <Checklists run={run} host={host} setError={setError}/>
            <Timeline run={run} host={host} setError={setError}/>
        </article>
    );
}
