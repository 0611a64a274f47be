// A playbook's dashboard: runs in progress, finished per week, average
// duration and metric values against targets, as charts (Chart.js).

import {BarController, BarElement, CategoryScale, Chart, LineController, LineElement, LinearScale, PointElement, Tooltip, Legend} from 'chart.js';
import React, {useEffect, useRef, useState} from 'react';

import * as client from '../client';
import {averageDuration, finishedPerWeek, formatDuration, metricValues} from '../logic';
import type {Playbook, PlaybookRun} from '../types';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

function ChartCanvas({config, label}: {config: any; label: string}) {
    const ref = useRef<HTMLCanvasElement>(null);
    useEffect(() => {
        if (!ref.current || typeof ref.current.getContext !== 'function' || !ref.current.getContext('2d')) {
            return undefined;
        }
        const chart = new Chart(ref.current, config);
        return () => chart.destroy();
    }, [config]);
    return <canvas ref={ref} role='img' aria-label={label} height={160}/>;
}

export function Dashboard({playbookId}: {playbookId: string}) {
    const [playbook, setPlaybook] = useState<Playbook>();
    const [runs, setRuns] = useState<PlaybookRun[]>([]);
    const [error, setError] = useState('');
    useEffect(() => {
        client.playbooks.get(playbookId).then(setPlaybook).catch((e) => setError(e.message));
        client.runs.list(`playbook_id=${encodeURIComponent(playbookId)}&per_page=1000`).then((p) => setRuns(p.items)).catch((e) => setError(e.message));
    }, [playbookId]);
    if (error) {
        return <div role='alert' className='pb-error'>{error}</div>;
    }
    if (!playbook) {
        return <p>Loading…</p>;
    }
    const now = Date.now();
    const perWeek = finishedPerWeek(runs, now);
    const avg = averageDuration(runs);
    const weeks = perWeek.map((_, i) => `${perWeek.length - 1 - i}w ago`);
    return (
        <div className='pb-page pb-dashboard'>
            <h1>{playbook.title}: dashboard</h1>
            <div className='pb-tiles'>
                <div className='pb-tile'><strong>{runs.filter((r) => r.current_status === 'InProgress').length}</strong> runs in progress</div>
                <div className='pb-tile'><strong>{runs.length}</strong> runs in total</div>
                <div className='pb-tile'><strong>{avg === null ? '—' : formatDuration(avg)}</strong> average duration</div>
            </div>
            <h2>Finished per week</h2>
            <ChartCanvas label='Runs finished per week' config={{type: 'bar', data: {labels: weeks, datasets: [{label: 'Finished runs', data: perWeek, backgroundColor: '#1c58d9'}]}}}/>
            {(playbook.metrics || []).map((m) => {
                const values = metricValues(runs, m.id);
                return (
                    <section key={m.id}>
                        <h2>{m.title}{m.target !== null && m.target !== undefined ? ` (target ${m.target})` : ''}</h2>
                        <ChartCanvas label={`${m.title} per run`} config={{
                            type: 'line',
                            data: {
                                labels: values.map((_, i) => `#${i + 1}`),
                                datasets: [
                                    {label: m.title, data: values, borderColor: '#1c58d9'},
                                    ...(m.target !== null && m.target !== undefined ? [{label: 'Target', data: values.map(() => m.target), borderColor: '#d24b4e', borderDash: [6, 4]}] : []),
                                ],
                            },
                        }}/>
                    </section>
                );
            })}
        </div>
    );
}
