// Renderers for the plugin's custom post types: status updates, reminders
// (with their buttons), retrospectives, keyword prompts. Buttons call the
// server's post action route, as the client's default renderer would.

import React, {useState} from 'react';

interface PostAction {
    id: string;
    name: string;
    type?: string;
    style?: string;
    options?: Array<{text: string; value: string}>;
}

export interface Post {
    id: string;
    message: string;
    type: string;
    props?: Record<string, any>;
}

async function doAction(postId: string, actionId: string, selected?: string): Promise<string> {
    const r = await fetch(`/api/v4/posts/${encodeURIComponent(postId)}/actions/${encodeURIComponent(actionId)}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest'},
        body: JSON.stringify(selected ? {selected_option: selected} : {}),
    });
    if (r.ok) {
        return '';
    }
    const body = await r.json().catch(() => ({}));
    return String(body.message || `HTTP ${r.status}`);
}

export function Actions({post}: {post: Post}) {
    const [error, setError] = useState('');
    const actions: PostAction[] = (post.props?.attachments || []).flatMap((a: {actions?: PostAction[]}) => a.actions || []);
    if (actions.length === 0) {
        return null;
    }
    return (
        <div className='pb-post-actions'>
            {actions.map((a) => (a.type === 'select' ? (
                <select key={a.id} aria-label={a.name} defaultValue='' onChange={(e) => e.target.value && doAction(post.id, a.id, e.target.value).then(setError)}>
                    <option value='' disabled>{a.name}</option>
                    {(a.options || []).map((o) => <option key={o.value} value={o.value}>{o.text}</option>)}
                </select>
            ) : (
                <button key={a.id} type='button' className={a.style === 'primary' ? 'pb-primary' : ''} onClick={() => doAction(post.id, a.id).then(setError)}>{a.name}</button>
            )))}
            {error && <span role='alert' className='pb-error'>{error}</span>}
        </div>
    );
}

/** Renders Markdown-ish text safely: plain text with line breaks (the client sanitises full Markdown elsewhere). */
function Text({text}: {text: string}) {
    return <div className='pb-post-text'>{text.split('\n').map((line, i) => <p key={i}>{line}</p>)}</div>;
}

export function StatusUpdatePost({post}: {post: Post}) {
    const p = post.props || {};
    return (
        <div className='pb-post pb-post-update'>
            <div className='pb-post-title'>Status update{p.run_name ? ` · ${p.run_name}` : ''}</div>
            <Text text={post.message}/>
            {typeof p.numTasks === 'number' && <div className='pb-muted'>{p.numTasksChecked} of {p.numTasks} tasks done</div>}
        </div>
    );
}

export function ReminderPost({post}: {post: Post}) {
    return (
        <div className='pb-post pb-post-reminder'>
            <Text text={post.message}/>
            <Actions post={post}/>
        </div>
    );
}

export function GenericPlaybooksPost({post}: {post: Post}) {
    return (
        <div className='pb-post'>
            <Text text={post.message}/>
            <Actions post={post}/>
        </div>
    );
}

export const POST_TYPES: Record<string, React.ComponentType<{post: Post}>> = {
    custom_run_update: StatusUpdatePost,
    custom_update_status: ReminderPost,
    custom_status_update_requested: GenericPlaybooksPost,
    custom_retro: GenericPlaybooksPost,
    custom_retro_rem: ReminderPost,
    custom_keyword_prompt: ReminderPost,
};
