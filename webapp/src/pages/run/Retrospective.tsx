// The retrospective editor of a run: the text (prefilled from the
// playbook's template), a value per playbook metric (durations typed as
// "1h 30m"), save, publish, and "no retrospective".

import React, {useEffect, useState} from 'react';

import * as client from '../../client';
import {useAction} from '../../components/common';
import type {Host} from '../../host';
import {formatDurationInput, formatMetric, parseDuration} from '../../logic';
import type {MetricConfig, Playbook, PlaybookRun} from '../../types';

/** A metric's input text as a value: null when empty, NaN when it does not parse. */
export function metricValue(m: MetricConfig, text: string): number | null {
    if (text.trim() === '') {
        return null;
    }
    if (m.type === 'metric_duration') {
        return parseDuration(text) ?? NaN;
    }
    const n = Number(text);
    return Number.isFinite(n) && n >= 0 ? Math.round(n) : NaN;
}

function metricText(m: MetricConfig, value: number | null | undefined): string {
    if (value === null || value === undefined) {
        return '';
    }
    return m.type === 'metric_duration' ? formatDurationInput(value) : String(value);
}

export function Retrospective({run, host, setError}: {run: PlaybookRun; host: Host; setError: (e: string) => void}) {
    const act = useAction(setError);
    const [playbook, setPlaybook] = useState<Playbook>();
    const [text, setText] = useState(run.retrospective);
    const [values, setValues] = useState<Record<string, string>>({});
    const [preview, setPreview] = useState(false);
    useEffect(() => {
        if (!run.playbook_id) {
            return;
        }
        client.playbooks.get(run.playbook_id).then((pb) => {
            setPlaybook(pb);
            setValues(Object.fromEntries((pb.metrics || []).map((m) => [m.id, metricText(m, run.metrics_data?.find((d) => d.metric_config_id === m.id)?.value)])));
            if (!run.retrospective && typeof pb.retrospective_template === 'string') {
                setText(pb.retrospective_template);
            }
        }).catch((e) => setError(e.message));
        // Load once per run; later run updates must not overwrite what is being typed.
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [run.id, run.playbook_id]);
    if (!run.retrospective_enabled) {
        return (
            <section aria-label='Retrospective' className='pb-retro'>
                <h3>Retrospective</h3>
                <p className='pb-muted'>The retrospective is off for this run.</p>
                <button type='button' onClick={() => act(() => client.runs.setRetrospectiveEnabled(run.id, true))}>Turn on retrospective</button>
            </section>
        );
    }
    const metrics = playbook?.metrics || [];
    const parsed = metrics.map((m) => ({m, value: metricValue(m, values[m.id] ?? '')}));
    const invalid = parsed.filter((p) => Number.isNaN(p.value));
    const body = (): client.RetrospectiveBody => ({
        retrospective: text,
        metrics: parsed.map(({m, value}) => ({metric_config_id: m.id, value})),
    });
    const published = run.retrospective_published_at > 0;
    return (
        <section aria-label='Retrospective' className='pb-retro'>
            <h3>Retrospective {published && <span className='pb-badge'>{run.retrospective_was_canceled ? 'canceled' : 'published'}</span>}</h3>
            {published && !run.retrospective_was_canceled && (
                <p className='pb-muted'>Published {new Date(run.retrospective_published_at).toLocaleString()}; changes can be published again.</p>
            )}
            <div className='pb-row'>
                <button type='button' aria-pressed={preview} onClick={() => setPreview(!preview)}>{preview ? 'Edit text' : 'Preview'}</button>
            </div>
            {preview ? <div className='pb-preview'>{host.markdown(text)}</div> : (
                <label>Retrospective text
                    <textarea rows={10} value={text} onChange={(e) => setText(e.target.value)}/>
                </label>
            )}
            {metrics.length > 0 && (
                <fieldset className='pb-metrics'>
                    <legend>Metrics</legend>
                    {parsed.map(({m, value}) => (
                        <div key={m.id} className='pb-metric-field'>
                            <label>{m.title}
                                <input
                                    inputMode={m.type === 'metric_duration' ? 'text' : 'decimal'}
                                    placeholder={m.type === 'metric_duration' ? 'e.g. 1h 30m' : '0'}
                                    aria-invalid={Number.isNaN(value)}
                                    aria-describedby={`pb-metric-${m.id}`}
                                    value={values[m.id] ?? ''}
                                    onChange={(e) => setValues({...values, [m.id]: e.target.value})}
                                />
                            </label>
                            <div id={`pb-metric-${m.id}`} className='pb-muted pb-hint'>
                                {Number.isNaN(value) ? <span className='pb-field-error'>{m.type === 'metric_duration' ? 'Type a duration like 1h 30m or 45m.' : 'Type a number, 0 or more.'}</span> : null}
                                {m.target !== null && m.target !== undefined && ` Target: ${formatMetric(m.target, m.type)}.`}
                                {m.description && ` ${m.description}`}
                            </div>
                        </div>
                    ))}
                </fieldset>
            )}
            <div className='pb-actions'>
                <button type='button' disabled={invalid.length > 0} onClick={() => act(() => client.runs.saveRetrospective(run.id, body()))}>Save retrospective</button>
                <button type='button' className='pb-primary' disabled={invalid.length > 0} onClick={() => act(() => client.runs.publishRetrospective(run.id, body()))}>Publish</button>
                {!published && <button type='button' onClick={() => act(() => client.runs.cancelRetrospective(run.id))}>No retrospective</button>}
            </div>
        </section>
    );
}
