// Where messages are written: Enter sends, Shift+Enter starts a new line,
// a leading `/` runs a slash command, and suggestions follow the text
// before the caret (commands, @users, ~channels) — arrows pick, Tab or
// Enter takes, Escape closes. Drafts survive switching channels. Files are
// attached by the button, by pasting, or by dropping them on the channel
// (`attachFiles`); each uploads at once with its progress shown, and the
// message is sent with the ids of the finished ones.

import {useEffect, useRef, useState} from 'react';

import {uploadFile} from '../api/files';
import {typed} from '../state/events';
import {send} from '../state/posts';
import {getState, setState, useStore, type State} from '../state/store';
import {PendingFiles, type PendingFile} from './Files';
import {Icon} from './Icon';
import {suggestions, triggerAt, type Item} from './suggest';
import {TypingIndicator} from './TypingIndicator';

const drafts = new Map<string, string>();
/** Files a message may carry (the server's limit). */
export const MAX_FILES = 10;
/** The open message boxes, by `channelId:rootId`, for dropped files. */
const fileTargets = new Map<string, (files: File[]) => void>();
let clientSeq = 0;

/** Attaches files to the message box of a channel (or thread). */
export function attachFiles(channelId: string, rootId: string, files: File[]) {
    fileTargets.get(`${channelId}:${rootId}`)?.(files);
}

/** Logging out: unsent text must not greet the next person on this browser. */
export function clearDrafts() {
    drafts.clear();
}

/** The user's newest sent post here (the thread's, in a thread), for Up-to-edit. */
export function lastOwnPost(s: State, channelId: string, rootId: string): string | undefined {
    const ids = rootId ? s.threads[rootId] || [] : s.channelPosts[channelId]?.order || [];
    for (let i = ids.length - 1; i >= 0; i -= 1) {
        const p = s.posts[ids[i]] as (State['posts'][string] & {pending?: boolean}) | undefined;
        if (p && p.user_id === s.me?.id && !p.ephemeral && !p.pending && !p.type.startsWith('system_') && (!rootId || p.root_id === rootId)) {
            return p.id;
        }
    }
    return undefined;
}

