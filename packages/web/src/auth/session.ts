import { apiOrigin, config } from '../config';
import { challengeOf, randomVerifier } from './pkce';

/**
 * The signed-in user's tokens, held in memory only (never localStorage: a script injected into the
 * page could read that): a reload signs in again — silently with Cognito's hosted-UI session. The
 * access token is renewed a minute before it expires; a renewal keeps the original login time, so
 * only a real sign-in satisfies the API's fresh-login challenge (RFC 9470).
 */
export interface Session {
  userId: string;
  tenantId?: string;
  accessToken: string;
  /** epoch ms */
  expiresAt: number;
  /** epoch seconds of the interactive login (`auth_time`) */
  authTime: number;
  refreshToken?: string;
}

type Listener = () => void;
let current: Session | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<Listener>();

export function getSession(): Session | undefined {
  return current;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function claimsOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(json) as Record<string, unknown>;
}

function setSession(next: Session | undefined) {
  current = next;
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = undefined;
  if (next) {
    const due = Math.max(5_000, next.expiresAt - Date.now() - 60_000);
    refreshTimer = setTimeout(() => void renew().catch(() => setSession(undefined)), due);
  }
  for (const l of listeners) l();
}

function sessionFrom(accessToken: string, extra: Partial<Session> = {}): Session {
  const claims = claimsOf(accessToken);
  const exp = Number(claims.exp);
  return {
    userId: String(claims.sub ?? claims.username ?? ''),
    tenantId: typeof claims['custom:tenant_id'] === 'string' ? claims['custom:tenant_id'] : undefined,
    accessToken,
    expiresAt: Number.isFinite(exp) ? exp * 1000 : Date.now() + 30 * 60_000,
    authTime: Number(claims.auth_time ?? claims.iat ?? Math.floor(Date.now() / 1000)),
    ...extra,
  };
}

// --- local: the runtime's issuer -----------------------------------------------------------------

export interface LocalUser {
  userId: string;
  tenantId: string;
  label: string;
}

/** The seeded users of `npm start` (packages/local/src/seed.ts). */
export const LOCAL_USERS: LocalUser[] = [
  { userId: 'u_admin', tenantId: 't_demo', label: 'Admin (t_demo)' },
  { userId: 'u_sovereign', tenantId: 't_demo', label: 'Trader, sovereign tier (t_demo)' },
  { userId: 'u_operator', tenantId: 't_demo', label: 'Trader, operator tier (t_demo)' },
  { userId: 'u_navigator', tenantId: 't_demo', label: 'Trader, navigator tier (t_demo)' },
  { userId: 'u_observer', tenantId: 't_demo', label: 'Observer (t_demo)' },
  { userId: 'u_acme', tenantId: 't_acme', label: 'Trader (t_acme)' },
  { userId: 'u_system', tenantId: 't_system', label: 'System admin' },
];

async function mintLocal(userId: string, tenantId: string | undefined, authTime?: number): Promise<Session> {
  const res = await fetch(`${apiOrigin}/_local/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sub: userId, tenantId, expiresIn: '30m', ...(authTime ? { authTime } : {}) }),
  });
  const body = (await res.json()) as { accessToken?: string; detail?: string };
  if (!res.ok || !body.accessToken) throw new Error(body.detail ?? `The local issuer answered ${res.status}`);
  return { ...sessionFrom(body.accessToken), userId, tenantId };
}

export async function signInLocal(userId: string, tenantId: string): Promise<void> {
  setSession(await mintLocal(userId, tenantId));
}

// --- Cognito: hosted UI, authorisation code + PKCE ------------------------------------------------

const PKCE_KEY = 'ballast.pkce';

/** Sends the browser to the hosted UI; `fresh` asks it for a new login (the step-up). */
export async function signInCognito(fresh = false): Promise<void> {
  if (config.auth.kind !== 'cognito') return;
  const verifier = randomVerifier();
  const state = randomVerifier();
  // the verifier must survive the redirect: sessionStorage holds it (not a token) for this tab only
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, back: window.location.hash }));
  const url = new URL(`${config.auth.domain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.auth.clientId,
    redirect_uri: config.auth.redirectUri,
    scope: config.auth.scopes.join(' '),
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
    ...(fresh ? { prompt: 'login' } : {}),
  }).toString();
  window.location.assign(url.toString());
}

async function tokenCall(body: Record<string, string>): Promise<Session> {
  if (config.auth.kind !== 'cognito') throw new Error('Cognito is not configured');
  const res = await fetch(`${config.auth.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: config.auth.clientId, ...body }).toString(),
  });
  const tokens = (await res.json()) as { access_token?: string; refresh_token?: string; error?: string };
  if (!res.ok || !tokens.access_token) throw new Error(tokens.error ?? `Sign-in failed (${res.status})`);
  return sessionFrom(tokens.access_token, { refreshToken: tokens.refresh_token ?? body.refresh_token });
}

/** Completes a hosted-UI redirect (`?code=&state=`) if this page load is one. */
export async function completeCognitoRedirect(): Promise<void> {
  if (config.auth.kind !== 'cognito') return;
  const params = new URLSearchParams(window.location.search);
  const code = params.get('code');
  if (!code) return;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? '{}') as {
    verifier?: string;
    state?: string;
    back?: string;
  };
  sessionStorage.removeItem(PKCE_KEY);
  window.history.replaceState(null, '', `${window.location.pathname}${saved.back ?? ''}`);
  if (!saved.verifier || saved.state !== params.get('state')) throw new Error('The sign-in response did not match');
  setSession(
    await tokenCall({
      grant_type: 'authorization_code',
      code,
      redirect_uri: config.auth.redirectUri,
      code_verifier: saved.verifier,
    }),
  );
}

// --- both ---------------------------------------------------------------------------------------

async function renew(): Promise<void> {
  const s = current;
  if (!s) return;
  if (config.auth.kind === 'local') setSession(await mintLocal(s.userId, s.tenantId, s.authTime));
  else if (s.refreshToken) setSession(await tokenCall({ grant_type: 'refresh_token', refresh_token: s.refreshToken }));
}

/**
 * A fresh interactive login for the same user (the API's `insufficient_user_authentication`
 * challenge). Locally the user confirms in the console's dialog; with Cognito the hosted UI asks
 * for the password again and the console comes back where it was.
 */
export async function stepUp(): Promise<void> {
  const s = current;
  if (!s) throw new Error('Not signed in');
  if (config.auth.kind === 'local') setSession(await mintLocal(s.userId, s.tenantId));
  else await signInCognito(true);
}

export function signOut(): void {
  setSession(undefined);
}
