// An in-page modal dialog (role=dialog), used instead of window.confirm so
// that keyboard users keep their place and browser tests can drive it.
// Focus moves into the dialog, Tab stays inside, Escape closes, and focus
// returns to where it was.

import React, {useEffect, useId, useRef} from 'react';
import {createPortal} from 'react-dom';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog({title, onClose, children, wide}: {title: string; onClose: () => void; children: React.ReactNode; wide?: boolean}) {
    const ref = useRef<HTMLDivElement>(null);
    const titleId = useId();
    useEffect(() => {
        const before = document.activeElement as HTMLElement | null;
        const box = ref.current;
        const first = box?.querySelector<HTMLElement>('[data-autofocus]') || box?.querySelector<HTMLElement>(FOCUSABLE);
        first?.focus();
        return () => before?.focus?.();
    }, []);
    const keys = (e: React.KeyboardEvent) => {
        if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
            return;
        }
        if (e.key !== 'Tab' || !ref.current) {
            return;
        }
        const all = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
        if (all.length === 0) {
            return;
        }
        const [first, last] = [all[0], all[all.length - 1]];
        if (e.shiftKey && document.activeElement === first) {
            e.preventDefault();
            last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
            e.preventDefault();
            first.focus();
        }
    };
    return createPortal(
        <div className='pb-overlay' onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
            <div ref={ref} role='dialog' aria-modal='true' aria-labelledby={titleId} className={`pb-dialog${wide ? ' pb-dialog-wide' : ''}`} onKeyDown={keys}>
                <h2 id={titleId} className='pb-dialog-title'>{title}</h2>
                {children}
            </div>
        </div>,
        document.body,
    );
}

/** "Are you sure?" with a named confirm button (e.g. `Finish`). */
export function ConfirmDialog({title, children, confirmLabel, danger, onConfirm, onCancel}: {
    title: string;
    children?: React.ReactNode;
    confirmLabel: string;
    danger?: boolean;
    onConfirm: () => void;
    onCancel: () => void;
}) {
    return (
        <Dialog title={title} onClose={onCancel}>
            {children}
            <div className='pb-actions pb-dialog-actions'>
                <button type='button' onClick={onCancel}>Cancel</button>
                <button type='button' data-autofocus className={danger ? 'pb-primary pb-primary-danger' : 'pb-primary'} onClick={onConfirm}>{confirmLabel}</button>
            </div>
        </Dialog>
    );
}