export function MessageBox({channelId, rootId = '', placeholder}: {channelId: string; rootId?: string; placeholder: string}) {
    const draftKey = `${channelId}:${rootId}`;
    const teamId = useStore((s) => s.currentTeamId);
    const archived = useStore((s) => (s.channels[channelId]?.delete_at ?? 0) > 0);
    const [text, setText] = useState(drafts.get(draftKey) ?? '');
    const [error, setError] = useState('');
    const [items, setItems] = useState<Item[]>([]);
    /** The text before the caret the suggestions were made for: stale ones are never taken. */
    const [itemsFor, setItemsFor] = useState('');
    const [active, setActive] = useState(0);
    const [sending, setSending] = useState(false);
    const [caret, setCaret] = useState(0);
    const ref = useRef<HTMLTextAreaElement>(null);
    const fileInput = useRef<HTMLInputElement>(null);
    const [files, setFiles] = useState<PendingFile[]>([]);
    const listId = `suggestions-${rootId ? 'thread' : 'center'}`;

    useEffect(() => {
        setText(drafts.get(draftKey) ?? '');
        setError('');
        setItems([]);
        setFiles([]);
    }, [draftKey]);

    const update = (clientId: string, change: Partial<PendingFile>) =>
        setFiles((list) => list.map((f) => (f.clientId === clientId ? {...f, ...change} : f)));

    const addFiles = (picked: File[]) => {
        if (picked.length === 0) return;
        const room = Math.max(MAX_FILES - files.length, 0);
        setError(picked.length > room ? `A message can carry at most ${MAX_FILES} files.` : '');
        const added = picked.slice(0, room).map((file): PendingFile => {
            clientSeq += 1;
            const clientId = `${Date.now()}-${clientSeq}`;
            const upload = uploadFile(channelId, file, clientId, (progress) => update(clientId, {progress}));
            upload.done.then((info) => update(clientId, {info, progress: 1}), (e: Error) => update(clientId, {error: e.message}));
            return {clientId, name: file.name, size: file.size, progress: 0, abort: upload.abort};
        });
        setFiles((list) => [...list, ...added]);
    };

    const removeFile = (clientId: string) => {
        const gone = files.find((f) => f.clientId === clientId);
        if (gone && !gone.info) gone.abort?.();
        setFiles((list) => list.filter((f) => f.clientId !== clientId));
    };

    useEffect(() => {
        fileTargets.set(draftKey, addFiles);
        return () => {
            if (fileTargets.get(draftKey) === addFiles) fileTargets.delete(draftKey);
        };
    });

    // Suggestions for what is typed, newest request wins.
    useEffect(() => {
        const trigger = triggerAt(text, caret);
        if (!trigger || !teamId) {
            setItems([]);
            return undefined;
        }
        let live = true;
        const t = setTimeout(() => {
            suggestions(trigger, teamId, channelId, rootId)
                .then((found) => {
                    if (live) {
                        setItems(found);
                        setItemsFor(text.slice(0, caret));
                        setActive(0);
                    }
                })
                .catch(() => live && setItems([]));
        }, trigger.kind === 'command' ? 60 : 150);
        return () => {
            live = false;
            clearTimeout(t);
        };
    }, [text, caret, teamId, channelId, rootId]);

    // Grow with the text, up to a limit.
    useEffect(() => {
        const el = ref.current;
        if (el) {
            el.style.height = 'auto';
            el.style.height = `${Math.min(el.scrollHeight, 240)}px`;
        }
    }, [text]);

    const change = (value: string, position: number) => {
        setText(value);
        setCaret(position);
        drafts.set(draftKey, value);
    };

    const edit = (value: string, position: number) => {
        change(value, position);
        if (value.trim() && !value.startsWith('/')) {
            typed(channelId, rootId);
        }
    };

    const take = (item: Item) => {
        const end = caret;
        const value = text.slice(0, item.start) + item.replacement + text.slice(end);
        const position = item.start + item.replacement.length;
        change(value, position);
        requestAnimationFrame(() => {
            ref.current?.focus();
            ref.current?.setSelectionRange(position, position);
        });
    };

    const uploading = files.some((f) => !f.info && !f.error);
    const ready = files.filter((f) => f.info).map((f) => f.info!);
    const canSend = !sending && !uploading && (text.trim() !== '' || ready.length > 0);

    const submit = async () => {
        if (!canSend) return;
        setSending(true);
        const typed = text;
        change('', 0);
        setItems([]);
        setFiles([]);
        const failure = await send(channelId, typed, rootId, ready);
        setSending(false);
        if (failure && typed.trim().startsWith('/')) {
            // A failed command keeps its text for fixing; a failed message stays in the list with Retry.
            change(typed, typed.length);
        }
        setError(failure);
        ref.current?.focus();
    };

    const keys = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
        if (items.length > 0 && e.key === 'Escape') {
            e.preventDefault();
            setItems([]);
            return;
        }
        const fresh = itemsFor === text.slice(0, caret);
        if (items.length > 0 && fresh) {
            if (e.key === 'ArrowDown' || (e.key === 'Tab' && !e.shiftKey && items.length > 1 && e.ctrlKey)) {
                e.preventDefault();
                setActive((a) => (a + 1) % items.length);
                return;
            }
            if (e.key === 'ArrowUp') {
                e.preventDefault();
                setActive((a) => (a - 1 + items.length) % items.length);
                return;
            }
            if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey && items[active] && items[active].replacement.trim() !== text.trim())) {
                e.preventDefault();
                take(items[active]);
                return;
            }
        }
        if (e.key === 'ArrowUp' && text === '' && !e.shiftKey) {
            const last = lastOwnPost(getState(), channelId, rootId);
            if (last) {
                e.preventDefault();
                setState((s) => ({...s, editingPostId: last}));
            }
            return;
        }
        if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            submit();
        }
    };

    if (archived) {
        return <p className='message-box archived muted'>This channel is archived: you can read it, not write in it.</p>;
    }
    return (
        <form className='message-box' onSubmit={(e) => {
            e.preventDefault();
            submit();
        }}>
            {items.length > 0 && (
                <ul id={listId} className='suggestions' role='listbox' aria-label='Suggestions'>
                    {items.map((item, i) => (
                        <li key={item.key} id={`${listId}-${i}`} role='option' aria-selected={i === active} className={i === active ? 'active' : ''}
                            onMouseDown={(e) => {
                                e.preventDefault();
                                take(item);
                            }}>
                            <strong>{item.label}</strong> {item.hint && <span className='muted'>{item.hint}</span>}
                            {item.description && <div className='suggestion-description'>{item.description}</div>}
                        </li>
                    ))}
                </ul>
            )}
            <PendingFiles files={files} onRemove={removeFile}/>
            <input ref={fileInput} type='file' multiple hidden aria-label='Files to attach' onChange={(e) => {
                addFiles(Array.from(e.target.files ?? []));
                e.target.value = '';
            }}/>
            <button type='button' className='icon-button attach-button' aria-label='Attach files' title='Attach files'
                onClick={() => fileInput.current?.click()}>
                <Icon name='attach'/>
            </button>
            <textarea
                ref={ref}
                aria-label={placeholder}
                placeholder={placeholder}
                role='combobox'
                aria-expanded={items.length > 0}
                aria-controls={listId}
                aria-autocomplete='list'
                aria-activedescendant={items.length > 0 ? `${listId}-${active}` : undefined}
                rows={1}
                value={text}
                maxLength={16383}
                onChange={(e) => edit(e.target.value, e.target.selectionStart)}
                onSelect={(e) => setCaret((e.target as HTMLTextAreaElement).selectionStart)}
                onKeyDown={keys}
                onPaste={(e) => {
                    const pasted = Array.from(e.clipboardData?.files ?? []);
                    if (pasted.length > 0) {
                        e.preventDefault();
                        addFiles(pasted);
                    }
                }}
                onBlur={() => setTimeout(() => setItems([]), 150)}
            />
            <button type='submit' className='primary send-button' disabled={!canSend} aria-label='Send'>Send</button>
            {error && <p className='form-error' role='alert'>{error}</p>}
            <TypingIndicator channelId={channelId} rootId={rootId}/>
        </form>
    );
}
