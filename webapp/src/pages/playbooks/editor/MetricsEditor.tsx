// Key metrics collected in each run's retrospective: name, type, target
// (durations typed as "1h 30m"), description; at most four.

import React, {useEffect, useState} from 'react';

import {formatDurationInput, parseDuration} from '../../../logic';
import type {MetricConfig, MetricType, Playbook} from '../../../types';
import {MAX_METRICS, moveIn, newMetric, rowKey, updateAt} from '../editorLogic';
import {SelectField, TextField, useFieldError} from '../../../components/fields';

const TYPES: Array<[MetricType, string]> = [['metric_duration', 'Duration'], ['metric_currency', 'Cost (currency)'], ['metric_integer', 'Number']];

export function MetricsEditor({pb, setPb}: {pb: Playbook; setPb: (pb: Playbook) => void}) {
    const metrics = pb.metrics || [];
    const err = useFieldError('metrics');
    const set = (m: number, change: Partial<MetricConfig>) => setPb({...pb, metrics: updateAt(metrics, m, change)});
    return (
        <div className='pb-metrics-editor'>
            {err.node}
            {metrics.map((metric, m) => {
                const n = m + 1;
                // Keyed by metric, not position: the target as typed moves with its metric.
                return (
                    <fieldset key={rowKey(metric)} className='pb-metric-editor'>
                        <legend>Metric {n}</legend>
                        <TextField label={`Metric ${n} name`} path={`metrics[${m}].title`} value={metric.title} onChange={(title) => set(m, {title})}/>
                        <SelectField label={`Metric ${n} type`} path={`metrics[${m}].type`} value={metric.type} options={TYPES}
                            // A target means something else in another unit: start it over.
                            onChange={(type) => set(m, {type, target: null})}/>
                        <Target n={n} path={`metrics[${m}].target`} metric={metric} onChange={(target) => set(m, {target})}/>
                        <TextField label={`Metric ${n} description`} path={`metrics[${m}].description`} multiline rows={2}
                            value={metric.description} onChange={(description) => set(m, {description})}/>
                        <div className='pb-actions'>
                            <button type='button' className='pb-icon' aria-label={`Move metric ${n} up`} disabled={m === 0}
                                onClick={() => setPb({...pb, metrics: moveIn(metrics, m, m - 1)})}>↑</button>
                            <button type='button' className='pb-icon' aria-label={`Move metric ${n} down`} disabled={m === metrics.length - 1}
                                onClick={() => setPb({...pb, metrics: moveIn(metrics, m, m + 1)})}>↓</button>
                            <button type='button' className='pb-danger' aria-label={`Delete metric ${n}`}
                                onClick={() => setPb({...pb, metrics: metrics.filter((_, x) => x !== m)})}>Delete</button>
                        </div>
                    </fieldset>
                );
            })}
            <button type='button' disabled={metrics.length >= MAX_METRICS} onClick={() => setPb({...pb, metrics: [...metrics, newMetric(metrics)]})}>
                Add metric
            </button>
            {metrics.length >= MAX_METRICS && <span className='pb-muted'> At most {MAX_METRICS} metrics.</span>}
        </div>
    );
}

/** The target as typed; the metric holds it once it parses (empty = no target). */
function Target({n, path, metric, onChange}: {n: number; path: string; metric: MetricConfig; onChange: (t: number | null) => void}) {
    const duration = metric.type === 'metric_duration';
    const show = (t: number | null) => (t === null || t === undefined ? '' : duration ? formatDurationInput(t) : String(t));
    const [text, setText] = useState(show(metric.target));
    const [bad, setBad] = useState(false);
    useEffect(() => {
        setText(show(metric.target));
        setBad(false);
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [metric.type]);
    const err = useFieldError(path);
    return (
        <div className='pb-field'>
            <label htmlFor={`pb-target-${n}`}>Metric {n} target</label>
            <input id={`pb-target-${n}`} type='text' inputMode={duration ? 'text' : 'numeric'} value={text} data-path={path}
                placeholder={duration ? 'e.g. 4h or 1d 2h' : 'e.g. 100'}
                aria-invalid={bad || err.message ? true : undefined}
                aria-describedby={err.message ? err.id : `pb-target-${n}-hint`}
                onChange={(e) => {
                    const v = e.target.value;
                    setText(v);
                    const parsed = v.trim() === '' ? null : duration ? parseDuration(v) : /^\d+$/.test(v.trim()) ? Number(v) : NaN;
                    const ok = parsed === null || (typeof parsed === 'number' && Number.isFinite(parsed));
                    setBad(!ok);
                    if (ok) {
                        onChange(parsed);
                    }
                }}/>
            <p id={`pb-target-${n}-hint`} className={bad ? 'pb-field-error' : 'pb-hint'}>
                {bad ? (duration ? 'Type a duration like 45m, 4h or 1d 2h.' : 'Type a whole number.') : 'Empty: no target.'}
            </p>
            {err.node}
        </div>
    );
}
