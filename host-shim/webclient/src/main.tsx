// Entry point: the globals plugin bundles expect (React, ReactDOM,
// registerPlugin, PostUtils, WebappUtils — see ../PLUGIN_API.md), then the app.

import * as React from 'react';
import * as ReactDOM from 'react-dom';
import {createRoot} from 'react-dom/client';

import {App} from './components/App';
import {formatText} from './markdown/markdown';
import {initializePlugin} from './plugins/registry';
import {navigate} from './routing';
import {channelNames, getState} from './state/store';
import './styles.css';

declare global {
    interface Window {
        React: typeof React;
        ReactDOM: typeof ReactDOM;
        PostUtils: {formatText: (text: string, options?: object) => string; messageHtmlToComponent: (html: string) => React.ReactElement};
        WebappUtils: {browserHistory: {push: (path: string) => void; replace: (path: string) => void}};
    }
}

window.React = React;
window.ReactDOM = ReactDOM;
window.registerPlugin = initializePlugin;
window.PostUtils = {
    formatText: (text, options) => {
        const s = getState();
        return formatText(text, {me: s.me?.username, team: s.teams[s.currentTeamId]?.name, channels: channelNames(s), ...(options || {})});
    },
    messageHtmlToComponent: (html) => React.createElement('div', {className: 'markdown', dangerouslySetInnerHTML: {__html: html}}),
};
window.WebappUtils = {browserHistory: {push: (path) => navigate(path), replace: (path) => navigate(path, true)}};

createRoot(document.getElementById('root')!).render(<App/>);
