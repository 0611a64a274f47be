// One post: author, time (a permalink), Markdown message, attachments with
// their buttons, or a plugin's renderer for its custom post type; the
// reply/edit/delete actions and reactions; pending, failed and ephemeral
// states.

import {memo, useState} from 'react';

import type {Post, User} from '../api/types';
import {mentionedNames} from '../markdown/markdown';
import {postTypeComponent, useRegistrations} from '../plugins/registry';
import {deletePost, discard, editPost, openThread, retry, type PendingPost} from '../state/posts';
import {setState, useStore} from '../state/store';
import {Attachments} from './Attachments';
import {ErrorBoundary} from './ErrorBoundary';
import {PostFiles} from './Files';
import {Icon} from './Icon';
import {Markdown} from './Markdown';
import {Reactions, useReactionPicker} from './Reactions';
import {StatusDot} from './StatusDot';

export function authorName(post: Post, user: User | undefined): string {
    if (post.props?.from_webhook === 'true' && typeof post.props.override_username === 'string' && post.props.override_username) {
        return post.props.override_username;
    }
    return user?.username ?? '…';
}

export function formatTime(ms: number): string {
    return new Date(ms).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
}

interface Props {
    post: Post;
    /** Same author as the previous post, within minutes: the header is folded. */
    continuation?: boolean;
    inThread?: boolean;
    highlighted?: boolean;
}

