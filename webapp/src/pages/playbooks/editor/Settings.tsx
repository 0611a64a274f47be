// The playbook's settings beyond its checklists, grouped as people think
// of them: status updates, what happens when a run starts, the
// retrospective, channel membership, and who may do what. Every control
// names the JSON field it edits (see fields.tsx).

import React from 'react';

import {ChannelPicker, ChannelsField, UserPicker, UsersField} from '../../../components/Picker';
import {Username, useChannelName} from '../../../components/common';
import type {Host} from '../../../host';
import {REMINDERS} from '../../../rhs/StatusWidget';
import type {Playbook, PlaybookMember} from '../../../types';
import {MetricsEditor} from './MetricsEditor';
import {ListField, Section, SelectField, TextField, Toggle, useFieldError} from '../../../components/fields';

type Props = {pb: Playbook; setPb: (pb: Playbook) => void; host: Host};

const str = (pb: Playbook, key: string) => (typeof pb[key] === 'string' ? (pb[key] as string) : '');
const bool = (pb: Playbook, key: string) => Boolean(pb[key]);
const num = (pb: Playbook, key: string) => (typeof pb[key] === 'number' ? (pb[key] as number) : 0);
const list = (pb: Playbook, key: string) => (Array.isArray(pb[key]) ? (pb[key] as string[]) : []);

const RETRO_INTERVALS: Array<[number, string]> = [
    [0, 'Once'], [3600, 'Every hour'], [14400, 'Every 4 hours'], [86400, 'Every day'], [259200, 'Every 3 days'], [604800, 'Every week'],
];

export function StatusSettings({pb, setPb, host}: Props) {
    const set = (key: string, value: unknown) => setPb({...pb, [key]: value});
    return (
        <Section title='Status updates' id='pb-status'>
            <Toggle label='Ask the owner for status updates' path='status_update_enabled' checked={bool(pb, 'status_update_enabled')}
                onChange={(v) => set('status_update_enabled', v)}>
                <SelectField label='Reminder interval' path='reminder_timer_default_seconds' value={num(pb, 'reminder_timer_default_seconds')}
                    options={REMINDERS} onChange={(v) => set('reminder_timer_default_seconds', v)}
                    hint='How long after an update the owner is reminded to post the next one.'/>
                <TextField label='Status update template' path='reminder_message_template' multiline value={str(pb, 'reminder_message_template')}
                    onChange={(v) => set('reminder_message_template', v)} hint='Prefills the update form (Markdown).'/>
            </Toggle>
            <Toggle label='Broadcast updates to channels' path='broadcast_enabled' checked={bool(pb, 'broadcast_enabled')}
                onChange={(v) => set('broadcast_enabled', v)}>
                <BroadcastChannels pb={pb} setPb={setPb} host={host}/>
            </Toggle>
            <Toggle label='Send status updates to webhooks' path='webhook_on_status_update_enabled' checked={bool(pb, 'webhook_on_status_update_enabled')}
                onChange={(v) => set('webhook_on_status_update_enabled', v)}>
                <ListField label='Status update webhook URLs' path='webhook_on_status_update_urls' value={list(pb, 'webhook_on_status_update_urls')}
                    onChange={(v) => set('webhook_on_status_update_urls', v)} hint='One http(s) URL per line, at most 64. Also sent when a run finishes or is restored.'/>
            </Toggle>
        </Section>
    );
}

function BroadcastChannels({pb, setPb, host}: Props) {
    const err = useFieldError('broadcast_channel_ids', true);
    return (
        <>
            <ChannelsField host={host} label='broadcast channels' ids={list(pb, 'broadcast_channel_ids')}
                onChange={(ids) => setPb({...pb, broadcast_channel_ids: ids})}/>
            {err.node}
        </>
    );
}

function LinkedChannel({pb, setPb, host}: Props) {
    const id = str(pb, 'channel_id');
    const name = useChannelName(host, id);
    const err = useFieldError('channel_id');
    return (
        <div className='pb-field'>
            <div className='pb-row'>
                <span>Channel: {id ? `~${name}` : <em className='pb-muted'>none chosen (the run starts in the channel it is started from)</em>}</span>
                {id && <button type='button' onClick={() => setPb({...pb, channel_id: ''})}>Clear channel</button>}
            </div>
            <ChannelPicker host={host} label='Channel to link runs to' onPick={(c) => setPb({...pb, channel_id: c.id})}/>
            {err.node}
        </div>
    );
}

