// What the message box suggests for the text before the caret: slash
// commands and their arguments (from the server's autocomplete route),
// `@users` (the server's user autocomplete), `~channels` (the user's own).

import {api} from '../api/client';
import {channelTitle, getState} from '../state/store';

export interface Item {
    key: string;
    /** Shown in bold. */
    label: string;
    hint: string;
    description: string;
    /** The text that replaces `[start, caret)`. */
    replacement: string;
    start: number;
}

export type Trigger =
    | {kind: 'command'; text: string}
    | {kind: 'user'; prefix: string; start: number}
    | {kind: 'channel'; prefix: string; start: number};

/** What kind of suggestion the text before the caret asks for, if any. */
export function triggerAt(text: string, caret: number): Trigger | undefined {
    const before = text.slice(0, caret);
    if (before.startsWith('/') && !before.startsWith('//') && !before.includes('\n')) {
        return {kind: 'command', text: before};
    }
    const user = /(^|\s)@([a-z0-9._-]*)$/i.exec(before);
    if (user) {
        return {kind: 'user', prefix: user[2], start: before.length - user[2].length - 1};
    }
    const channel = /(^|\s)~([a-z0-9_-]*)$/i.exec(before);
    if (channel) {
        return {kind: 'channel', prefix: channel[2], start: before.length - channel[2].length - 1};
    }
    return undefined;
}

export async function suggestions(trigger: Trigger, teamId: string, channelId: string, rootId: string): Promise<Item[]> {
    switch (trigger.kind) {
    case 'command': {
        const found = await api.suggestions(teamId, channelId, trigger.text, rootId);
        return (found || []).map((s, i) => ({
            key: `${i}:${s.Complete}`,
            label: s.Suggestion.startsWith('/') || trigger.text.includes(' ') ? s.Suggestion : `/${s.Suggestion}`,
            hint: s.Hint,
            description: s.Description,
            // A free-text argument suggests only its hint: keep what was typed.
            replacement: s.Complete ? `/${s.Complete}${s.Complete.endsWith(' ') ? '' : ' '}` : trigger.text,
            start: 0,
        }));
    }
    case 'user': {
        const found = await api.autocompleteUsers(teamId, trigger.prefix, channelId);
        const everyone = ['channel', 'all', 'here'].filter((n) => n.startsWith(trigger.prefix.toLowerCase())).map((n) => ({
            key: `@${n}`, label: `@${n}`, hint: '', description: 'Notifies everyone in this channel', replacement: `@${n} `, start: trigger.start,
        }));
        const users = [...found.users, ...(found.out_of_channel || [])].slice(0, 20).map((u) => ({
            key: u.id, label: `@${u.username}`, hint: [u.first_name, u.last_name].filter(Boolean).join(' '),
            description: found.out_of_channel?.some((o) => o.id === u.id) ? 'Not in this channel' : '', replacement: `@${u.username} `, start: trigger.start,
        }));
        return [...users, ...everyone];
    }
    case 'channel': {
        const s = getState();
        const prefix = trigger.prefix.toLowerCase();
        return (s.myChannelIds[teamId] || []).map((id) => s.channels[id])
            .filter((c) => c && (c.type === 'O' || c.type === 'P') && (c.name.startsWith(prefix) || c.display_name.toLowerCase().startsWith(prefix)))
            .slice(0, 20)
            .map((c) => ({key: c.id, label: channelTitle(s, c), hint: `~${c.name}`, description: c.purpose, replacement: `~${c.name} `, start: trigger.start}));
    }
    }
}
