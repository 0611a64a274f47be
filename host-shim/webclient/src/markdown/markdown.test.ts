import {describe, expect, it} from 'vitest';

import {formatText, mentionedNames} from './markdown';

describe('formatText', () => {
    it('renders Markdown', () => {
        expect(formatText('**bold** and `code`')).toContain('<strong>bold</strong> and <code>code</code>');
        expect(formatText('| a | b |\n|---|---|\n| 1 | 2 |')).toContain('<table>');
    });

    it('never passes HTML or script URLs through', () => {
        const html = formatText('<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3)) [y](data:text/html,hi)');
        expect(html).not.toMatch(/<img|<script|href="javascript|href="data/i);
        expect(html).toContain('&lt;script&gt;');
    });

    it('marks mentions, highlighting the reader and everyone-mentions', () => {
        const html = formatText('hi @alice and @Bob, also @channel', {me: 'bob'});
        expect(html).toContain('<span class="mention" data-mention="alice">@alice</span>');
        expect(html).toContain('<span class="mention mention--me" data-mention="bob">@Bob</span>');
        expect(html).toContain('mention--me" data-mention="channel"');
    });

    it('leaves emails, code and link text alone', () => {
        const html = formatText('mail a@b.io `@alice` [@alice](https://example.com)');
        expect(html).not.toContain('data-mention="b.io"');
        expect(html).toContain('<code>@alice</code>');
        expect(html).not.toContain('<span class="mention" data-mention="alice">');
    });

    it('links ~channels that exist into the team, and external links open apart', () => {
        const html = formatText('see ~incidents, not ~40% and https://example.com', {team: 'ops', channels: new Set(['incidents'])});
        expect(html).toContain('<a class="channel-link" href="/ops/channels/incidents">~incidents</a>');
        expect(html).toContain(', not ~40% and');
        expect(html).toMatch(/<a href="https:\/\/example.com" target="_blank" rel="noopener noreferrer">/);
    });
});

describe('emoji', () => {
    it('turns known shortcodes into emoji, outside code only', () => {
        const html = formatText('on it :eyes: :+1: :nosuch: `:eyes:`');
        expect(html).toContain('on it 👀 👍 :nosuch:');
        expect(html).toContain('<code>:eyes:</code>');
    });
});

describe('mentionedNames', () => {
    it('lists distinct lowercase names', () => {
        expect(mentionedNames('@Alice ping @alice and @bob. (not a@b.c)')).toEqual(['alice', 'bob']);
    });
});
