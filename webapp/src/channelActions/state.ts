// Which channel's actions editor is open: set by the channel header menu
// entry, read by the root component that renders the modal.

type Listener = () => void;

let open = '';
const listeners = new Set<Listener>();

export function openChannelActions(channelId: string) {
    open = channelId;
    listeners.forEach((l) => l());
}

export function closeChannelActions() {
    openChannelActions('');
}

export function openChannelId(): string {
    return open;
}

export function subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
}
