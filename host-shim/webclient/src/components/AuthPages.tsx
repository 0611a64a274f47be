// Log in, and sign up (the first account on a new server becomes its
// system admin, as in Mattermost). Links between the two are plain anchors:
// the app's click handler (routing.ts) keeps them in the page.

import {useState} from 'react';

import {logIn, signUp} from '../state/session';
import {setState, useStore} from '../state/store';

function useSubmit() {
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const run = async (work: () => Promise<void>) => {
        setBusy(true);
        setError('');
        try {
            await work();
        } catch (e) {
            setError(e instanceof Error ? e.message : String(e));
        } finally {
            setBusy(false);
        }
    };
    return {error, busy, run};
}

export function LoginPage() {
    const config = useStore((s) => s.config);
    const notice = useStore((s) => s.notice);
    const [loginId, setLoginId] = useState('');
    const [password, setPassword] = useState('');
    const {error, busy, run} = useSubmit();
    return (
        <main className='auth-page'>
            <form className='auth-card' onSubmit={(e) => {
                e.preventDefault();
                setState((s) => ({...s, notice: ''}));
                run(() => logIn(loginId, password));
            }}>
                <h1>{config.SiteName || 'Chat'}</h1>
                <p className='muted'>Log in to your account</p>
                {notice && <p className='notice' role='status'>{notice}</p>}
                <label>Email or username<input name='login_id' autoComplete='username' autoFocus required value={loginId} onChange={(e) => setLoginId(e.target.value)}/></label>
                <label>Password<input name='password' type='password' autoComplete='current-password' required value={password} onChange={(e) => setPassword(e.target.value)}/></label>
                {error && <p className='form-error' role='alert'>{error}</p>}
                <button type='submit' className='primary' disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
                {config.EnableOpenServer !== 'false' && (
                    <p>No account? <a href='/signup_user_complete'>Create one</a></p>
                )}
            </form>
        </main>
    );
}

export function SignupPage() {
    const config = useStore((s) => s.config);
    const first = config.NoAccounts === 'true';
    const [username, setUsername] = useState('');
    const [email, setEmail] = useState('');
    const [password, setPassword] = useState('');
    const {error, busy, run} = useSubmit();
    return (
        <main className='auth-page'>
            <form className='auth-card' onSubmit={(e) => {
                e.preventDefault();
                run(() => signUp(username, email, password));
            }}>
                <h1>{config.SiteName || 'Chat'}</h1>
                <p className='muted'>{first ? 'Set up the server: this first account will be its system admin.' : 'Create your account'}</p>
                <label>Email<input name='email' type='email' autoComplete='email' autoFocus required value={email} onChange={(e) => setEmail(e.target.value)}/></label>
                <label>Username<input name='username' autoComplete='username' required value={username} onChange={(e) => setUsername(e.target.value.toLowerCase())}
                    pattern='[a-z][a-z0-9._\-]{2,21}' title='3 to 22 characters: lowercase letters, digits, ".", "-" or "_", starting with a letter'/></label>
                <label>Password<input name='password' type='password' autoComplete='new-password' required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)}/></label>
                {error && <p className='form-error' role='alert'>{error}</p>}
                <button type='submit' className='primary' disabled={busy}>{busy ? 'Creating…' : 'Create account'}</button>
                {!first && <p>Already have an account? <a href='/login'>Log in</a></p>}
            </form>
        </main>
    );
}
