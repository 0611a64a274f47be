import {act, render, screen} from '@testing-library/react';
import React from 'react';
import {afterEach, describe, expect, it, vi} from 'vitest';

import {useNow} from './common';

function Clock({wakeAt}: {wakeAt: number}) {
    const now = useNow(30000, wakeAt);
    return <span>{now >= wakeAt ? 'overdue' : 'due'}</span>;
}

afterEach(() => vi.useRealTimers());

describe('useNow', () => {
    it('wakes up right after the due time, not at the next interval', () => {
        vi.useFakeTimers();
        render(<Clock wakeAt={Date.now() + 1000}/>);
        expect(screen.getByText('due')).toBeTruthy();
        act(() => {
            vi.advanceTimersByTime(1100);
        });
        expect(screen.getByText('overdue')).toBeTruthy();
    });
});
