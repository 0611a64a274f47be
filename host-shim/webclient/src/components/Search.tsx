// Message search: the box in the channel header and the results in the
// right-hand sidebar. A result shows its channel, author and time with the
// searched words marked, and is a permalink: following it opens the
// channel scrolled to the message. Ctrl+Shift+F (Cmd+Shift+F) focuses the
// box; ArrowUp/ArrowDown move between results.

import {useEffect, useRef, useState} from 'react';

import {highlightWords, markWords, runSearch} from '../state/search';
import {channelTitle, displayName, setState, useStore} from '../state/store';
import {Icon} from './Icon';

export function SearchBox() {
    const current = useStore((s) => s.search.terms);
    const [terms, setTerms] = useState(current);
    const input = useRef<HTMLInputElement>(null);
    useEffect(() => {
        const onKey = (e: KeyboardEvent) => {
            if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'f') {
                e.preventDefault();
                input.current?.focus();
                input.current?.select();
            }
        };
        window.addEventListener('keydown', onKey);
        return () => window.removeEventListener('keydown', onKey);
    }, []);
    return (
        <form role='search' className='search-box' onSubmit={(e) => {
            e.preventDefault();
            runSearch(terms);
        }}>
            <input ref={input} type='search' aria-label='Search messages' placeholder='Search' value={terms}
                title='Words, "phrases", from:user, in:channel, on:/before:/after:YYYY-MM-DD, -excluded, prefix*'
                onChange={(e) => setTerms(e.target.value)}/>
        </form>
    );
}

const close = () => setState((s) => ({...s, rhs: {kind: 'none'}}));

export function SearchPanel() {
    const search = useStore((s) => s.search);
    const teamName = useStore((s) => s.teams[s.currentTeamId]?.name ?? '');
    const results = useStore((s) => s.search.postIds.map((id) => s.posts[id]).filter(Boolean).map((post) => {
        const channel = s.channels[post.channel_id];
        return {post, channel: channel ? channelTitle(s, channel) : '', author: displayName(s.users[post.user_id])};
    }));
    const words = highlightWords(search.terms);
    const list = useRef<HTMLUListElement>(null);
    const onKeyDown = (e: React.KeyboardEvent) => {
        if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
        const links = [...(list.current?.querySelectorAll<HTMLAnchorElement>('a.search-result') ?? [])];
        const at = links.indexOf(document.activeElement as HTMLAnchorElement);
        const next = links[e.key === 'ArrowDown' ? Math.min(links.length - 1, at + 1) : Math.max(0, at - 1)];
        if (next) {
            e.preventDefault();
            next.focus();
        }
    };
    return (
        <aside className='rhs' aria-label='Search results'>
            <header className='rhs-header'>
                <h2>Search results</h2>
                <button type='button' className='icon-button' aria-label='Close sidebar' onClick={close}><Icon name='close'/></button>
            </header>
            <div className='rhs-body search-results'>
                <p className='muted search-summary' role='status'>
                    {search.loading && results.length === 0 ? 'Searching…' : search.error ? '' : results.length === 0 ? `No results for “${search.terms}”.` : `Results for “${search.terms}”`}
                </p>
                {search.error && <p className='form-error search-error' role='alert'>{search.error}</p>}
                <ul ref={list} onKeyDown={onKeyDown}>
                    {results.map(({post, channel, author}) => (
                        <li key={post.id}>
                            <a className='search-result' href={`/${teamName}/pl/${post.id}`} aria-label={`${author} in ${channel}: ${post.message}`}>
                                <span className='search-result-meta'>
                                    <span className='search-result-channel'>{channel}</span>
                                    <strong>{author}</strong>
                                    <time dateTime={new Date(post.create_at).toISOString()} className='muted'>{new Date(post.create_at).toLocaleString()}</time>
                                </span>
                                <span className='search-result-message'>
                                    {markWords(post.message, words).map((piece, i) => (piece.mark ? <mark key={i}>{piece.text}</mark> : piece.text))}
                                </span>
                            </a>
                        </li>
                    ))}
                </ul>
                {search.hasNext && (
                    <button type='button' className='link-button search-more' disabled={search.loading} onClick={() => runSearch(search.terms, true)}>
                        {search.loading ? 'Loading…' : 'More results'}
                    </button>
                )}
            </div>
        </aside>
    );
}
