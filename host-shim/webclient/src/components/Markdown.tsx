import {formatInline, formatText} from '../markdown/markdown';
import {channelNames, useStore} from '../state/store';

/** Markdown text (sanitised by the renderer), with the reader's mentions highlighted. */
export function Markdown({text, inline, className}: {text: string; inline?: boolean; className?: string}) {
    const me = useStore((s) => s.me?.username);
    const team = useStore((s) => s.teams[s.currentTeamId]?.name);
    const channels = useStore(channelNames);
    const html = inline ? formatInline(text, {me, team, channels}) : formatText(text, {me, team, channels});
    const Tag = inline ? 'span' : 'div';
    return <Tag className={`markdown ${className ?? ''}`} dangerouslySetInnerHTML={{__html: html}}/>;
}
