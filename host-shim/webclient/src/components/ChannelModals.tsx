// Dialogs for channels: create, browse and join, direct message, edit the
// header, and the member list (add, remove).

import {useEffect, useState} from 'react';

import {api} from '../api/client';
import type {Channel, User} from '../api/types';
import {navigate} from '../routing';
import {createChannel, joinChannel, loadTeamChannels, openGroupMessage} from '../state/channels';
import {getState, setState, useStore, withUsers} from '../state/store';
import {Modal} from './Modal';
import {StatusDot} from './StatusDot';
import {UserPicker, fullName} from './UserPicker';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function NewChannelModal({teamId, onClose}: {teamId: string; onClose: () => void}) {
    const [name, setName] = useState('');
    const [purpose, setPurpose] = useState('');
    const [isPrivate, setPrivate] = useState(false);
    const [error, setError] = useState('');
    const submit = async (e: React.FormEvent) => {
        e.preventDefault();
        try {
            await createChannel(teamId, name, isPrivate, purpose);
            onClose();
        } catch (err) {
            setError(message(err));
        }
    };
    return (
        <Modal title='Create a channel' onClose={onClose}>
            <form onSubmit={submit}>
                <label>Name<input required maxLength={64} value={name} onChange={(e) => setName(e.target.value)}/></label>
                <label>Purpose <span className='muted'>(optional)</span><input maxLength={250} value={purpose} onChange={(e) => setPurpose(e.target.value)}/></label>
                <fieldset className='radio-row'>
                    <legend>Who can join</legend>
                    <label><input type='radio' name='type' checked={!isPrivate} onChange={() => setPrivate(false)}/> Anyone in the team (public)</label>
                    <label><input type='radio' name='type' checked={isPrivate} onChange={() => setPrivate(true)}/> Only people invited (private)</label>
                </fieldset>
                {error && <p className='form-error' role='alert'>{error}</p>}
                <div className='form-actions'>
                    <button type='button' onClick={onClose}>Cancel</button>
                    <button type='submit' className='primary'>Create channel</button>
                </div>
            </form>
        </Modal>
    );
}

export function BrowseChannelsModal({teamId, onClose}: {teamId: string; onClose: () => void}) {
    const [channels, setChannels] = useState<Channel[]>([]);
    const [filter, setFilter] = useState('');
    const [error, setError] = useState('');
    const mine = useStore((s) => s.myChannelIds[teamId] || []);
    useEffect(() => {
        api.publicChannels(teamId).then(setChannels).catch((e) => setError(e.message));
    }, [teamId]);
    const shown = channels.filter((c) => `${c.display_name} ${c.name} ${c.purpose}`.toLowerCase().includes(filter.toLowerCase()));
    return (
        <Modal title='Browse channels' onClose={onClose}>
            <label>Search channels<input value={filter} onChange={(e) => setFilter(e.target.value)}/></label>
            {error && <p className='form-error' role='alert'>{error}</p>}
            <ul className='plain-list browse-list'>
                {shown.map((c) => (
                    <li key={c.id}>
                        <div>
                            <strong>{c.display_name}</strong>
                            {c.purpose && <div className='muted'>{c.purpose}</div>}
                        </div>
                        {mine.includes(c.id) ? (
                            <button type='button' onClick={() => {
                                const team = getState().teams[teamId];
                                navigate(`/${team?.name}/channels/${c.name}`);
                                onClose();
                            }}>View</button>
                        ) : (
                            <button type='button' aria-label={`Join ${c.display_name}`} onClick={() => joinChannel(c).then(onClose).catch((e) => setError(message(e)))}>Join</button>
                        )}
                    </li>
                ))}
                {shown.length === 0 && <li className='muted'>No public channels match.</li>}
            </ul>
        </Modal>
    );
}

/** Most people a group message has besides the user (Mattermost: 8 in all). */
export const MAX_GROUP_OTHERS = 7;

/**
 * "New message": one person opens the direct message with them; two to
 * seven make (or reopen) the group message of all of them.
 */
