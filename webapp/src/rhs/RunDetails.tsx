// The channel's right-hand sidebar. One run in the channel: its details at
// once. Several: a list with filters (in progress / finished / mine) to
// pick from, and a way back to it.

import React, {useEffect, useState, useSyncExternalStore} from 'react';

import * as client from '../client';
import {ErrorBanner, useRun} from '../components/common';
import type {Host} from '../host';
import * as store from '../runStore';
import type {PlaybookRun} from '../types';
import {RunList} from './RunList';
import {RunPanel} from './RunPanel';

export function RunDetails({host}: {host: Host}) {
    const [channelId, setChannelId] = useState(host.channelId());
    const [selected, setSelected] = useState<string | undefined>();
    const [error, setError] = useState('');
    const [loading, setLoading] = useState(true);
    useEffect(() => host.onChannelChange((id) => {
        setChannelId(id);
        setSelected(undefined);
        setError('');
    }), [host]);
    useEffect(() => {
        if (!channelId) {
            return;
        }
        let live = true;
        setLoading(true);
        client.runs.inChannel(channelId)
            .then((page) => page.items.forEach(store.put))
            .catch((e) => live && setError(e.message))
            .finally(() => live && setLoading(false));
        return () => {
            live = false;
        };
    }, [channelId]);
    const runs = useSyncExternalStore(store.subscribe, () => snapshot(channelId));
    const only = runs.length === 1 ? runs[0].id : undefined;
    const run = useRun(selected ?? only);
    if (!channelId) {
        return <div className='pb-rhs pb-muted'>Open a channel to see its runs.</div>;
    }
    if (run) {
        return (
            <div className='pb-rhs'>
                <ErrorBanner error={error} onClose={() => setError('')}/>
                {runs.length > 1 && (
                    <button type='button' className='pb-back' onClick={() => setSelected(undefined)}>← All runs</button>
                )}
                {/* Keyed by run: drafts (a half-typed status update, a task being edited) belong to one run
                    and must not carry over to the next channel's run. */}
                <RunPanel key={run.id} run={run} host={host} setError={setError}/>
            </div>
        );
    }
    return (
        <div className='pb-rhs'>
            <ErrorBanner error={error} onClose={() => setError('')}/>
            {runs.length === 0 ? (
                <p className='pb-muted'>{loading ? 'Loading…' : 'No runs in this channel. Start one with /playbook run.'}</p>
            ) : (
                <RunList key={channelId} runs={runs} host={host} onOpen={setSelected}/>
            )}
        </div>
    );
}

// useSyncExternalStore needs the same array back while nothing changed: the
// store replaces a run's object on every update, so identity tells.
let lastValue: PlaybookRun[] = [];
function snapshot(channelId: string): PlaybookRun[] {
    const runs = store.inChannel(channelId);
    const same = runs.length === lastValue.length && runs.every((r, i) => r === lastValue[i]);
    if (!same) {
        lastValue = runs;
    }
    return lastValue;
}
