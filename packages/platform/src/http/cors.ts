/**
 * CORS as the API answers it, in the cloud (the HTTP API's CORS configuration) and locally (the
 * local runtime): which request headers a browser may send, which response headers its script may
 * read, and which origins are allowed — the latter is configuration data per stage.
 */

/** Request headers a cross-origin caller may send. */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-API-Key',
  'X-Tenant-Id',
  'X-Env',
  'X-Project-Id',
  'X-Request-Id',
  'Idempotency-Key',
  'If-Match',
] as const;

/** Response headers a cross-origin script may read (the rest of the HTTP conventions' headers). */
export const CORS_EXPOSE_HEADERS = [
  'ETag',
  'Location',
  'X-Request-Id',
  'Idempotent-Replayed',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'WWW-Authenticate',
] as const;

export const CORS_ALLOW_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** How long a browser may cache a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 3600;

/** `scheme://host[:port]`, lower case, no path; `:*` (any port) only where `anyPort` allows it. */
const ORIGIN = /^https?:\/\/(?:[a-z0-9-]{1,63}\.)*[a-z0-9-]{1,63}(?::(?:\d{1,5}|\*))?$/;

/**
 * A list of allowed origins, checked: exact origins (`https://app.example.com`); with `anyPort`
 * (the local runtime) also `http://localhost:*`. A cloud stage's list is matched by API Gateway,
 * which compares origins exactly, hence no patterns there.
 */
export function parseCorsOrigins(list: unknown, where: string, opts: { anyPort?: boolean } = {}): string[] {
  if (!Array.isArray(list)) throw new Error(`${where} must be a list of origins`);
  const origins = list.map((entry: unknown) => {
    if (typeof entry !== 'string' || !ORIGIN.test(entry))
      throw new Error(`${where}: '${String(entry)}' is not an origin like https://app.example.com`);
    if (entry.endsWith(':*') && !opts.anyPort)
      throw new Error(`${where}: '${entry}': any-port patterns work only in the local runtime`);
    return entry;
  });
  if (new Set(origins).size !== origins.length) throw new Error(`${where}: duplicate origin`);
  return origins;
}

/** Whether a request's `Origin` is one of `allowed` (an entry ending in `:*` matches any port). */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return false;
  return allowed.some((entry) => {
    if (!entry.endsWith(':*')) return entry === origin;
    const base = entry.slice(0, -2);
    return origin === base || (origin.startsWith(`${base}:`) && /^\d{1,5}$/.test(origin.slice(base.length + 1)));
  });
}

/**
 * A stage's allowed origins from the parsed `stacks/cors-origins.json` (`{ "stages": { "<stage>":
 * [...] } }`): a stage not listed allows none; only `local` may use any-port patterns. The stacks
 * and the local runtime each read the file and call this, so both read it by one rule.
 */
export function stageCorsOrigins(parsed: unknown, stage: string, where = 'cors-origins.json'): string[] {
  const stages = (parsed as { stages?: Record<string, unknown> } | null)?.stages;
  const list = stages && Object.hasOwn(stages, stage) ? stages[stage] : [];
  return parseCorsOrigins(list, `${where}: stages.${stage}`, { anyPort: stage === 'local' });
}
