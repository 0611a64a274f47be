// `/select_team`: join an open team or create one.

import {useEffect, useState} from 'react';

import {api} from '../api/client';
import type {Team} from '../api/types';
import {navigate} from '../routing';
import {slug} from '../state/channels';
import {logOut} from '../state/session';
import {setState, useStore} from '../state/store';

export function TeamSelect() {
    const me = useStore((s) => s.me);
    const mine = useStore((s) => s.myTeamIds);
    const notice = useStore((s) => s.notice);
    const [open, setOpen] = useState<Team[]>([]);
    const [name, setName] = useState('');
    const [error, setError] = useState('');
    useEffect(() => {
        api.teams().then(setOpen).catch((e) => setError(e.message));
    }, []);
    const enter = async (team: Team) => {
        setState((s) => ({...s, teams: {...s.teams, [team.id]: team}, myTeamIds: s.myTeamIds.includes(team.id) ? s.myTeamIds : [...s.myTeamIds, team.id], notice: ''}));
        navigate(`/${team.name}/channels/town-square`);
    };
    const join = async (team: Team) => {
        try {
            if (!mine.includes(team.id) && me) {
                await api.joinTeam(team.id, me.id);
            }
            await enter(team);
        } catch (e) {
            setError(e instanceof Error ? e.message : String(e));
        }
    };
    const create = async (e: React.FormEvent) => {
        e.preventDefault();
        setError('');
        try {
            const team = await api.createTeam({display_name: name.trim(), name: slug(name), type: 'O'});
            await enter(team);
        } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
        }
    };
    return (
        <main className='auth-page'>
            <div className='auth-card team-select'>
                <h1>Teams</h1>
                {notice && <p className='notice' role='status'>{notice}</p>}
                {open.length > 0 && (
                    <section aria-label='Teams you can join'>
                        <h2>Open a team</h2>
                        <ul className='plain-list'>
                            {open.map((t) => (
                                <li key={t.id}>
                                    <button type='button' className='link-button' onClick={() => join(t)}>
                                        {t.display_name} {mine.includes(t.id) ? '' : <span className='muted'>(join)</span>}
                                    </button>
                                </li>
                            ))}
                        </ul>
                    </section>
                )}
                <form onSubmit={create}>
                    <h2>Create a team</h2>
                    <label>Team name<input required maxLength={64} value={name} onChange={(e) => setName(e.target.value)}/></label>
                    <button type='submit' className='primary'>Create team</button>
                </form>
                {error && <p className='form-error' role='alert'>{error}</p>}
                <p><button type='button' className='link-button' onClick={() => logOut()}>Log out</button></p>
            </div>
        </main>
    );
}
