// Form controls of the playbook editor. Each names the JSON path of its
// setting, so the server's validation error (`metrics[0].title: must not
// be empty`) shows next to the control it is about, with aria-invalid
// and aria-describedby pointing at the message.

import React, {createContext, useContext, useEffect, useId, useState} from 'react';

import {type FieldError, errorMatches, parseList} from '../logic';

export const ErrorContext = createContext<FieldError | null>(null);

/** The error of the field at `path` (or inside it, with `within`), and the attributes that tie it to a control. */
export function useFieldError(path: string | undefined, within = false) {
    const error = useContext(ErrorContext);
    const id = useId();
    const message = path && error && errorMatches(error.field, path, within) ? error.message : '';
    return {
        message,
        id,
        node: message ? <p id={id} className='pb-field-error'>{message}</p> : null,
    };
}

function describedBy(...ids: Array<string | false | undefined>): string | undefined {
    const list = ids.filter(Boolean).join(' ');
    return list || undefined;
}

interface TextProps {
    label: string;
    path?: string;
    value: string;
    onChange: (v: string) => void;
    hint?: string;
    multiline?: boolean;
    rows?: number;
    placeholder?: string;
    maxLength?: number;
    disabled?: boolean;
}

export function TextField({label, path, value, onChange, hint, multiline, rows = 4, placeholder, maxLength, disabled}: TextProps) {
    const id = useId();
    const err = useFieldError(path);
    const hintId = hint ? `${id}-hint` : undefined;
    const common = {
        id,
        value,
        placeholder,
        maxLength,
        disabled,
        'aria-invalid': err.message ? true : undefined,
        'aria-describedby': describedBy(hintId, err.message && err.id),
        'data-path': path,
    };
    return (
        <div className='pb-field'>
            <label htmlFor={id}>{label}</label>
            {multiline ? (
                <textarea {...common} rows={rows} onChange={(e) => onChange(e.target.value)}/>
            ) : (
                <input type='text' {...common} onChange={(e) => onChange(e.target.value)}/>
            )}
            {hint && <p id={hintId} className='pb-hint'>{hint}</p>}
            {err.node}
        </div>
    );
}

/** A list edited as text, one entry per line (or comma-separated); the text is kept as typed. */
export function ListField({label, path, value, onChange, hint, separator = 'line', placeholder}: {
    label: string;
    path: string;
    value: string[];
    onChange: (v: string[]) => void;
    hint?: string;
    separator?: 'line' | 'comma';
    placeholder?: string;
}) {
    const join = (list: string[]) => list.join(separator === 'line' ? '\n' : ', ');
    const [text, setText] = useState(join(value));
    // Follow outside changes (a reload after saving), not our own parse of what is being typed.
    useEffect(() => {
        if (JSON.stringify(parseList(text)) !== JSON.stringify(value)) {
            setText(join(value));
        }
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [value]);
    const id = useId();
    const err = useFieldError(path, true);
    const hintId = hint ? `${id}-hint` : undefined;
    const props = {
        id,
        value: text,
        placeholder,
        'aria-invalid': err.message ? true : undefined,
        'aria-describedby': describedBy(hintId, err.message && err.id),
        'data-path': path,
        onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
            setText(e.target.value);
            onChange(parseList(e.target.value));
        },
    };
    return (
        <div className='pb-field'>
            <label htmlFor={id}>{label}</label>
            {separator === 'line' ? <textarea rows={3} {...props}/> : <input type='text' {...props}/>}
            {hint && <p id={hintId} className='pb-hint'>{hint}</p>}
            {err.node}
        </div>
    );
}

export function Toggle({label, path, checked, onChange, hint, children}: {
    label: string;
    path?: string;
    checked: boolean;
    onChange: (v: boolean) => void;
    hint?: string;
    children?: React.ReactNode;
}) {
    const id = useId();
    const err = useFieldError(path);
    const hintId = hint ? `${id}-hint` : undefined;
    return (
        <div className='pb-toggle'>
            <div className='pb-check'>
                <input id={id} type='checkbox' checked={checked} data-path={path}
                    aria-invalid={err.message ? true : undefined}
                    aria-describedby={describedBy(hintId, err.message && err.id)}
                    onChange={(e) => onChange(e.target.checked)}/>
                <label htmlFor={id}>{label}</label>
            </div>
            {hint && <p id={hintId} className='pb-hint'>{hint}</p>}
            {err.node}
            {children && <div className={`pb-toggle-body${checked ? '' : ' pb-toggle-off'}`}>{children}</div>}
        </div>
    );
}

export function SelectField<T extends string | number>({label, path, value, options, onChange, hint}: {
    label: string;
    path?: string;
    value: T;
    options: Array<[T, string]>;
    onChange: (v: T) => void;
    hint?: string;
}) {
    const id = useId();
    const err = useFieldError(path);
    const hintId = hint ? `${id}-hint` : undefined;
    const known = options.some(([v]) => v === value);
    return (
        <div className='pb-field'>
            <label htmlFor={id}>{label}</label>
            <select id={id} value={String(value)} data-path={path}
                aria-invalid={err.message ? true : undefined}
                aria-describedby={describedBy(hintId, err.message && err.id)}
                onChange={(e) => {
                    const raw = e.target.value;
                    const match = [...options, ...(known ? [] : [[value, ''] as [T, string]])].find(([v]) => String(v) === raw);
                    if (match) {
                        onChange(match[0]);
                    }
                }}>
                {!known && <option value={String(value)}>{String(value)} (current)</option>}
                {options.map(([v, text]) => <option key={String(v)} value={String(v)}>{text}</option>)}
            </select>
            {hint && <p id={hintId} className='pb-hint'>{hint}</p>}
            {err.node}
        </div>
    );
}

/** A group of settings under a heading, for the editor's table of contents. */
export function Section({title, id, children}: {title: string; id: string; children: React.ReactNode}) {
    return (
        <section className='pb-editor-section' aria-labelledby={`${id}-h`} id={id}>
            <h2 id={`${id}-h`}>{title}</h2>
            {children}
        </section>
    );
}
