// A playbook's dashboard from the server's aggregate (`GET
// /stats/playbook`): runs in progress, finished per week, average
// duration, and each metric's recent values against its target, drawn
// with Chart.js. Each chart also has its numbers as a table, for screen
// readers and for browsers without canvas. The runs in progress are
// listed (one small query), not every run ever.

import {
    BarController, BarElement, CategoryScale, Chart, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip,
} from 'chart.js';
import React, {useEffect, useRef, useState} from 'react';

import * as client from '../../client';
import {Username} from '../../components/common';
import type {Host} from '../../host';
import {formatDuration, formatMetric} from '../../logic';
import type {MetricConfig, Playbook, PlaybookRun, PlaybookStats} from '../../types';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

function ChartCanvas({config, label}: {config: any; label: string}) {
    const ref = useRef<HTMLCanvasElement>(null);
    useEffect(() => {
        const canvas = ref.current;
        // jsdom and some locked-down browsers have no 2d context: the table below still tells.
        if (!canvas || typeof canvas.getContext !== 'function' || !canvas.getContext('2d')) {
            return undefined;
        }
        const chart = new Chart(canvas, config);
        return () => chart.destroy();
    }, [config]);
    return <div className='pb-chart'><canvas ref={ref} role='img' aria-label={label}/></div>;
}

function DataTable({caption, head, rows}: {caption: string; head: [string, string]; rows: Array<[string, string]>}) {
    return (
        <details className='pb-chart-data'>
            <summary>{caption}: data</summary>
            <table className='pb-table'>
                <caption className='pb-sr'>{caption}</caption>
                <thead><tr><th scope='col'>{head[0]}</th><th scope='col'>{head[1]}</th></tr></thead>
                <tbody>{rows.map(([a, b], i) => <tr key={i}><td>{a}</td><td>{b}</td></tr>)}</tbody>
            </table>
        </details>
    );
}

const day = (ms: number) => new Date(ms).toLocaleDateString(undefined, {month: 'short', day: 'numeric'});

/** Week labels from the stats' week bounds ("Mar 4"), or "n w ago" when absent. */
export function weekLabels(stats: PlaybookStats): string[] {
    const times = stats.runs_finished_per_week_times || [];
    return stats.runs_finished_per_week.map((_, i) => (times[i] ? day(times[i][0]) : `${stats.runs_finished_per_week.length - 1 - i}w ago`));
}

function MetricChart({metric, index, stats}: {metric: MetricConfig; index: number; stats: PlaybookStats}) {
    const values = stats.metric_rolling_values?.[index] || [];
    const average = stats.metric_overall_average?.[index] ?? null;
    const range = stats.metric_value_range?.[index] ?? null;
    const hasTarget = metric.target !== null && metric.target !== undefined;
    // Durations are stored in ms; hours read better on an axis.
    const scale = metric.type === 'metric_duration' ? 3600000 : 1;
    const unit = metric.type === 'metric_duration' ? ' (hours)' : '';
    const onTarget = hasTarget && average !== null ? average <= (metric.target as number) : null;
    return (
        <section className='pb-dashboard-metric' aria-labelledby={`pb-metric-h-${index}`}>
            <h2 id={`pb-metric-h-${index}`}>{metric.title}</h2>
            <div className='pb-tiles'>
                <div className='pb-tile'>
                    <strong>{formatMetric(average, metric.type)}</strong> average
                    {onTarget !== null && <span className={onTarget ? 'pb-good' : 'pb-overdue'}> ({onTarget ? 'at or under' : 'over'} target)</span>}
                </div>
                <div className='pb-tile'><strong>{hasTarget ? formatMetric(metric.target, metric.type) : '—'}</strong> target</div>
                <div className='pb-tile'><strong>{range ? `${formatMetric(range[0], metric.type)} – ${formatMetric(range[1], metric.type)}` : '—'}</strong> range</div>
            </div>
            {values.length === 0 ? <p className='pb-muted'>No values yet: they come from published retrospectives.</p> : (
                <>
                    <ChartCanvas label={`${metric.title}: last ${values.length} runs against the target`} config={{
                        type: 'line',
                        data: {
                            labels: values.map((_, i) => `#${i + 1}`),
                            datasets: [
                                {label: metric.title + unit, data: values.map((v) => v / scale), borderColor: '#1c58d9', backgroundColor: '#1c58d9'},
                                ...(hasTarget ? [{label: 'Target', data: values.map(() => (metric.target as number) / scale), borderColor: '#d24b4e', borderDash: [6, 4], pointRadius: 0}] : []),
                            ],
                        },
                        options: {responsive: true, maintainAspectRatio: false, scales: {y: {beginAtZero: true}}},
                    }}/>
                    <DataTable caption={`${metric.title}, last runs`} head={['Run', 'Value']}
                        rows={values.map((v, i) => [`#${i + 1}`, formatMetric(v, metric.type)])}/>
                </>
            )}
        </section>
    );
}