function DefaultOwner({pb, setPb, host}: Props) {
    const id = str(pb, 'default_owner_id');
    const err = useFieldError('default_owner_id');
    return (
        <div className='pb-field'>
            <div className='pb-row'>
                <span>Default owner: {id ? <Username host={host} id={id}/> : <em className='pb-muted'>nobody</em>}</span>
                {id && <button type='button' onClick={() => setPb({...pb, default_owner_id: ''})}>Clear default owner</button>}
            </div>
            <UserPicker host={host} label='Default owner' onPick={(u) => setPb({...pb, default_owner_id: u.id})}/>
            {err.node}
        </div>
    );
}

export function RunStartSettings({pb, setPb, host}: Props) {
    const set = (key: string, value: unknown) => setPb({...pb, [key]: value});
    const mode = str(pb, 'channel_mode') || 'create_new_channel';
    const modeErr = useFieldError('channel_mode');
    const invited = useFieldError('invited_user_ids', true);
    return (
        <Section title='When a run starts' id='pb-start'>
            <fieldset className='pb-field'>
                <legend>Channel</legend>
                {[['create_new_channel', 'Create a new channel for each run'], ['link_existing_channel', 'Link to an existing channel']].map(([value, label]) => (
                    <label key={value} className='pb-check'>
                        <input type='radio' name='pb-channel-mode' value={value} checked={mode === value} data-path='channel_mode'
                            onChange={() => set('channel_mode', value)}/> {label}
                    </label>
                ))}
                {modeErr.node}
                {mode === 'create_new_channel' ? (
                    <Toggle label='New channels are public' path='create_public_playbook_run' checked={bool(pb, 'create_public_playbook_run')}
                        onChange={(v) => set('create_public_playbook_run', v)}/>
                ) : <LinkedChannel pb={pb} setPb={setPb} host={host}/>}
            </fieldset>
            <TextField label='Run name template' path='channel_name_template' value={str(pb, 'channel_name_template')}
                onChange={(v) => set('channel_name_template', v)} placeholder='{SEQ} incident'
                hint='Names new runs (and their channels). Tokens: {SEQ} (the run number), {OWNER}, {CREATOR}.'/>
            <TextField label='Run number prefix' path='run_number_prefix' value={str(pb, 'run_number_prefix')} maxLength={32}
                onChange={(v) => set('run_number_prefix', v)} placeholder='INC'
                hint='Letters, digits and inner hyphens, unique in the team: INC gives INC-00042.'/>
            <Toggle label='Start with a run summary template' path='run_summary_template_enabled' checked={bool(pb, 'run_summary_template_enabled')}
                onChange={(v) => set('run_summary_template_enabled', v)}>
                <TextField label='Run summary template' path='run_summary_template' multiline value={str(pb, 'run_summary_template')}
                    onChange={(v) => set('run_summary_template', v)} hint='Markdown. $VAR=value lines fill $VAR in task slash commands.'/>
            </Toggle>
            <Toggle label='Invite users to new runs' path='invite_users_enabled' checked={bool(pb, 'invite_users_enabled')}
                onChange={(v) => set('invite_users_enabled', v)}>
                <UsersField host={host} label='invited users' ids={list(pb, 'invited_user_ids')} onChange={(ids) => set('invited_user_ids', ids)}/>
                {invited.node}
            </Toggle>
            <Toggle label='Assign a default owner' path='default_owner_enabled' checked={bool(pb, 'default_owner_enabled')}
                onChange={(v) => set('default_owner_enabled', v)}>
                <DefaultOwner pb={pb} setPb={setPb} host={host}/>
            </Toggle>
            <Toggle label='Send new runs to webhooks' path='webhook_on_creation_enabled' checked={bool(pb, 'webhook_on_creation_enabled')}
                onChange={(v) => set('webhook_on_creation_enabled', v)}>
                <ListField label='Run start webhook URLs' path='webhook_on_creation_urls' value={list(pb, 'webhook_on_creation_urls')}
                    onChange={(v) => set('webhook_on_creation_urls', v)} hint='One http(s) URL per line, at most 64.'/>
            </Toggle>
            <Toggle label='Welcome people who join the run channel' path='message_on_join_enabled' checked={bool(pb, 'message_on_join_enabled')}
                onChange={(v) => set('message_on_join_enabled', v)}>
                <TextField label='Message on join' path='message_on_join' multiline value={str(pb, 'message_on_join')}
                    onChange={(v) => set('message_on_join', v)} hint='Markdown, sent to each newcomer.'/>
            </Toggle>
            <Toggle label='Add the run channel to a sidebar category' path='categorize_channel_enabled' checked={bool(pb, 'categorize_channel_enabled')}
                onChange={(v) => set('categorize_channel_enabled', v)}>
                <TextField label='Category' path='category_name' value={str(pb, 'category_name')} maxLength={22}
                    onChange={(v) => set('category_name', v)} hint='At most 22 characters.'/>
            </Toggle>
        </Section>
    );
}

