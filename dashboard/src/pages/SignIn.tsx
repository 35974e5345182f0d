import { useState } from 'preact/hooks';
import { answer, api, ApiError, calling, session } from '../api';

/**
 * The admin pastes an Ikoota JWT. It is tried on the admin overview before it is kept: a member's
 * token shows the API's 403 message, an expired or invalid one its 401 message.
 */
export function SignIn(props: { notice: string; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const pasted = token.trim().replace(/^Bearer\s+/i, '');
    if (!pasted) return setError('Paste a token first.');
    setBusy(true);
    setError('');
    try {
      await answer(calling.getOverview({ client: api, auth: pasted }), { signIn: true });
      session.signIn(pasted);
      props.onSignedIn();
    } catch (caught) {
      setError(caught instanceof ApiError ? `${caught.message} (${caught.status} ${caught.code})` : String(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <h1>Ikoota calling: admin dashboard</h1>
      <form onSubmit={submit} aria-describedby="signin-help">
        {props.notice && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        <label for="token">Ikoota JWT (admin or super_admin)</label>
        <textarea id="token" name="token" rows={5} spellcheck={false} autocomplete="off" value={token} onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)} />
        <p id="signin-help" class="help">
          Kept in this browser tab only (sessionStorage) and sent as a bearer token. For a local service:{' '}
          <code>npm run token -- --user 90001 --stage member --role admin</code>
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
