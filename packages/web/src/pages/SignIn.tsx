import { type FormEvent, useState } from 'react';
import { messageOf } from '../api';
import { LOCAL_USERS, signInCognito, signInLocal } from '../auth/session';
import { config } from '../config';

/** Locally: pick a seeded user (the local issuer mints their token). In the cloud: Cognito's hosted UI. */
export function SignIn({ error }: { error?: string }) {
  const [userId, setUserId] = useState(LOCAL_USERS[0].userId);
  const [problem, setProblem] = useState<string | undefined>(error);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      if (config.auth.kind === 'cognito') await signInCognito();
      else {
        const user = LOCAL_USERS.find((u) => u.userId === userId) ?? LOCAL_USERS[0];
        await signInLocal(user.userId, user.tenantId);
      }
    } catch (err) {
      setProblem(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in" id="main">
      <h1>Ballast</h1>
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
        {config.auth.kind === 'local' ? (
          <label>
            User
            <select value={userId} onChange={(e) => setUserId(e.target.value)}>
              {LOCAL_USERS.map((u) => (
                <option key={u.userId} value={u.userId}>
                  {u.userId} — {u.label}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p>You will sign in on the Ballast sign-in page and come back here.</p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {problem ? <p role="alert">{problem}</p> : null}
      </form>
    </main>
  );
}