export function RetrospectiveSettings({pb, setPb}: Props) {
    const set = (key: string, value: unknown) => setPb({...pb, [key]: value});
    return (
        <Section title='Retrospective' id='pb-retro'>
            <Toggle label='Ask for a retrospective when a run finishes' path='retrospective_enabled' checked={bool(pb, 'retrospective_enabled')}
                onChange={(v) => set('retrospective_enabled', v)}>
                <SelectField label='Retrospective reminders' path='retrospective_reminder_interval_seconds'
                    value={num(pb, 'retrospective_reminder_interval_seconds')} options={RETRO_INTERVALS}
                    onChange={(v) => set('retrospective_reminder_interval_seconds', v)} hint='Until it is published or canceled.'/>
                <TextField label='Retrospective template' path='retrospective_template' multiline rows={6} value={str(pb, 'retrospective_template')}
                    onChange={(v) => set('retrospective_template', v)} hint='Markdown; prefills each run’s retrospective.'/>
            </Toggle>
            <h3>Metrics</h3>
            <p className='pb-hint'>Numbers filled in with each retrospective and shown on the dashboard against their targets.</p>
            <MetricsEditor pb={pb} setPb={setPb}/>
        </Section>
    );
}

export function MembershipSettings({pb, setPb}: Props) {
    const set = (key: string, value: unknown) => setPb({...pb, [key]: value});
    return (
        <Section title='Channel membership' id='pb-membership'>
            <Toggle label='Add new participants to the run channel' path='create_channel_member_on_new_participant'
                checked={bool(pb, 'create_channel_member_on_new_participant')} onChange={(v) => set('create_channel_member_on_new_participant', v)}/>
            <Toggle label='Remove removed participants from the run channel' path='remove_channel_member_on_removed_participant'
                checked={bool(pb, 'remove_channel_member_on_removed_participant')} onChange={(v) => set('remove_channel_member_on_removed_participant', v)}/>
            <Toggle label='Runs must create a new channel' path='new_channel_only' checked={bool(pb, 'new_channel_only')}
                onChange={(v) => set('new_channel_only', v)} hint='Stored and exported for Mattermost compatibility; conflicts with linking an existing channel.'/>
            <Toggle label='Archive the channel when a run finishes' path='auto_archive_channel' checked={bool(pb, 'auto_archive_channel')}
                onChange={(v) => set('auto_archive_channel', v)} hint='Stored and exported for Mattermost compatibility; this server does not act on it yet.'/>
        </Section>
    );
}

function Members({pb, setPb, host}: Props) {
    const members: PlaybookMember[] = Array.isArray(pb.members) ? (pb.members as PlaybookMember[]) : [];
    const err = useFieldError('members', true);
    const setMembers = (next: PlaybookMember[]) => setPb({...pb, members: next});
    return (
        <div className='pb-field'>
            <h3>Members</h3>
            <ul className='pb-members'>
                {members.map((m, i) => {
                    const admin = m.roles.includes('playbook_admin');
                    return (
                        <li key={m.user_id} className='pb-row'>
                            <Username host={host} id={m.user_id}/>
                            <label className='pb-check'>
                                <input type='checkbox' checked={admin} onChange={(e) => setMembers(members.map((x, j) => (j === i ? {
                                    ...x, roles: e.target.checked ? ['playbook_member', 'playbook_admin'] : ['playbook_member'],
                                } : x)))}/> Admin
                            </label>
                            <button type='button' aria-label={`Remove member ${i + 1}`} onClick={() => setMembers(members.filter((_, j) => j !== i))}>Remove</button>
                        </li>
                    );
                })}
            </ul>
            <UserPicker host={host} label='Add member' exclude={members.map((m) => m.user_id)}
                onPick={(u) => setMembers([...members, {user_id: u.id, roles: ['playbook_member']}])}/>
            {err.node}
        </div>
    );
}

export function PermissionSettings({pb, setPb, host}: Props) {
    const set = (key: string, value: unknown) => setPb({...pb, [key]: value});
    return (
        <Section title='Permissions' id='pb-permissions'>
            <Toggle label='Everyone in the team can see and run this playbook' path='public' checked={bool(pb, 'public')}
                onChange={(v) => set('public', v)} hint='Otherwise only its members.'/>
            <Toggle label='Only playbook admins can edit it' path='admin_only_edit' checked={bool(pb, 'admin_only_edit')}
                onChange={(v) => set('admin_only_edit', v)}/>
            <Toggle label='Only the run owner (or an admin) can finish, restore or change the owner' path='owner_group_only_actions'
                checked={bool(pb, 'owner_group_only_actions')} onChange={(v) => set('owner_group_only_actions', v)}/>
            <Members pb={pb} setPb={setPb} host={host}/>
        </Section>
    );
}
