// Owner (a user picker) and participants (add with a picker, remove, leave)
// through the plugin's owner and participants routes.

import React, {useState} from 'react';

import * as client from '../client';
import {UserPicker} from '../components/Picker';
import {Username, useAction, useUsername} from '../components/common';
import type {Host} from '../host';
import type {PlaybookRun} from '../types';

function Participant({host, id, onRemove}: {host: Host; id: string; onRemove?: () => void}) {
    const name = useUsername(host, id);
    return (
        <li className='pb-chip'>
            <span className='pb-user'>@{name}</span>
            {onRemove && <button type='button' className='pb-chip-remove' aria-label={`Remove @${name} from the run`} onClick={onRemove}>×</button>}
        </li>
    );
}

export function People({run, host, setError}: {run: PlaybookRun; host: Host; setError: (e: string) => void}) {
    const act = useAction(setError);
    const me = host.userId();
    const finished = run.current_status === 'Finished';
    const [changingOwner, setChangingOwner] = useState(false);
    const participants = run.participant_ids || [];
    const isParticipant = participants.includes(me);
    return (
        <section aria-label='People' className='pb-people'>
            <h3>People</h3>
            <div className='pb-row'>
                <span>Owner</span> <Username host={host} id={run.owner_user_id}/>
                {!finished && (
                    <button type='button' aria-expanded={changingOwner} onClick={() => setChangingOwner(!changingOwner)}>Change owner</button>
                )}
            </div>
            {changingOwner && !finished && (
                <UserPicker host={host} label='New owner' exclude={[run.owner_user_id]} onPick={async (u) => {
                    const done = await act(() => client.runs.setOwner(run.id, u.id));
                    if (done) {
                        setChangingOwner(false);
                    }
                }}/>
            )}
            <div className='pb-participants'>
                <span id={`pb-participants-${run.id}`}>Participants ({participants.length})</span>
                <ul className='pb-chips' aria-labelledby={`pb-participants-${run.id}`}>
                    {participants.map((p) => (
                        <Participant key={p} host={host} id={p}
                            onRemove={finished || p === run.owner_user_id || p === me ? undefined : () => act(() => client.runs.removeParticipants(run.id, [p]))}/>
                    ))}
                </ul>
            </div>
            {!finished && (
                <div className='pb-row'>
                    <UserPicker host={host} label='Add participant' exclude={participants}
                        onPick={(u) => act(() => client.runs.addParticipants(run.id, [u.id]))}/>
                    {isParticipant && me !== run.owner_user_id && (
                        <button type='button' onClick={() => act(() => client.runs.removeParticipants(run.id, [me]))}>Leave</button>
                    )}
                </div>
            )}
        </section>
    );
}
