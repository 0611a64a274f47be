// Playbooks: the list (search, archived), creation from a template,
// import/export, duplicate, archive; and the editor.

import React, {useEffect, useState} from 'react';

import * as client from '../client';
import {ErrorBanner} from '../components/common';
import type {Host} from '../host';
import type {Playbook} from '../types';

/** The incident-response template offered on creation. */
export function incidentTemplate(teamId: string): Partial<Playbook> {
    return {
        title: 'Incident response',
        description: 'Detect, triage, mitigate and learn from an incident.',
        team_id: teamId,
        public: true,
        run_number_prefix: 'INC',
        channel_name_template: '{SEQ} incident',
        reminder_timer_default_seconds: 3600,
        status_update_enabled: true,
        retrospective_enabled: true,
        retrospective_template: '### What happened\n\n### What went well\n\n### What to improve\n',
        checklists: [
            {id: '', title: 'Triage', items: [
                {title: 'Assess the impact and severity', description: '', command: '', due_date: 900000} as never,
                {title: 'Page the on-call engineer', description: '', command: '', due_date: 0} as never,
            ]},
            {id: '', title: 'Mitigate', items: [{title: 'Post a status update', description: '', command: '/playbook update', due_date: 0} as never]},
            {id: '', title: 'Learn', items: [{title: 'Write the retrospective', description: '', command: '', due_date: 0} as never]},
        ],
        metrics: [{id: '', title: 'Time to mitigate', description: '', type: 'metric_duration', target: 3600000}],
    };
}

