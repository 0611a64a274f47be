// A user's status as a coloured dot beside their name (online, away, do
// not disturb, offline), with the status in words for screen readers and
// as a tooltip. Asks for the status the first time a dot shows it.

import {useEffect} from 'react';

import {ensureStatuses, STATUS_LABELS} from '../state/presence';
import {useStore} from '../state/store';

export function StatusDot({userId}: {userId: string}) {
    const status = useStore((s) => s.statuses[userId]);
    useEffect(() => {
        ensureStatuses([userId]);
    }, [userId]);
    const shown = status ?? 'offline';
    const label = STATUS_LABELS[shown];
    return <span className={`status-dot status-${shown}`} role='img' aria-label={label} title={label} data-status={shown}/>;
}
