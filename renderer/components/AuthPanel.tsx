import { useState } from 'react';
import type { AuthState, ClientState } from '#common/index.js';
import { notAuthorisedMessage } from '#common/index.js';
import { refusalNote } from '../model/not-authorised.js';
import { useApi } from './api-context.js';
import { FallbackContacts } from './PageStatusView.js';

/** Everything that is not "signed in and allowed": what the state is, and what to do next. */
export function AuthPanel({ state }: { state: ClientState }) {
  const api = useApi();
  const [error, setError] = useState<string | null>(null);
  const auth: AuthState = state.auth;
  const note = auth.status === 'not-authorised' ? refusalNote(auth.message) : null;
  const run = async (f: () => Promise<{ ok: boolean; error?: { message: string } }>) => {
    setError(null);
    const r = await f();
    if (!r.ok) setError(r.error?.message ?? 'Something went wrong. Try again.');
  };

  return (
    <section className="auth-panel" aria-labelledby="auth-title">
      {auth.status === 'signed-out' && (
        <>
          <h2 id="auth-title">Sign in to Klaxon</h2>
          <p>Sign in with your organisation account to see incidents and page SRE.</p>
          {auth.message && <p className="notice">{auth.message}</p>}
          <button type="button" className="primary" onClick={() => void run(() => api.signIn())} autoFocus>
            Sign in
          </button>
        </>
      )}
      {auth.status === 'signing-in' && (
        <>
          <h2 id="auth-title">Finish signing in in your browser</h2>
          <p>Klaxon opened your browser to sign in. Come back here when it says you are done.</p>
          {auth.authorizeUrl && <CopyableUrl url={auth.authorizeUrl} />}
          <button type="button" className="secondary" onClick={() => void run(() => api.cancelSignIn())}>
            Cancel sign-in
          </button>
        </>
      )}
      {auth.status === 'not-authorised' && (
        <>
          <h2 id="auth-title">You cannot use Klaxon yet</h2>
          {auth.me && (
            <p>
              Signed in as <strong>{auth.me.user.name}</strong>
              {auth.me.user.email ? ` (${auth.me.user.email})` : ''}.
            </p>
          )}
          <p className="notice" data-testid="not-authorised">
            {notAuthorisedMessage(auth.requiredGroups)}
          </p>
          {note && <p className="muted">{note}</p>}
          {/* Access takes time to arrive; an emergency does not wait for it. */}
          <FallbackContacts
            contacts={state.config?.fallbackContacts ?? []}
            intro="In an emergency, reach SRE without Klaxon:"
          />
          <button type="button" className="secondary" onClick={() => void run(() => api.signOut())}>
            Sign out
          </button>
        </>
      )}
      <div role="alert">{error && <p className="error-text">{error}</p>}</div>
    </section>
  );
}

/**
 * The sign-in link, for when the default browser is the wrong one (say, not the one signed in to
 * the organisation's account): the person copies it into the right browser.
 */
function CopyableUrl({ url }: { url: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="field">
      <label htmlFor="authorize-url">Or open this link in another browser:</label>
      <div className="copy-row">
        <input id="authorize-url" type="text" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          className="secondary small"
          onClick={() =>
            void navigator.clipboard?.writeText(url).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          Copy link
        </button>
      </div>
      <span role="status" className="muted small-text">
        {copied ? 'Link copied.' : ''}
      </span>
    </div>
  );
}