export function PlaybookList({host}: {host: Host}) {
    const [items, setItems] = useState<Playbook[]>([]);
    const [search, setSearch] = useState('');
    const [archived, setArchived] = useState(false);
    const [error, setError] = useState('');
    const team = host.teamId();
    const load = () => client.playbooks.list(team, search, archived).then((p) => setItems(p.items)).catch((e) => setError(e.message));
    useEffect(() => {
        load();
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [team, search, archived]);
    const guard = (work: () => Promise<unknown>) => work().then(load).catch((e) => setError(e.message));
    const importFile = async (file: File) => {
        const text = await file.text();
        guard(async () => {
            const {id} = await client.playbooks.import(team, JSON.parse(text));
            host.navigate(`/playbooks/playbooks/${id}`);
        });
    };
    return (
        <div className='pb-page'>
            <h1>Playbooks</h1>
            <ErrorBanner error={error} onClose={() => setError('')}/>
            <div className='pb-row'>
                <input aria-label='Search playbooks' placeholder='Search' value={search} onChange={(e) => setSearch(e.target.value)}/>
                <label><input type='checkbox' checked={archived} onChange={(e) => setArchived(e.target.checked)}/> Show archived</label>
                <button type='button' className='pb-primary' onClick={() => guard(async () => {
                    const {id} = await client.playbooks.create(incidentTemplate(team));
                    host.navigate(`/playbooks/playbooks/${id}`);
                })}>New from incident template</button>
                <label className='pb-file'>Import JSON<input type='file' accept='application/json' onChange={(e) => e.target.files?.[0] && importFile(e.target.files[0])}/></label>
            </div>
            <table className='pb-table'>
                <thead><tr><th>Title</th><th>Runs</th><th>In progress</th><th/></tr></thead>
                <tbody>
                    {items.map((pb) => (
                        <tr key={pb.id}>
                            <td><a href={`/playbooks/playbooks/${pb.id}`} onClick={(e) => {
                                e.preventDefault();
                                host.navigate(`/playbooks/playbooks/${pb.id}`);
                            }}>{pb.title}</a>{pb.delete_at > 0 && <span className='pb-badge'>archived</span>}</td>
                            <td>{pb.num_runs}</td>
                            <td>{pb.active_runs}</td>
                            <td className='pb-actions'>
                                <button type='button' onClick={() => host.navigate(`/playbooks/playbooks/${pb.id}/dashboard`)}>Dashboard</button>
                                <a href={client.playbooks.exportUrl(pb.id)} download>Export</a>
                                <button type='button' onClick={() => guard(() => client.playbooks.duplicate(pb.id))}>Duplicate</button>
                                {pb.delete_at > 0 ? (
                                    <button type='button' onClick={() => guard(() => client.playbooks.restore(pb.id))}>Restore</button>
                                ) : (
                                    <button type='button' onClick={() => guard(() => client.playbooks.archive(pb.id))}>Archive</button>
                                )}
                            </td>
                        </tr>
                    ))}
                </tbody>
            </table>
        </div>
    );
}

const TEXT_FIELDS: Array<[string, string]> = [
    ['title', 'Title'], ['description', 'Description'], ['run_number_prefix', 'Run number prefix'],
    ['channel_name_template', 'Channel name template ({SEQ}, {OWNER}, {CREATOR})'], ['run_summary_template', 'Run summary template'],
    ['reminder_message_template', 'Status update template'], ['retrospective_template', 'Retrospective template'],
    ['message_on_join', 'Message on join'], ['category_name', 'Sidebar category'],
];
const BOOL_FIELDS: Array<[string, string]> = [
    ['public', 'Public playbook'], ['create_public_playbook_run', 'Runs get public channels'], ['status_update_enabled', 'Status updates'],
    ['retrospective_enabled', 'Retrospective'], ['broadcast_enabled', 'Broadcast updates to channels'],
    ['webhook_on_creation_enabled', 'Webhooks on run start'], ['webhook_on_status_update_enabled', 'Webhooks on status updates'],
    ['invite_users_enabled', 'Invite users'], ['default_owner_enabled', 'Default owner'], ['message_on_join_enabled', 'Message on join'],
    ['run_summary_template_enabled', 'Run summary template'], ['categorize_channel_enabled', 'Categorize channel'],
    ['create_channel_member_on_new_participant', 'Add new participants to the channel'],
    ['remove_channel_member_on_removed_participant', 'Remove removed participants from the channel'],
    ['admin_only_edit', 'Only playbook admins edit'], ['owner_group_only_actions', 'Only the owner finishes/restores/changes owner'],
];

/** Every setting: the common ones as fields, the rest (checklists, metrics, lists) as JSON. */
export function PlaybookEditor({playbookId}: {playbookId: string}) {
    const [pb, setPb] = useState<Playbook>();
    const [advanced, setAdvanced] = useState('');
    const [error, setError] = useState('');
    const [saved, setSaved] = useState(false);
    useEffect(() => {
        client.playbooks.get(playbookId).then((p) => {
            setPb(p);
            setAdvanced(JSON.stringify({
                checklists: p.checklists, metrics: p.metrics, broadcast_channel_ids: p.broadcast_channel_ids,
                webhook_on_creation_urls: p.webhook_on_creation_urls, webhook_on_status_update_urls: p.webhook_on_status_update_urls,
                invited_user_ids: p.invited_user_ids, default_owner_id: p.default_owner_id, channel_mode: p.channel_mode, channel_id: p.channel_id,
                reminder_timer_default_seconds: p.reminder_timer_default_seconds, retrospective_reminder_interval_seconds: p.retrospective_reminder_interval_seconds,
                members: p.members,
            }, null, 2));
        }).catch((e) => setError(e.message));
    }, [playbookId]);
    if (!pb) {
        return <div className='pb-page'><ErrorBanner error={error} onClose={() => setError('')}/>{!error && <p>Loading…</p>}</div>;
    }
    const save = async (e: React.FormEvent) => {
        e.preventDefault();
        setSaved(false);
        try {
            const extra = JSON.parse(advanced);
            await client.playbooks.update({...pb, ...extra});
            setPb(await client.playbooks.get(playbookId));
            setSaved(true);
        } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
        }
    };
    return (
        <form className='pb-page pb-editor' onSubmit={save}>
            <h1>Edit playbook</h1>
            <ErrorBanner error={error} onClose={() => setError('')}/>
            {TEXT_FIELDS.map(([key, label]) => (
                <label key={key}>{label}
                    <input value={String(pb[key] ?? '')} onChange={(e) => setPb({...pb, [key]: e.target.value})}/>
                </label>
            ))}
            <fieldset>
                <legend>Options</legend>
                {BOOL_FIELDS.map(([key, label]) => (
                    <label key={key} className='pb-check'>
                        <input type='checkbox' checked={Boolean(pb[key])} onChange={(e) => setPb({...pb, [key]: e.target.checked})}/> {label}
                    </label>
                ))}
            </fieldset>
            <label>Checklists, metrics, channels, webhooks, members (JSON)
                <textarea aria-label='Advanced settings' rows={16} value={advanced} onChange={(e) => setAdvanced(e.target.value)}/>
            </label>
            <button type='submit' className='pb-primary'>Save</button>
            {saved && <span role='status'>Saved.</span>}
        </form>
    );
}
