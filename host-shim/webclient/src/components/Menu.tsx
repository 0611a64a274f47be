// A menu button (WAI-ARIA menu pattern): opens below its button, moves
// between items with the arrow keys (Home/End too), closes on Escape, on
// choosing, on a click outside or on Tab, and gives focus back to its
// button so keyboard users never land on <body>.

import {useEffect, useRef, useState, type ReactNode} from 'react';

export interface MenuItem {
    key: string;
    label: ReactNode;
    onSelect: () => void;
    danger?: boolean;
}

export function MenuButton({label, buttonClass, children, items, align = 'left'}: {
    label: string;
    buttonClass?: string;
    children: ReactNode;
    items: MenuItem[];
    align?: 'left' | 'right';
}) {
    const [open, setOpen] = useState(false);
    const wrap = useRef<HTMLDivElement>(null);
    const button = useRef<HTMLButtonElement>(null);
    const close = (refocus: boolean) => {
        setOpen(false);
        if (refocus) button.current?.focus();
    };
    useEffect(() => {
        if (!open) return undefined;
        wrap.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
        const outside = (e: MouseEvent) => {
            if (!wrap.current?.contains(e.target as Node)) setOpen(false);
        };
        document.addEventListener('mousedown', outside);
        return () => document.removeEventListener('mousedown', outside);
    }, [open]);
    const keys = (e: React.KeyboardEvent) => {
        const entries = [...(wrap.current?.querySelectorAll<HTMLElement>('[role=menuitem]') || [])];
        const at = entries.indexOf(document.activeElement as HTMLElement);
        const move = (i: number) => entries[(i + entries.length) % entries.length]?.focus();
        switch (e.key) {
        case 'Escape': e.preventDefault(); close(true); break;
        case 'ArrowDown': e.preventDefault(); move(at + 1); break;
        case 'ArrowUp': e.preventDefault(); move(at - 1); break;
        case 'Home': e.preventDefault(); move(0); break;
        case 'End': e.preventDefault(); move(entries.length - 1); break;
        case 'Tab': setOpen(false); break;
        default:
        }
    };
    return (
        <div className='menu-anchor' ref={wrap} onKeyDown={open ? keys : undefined}>
            <button ref={button} type='button' className={buttonClass} aria-label={label} aria-haspopup='menu' aria-expanded={open}
                onClick={() => setOpen(!open)}
                onKeyDown={(e) => {
                    if (e.key === 'ArrowDown' && !open) {
                        e.preventDefault();
                        setOpen(true);
                    }
                }}>
                {children}
            </button>
            {open && (
                <div className={`menu${align === 'right' ? ' menu-right' : ''}`} role='menu' aria-label={label}>
                    {items.map((item) => (
                        <button key={item.key} type='button' role='menuitem' tabIndex={-1} className={item.danger ? 'danger' : ''}
                            onClick={() => {
                                close(true);
                                item.onSelect();
                            }}>
                            {item.label}
                        </button>
                    ))}
                </div>
            )}
        </div>
    );
}
