// An accessible modal: role=dialog with a title, Escape and the backdrop
// close it, focus moves into it on open and back where it was on close,
// and Tab stays inside.

import {useEffect, useRef, type ReactNode} from 'react';

import {Icon} from './Icon';

export function Modal({title, onClose, children, wide}: {title: string; onClose: () => void; children: ReactNode; wide?: boolean}) {
    const ref = useRef<HTMLDivElement>(null);
    useEffect(() => {
        const before = document.activeElement as HTMLElement | null;
        const first = ref.current?.querySelector<HTMLElement>('[autofocus], input, textarea, select, button:not(.modal-close)');
        (first ?? ref.current)?.focus();
        // Back where the user was; if that is gone (a menu item), to the message box.
        return () => {
            const target = before?.isConnected ? before : document.querySelector<HTMLElement>('main .message-box textarea');
            target?.focus?.();
        };
    }, []);
    const keys = (e: React.KeyboardEvent) => {
        if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
        } else if (e.key === 'Tab' && ref.current) {
            const focusable = [...ref.current.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])')];
            if (focusable.length === 0) return;
            const first = focusable[0];
            const last = focusable[focusable.length - 1];
            if (e.shiftKey && document.activeElement === first) {
                e.preventDefault();
                last.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
                e.preventDefault();
                first.focus();
            }
        }
    };
    return (
        <div className='modal-backdrop' onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
            <div ref={ref} className={`modal${wide ? ' modal-wide' : ''}`} role='dialog' aria-modal='true' aria-label={title} tabIndex={-1} onKeyDown={keys}>
                <header className='modal-header'>
                    <h2>{title}</h2>
                    <button type='button' className='modal-close icon-button' aria-label='Close' onClick={onClose}><Icon name='close'/></button>
                </header>
                <div className='modal-body'>{children}</div>
            </div>
        </div>
    );
}
