// Every component the plugin hands the client is wrapped in this boundary:
// a bug in the plugin's UI must show a message in its own corner, not take
// the client's page down with it.

import React from 'react';

export class ErrorBoundary extends React.Component<{children: React.ReactNode; where: string}, {error: string}> {
    state = {error: ''};

    static getDerivedStateFromError(e: unknown) {
        return {error: e instanceof Error ? e.message : String(e)};
    }

    render() {
        if (this.state.error) {
            return (
                <div role='alert' className='pb-error'>
                    The playbooks {this.props.where} failed: {this.state.error}{' '}
                    <button type='button' onClick={() => this.setState({error: ''})}>Try again</button>
                </div>
            );
        }
        return this.props.children;
    }
}
