import {render, screen} from '@testing-library/react';
import React from 'react';
import {describe, expect, it, vi} from 'vitest';

import {ErrorBoundary} from './ErrorBoundary';

function Broken(): React.ReactElement {
    throw new Error('props.attachments is not iterable');
}

describe('error boundary', () => {
    it('keeps a failing plugin component to its own corner', () => {
        vi.spyOn(console, 'error').mockImplementation(() => undefined);
        render(<div><p>client page</p><ErrorBoundary where='post'><Broken/></ErrorBoundary></div>);
        expect(screen.getByText('client page')).toBeTruthy();
        expect(screen.getByRole('alert').textContent).toContain('The playbooks post failed: props.attachments is not iterable');
        vi.restoreAllMocks();
    });
});
