// Logging in and out, and what the client loads once it knows who the
// user is: teams, the event stream, the plugins.

import {api, setUnauthorizedHandler} from '../api/client';
import type {ClientConfig, User} from '../api/types';
import {loadPlugins, unloadPlugins} from '../plugins/registry';
import {navigate} from '../routing';
import {clearDrafts} from '../components/MessageBox';
import {forgetLoadedTeams} from './channels';
import {startEvents, stopEvents} from './events';
import {forgetStatuses, loadPreferences} from './presence';
import {failed, getState, resetState, setState} from './store';

let booted = false;

/** First load: who is logged in (the cookie decides), then the page asked for. */
export async function boot() {
    if (booted) {
        return;
    }
    booted = true;
    setUnauthorizedHandler(() => {
        if (getState().me) {
            endSession('Your session has expired. Log in again.');
        }
    });
    const config: ClientConfig = await api.config().catch(() => ({}));
    setState((s) => ({...s, config}));
    try {
        const me = await api.me();
        await startSession(me);
    } catch {
        const path = getState().path;
        if (!path.startsWith('/signup_user_complete') && !path.startsWith('/login')) {
            const redirect = path === '/' ? '' : `?redirect_to=${encodeURIComponent(path)}`;
            navigate(config.NoAccounts === 'true' ? '/signup_user_complete' : `/login${redirect}`, true);
        }
        setState((s) => ({...s, config}));
    }
}

export async function startSession(me: User) {
    const teams = await api.myTeams();
    setState((s) => ({
        ...s,
        me,
        users: {...s.users, [me.id]: me},
        teams: Object.fromEntries(teams.map((t) => [t.id, t])),
        myTeamIds: teams.filter((t) => t.delete_at === 0).map((t) => t.id),
    }));
    startEvents();
    loadPreferences().catch(failed('load your preferences'));
    loadPlugins().catch((e) => console.error('plugins failed to load', e));
}

export async function logIn(loginId: string, password: string) {
    const me = await api.login(loginId.trim(), password);
    await startSession(me);
    navigate(safeRedirect(new URLSearchParams(window.location.search).get('redirect_to')), true);
}

/**
 * Where `redirect_to` may send a user after login: a path of this site
 * only. Parsed as the browser would (`/\\evil.com`, `/<tab>/evil.com` and
 * `//evil.com` leave the site), anything else is `/`.
 */
export function safeRedirect(raw: string | null): string {
    if (!raw) return '/';
    try {
        const url = new URL(raw, window.location.origin);
        if (url.origin !== window.location.origin || !raw.startsWith('/')) return '/';
        return url.pathname + url.search + url.hash;
    } catch {
        return '/';
    }
}

export async function signUp(username: string, email: string, password: string) {
    await api.signUp({username: username.trim(), email: email.trim(), password});
    await logIn(username, password);
}

export async function logOut() {
    await api.logout().catch(() => undefined);
    endSession('');
}

/** Back to the login page; an expired session comes back to where the user was. */
function endSession(notice: string) {
    const here = window.location.pathname + window.location.search;
    stopEvents();
    unloadPlugins();
    forgetLoadedTeams();
    forgetStatuses();
    clearDrafts();
    const config = getState().config;
    const login = notice && here !== '/' && !here.startsWith('/login') ? `/login?redirect_to=${encodeURIComponent(here)}` : '/login';
    resetState({config, notice, path: '/login'});
    window.history.pushState({}, '', login);
}

/**
 * The user's own remembered value `name` in localStorage (keys carry the
 * user id, so people sharing a browser do not share them): `undefined`
 * reads, `null` forgets. Private browsing may refuse storage: then nothing
 * is remembered.
 */
function pref(name: string, value?: string | null): string | null {
    const me = getState().me;
    if (!me) return null;
    const key = `${name}:${me.id}`;
    try {
        if (value === undefined) return localStorage.getItem(key);
        if (value === null) localStorage.removeItem(key);
        else localStorage.setItem(key, value);
    } catch {
        // nothing remembered
    }
    return null;
}

/** Remembers the last channel per team, so `/` and team switches return there. */
export function rememberChannel(teamName: string, channelName: string) {
    pref(`last_channel:${teamName}`, channelName);
    pref('last_team', teamName);
}

export function forgetChannel(teamName: string) {
    pref(`last_channel:${teamName}`, null);
}

export function lastChannel(teamName: string): string | null {
    return pref(`last_channel:${teamName}`);
}

export function lastTeam(): string | null {
    return pref('last_team');
}
