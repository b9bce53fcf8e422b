/**
 * The HTTP every adapter shares, whatever its port: one exchange with a timeout, read to the end,
 * its JSON parsed if it is JSON. A request that got no answer (a timeout, a dropped connection, a
 * refused one) is a TransportError; each adapter turns it into its port's error, and a broker
 * knows that such a POST may or may not have been carried out.
 */

export const DEFAULT_TIMEOUT_MS = 10_000;
const MIN_TIMEOUT_MS = 10;
const MAX_TIMEOUT_MS = 60_000;

/** `options.timeoutMs` of the routing entry when it is sane (10 ms – 60 s), else the default. */
export function timeoutOf(options: Readonly<Record<string, unknown>> | undefined): number {
  const asked = options?.timeoutMs;
  return typeof asked === 'number' && Number.isFinite(asked) && asked >= MIN_TIMEOUT_MS && asked <= MAX_TIMEOUT_MS
    ? asked
    : DEFAULT_TIMEOUT_MS;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** the parsed JSON body, or undefined when the body is empty or not JSON */
  body: unknown;
  /** true when the body was there but was not JSON */
  unreadable: boolean;
}

/** No answer arrived: `timedOut` when the time ran out, else the connection failed or was dropped. */
export class TransportError extends Error {
  constructor(
    readonly timedOut: boolean,
    readonly timeoutMs: number,
    options: { cause?: unknown } = {},
  ) {
    super(timedOut ? `no answer within ${timeoutMs} ms` : 'the request failed before an answer', options);
    this.name = 'TransportError';
  }
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** sent as JSON */
  json?: unknown;
  timeoutMs: number;
}

/**
 * One request and its whole answer. Credentials travel in `headers`, never in the URL: URLs end
 * up in logs, error messages and traces.
 */
export async function exchange(fetchImpl: typeof fetch, request: HttpRequest): Promise<HttpAnswer> {
  let response: Response;
  let text: string;
  const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
  if (request.json !== undefined) headers['Content-Type'] = 'application/json';
  try {
    // One signal for the whole exchange: a vendor that sends its headers and then stalls the
    // body is as unavailable as one that never answers.
    response = await fetchImpl(request.url, {
      method: request.method,
      headers,
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    text = await response.text();
  } catch (e) {
    const name = (e as { name?: string }).name;
    throw new TransportError(name === 'TimeoutError' || name === 'AbortError', request.timeoutMs, { cause: e });
  }
  let body: unknown;
  let unreadable = false;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
    unreadable = true;
  }
  return { status: response.status, headers: response.headers, body, unreadable };
}

/** Milliseconds until the next whole minute of `nowMs`: when per-minute allowances reset. */
export const msToNextMinute = (nowMs: number): number => 60_000 - (((nowMs % 60_000) + 60_000) % 60_000);

/** A Retry-After header (delay-seconds or an HTTP date) in ms from `nowMs`; undefined when absent or unreadable. */
export function retryAfterHeaderMs(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** A vendor's own words for an error, kept short (they go into messages the API may show). */
export function vendorMessage(value: unknown, fallback: string): string {
  const text = typeof value === 'string' && value.trim() ? value.trim() : fallback;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