export function DirectMessageModal({teamId, onClose}: {teamId: string; onClose: () => void}) {
    const team = useStore((s) => s.teams[teamId]);
    const me = useStore((s) => s.me);
    const [picked, setPicked] = useState<User[]>([]);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const pick = (u: User) => {
        if (u.id === me?.id || picked.some((p) => p.id === u.id)) return;
        if (picked.length >= MAX_GROUP_OTHERS) {
            setError(`A group message has at most ${MAX_GROUP_OTHERS} people besides you.`);
            return;
        }
        setError('');
        setPicked([...picked, u]);
    };
    const start = async () => {
        if (!team || picked.length === 0) return;
        if (picked.length === 1) {
            navigate(`/${team.name}/messages/@${picked[0].username}`);
            onClose();
            return;
        }
        setBusy(true);
        try {
            await openGroupMessage(team.id, picked.map((u) => u.id));
            onClose();
        } catch (e) {
            setError(message(e));
        } finally {
            setBusy(false);
        }
    };
    return (
        <Modal title='Direct message' onClose={onClose}>
            <UserPicker teamId={teamId} label='Find someone' exclude={[...(me ? [me.id] : []), ...picked.map((u) => u.id)]} onPick={pick}/>
            {picked.length > 0 && (
                <ul className='picked-users' aria-label='Chosen people'>
                    {picked.map((u) => (
                        <li key={u.id}>
                            @{u.username}{' '}
                            <button type='button' className='link-button' aria-label={`Remove @${u.username}`}
                                onClick={() => setPicked(picked.filter((p) => p.id !== u.id))}>×</button>
                        </li>
                    ))}
                </ul>
            )}
            {error && <p className='form-error' role='alert'>{error}</p>}
            <div className='form-actions'>
                <button type='button' onClick={onClose}>Cancel</button>
                <button type='button' className='primary' disabled={picked.length === 0 || busy} onClick={start}>
                    {picked.length > 1 ? 'Start group message' : 'Go'}
                </button>
            </div>
        </Modal>
    );
}

export function EditHeaderModal({channel, onClose}: {channel: Channel; onClose: () => void}) {
    const [header, setHeader] = useState(channel.header);
    const [purpose, setPurpose] = useState(channel.purpose);
    const [displayName, setDisplayName] = useState(channel.display_name);
    const [error, setError] = useState('');
    const submit = async (e: React.FormEvent) => {
        e.preventDefault();
        try {
            const patch = channel.type === 'D' ? {header} : {header, purpose, display_name: displayName};
            const updated = await api.patchChannel(channel.id, patch);
            setState((s) => ({...s, channels: {...s.channels, [updated.id]: updated}}));
            onClose();
        } catch (err) {
            setError(message(err));
        }
    };
    return (
        <Modal title='Edit channel' onClose={onClose}>
            <form onSubmit={submit}>
                {channel.type !== 'D' && <label>Name<input required maxLength={64} value={displayName} onChange={(e) => setDisplayName(e.target.value)}/></label>}
                <label>Header <span className='muted'>(Markdown)</span><textarea rows={3} maxLength={1024} value={header} onChange={(e) => setHeader(e.target.value)}/></label>
                {channel.type !== 'D' && <label>Purpose<textarea rows={2} maxLength={250} value={purpose} onChange={(e) => setPurpose(e.target.value)}/></label>}
                {error && <p className='form-error' role='alert'>{error}</p>}
                <div className='form-actions'>
                    <button type='button' onClick={onClose}>Cancel</button>
                    <button type='submit' className='primary'>Save</button>
                </div>
            </form>
        </Modal>
    );
}

export function MembersModal({channel, onClose}: {channel: Channel; onClose: () => void}) {
    const [ids, setIds] = useState<string[]>([]);
    const [error, setError] = useState('');
    const [adding, setAdding] = useState(false);
    const users = useStore((s) => s.users);
    const me = useStore((s) => s.me?.id);
    const load = async () => {
        const members = await api.channelMembers(channel.id);
        const memberIds = members.map((m) => m.user_id);
        const missing = memberIds.filter((id) => !getState().users[id]);
        if (missing.length > 0) {
            const loaded = await api.usersByIds(missing);
            setState((s) => withUsers(s, loaded));
        }
        setIds(memberIds);
    };
    useEffect(() => {
        load().catch((e) => setError(message(e)));
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [channel.id]);
    const add = async (u: User) => {
        try {
            await api.addMember(channel.id, u.id);
            setAdding(false);
            await load();
        } catch (e) {
            setError(message(e));
        }
    };
    const remove = async (id: string) => {
        try {
            await api.removeMember(channel.id, id);
            if (id === me) {
                await loadTeamChannels(getState().currentTeamId);
                onClose();
                return;
            }
            await load();
        } catch (e) {
            setError(message(e));
        }
    };
    const canChange = channel.type === 'O' || channel.type === 'P';
    return (
        <Modal title={`Members of ${channel.display_name || 'this channel'}`} onClose={onClose}>
            {error && <p className='form-error' role='alert'>{error}</p>}
            {canChange && (adding
                ? <UserPicker teamId={channel.team_id} label='Add someone' exclude={ids} onPick={add}/>
                : <button type='button' className='primary' onClick={() => setAdding(true)}>Add members</button>)}
            <ul className='plain-list member-list'>
                {ids.map((id) => (
                    <li key={id}>
                        <span><StatusDot userId={id}/> <strong>@{users[id]?.username ?? id}</strong> {users[id] && fullName(users[id])}</span>
                        {canChange && channel.name !== 'town-square' && (
                            <button type='button' aria-label={`Remove @${users[id]?.username ?? id}`} onClick={() => remove(id)}>{id === me ? 'Leave' : 'Remove'}</button>
                        )}
                    </li>
                ))}
            </ul>
        </Modal>
    );
}
