// "alice is typing…" under a message box: the others typing in this
// channel (or thread), from the server's `typing` events.

import {typingKey, typingNames, typingText} from '../state/presence';
import {useStore} from '../state/store';

export function TypingIndicator({channelId, rootId = ''}: {channelId: string; rootId?: string}) {
    const names = useStore((s) => typingNames(s, typingKey(channelId, rootId)));
    return <p className='typing-indicator muted' aria-live='polite'>{typingText(names)}</p>;
}
