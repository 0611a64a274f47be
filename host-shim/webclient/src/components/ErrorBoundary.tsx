import {Component, type ReactNode} from 'react';

/** Keeps a broken plugin component from taking the page down: it shows a line instead. */
export class ErrorBoundary extends Component<{children: ReactNode; label: string}, {error?: Error}> {
    state: {error?: Error} = {};

    static getDerivedStateFromError(error: Error) {
        return {error};
    }

    componentDidCatch(error: Error) {
        console.error(`${this.props.label} failed to render`, error);
    }

    render() {
        if (this.state.error) {
            return <div className='plugin-error' role='alert'>{this.props.label} could not be shown: {this.state.error.message}</div>;
        }
        return this.props.children;
    }
}
