// A channel's posts: day separators, the "New messages" line where the
// user left off, older pages loaded on scrolling up (keeping the view
// still), and sticking to the bottom while the user is there.

import {Fragment, useEffect, useLayoutEffect, useRef, useState} from 'react';

import type {Post} from '../api/types';
import {loadOlder} from '../state/posts';
import {failed, setState, useStore} from '../state/store';
import {PostItem} from './PostItem';

const FOLD_MS = 5 * 60 * 1000;

export function continues(prev: Post | undefined, post: Post): boolean {
    return Boolean(prev && prev.user_id === post.user_id && !prev.type.startsWith('system_') && !post.type.startsWith('system_')
        && post.create_at - prev.create_at < FOLD_MS && sameDay(prev.create_at, post.create_at) && !post.root_id === !prev.root_id
        && prev.props?.override_username === post.props?.override_username);
}

function sameDay(a: number, b: number): boolean {
    return new Date(a).toDateString() === new Date(b).toDateString();
}

function dayLabel(ms: number): string {
    const d = new Date(ms);
    const today = new Date();
    const yesterday = new Date(Date.now() - 86400000);
    if (d.toDateString() === today.toDateString()) return 'Today';
    if (d.toDateString() === yesterday.toDateString()) return 'Yesterday';
    return d.toLocaleDateString([], {weekday: 'short', month: 'short', day: 'numeric', year: d.getFullYear() === today.getFullYear() ? undefined : 'numeric'});
}

export function PostList({channelId}: {channelId: string}) {
    const list = useStore((s) => s.channelPosts[channelId]);
    const posts = useStore((s) => (s.channelPosts[channelId]?.order || []).map((id) => s.posts[id]).filter(Boolean));
    const newSince = useStore((s) => s.newSince[channelId] ?? 0);
    const me = useStore((s) => s.me?.id);
    const highlight = useStore((s) => s.highlight);
    const ref = useRef<HTMLDivElement>(null);
    const atBottom = useRef(true);
    const [below, setBelow] = useState(false);
    const [loadingOlder, setLoadingOlder] = useState(false);
    const anchor = useRef<{height: number; top: number} | null>(null);
    const shownHighlight = useRef('');

    // The highlight fades after a while (it stays in the URL's history, not on screen).
    useEffect(() => {
        if (!highlight) return undefined;
        const t = setTimeout(() => setState((s) => (s.highlight === highlight ? {...s, highlight: ''} : s)), 6000);
        return () => clearTimeout(t);
    }, [highlight]);

    // Entering a channel: go to the highlighted post, the first new one, or the end.
    useLayoutEffect(() => {
        atBottom.current = true;
        setBelow(false);
    }, [channelId]);

    const lastId = posts[posts.length - 1]?.id;
    useLayoutEffect(() => {
        const el = ref.current;
        if (!el) return;
        if (anchor.current) {
            el.scrollTop = el.scrollHeight - anchor.current.height + anchor.current.top;
            anchor.current = null;
            return;
        }
        // A permalink's post is scrolled to once; new posts then behave as usual.
        const target = highlight && highlight !== shownHighlight.current && el.querySelector(`[data-post-id="${CSS.escape(highlight)}"]`);
        if (target instanceof HTMLElement) {
            shownHighlight.current = highlight;
            atBottom.current = false;
            target.scrollIntoView({block: 'center'});
            return;
        }
        if (atBottom.current) {
            el.scrollTop = el.scrollHeight;
        } else if (posts[posts.length - 1]?.user_id !== me) {
            setBelow(true);
        } else {
            el.scrollTop = el.scrollHeight;
        }
        // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [lastId, posts.length, highlight, channelId]);

    const onScroll = () => {
        const el = ref.current;
        if (!el) return;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        if (atBottom.current) setBelow(false);
        if (el.scrollTop < 200 && list && !list.complete && !loadingOlder) {
            setLoadingOlder(true);
            anchor.current = {height: el.scrollHeight, top: el.scrollTop};
            loadOlder(channelId).catch(failed('load older messages', true)).finally(() => setLoadingOlder(false));
        }
    };

    useEffect(() => {
        // Images load after layout: keep the view at the bottom if it was there.
        const el = ref.current;
        if (!el) return undefined;
        const onLoad = () => {
            if (atBottom.current) el.scrollTop = el.scrollHeight;
        };
        el.addEventListener('load', onLoad, true);
        return () => el.removeEventListener('load', onLoad, true);
        // The list element exists once the posts have loaded.
    }, [Boolean(list)]);

    if (!list) {
        return <div className='post-list post-list-loading' aria-busy='true'><p className='muted'>Loading messages…</p></div>;
    }
    const firstNew = posts.find((p) => newSince > 0 && p.create_at > newSince && p.user_id !== me && !p.ephemeral);
    return (
        <div className='post-list-wrap'>
            <div className='post-list' ref={ref} onScroll={onScroll} role='log' aria-label='Messages' aria-live='polite' tabIndex={0}>
                {list.complete ? <p className='channel-intro muted'>This is the start of the channel.</p> : <p className='muted load-older'>{loadingOlder ? 'Loading older messages…' : 'Scroll up for older messages'}</p>}
                {posts.map((post, i) => {
                    const prev = posts[i - 1];
                    const newDay = !prev || !sameDay(prev.create_at, post.create_at);
                    return (
                        <Fragment key={post.id}>
                            {newDay && <div className='separator' role='separator'><span>{dayLabel(post.create_at)}</span></div>}
                            {post === firstNew && <div className='separator separator-new' role='separator'><span>New messages</span></div>}
                            <PostItem post={post} continuation={!newDay && post !== firstNew && continues(prev, post)} highlighted={post.id === highlight}/>
                        </Fragment>
                    );
                })}
            </div>
            {below && (
                <button type='button' className='new-below' onClick={() => {
                    const el = ref.current;
                    if (el) el.scrollTop = el.scrollHeight;
                    setBelow(false);
                }}>New messages ↓</button>
            )}
        </div>
    );
}
