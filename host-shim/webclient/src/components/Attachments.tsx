// Slack-style message attachments, with their interactive buttons and
// selects (clicks go to the server's post action route, which asks the
// integration — here a plugin — what to do).

import {useState} from 'react';

import type {Attachment, Post, PostAction} from '../api/types';
import {doPostAction} from '../state/posts';
import {selectOptions, useStore} from '../state/store';
import {Markdown} from './Markdown';

export function Attachments({post}: {post: Post}) {
    const attachments: Attachment[] = Array.isArray(post.props?.attachments) ? post.props.attachments : [];
    if (attachments.length === 0) return null;
    return (
        <div className='attachments'>
            {attachments.map((a, i) => <AttachmentView key={i} attachment={a} post={post}/>)}
        </div>
    );
}

function AttachmentView({attachment: a, post}: {attachment: Attachment; post: Post}) {
    const color = a.color && /^#?[0-9a-f]{3,8}$/i.test(a.color) ? (a.color.startsWith('#') ? a.color : `#${a.color}`) : colorName(a.color);
    return (
        <div className='attachment' style={{borderLeftColor: color}}>
            {a.pretext && <Markdown className='attachment-pretext' text={a.pretext}/>}
            {a.author_name && <div className='attachment-author'>{webLink(a.author_link) ? <a href={a.author_link} target='_blank' rel='noopener noreferrer'>{a.author_name}</a> : a.author_name}</div>}
            {a.title && <div className='attachment-title'>{webLink(a.title_link) ? <a href={a.title_link} target='_blank' rel='noopener noreferrer'>{a.title}</a> : a.title}</div>}
            {a.text && <Markdown text={a.text}/>}
            {a.fields && a.fields.length > 0 && (
                <dl className='attachment-fields'>
                    {a.fields.map((f, i) => (
                        <div key={i} className={f.short ? 'short' : ''}>
                            <dt>{f.title}</dt>
                            <dd><Markdown text={String(f.value ?? '')}/></dd>
                        </div>
                    ))}
                </dl>
            )}
            {a.actions && a.actions.length > 0 && <Actions post={post} actions={a.actions}/>}
            {a.footer && <div className='attachment-footer muted'>{a.footer}</div>}
        </div>
    );
}

/** Attachment links come from anyone who can post: only http(s) ones become links. */
export function webLink(href: string | undefined): boolean {
    return Boolean(href && /^https?:\/\//i.test(href.trim()));
}

function colorName(color?: string): string | undefined {
    switch (color) {
    case 'good': return '#3db887';
    case 'warning': return '#ffbc1f';
    case 'danger': return '#d24b4e';
    default: return undefined;
    }
}

export function Actions({post, actions}: {post: Post; actions: PostAction[]}) {
    const [error, setError] = useState('');
    const [busy, setBusy] = useState('');
    const run = async (action: PostAction, selected?: string) => {
        setBusy(action.id);
        setError(await doPostAction(post.id, action.id, selected));
        setBusy('');
    };
    if (post.ephemeral) {
        // Ephemeral posts are not stored, so the server cannot find their actions.
        return null;
    }
    return (
        <div className='attachment-actions'>
            {actions.map((action) => (action.type === 'select'
                ? <ActionSelect key={action.id} action={action} disabled={busy === action.id} onSelect={(v) => run(action, v)}/>
                : (
                    <button key={action.id} type='button' disabled={busy === action.id}
                        className={action.style === 'primary' || action.style === 'good' ? 'primary' : action.style === 'danger' ? 'danger' : ''}
                        onClick={() => run(action)}>{action.name}</button>
                )))}
            {error && <p className='form-error' role='alert'>{error}</p>}
        </div>
    );
}

function ActionSelect({action, onSelect, disabled}: {action: PostAction; onSelect: (value: string) => void; disabled: boolean}) {
    const options = useStore((s) => selectOptions(s, action.data_source, action.options));
    return (
        <select aria-label={action.name} defaultValue='' disabled={disabled} onChange={(e) => {
            if (e.target.value) onSelect(e.target.value);
            e.target.value = '';
        }}>
            <option value='' disabled>{action.name}</option>
            {options.map((o) => <option key={o.value} value={o.value}>{o.text}</option>)}
        </select>
    );
}