export function Dashboard({playbookId, host}: {playbookId: string; host: Host}) {
    const [playbook, setPlaybook] = useState<Playbook>();
    const [stats, setStats] = useState<PlaybookStats>();
    const [active, setActive] = useState<PlaybookRun[]>([]);
    const [error, setError] = useState('');
    useEffect(() => {
        const fail = (e: Error) => setError(e.message);
        client.playbooks.get(playbookId).then(setPlaybook).catch(fail);
        client.playbooks.stats(playbookId).then(setStats).catch(fail);
        client.runs.list(`playbook_id=${encodeURIComponent(playbookId)}&statuses=InProgress&sort=create_at&direction=desc&per_page=50`)
            .then((p) => setActive(p.items)).catch(fail);
    }, [playbookId]);
    if (error) {
        return <div className='pb-page'><div role='alert' className='pb-error'>{error}</div></div>;
    }
    if (!playbook || !stats) {
        return <div className='pb-page'><p>Loading…</p></div>;
    }
    const weeks = weekLabels(stats);
    return (
        <div className='pb-page pb-dashboard'>
            <div className='pb-row'>
                <h1>{playbook.title}: dashboard</h1>
                <button type='button' onClick={() => host.navigate(`/playbooks/playbooks/${playbook.id}`)}>Edit playbook</button>
            </div>
            <div className='pb-tiles' role='list' aria-label='Key numbers'>
                <div className='pb-tile' role='listitem'><strong>{stats.runs_in_progress}</strong> runs in progress</div>
                <div className='pb-tile' role='listitem'><strong>{stats.participants_active}</strong> people in active runs</div>
                <div className='pb-tile' role='listitem'><strong>{stats.runs_finished_prev_30_days}</strong> finished in the last 30 days</div>
                <div className='pb-tile' role='listitem'><strong>{stats.average_duration_ms === null ? '—' : formatDuration(stats.average_duration_ms)}</strong> average duration</div>
            </div>
            <section aria-labelledby='pb-finished-h'>
                <h2 id='pb-finished-h'>Finished per week</h2>
                <ChartCanvas label='Runs finished per week, last 12 weeks' config={{
                    type: 'bar',
                    data: {labels: weeks, datasets: [{label: 'Finished runs', data: stats.runs_finished_per_week, backgroundColor: '#1c58d9'}]},
                    options: {responsive: true, maintainAspectRatio: false, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}},
                }}/>
                <DataTable caption='Runs finished per week' head={['Week of', 'Finished']}
                    rows={stats.runs_finished_per_week.map((n, i) => [weeks[i], String(n)])}/>
            </section>
            {(playbook.metrics || []).map((m, i) => <MetricChart key={m.id || i} metric={m} index={i} stats={stats}/>)}
            <section aria-labelledby='pb-active-h'>
                <h2 id='pb-active-h'>Runs in progress</h2>
                {active.length === 0 ? <p className='pb-muted'>None right now.</p> : (
                    <ul className='pb-runs'>
                        {active.map((r) => (
                            <li key={r.id} className='pb-run-entry'>
                                <a href={`/playbooks/runs/${r.id}`} onClick={(e) => {
                                    e.preventDefault();
                                    host.navigate(`/playbooks/runs/${r.id}`);
                                }}>{r.name}</a>
                                <span className='pb-muted'> · <Username host={host} id={r.owner_user_id}/> · {r.task_completed}/{r.task_total} tasks</span>
                            </li>
                        ))}
                    </ul>
                )}
            </section>
        </div>
    );
}
