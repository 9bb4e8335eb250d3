import { createClipFleetClient } from '@clipfleet/api/client';
import { useState, type FormEvent } from 'react';
import { setApiKey } from '../utils/auth.ts';
import { takeSignOutReason } from '../utils/session.ts';
import { errorMessage, isAuthError } from '../utils/trpc.ts';

/** The API key is checked against `me.get` before it is stored. */
export function SignInPage() {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(() => takeSignOutReason());
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const candidate = key.trim();
    if (!candidate) {
      setError('Enter the API key printed by `npm start`.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await createClipFleetClient('', candidate).me.get.query();
      setApiKey(candidate);
    } catch (err) {
      setError(isAuthError(err) ? 'That API key was not accepted. Check it and try again.' : errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <div className="signin">
      <form className="card" onSubmit={submit} noValidate>
        <div className="card-body stack">
          <div>
            <div className="brand" style={{ marginBottom: 12 }}>
              <span className="brand-mark" aria-hidden="true">
                ▶
              </span>
              ClipFleet
            </div>
            <h1>Sign in</h1>
            <p className="muted" style={{ margin: '4px 0 0' }}>
              Use your API key. <code>npm start</code> prints a development key on first start.
            </p>
          </div>
          <label className="field">
            API key
            <input
              type="password"
              name="apiKey"
              autoComplete="off"
              autoFocus
              value={key}
              onChange={(e) => setKey(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'signin-error' : undefined}
            />
          </label>
          {error ? (
            <div id="signin-error" className="error-box" role="alert">
              {error}
            </div>
          ) : null}
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </div>
      </form>
    </div>
  );
}
