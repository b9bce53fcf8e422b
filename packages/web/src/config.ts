/**
 * How the console signs in. The API is always the console's own origin: locally the runtime serves
 * both, in the cloud CloudFront sends `/v1/*` to the API (stacks/Console.ts), so no CORS is needed.
 */
export interface ConsoleConfig {
  auth:
    | { kind: 'local' }
    | { kind: 'cognito'; domain: string; clientId: string; redirectUri: string; scopes: string[] };
}

export const apiOrigin = window.location.origin;

/** Locally (no config file) sign-in is the local issuer's user picker. */
export const config: ConsoleConfig = { auth: { kind: 'local' } };

function isCognito(value: unknown): value is { auth: { kind: 'cognito'; domain: string; clientId: string } } {
  const auth = (value as { auth?: { kind?: unknown; domain?: unknown; clientId?: unknown } } | null)?.auth;
  return auth?.kind === 'cognito' && typeof auth.domain === 'string' && typeof auth.clientId === 'string';
}

/**
 * A stage's settings, which its Console stack writes next to the site as `/console-config.json`
 * (the Cognito client id is only known once the site's URL is): read once before the first render.
 */
export async function loadConfig(): Promise<void> {
  let found: unknown;
  try {
    const res = await fetch('/console-config.json', { cache: 'no-store' });
    if (res.ok && (res.headers.get('content-type') ?? '').includes('json')) found = await res.json();
  } catch {
    return;
  }
  if (!isCognito(found)) return;
  config.auth = {
    kind: 'cognito',
    domain: found.auth.domain.replace(/\/+$/, ''),
    clientId: found.auth.clientId,
    redirectUri: `${window.location.origin}/`,
    scopes: ['openid', 'email', 'profile'],
  };
}
