// Interactive dialogs (`open_dialog`): the elements a plugin asks for,
// checked as Mattermost checks them before submitting, and the plugin's
// own errors shown next to the fields they name.

import {useState} from 'react';

import {api} from '../api/client';
import type {DialogElement, OpenDialog} from '../api/types';
import {failed, getState, selectOptions, setState, useStore} from '../state/store';
import {Markdown} from './Markdown';
import {Modal} from './Modal';

type Values = Record<string, string | boolean>;

export function initialValues(elements: DialogElement[]): Values {
    return Object.fromEntries(elements.map((e) => [e.name, e.type === 'bool' ? String(e.default ?? '').toLowerCase() === 'true' : String(e.default ?? '')]));
}

/** Client-side checks (required, lengths, numbers); field name → message. */
export function validate(elements: DialogElement[], values: Values): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const e of elements) {
        const v = values[e.name];
        if (e.type === 'bool') continue;
        const text = String(v ?? '');
        if (!e.optional && text.trim() === '') {
            errors[e.name] = 'This field is required.';
        } else if (text && e.min_length && text.length < e.min_length) {
            errors[e.name] = `Must be at least ${e.min_length} characters.`;
        } else if (text && e.max_length && text.length > e.max_length) {
            errors[e.name] = `Must be at most ${e.max_length} characters.`;
        } else if (text && e.subtype === 'number' && Number.isNaN(Number(text))) {
            errors[e.name] = 'Must be a number.';
        }
    }
    return errors;
}

export function submission(elements: DialogElement[], values: Values): Record<string, unknown> {
    return Object.fromEntries(elements.map((e) => {
        const v = values[e.name];
        if (e.type === 'text' && e.subtype === 'number' && v !== '') return [e.name, Number(v)];
        return [e.name, v];
    }));
}

export function DialogModal() {
    const open = useStore((s) => s.dialog);
    if (!open) return null;
    return <DialogForm key={open.trigger_id} open={open}/>;
}

function DialogForm({open}: {open: OpenDialog}) {
    const {dialog} = open;
    const elements = dialog.elements || [];
    const [values, setValues] = useState<Values>(() => initialValues(elements));
    const [errors, setErrors] = useState<Record<string, string>>({});
    const [general, setGeneral] = useState('');
    const [busy, setBusy] = useState(false);
    const close = () => setState((s) => (s.dialog === open ? {...s, dialog: null} : s));
    const base = () => {
        const s = getState();
        return {url: open.url, callback_id: dialog.callback_id, state: dialog.state || '', channel_id: s.currentChannelId, team_id: s.currentTeamId};
    };
    const cancel = () => {
        if (dialog.notify_on_cancel) {
            api.submitDialog({...base(), submission: {}, cancelled: true}).catch(failed('tell the plugin the dialog was cancelled'));
        }
        close();
    };
    const submit = async (e: React.FormEvent) => {
        e.preventDefault();
        const found = validate(elements, values);
        setErrors(found);
        if (Object.keys(found).length > 0) return;
        setBusy(true);
        setGeneral('');
        try {
            const response = await api.submitDialog({...base(), submission: submission(elements, values), cancelled: false});
            if (response?.errors && Object.keys(response.errors).length > 0) {
                setErrors(response.errors);
            } else if (response?.error) {
                setGeneral(response.error);
            } else {
                close();
            }
        } catch (err) {
            setGeneral(err instanceof Error ? err.message : String(err));
        } finally {
            setBusy(false);
        }
    };
    return (
        <Modal title={dialog.title || 'Dialog'} onClose={cancel}>
            <form className='dialog-form' onSubmit={submit} noValidate>
                {dialog.introduction_text && <Markdown className='dialog-intro' text={dialog.introduction_text}/>}
                {elements.map((el) => (
                    <Field key={el.name} element={el} value={values[el.name]} error={errors[el.name]} onChange={(v) => setValues((x) => ({...x, [el.name]: v}))}/>
                ))}
                {general && <p className='form-error' role='alert'>{general}</p>}
                <div className='form-actions'>
                    <button type='button' onClick={cancel}>Cancel</button>
                    <button type='submit' className='primary' disabled={busy}>{dialog.submit_label || 'Submit'}</button>
                </div>
            </form>
        </Modal>
    );
}

function Field({element: el, value, error, onChange}: {element: DialogElement; value: string | boolean; error?: string; onChange: (v: string | boolean) => void}) {
    const id = `dialog-${el.name}`;
    const help = el.help_text ? <Markdown className='field-help muted' text={el.help_text}/> : null;
    const label = <>{el.display_name}{el.optional ? <span className='muted'> (optional)</span> : <span aria-hidden='true' className='required'> *</span>}</>;
    const describedBy = [error ? `${id}-error` : '', el.help_text ? `${id}-help` : ''].filter(Boolean).join(' ') || undefined;
    const common = {id, name: el.name, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy, required: !el.optional};
    let control;
    switch (el.type) {
    case 'textarea':
        control = <textarea {...common} rows={4} placeholder={el.placeholder} maxLength={el.max_length || undefined} value={String(value)} onChange={(e) => onChange(e.target.value)}/>;
        break;
    case 'select':
        control = <DialogSelect element={el} common={common} value={String(value)} onChange={onChange}/>;
        break;
    case 'bool':
        return (
            <div className='field field-bool'>
                <label><input type='checkbox' id={id} name={el.name} checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)}/> {el.placeholder || el.display_name}</label>
                {el.placeholder && <div className='muted'>{el.display_name}</div>}
                {help && <div id={`${id}-help`}>{help}</div>}
                {error && <p id={`${id}-error`} className='form-error'>{error}</p>}
            </div>
        );
    case 'radio':
        return (
            <fieldset className='field' aria-describedby={describedBy}>
                <legend>{label}</legend>
                {(el.options || []).map((o) => (
                    <label key={o.value}><input type='radio' name={el.name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)}/> {o.text}</label>
                ))}
                {help && <div id={`${id}-help`}>{help}</div>}
                {error && <p id={`${id}-error`} className='form-error'>{error}</p>}
            </fieldset>
        );
    default: {
        const type = ['email', 'number', 'password', 'tel', 'url'].includes(el.subtype || '') ? el.subtype : 'text';
        control = <input {...common} type={type} placeholder={el.placeholder} maxLength={el.max_length || undefined} value={String(value)} onChange={(e) => onChange(e.target.value)}/>;
    }
    }
    return (
        <div className='field'>
            <label htmlFor={id}>{label}</label>
            {control}
            {help && <div id={`${id}-help`}>{help}</div>}
            {error && <p id={`${id}-error`} className='form-error'>{error}</p>}
        </div>
    );
}

function DialogSelect({element: el, common, value, onChange}: {element: DialogElement; common: Record<string, unknown>; value: string; onChange: (v: string) => void}) {
    const options = useStore((s) => selectOptions(s, el.data_source, el.options));
    return (
        <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
            <option value=''>{el.placeholder || 'Choose…'}</option>
            {options.map((o) => <option key={o.value} value={o.value}>{o.text}</option>)}
        </select>
    );
}
