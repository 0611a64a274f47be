// The client's few icons, inline SVG (no icon font, no emoji that a
// system may lack). Decorative: the buttons around them carry the label.

import {setState} from '../state/store';

const PATHS: Record<string, string> = {
    members: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm-7 9a7 7 0 0 1 14 0v1H2v-1Zm15.5-9.2a3.5 3.5 0 1 0-1.2-6.7 6 6 0 0 1 0 6A3.5 3.5 0 0 0 17.5 10.8ZM18 20v1h4v-1a6 6 0 0 0-4.9-5.9A8.9 8.9 0 0 1 18 20Z',
    dots: 'M5 10.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Zm7 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Zm7 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Z',
    reply: 'M10 9V5l-7 7 7 7v-4.1c5 0 8.5 1.6 11 5.1-1-5-4-10-11-11Z',
    edit: 'M3 17.25V21h3.75L17.8 9.94l-3.75-3.75L3 17.25ZM20.7 7.04a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83Z',
    trash: 'M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6v12ZM19 4h-3.5l-1-1h-5l-1 1H5v2h14V4Z',
    close: 'M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12 19 6.41Z',
    menu: 'M3 6h18v2H3V6Zm0 5h18v2H3v-2Zm0 5h18v2H3v-2Z',
    smile: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16Zm3.5-9a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3Zm-7 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3Zm3.5 6.5c2.33 0 4.31-1.46 5.11-3.5H6.89c.8 2.04 2.78 3.5 5.11 3.5Z',
    attach: 'M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5Z',
    lock: 'M12 2a5 5 0 0 0-5 5v3H5v12h14V10h-2V7a5 5 0 0 0-5-5Zm-3 8V7a3 3 0 1 1 6 0v3H9Z',
};

export type IconName = keyof typeof PATHS;

export function Icon({name, size = 18}: {name: IconName; size?: number}) {
    return (
        <svg className='icon' width={size} height={size} viewBox='0 0 24 24' aria-hidden='true' focusable='false'>
            <path fill='currentColor' d={PATHS[name]}/>
        </svg>
    );
}

/** The phone layout's button that slides the channel list in (hidden on wide screens). */
export function DrawerToggle() {
    return (
        <button type='button' className='icon-button drawer-toggle' aria-label='Show channels' onClick={() => setState((s) => ({...s, drawerOpen: true}))}>
            <Icon name='menu'/>
        </button>
    );
}
