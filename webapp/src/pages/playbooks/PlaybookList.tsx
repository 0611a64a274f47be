// Playbooks of the team: search, archived ones, creation from a template,
// import of an exported JSON file, and per playbook: edit, dashboard,
// export, duplicate, archive/restore. Reloads on the server's playbook
// events, never on a timer.

import React, {useEffect, useState} from 'react';

import * as client from '../../client';
import {ConfirmDialog} from '../../components/Dialog';
import {ErrorBanner} from '../../components/common';
import type {Host} from '../../host';
import * as store from '../../runStore';
import type {Playbook} from '../../types';
import {TEMPLATES} from './templates';

export function PlaybookList({host}: {host: Host}) {
    const [items, setItems] = useState<Playbook[]>([]);
    const [search, setSearch] = useState('');
    const [archived, setArchived] = useState(false);
    const [error, setError] = useState('');
    const [loading, setLoading] = useState(true);
    const [archiving, setArchiving] = useState<Playbook | null>(null);
    const [version, setVersion] = useState(0);
    const team = host.teamId();
    useEffect(() => store.onPlaybooksChanged(() => setVersion((v) => v + 1)), []);
    useEffect(() => {
        let live = true;
        // Wait for a pause in typing before asking the server.
        const t = window.setTimeout(() => {
            client.playbooks.list(team, search, archived)
                .then((p) => live && setItems(p.items))
                .catch((e) => live && setError(e.message))
                .finally(() => live && setLoading(false));
        }, search ? 200 : 0);
        return () => {
            live = false;
            window.clearTimeout(t);
        };
    }, [team, search, archived, version]);
    const reload = () => setVersion((v) => v + 1);
    const guard = (work: () => Promise<unknown>) => work().then(reload).catch((e) => setError(e instanceof Error ? e.message : String(e)));
    const open = (id: string) => host.navigate(`/playbooks/playbooks/${id}`);
    const importFile = async (file: File) => {
        let parsed: unknown;
        try {
            parsed = JSON.parse(await file.text());
        } catch {
            setError(`${file.name} is not a JSON file.`);
            return;
        }
        guard(async () => open((await client.playbooks.import(team, parsed)).id));
    };
    return (
        <div className='pb-page'>
            <h1>Playbooks</h1>
            <ErrorBanner error={error} onClose={() => setError('')}/>
            <section aria-label='New playbook' className='pb-templates'>
                <h2>New playbook</h2>
                <ul className='pb-template-list'>
                    {TEMPLATES.map((t) => (
                        <li key={t.name} className='pb-tile'>
                            <strong>{t.name}</strong>
                            <p className='pb-muted'>{t.description}</p>
                            <button type='button' className='pb-primary' aria-label={`Create from template ${t.name}`}
                                onClick={() => guard(async () => open((await client.playbooks.create(t.make(team))).id))}>Create</button>
                        </li>
                    ))}
                </ul>
                <label className='pb-file'>Import playbook (JSON)
                    <input type='file' accept='application/json,.json' onChange={(e) => {
                        const file = e.target.files?.[0];
                        e.target.value = '';
                        if (file) {
                            importFile(file);
                        }
                    }}/>
                </label>
            </section>
            <section aria-label='All playbooks'>
                <div className='pb-row'>
                    <input type='search' aria-label='Search playbooks' placeholder='Search' value={search} onChange={(e) => setSearch(e.target.value)}/>
                    <label className='pb-check'><input type='checkbox' checked={archived} onChange={(e) => setArchived(e.target.checked)}/> Show archived</label>
                </div>
                {!loading && items.length === 0 && <p className='pb-muted'>No playbooks{search ? ` matching “${search}”` : ''}.</p>}
                <div className='pb-table-wrap'>
                    <table className='pb-table'>
                        <thead><tr><th scope='col'>Playbook</th><th scope='col'>Runs</th><th scope='col'>In progress</th><th scope='col'>Last run</th><th scope='col'><span className='pb-sr'>Actions</span></th></tr></thead>
                        <tbody>
                            {items.map((pb) => (
                                <tr key={pb.id}>
                                    <td>
                                        <a id={`pb-title-${pb.id}`} href={`/playbooks/playbooks/${pb.id}`} onClick={(e) => {
                                            e.preventDefault();
                                            open(pb.id);
                                        }}>{pb.title}</a>
                                        {pb.delete_at > 0 && <span className='pb-badge'>archived</span>}
                                    </td>
                                    <td>{pb.num_runs}</td>
                                    <td>{pb.active_runs}</td>
                                    <td>{pb.last_run_at ? new Date(pb.last_run_at).toLocaleDateString() : '—'}</td>
                                    <td className='pb-actions'>
                                        <button type='button' aria-label={`Dashboard of ${pb.title}`} onClick={() => host.navigate(`/playbooks/playbooks/${pb.id}/dashboard`)}>Dashboard</button>
                                        {/* Named "Export" only: a link named after the playbook would compete with its title link. */}
                                        <a href={client.playbooks.exportUrl(pb.id)} download aria-describedby={`pb-title-${pb.id}`}>Export</a>
                                        <button type='button' aria-label={`Duplicate ${pb.title}`} onClick={() => guard(() => client.playbooks.duplicate(pb.id))}>Duplicate</button>
                                        {pb.delete_at > 0 ? (
                                            <button type='button' aria-label={`Restore ${pb.title}`} onClick={() => guard(() => client.playbooks.restore(pb.id))}>Restore</button>
                                        ) : (
                                            <button type='button' aria-label={`Archive ${pb.title}`} onClick={() => setArchiving(pb)}>Archive</button>
                                        )}
                                    </td>
                                </tr>
                            ))}
                        </tbody>
                    </table>
                </div>
            </section>
            {archiving && (
                <ConfirmDialog title={`Archive ${archiving.title}?`} confirmLabel='Archive' danger onCancel={() => setArchiving(null)} onConfirm={() => {
                    const id = archiving.id;
                    setArchiving(null);
                    guard(() => client.playbooks.archive(id));
                }}>
                    <p>No new runs can start from it. Runs in progress carry on; you can restore it later.</p>
                </ConfirmDialog>
            )}
        </div>
    );
}
