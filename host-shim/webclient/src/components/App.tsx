// The app: which page the URL shows, and the layout around it — sidebar,
// center (a channel, a plugin page, or the team picker), right-hand
// sidebar, dialogs and plugin root components.

import {useEffect, useState} from 'react';

import {pageFor, useRegistrations} from '../plugins/registry';
import {navigate, onLinkClick, parseRoute, syncPath} from '../routing';
import {defaultPath, ensureTeamLoaded, openChannelByName, openDirectMessage, openPermalink} from '../state/channels';
import {boot, lastTeam} from '../state/session';
import {channelTitle, getState, setState, useStore} from '../state/store';
import {LoginPage, SignupPage} from './AuthPages';
import {ChannelView} from './ChannelView';
import {DialogModal} from './DialogModal';
import {ErrorBoundary} from './ErrorBoundary';
import {QuickSwitcher} from './QuickSwitcher';
import {DrawerToggle} from './Icon';
import {Rhs} from './Rhs';
import {Sidebar} from './Sidebar';
import {TeamSelect} from './TeamSelect';

/** Brings the state in line with the URL (loads the team, joins or opens the channel…). */
export async function resolvePath(path: string) {
    const route = parseRoute(path);
    const s = getState();
    switch (route.kind) {
    case 'login':
    case 'signup':
    case 'root':
        navigate(await defaultPath(), true);
        return;
    case 'channel':
        await openChannelByName(route.team, route.channel, path);
        return;
    case 'dm':
        await openDirectMessage(route.team, route.username, path);
        return;
    case 'permalink':
        await openPermalink(route.team, route.postId, path);
        return;
    case 'select_team':
        setState((st) => ({...st, currentChannelId: ''}));
        return;
    case 'other': {
        const parts = path.split('/').filter(Boolean);
        const team = s.myTeamIds.map((id) => s.teams[id]).find((t) => t?.name === parts[0]);
        if (team && parts.length === 1) {
            navigate(await defaultPath(team.name), true);
            return;
        }
        // A plugin page: keep a team current (plugins list per team), no channel.
        const fallback = team ?? s.myTeamIds.map((id) => s.teams[id]).find((t) => t?.name === lastTeam()) ?? s.teams[s.myTeamIds[0]];
        setState((st) => ({...st, currentChannelId: '', currentTeamId: st.currentTeamId || fallback?.id || ''}));
        const teamId = getState().currentTeamId;
        if (teamId) {
            await ensureTeamLoaded(teamId);
        }
    }
    }
}

export function App() {
    const me = useStore((s) => s.me);
    const path = useStore((s) => s.path);
    const [booted, setBooted] = useState(false);
    useEffect(() => {
        const onPop = () => syncPath();
        window.addEventListener('popstate', onPop);
        document.addEventListener('click', onLinkClick);
        boot().finally(() => setBooted(true));
        return () => {
            window.removeEventListener('popstate', onPop);
            document.removeEventListener('click', onLinkClick);
        };
    }, []);
    useEffect(() => {
        if (me) {
            resolvePath(path).catch((e) => setState((s) => ({...s, notice: e instanceof Error ? e.message : String(e)})));
        }
    }, [me, path]);

    if (!booted) {
        return <p className='boot muted'>Loading…</p>;
    }
    const route = parseRoute(path);
    if (!me) {
        return route.kind === 'signup' ? <SignupPage/> : <LoginPage/>;
    }
    if (route.kind === 'select_team') {
        return <TeamSelect/>;
    }
    return <Layout path={path}/>;
}

function Layout({path}: {path: string}) {
    const drawerOpen = useStore((s) => s.drawerOpen);
    const rhsOpen = useStore((s) => s.rhs.kind !== 'none');
    const registrations = useRegistrations();
    const route = parseRoute(path);
    const channelRoute = route.kind === 'channel' || route.kind === 'dm' || route.kind === 'permalink';
    return (
        <div className={`app${drawerOpen ? ' drawer-open' : ''}${rhsOpen ? ' rhs-open' : ''}`}>
            <Sidebar/>
            {drawerOpen && <div className='drawer-backdrop' onClick={() => setState((s) => ({...s, drawerOpen: false}))}/>}
            {channelRoute ? <ChannelView/> : <PluginPage path={path}/>}
            {channelRoute && <Rhs/>}
            <DialogModal/>
            <QuickSwitcher/>
            <DocumentTitle/>
            {registrations.roots.map((r) => (
                <ErrorBoundary key={r.id} label={`The ${r.pluginId} plugin`}><r.component/></ErrorBoundary>
            ))}
            <Notice/>
            <ConnectionBanner/>
        </div>
    );
}

function PluginPage({path}: {path: string}) {
    // Re-render when the plugin that owns this page registers it.
    useRegistrations();
    const page = pageFor(path);
    const team = useStore((s) => s.teams[s.currentTeamId]);
    const [waited, setWaited] = useState(false);
    useEffect(() => {
        const t = setTimeout(() => setWaited(true), 3000);
        return () => clearTimeout(t);
    }, []);
    const header = (
        <header className='page-header'>
            <DrawerToggle/>
            {team && <a href={`/${team.name}`}>← Back to {team.display_name}</a>}
            {page?.product && <strong>{page.product.switcherText}</strong>}
        </header>
    );
    if (!page) {
        return (
            <main className='center plugin-page'>
                {header}
                <p className='muted center-empty'>{waited ? 'There is no page at this address.' : 'Loading…'}</p>
            </main>
        );
    }
    const Page = page.component;
    return (
        <main className='center plugin-page'>
            {header}
            <div className='plugin-page-body'>
                <ErrorBoundary label={`The ${page.pluginId} page`}><Page/></ErrorBoundary>
            </div>
        </main>
    );
}

/** Says so while the event stream is down (after it first came up): what is shown may be stale. */
function ConnectionBanner() {
    const connected = useStore((s) => s.connected);
    const [everConnected, setEverConnected] = useState(false);
    useEffect(() => {
        if (connected) setEverConnected(true);
    }, [connected]);
    if (connected || !everConnected) return null;
    return <div className='connection-banner' role='status'>Connection lost. Reconnecting… (messages will catch up)</div>;
}

/** The tab says where the user is and how many mentions wait elsewhere. */
function DocumentTitle() {
    const title = useStore((s) => {
        const channel = s.channels[s.currentChannelId];
        const team = s.teams[s.currentTeamId];
        const mentions = Object.values(s.members).reduce((n, m) => n + (m.channel_id === s.currentChannelId ? 0 : m.mention_count), 0);
        const place = [channel ? channelTitle(s, channel) : '', team?.display_name, s.config.SiteName || 'Chat'].filter(Boolean).join(' - ');
        return mentions > 0 ? `(${mentions}) ${place}` : place;
    });
    useEffect(() => {
        document.title = title;
    }, [title]);
    return null;
}

function Notice() {
    const notice = useStore((s) => s.notice);
    useEffect(() => {
        if (!notice) return undefined;
        const t = setTimeout(() => setState((s) => ({...s, notice: ''})), 8000);
        return () => clearTimeout(t);
    }, [notice]);
    if (!notice) return null;
    return (
        <div className='toast' role='status'>
            {notice} <button type='button' className='icon-button' aria-label='Dismiss' onClick={() => setState((s) => ({...s, notice: ''}))}>×</button>
        </div>
    );
}
