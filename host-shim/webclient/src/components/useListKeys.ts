// The keys of a text box that drives a list of choices (a combobox):
// ArrowDown/ArrowUp move the highlighted choice, Enter takes it.

import {useState} from 'react';

export function useListKeys<T>(items: T[], onChoose: (item: T) => void) {
    const [active, setActive] = useState(0);
    const onKeyDown = (e: React.KeyboardEvent) => {
        if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(items.length - 1, a + 1));
        } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(0, a - 1));
        } else if (e.key === 'Enter' && items[active] !== undefined) {
            e.preventDefault();
            onChoose(items[active]);
        }
    };
    return {active, setActive, onKeyDown};
}
