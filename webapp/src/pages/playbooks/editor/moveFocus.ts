// Keeps the keyboard focus on a moved row's move button. The row's DOM
// may be re-inserted (React moves nodes, and a task that crosses a
// checklist border is a new node in the other list), which drops the
// focus; after the render the button is found by its row key and focused
// again — the other direction's when this one is now disabled (at an end).

import {useEffect, useRef} from 'react';

export type MoveDir = 'up' | 'down';

/** Attributes for a move button of the row with this key. */
export function moveButton(key: string, dir: MoveDir) {
    return {'data-move-key': key, 'data-move-dir': dir};
}

/** `moved(key, dir)` before changing the list; the button gets the focus after the render. */
export function useMoveFocus(): (key: string, dir: MoveDir) => void {
    const pending = useRef<{key: string; dir: MoveDir} | null>(null);
    useEffect(() => {
        const p = pending.current;
        if (!p) {
            return;
        }
        pending.current = null;
        const find = (dir: MoveDir) => document.querySelector<HTMLButtonElement>(`[data-move-key="${p.key}"][data-move-dir="${dir}"]`);
        const same = find(p.dir);
        const target = same && !same.disabled ? same : find(p.dir === 'up' ? 'down' : 'up');
        if (target && !target.disabled && document.activeElement !== target) {
            target.focus();
        }
    });
    return (key, dir) => {
        pending.current = {key, dir};
    };
}