export const PostItem = memo(function PostItem({post, continuation, inThread, highlighted}: Props) {
    const user = useStore((s) => s.users[post.user_id]);
    const me = useStore((s) => s.me);
    const teamName = useStore((s) => s.teams[s.currentTeamId]?.name ?? '');
    const root = useStore((s) => (post.root_id ? s.posts[post.root_id] : undefined));
    const rootAuthor = useStore((s) => (root ? s.users[root.user_id] : undefined));
    // Re-render when a plugin registers its post types (bundles load after the first posts).
    useRegistrations();
    const editing = useStore((s) => s.editingPostId === post.id);
    const setEditing = (on: boolean) => setState((s) => ({...s, editingPostId: on ? post.id : ''}));
    const pending = post as PendingPost;
    const own = post.user_id === me?.id;
    const system = post.type.startsWith('system_') && !post.ephemeral;
    const plugin = post.type.startsWith('custom_') ? postTypeComponent(post.type) : undefined;
    const bot = user?.is_bot || post.props?.from_bot === 'true' || post.props?.from_webhook === 'true';
    const mentionsMe = !own && me && mentionedNames(post.message).some((n) => n === me.username || n === 'channel' || n === 'all' || n === 'here');
    const classes = ['post', continuation && 'post-continuation', system && 'post-system', post.ephemeral && 'post-ephemeral',
        pending.pending && 'post-pending', pending.failed && 'post-failed', mentionsMe && 'post-mention', highlighted && 'post-highlight'].filter(Boolean).join(' ');
    const name = authorName(post, user);
    const archived = useStore((s) => (s.channels[post.channel_id]?.delete_at ?? 0) > 0);
    const reactable = !pending.pending && !post.ephemeral && !system && !archived;
    const {setOpen: setPicking, picker} = useReactionPicker(post);
    return (
        <article className={classes} data-post-id={post.id} aria-label={`${name} at ${formatTime(post.create_at)}`}>
            <div className='post-avatar' aria-hidden='true'>{continuation ? '' : name.slice(0, 1).toUpperCase()}</div>
            <div className='post-body'>
                {!continuation && (
                    <header className='post-header'>
                        <strong className='post-author'>{name}</strong>
                        {!system && !post.props?.from_webhook && <StatusDot userId={post.user_id}/>}
                        {bot && <span className='tag'>BOT</span>}
                        <a className='post-time muted' href={`/${teamName}/pl/${post.id}`} title={new Date(post.create_at).toLocaleString()}>
                            <time dateTime={new Date(post.create_at).toISOString()}>{formatTime(post.create_at)}</time>
                        </a>
                    </header>
                )}
                {post.root_id && !inThread && root && (
                    <button type='button' className='reply-context link-button' onClick={() => openThread(post.root_id)}>
                        Replied to @{rootAuthor?.username ?? '…'}: {root.message.slice(0, 80)}{root.message.length > 80 ? '…' : ''}
                    </button>
                )}
                {editing ? (
                    <EditBox post={post} onDone={() => setEditing(false)}/>
                ) : plugin ? (
                    <ErrorBoundary label={`The ${plugin.pluginId} post`}>
                        <plugin.component post={post} isRHS={inThread}/>
                    </ErrorBoundary>
                ) : (
                    <>
                        <Markdown className='post-message' text={post.message}/>
                        <Attachments post={post}/>
                        <PostFiles post={post}/>
                    </>
                )}
                {post.edit_at > 0 && !editing && <span className='muted post-edited'>(edited)</span>}
                {post.ephemeral && (
                    <p className='muted ephemeral-note'>(Only visible to you) <button type='button' className='link-button' onClick={() => deletePost(post)}>Dismiss</button></p>
                )}
                {pending.failed && (
                    <p className='form-error' role='alert'>
                        Not sent: {pending.failed} <button type='button' className='link-button' onClick={() => retry(pending)}>Retry</button>{' '}
                        <button type='button' className='link-button' onClick={() => discard(pending)}>Discard</button>
                    </p>
                )}
                {!pending.pending && !post.ephemeral && <Reactions post={post} readOnly={!reactable}/>}
                {!post.root_id && !inThread && (post.reply_count ?? 0) > 0 && (
                    <button type='button' className='reply-count link-button' onClick={() => openThread(post.id)}>
                        {post.reply_count} {post.reply_count === 1 ? 'reply' : 'replies'}
                    </button>
                )}
            </div>
            {!pending.pending && !post.ephemeral && !system && !editing && (
                <div className='post-menu' role='toolbar' aria-label='Message actions'>
                    {reactable && <button type='button' className='icon-button' aria-label='Add reaction' title='Add reaction' onClick={() => setPicking(true)}><Icon name='smile'/></button>}
                    {!inThread && <button type='button' className='icon-button' aria-label='Reply' title='Reply' onClick={() => openThread(post.root_id || post.id)}><Icon name='reply'/></button>}
                    {own && <button type='button' className='icon-button' aria-label='Edit' title='Edit' onClick={() => setEditing(true)}><Icon name='edit'/></button>}
                    {(own || me?.roles.includes('system_admin')) && (
                        <button type='button' className='icon-button' aria-label='Delete' title='Delete' onClick={() => {
                            if (window.confirm('Delete this message?')) {
                                deletePost(post).catch((e) => setState((s) => ({...s, notice: e.message})));
                            }
                        }}><Icon name='trash'/></button>
                    )}
                </div>
            )}
            {picker && <div className='post-picker'>{picker}</div>}
        </article>
    );
});

function EditBox({post, onDone}: {post: Post; onDone: () => void}) {
    const [text, setText] = useState(post.message);
    const [error, setError] = useState('');
    const save = async () => {
        try {
            if (text.trim() && text !== post.message) {
                await editPost(post.id, text);
            }
            onDone();
        } catch (e) {
            setError(e instanceof Error ? e.message : String(e));
        }
    };
    return (
        <div className='edit-box'>
            <textarea aria-label='Edit message' autoFocus value={text} rows={Math.min(8, text.split('\n').length + 1)} onChange={(e) => setText(e.target.value)}
                onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                        e.preventDefault();
                        onDone();
                    }
                    if (e.key === 'Enter' && !e.shiftKey) {
                        e.preventDefault();
                        save();
                    }
                }}/>
            <div className='form-actions'>
                <button type='button' onClick={onDone}>Cancel</button>
                <button type='button' className='primary' onClick={save}>Save</button>
            </div>
            {error && <p className='form-error' role='alert'>{error}</p>}
        </div>
    );
}
