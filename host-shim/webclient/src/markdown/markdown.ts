// Markdown for posts, channel headers and plugin text: CommonMark plus
// tables and strikethrough (markdown-it), autolinks, line breaks as typed,
// `@mentions` (highlighted when they name the reader), `~channel` links
// (to channels that exist) and common `:emoji:` shortcodes. Raw HTML is never passed through (markdown-it escapes it with
// `html: false`) and its link validator drops `javascript:`/`data:` URLs,
// so the HTML produced is safe to insert; links leaving the site open in a
// new tab without access to this one.

import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';

export interface FormatOptions {
    /** The reader's username: their mentions are highlighted. */
    me?: string;
    /** The team name `~channel` links point into. */
    team?: string;
    /** Channel names that exist: `~name` becomes a link only for these (`~40%` stays text). */
    channels?: ReadonlySet<string>;
}

const md = new MarkdownIt({html: false, linkify: true, breaks: true, typographer: false});
md.linkify.set({fuzzyEmail: false});

/** The shortcodes people type most in incident channels (Mattermost's names). */
const EMOJI: Record<string, string> = {
    '+1': '👍', thumbsup: '👍', '-1': '👎', thumbsdown: '👎', eyes: '👀', tada: '🎉', white_check_mark: '✅',
    heavy_check_mark: '✔️', x: '❌', warning: '⚠️', fire: '🔥', rotating_light: '🚨', rocket: '🚀', bug: '🐛',
    smile: '😄', slightly_smiling_face: '🙂', joy: '😂', thinking: '🤔', pray: '🙏', heart: '❤️', wave: '👋',
    ok_hand: '👌', muscle: '💪', clap: '👏', sos: '🆘', hourglass: '⌛', stopwatch: '⏱️', point_up: '☝️', 100: '💯',
};
const SHORTCODE = /:([a-z0-9_+-]+):/g;

const MENTION = /(^|[^\p{L}\p{N}_.@-])([@~])([a-z0-9][a-z0-9._-]*[a-z0-9_]|[a-z0-9])/giu;
const EVERYONE = new Set(['channel', 'all', 'here']);

/** `:emoji:` shortcodes, then mentions and channel links, in text outside code. */
md.core.ruler.push('mentions', (state) => {
    for (const block of state.tokens) {
        if (block.type !== 'inline' || !block.children) {
            continue;
        }
        const out: Token[] = [];
        let inLink = 0;
        for (const token of block.children) {
            if (token.type === 'link_open') inLink += 1;
            if (token.type === 'link_close') inLink -= 1;
            if (token.type === 'text') {
                token.content = token.content.replace(SHORTCODE, (code, name: string) => EMOJI[name] ?? code);
            }
            if (token.type !== 'text' || inLink > 0 || !/[@~]/.test(token.content)) {
                out.push(token);
                continue;
            }
            let last = 0;
            const text = token.content;
            for (const m of text.matchAll(MENTION)) {
                const start = (m.index ?? 0) + m[1].length;
                if (start > last) {
                    out.push(textToken(state, text.slice(last, start)));
                }
                const name = m[3].toLowerCase();
                if (m[2] === '@') {
                    const open = new state.Token('mention_open', 'span', 1);
                    open.attrSet('class', 'mention');
                    open.attrSet('data-mention', name);
                    out.push(open, textToken(state, `@${m[3]}`), new state.Token('mention_close', 'span', -1));
                } else {
                    const open = new state.Token('channel_link_open', 'a', 1);
                    open.attrSet('class', 'channel-link');
                    open.attrSet('data-channel', name);
                    out.push(open, textToken(state, `~${m[3]}`), new state.Token('channel_link_close', 'a', -1));
                }
                last = start + 1 + m[3].length;
            }
            if (last < text.length) {
                out.push(textToken(state, text.slice(last)));
            }
        }
        block.children = out;
    }
});

function textToken(state: {Token: typeof Token}, content: string): Token {
    const t = new state.Token('text', '', 0);
    t.content = content;
    return t;
}

interface Env extends FormatOptions {}

md.renderer.rules.mention_open = (tokens, idx, _options, env: Env) => {
    const name = tokens[idx].attrGet('data-mention') || '';
    const mine = EVERYONE.has(name) || (env.me && env.me.toLowerCase() === name);
    return `<span class="mention${mine ? ' mention--me' : ''}" data-mention="${md.utils.escapeHtml(name)}">`;
};
md.renderer.rules.mention_close = () => '</span>';
const linked = (env: Env, name: string) => Boolean(env.team && env.channels?.has(name));
md.renderer.rules.channel_link_open = (tokens, idx, _options, env: Env) => {
    const name = tokens[idx].attrGet('data-channel') || '';
    if (!linked(env, name)) {
        return '';
    }
    const href = `/${encodeURIComponent(env.team!)}/channels/${encodeURIComponent(name)}`;
    return `<a class="channel-link" href="${md.utils.escapeHtml(href)}">`;
};
md.renderer.rules.channel_link_close = (tokens, idx, _options, env: Env) => {
    // The matching open token is the one two before (open, text, close).
    const name = tokens[idx - 2]?.attrGet('data-channel') || '';
    return linked(env, name) ? '</a>' : '';
};

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const href = tokens[idx].attrGet('href') || '';
    if (isExternal(href)) {
        tokens[idx].attrSet('target', '_blank');
        tokens[idx].attrSet('rel', 'noopener noreferrer');
    }
    return defaultLinkOpen(tokens, idx, options, env, self);
};
const defaultImage = md.renderer.rules.image!;
md.renderer.rules.image = (tokens, idx, options, env, self) => {
    tokens[idx].attrSet('loading', 'lazy');
    return defaultImage(tokens, idx, options, env, self);
};

function isExternal(href: string): boolean {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(href) || typeof window === 'undefined') {
        return false;
    }
    try {
        return new URL(href).origin !== window.location.origin;
    } catch {
        return true;
    }
}

/** Markdown → sanitised HTML. */
export function formatText(text: string, options: FormatOptions = {}): string {
    return md.render(text || '', {...options});
}

/** One line of Markdown without the paragraph around it (headers, previews). */
export function formatInline(text: string, options: FormatOptions = {}): string {
    return md.renderInline(text || '', {...options});
}

/** Usernames a message mentions (lowercase, without `@`). */
export function mentionedNames(text: string): string[] {
    const names = new Set<string>();
    for (const m of (text || '').matchAll(MENTION)) {
        if (m[2] === '@') {
            names.add(m[3].toLowerCase());
        }
    }
    return [...names];
}
