// The right-hand sidebar: a thread, search results, or a plugin's panel (the playbooks run
// details). One at a time, as in Mattermost; on a phone it covers the screen.

import {useEffect} from 'react';

import {useRegistrations} from '../plugins/registry';
import {useStore, setState} from '../state/store';
import {ErrorBoundary} from './ErrorBoundary';
import {Icon} from './Icon';
import {MessageBox, attachFiles} from './MessageBox';
import {PostItem} from './PostItem';
import {SearchPanel} from './Search';

/**
 * Closes the sidebar; focus goes to the channel's message box (the close
 * button is gone), except on touch screens, where that would pop up the
 * keyboard.
 */
const close = () => {
    setState((s) => ({...s, rhs: {kind: 'none'}}));
    if (!window.matchMedia?.('(hover: none)').matches) {
        requestAnimationFrame(() => document.querySelector<HTMLElement>('main .message-box textarea')?.focus());
    }
};

export function Rhs() {
    const rhs = useStore((s) => s.rhs);
    const registrations = useRegistrations();
    useEffect(() => {
        if (rhs.kind === 'none') return undefined;
        const onKey = (e: KeyboardEvent) => {
            // Escape already used by a box inside (suggestions, an edit) is not ours.
            if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('.modal, [role=dialog]')) close();
        };
        window.addEventListener('keydown', onKey);
        return () => window.removeEventListener('keydown', onKey);
    }, [rhs.kind]);
    if (rhs.kind === 'none') return null;
    if (rhs.kind === 'thread') {
        return <ThreadPanel rootId={rhs.rootId}/>;
    }
    if (rhs.kind === 'search') {
        return <SearchPanel/>;
    }
    const panel = registrations.rhs.find((r) => r.id === rhs.id);
    if (!panel) return null;
    const Panel = panel.component;
    return (
        <aside className='rhs' aria-label={typeof panel.title === 'string' ? panel.title : 'Sidebar'}>
            <header className='rhs-header'>
                <h2>{panel.title}</h2>
                <button type='button' className='icon-button' aria-label='Close sidebar' onClick={close}><Icon name='close'/></button>
            </header>
            <div className='rhs-body'>
                <ErrorBoundary label={`The ${panel.pluginId} sidebar`}><Panel/></ErrorBoundary>
            </div>
        </aside>
    );
}

function ThreadPanel({rootId}: {rootId: string}) {
    const root = useStore((s) => s.posts[rootId]);
    const replies = useStore((s) => (s.threads[rootId] || []).map((id) => s.posts[id]).filter(Boolean));
    const loaded = useStore((s) => Boolean(s.threads[rootId]));
    return (
        <aside className='rhs' aria-label='Thread'
            onDragOver={(e) => {
                if (Array.from(e.dataTransfer?.types ?? []).includes('Files')) e.preventDefault();
            }}
            onDrop={(e) => {
                const dropped = Array.from(e.dataTransfer?.files ?? []);
                if (root && dropped.length > 0) {
                    // The thread's box, not the channel's underneath.
                    e.preventDefault();
                    e.stopPropagation();
                    attachFiles(root.channel_id, rootId, dropped);
                }
            }}>
            <header className='rhs-header'>
                <h2>Thread</h2>
                <button type='button' className='icon-button' aria-label='Close sidebar' onClick={close}><Icon name='close'/></button>
            </header>
            <div className='rhs-body thread'>
                {!root && <p className='muted'>Loading…</p>}
                {root && <PostItem post={root} inThread/>}
                {root && <div className='separator'><span>{loaded ? `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}` : 'Loading replies…'}</span></div>}
                {replies.map((p) => <PostItem key={p.id} post={p} inThread/>)}
            </div>
            {root && <MessageBox channelId={root.channel_id} rootId={rootId} placeholder='Reply to the thread'/>}
        </aside>
    );
}
