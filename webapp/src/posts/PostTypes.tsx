// Renderers for the plugin's custom post types: status updates, reminders
// (with the "Update status" button and the snooze menu), update requests,
// retrospectives and their reminders, keyword prompts. Text goes through
// the client's Markdown renderer (Host.markdown); buttons and selects call
// the server's post action route, as the client's default renderer would.

import React, {useState} from 'react';

import * as client from '../client';
import type {Host} from '../host';

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

export type PostProps = {post: Post; isRHS?: boolean; host: Host};

export function Actions({post}: {post: Post}) {
    const [error, setError] = useState('');
    const [busy, setBusy] = useState('');
    const actions: PostAction[] = (post.props?.attachments || []).flatMap((a: {actions?: PostAction[]}) => a?.actions || []);
    if (actions.length === 0) {
        return null;
    }
    const run = async (actionId: string, selected?: string) => {
        setBusy(actionId);
        setError('');
        try {
            await client.v4.postAction(post.id, actionId, selected);
        } catch (e) {
            setError(e instanceof Error ? e.message : String(e));
        } finally {
            setBusy('');
        }
    };
    return (
        <div className='pb-post-actions'>
            {actions.map((a) => (a.type === 'select' ? (
                <select key={a.id} aria-label={a.name} value='' disabled={busy === a.id}
                    // Controlled at '': the menu is a command, so the same choice can be made again later.
                    onChange={(e) => e.target.value && run(a.id, e.target.value)}>
                    <option value='' disabled>{a.name}</option>
                    {(a.options || []).map((o) => <option key={o.value} value={o.value}>{o.text}</option>)}
                </select>
            ) : (
                <button key={a.id} type='button' disabled={busy === a.id} className={a.style === 'primary' ? 'pb-primary' : ''} onClick={() => run(a.id)}>
                    {a.name}
                </button>
            )))}
            {error && <span role='alert' className='pb-error'>{error}</span>}
        </div>
    );
}

function RunLink({post, host, text}: PostProps & {text: string}) {
    const runId = post.props?.playbook_run_id;
    if (typeof runId !== 'string' || !runId) {
        return null;
    }
    return (
        <a className='pb-post-link' href={`/playbooks/runs/${runId}`} onClick={(e) => {
            e.preventDefault();
            host.navigate(`/playbooks/runs/${runId}`);
        }}>{text}</a>
    );
}

export function StatusUpdatePost(props: PostProps) {
    const {post, host} = props;
    const p = post.props || {};
    return (
        <div className='pb-post pb-post-update'>
            <div className='pb-post-title'>Status update{p.run_name ? ` · ${p.run_name}` : ''}{p.authorUsername ? ` by @${p.authorUsername}` : ''}</div>
            {host.markdown(post.message)}
            <div className='pb-post-footer pb-muted'>
                {typeof p.numTasks === 'number' && p.numTasks > 0 && <span>{p.numTasksChecked} of {p.numTasks} tasks done</span>}
                <RunLink {...props} text='View run'/>
            </div>
        </div>
    );
}

/** Bot posts with buttons: reminders (Update status + Snooze for…), retrospective reminders, keyword prompts. */
export function ActionPost(props: PostProps & {kind: string}) {
    const {post, host, kind} = props;
    return (
        <div className={`pb-post pb-post-${kind}`}>
            {host.markdown(post.message)}
            <Actions post={post}/>
        </div>
    );
}

export function RetrospectivePost(props: PostProps) {
    const {post, host} = props;
    return (
        <div className='pb-post pb-post-retro'>
            <div className='pb-post-title'>Retrospective</div>
            {host.markdown(post.message)}
            <div className='pb-post-footer'><RunLink {...props} text='View run'/></div>
        </div>
    );
}

export function GenericPlaybooksPost(props: PostProps) {
    return (
        <div className='pb-post'>
            {props.host.markdown(props.post.message)}
            <Actions post={props.post}/>
            <div className='pb-post-footer'><RunLink {...props} text='View run'/></div>
        </div>
    );
}

const withKind = (kind: string) => (props: PostProps) => <ActionPost {...props} kind={kind}/>;

export const POST_TYPES: Record<string, React.ComponentType<PostProps>> = {
    custom_run_update: StatusUpdatePost,
    custom_update_status: withKind('reminder'),
    custom_status_update_requested: GenericPlaybooksPost,
    custom_retro: RetrospectivePost,
    custom_retro_rem: withKind('retro-reminder'),
    custom_keyword_prompt: withKind('prompt'),
};
