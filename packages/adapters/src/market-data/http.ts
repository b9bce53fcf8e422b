import { ProviderError } from '@ballast/app/market-data/provider.js';

/**
 * The HTTP every market-data adapter shares: one GET with a timeout, read to the end, its JSON
 * parsed if it is JSON. Network failures and timeouts become a retryable ProviderError here, so
 * an adapter only has to judge the answers that did arrive.
 */

/** What an adapter can be given beyond the port's `fetch`: a clock, for Retry-After arithmetic in tests. */
export interface AdapterDeps {
  fetch?: typeof fetch;
  now?: () => number;
}

export interface VendorAnswer {
  status: number;
  headers: Headers;
  /** the parsed JSON body, or undefined when the body is empty or not JSON */
  body: unknown;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** `options.timeoutMs` of the routing entry when it is sane (10 ms – 60 s), else the default. */
export function timeoutOf(options: Readonly<Record<string, unknown>> | undefined): number {
  const asked = options?.timeoutMs;
  return typeof asked === 'number' && Number.isFinite(asked) && asked >= 10 && asked <= 60_000
    ? asked
    : DEFAULT_TIMEOUT_MS;
}

/**
 * GETs `url` with `headers`. The credential travels in a header, never in the URL: URLs end up
 * in logs, error messages and traces.
 */
export async function getJson(
  provider: string,
  fetchImpl: typeof fetch,
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<VendorAnswer> {
  let response: Response;
  let text: string;
  try {
    // One signal for the whole exchange: a vendor that sends its headers and then stalls the
    // body is as unavailable as one that never answers.
    response = await fetchImpl(url, {
      method: 'GET',
      headers: { Accept: 'application/json', ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (e) {
    const name = (e as { name?: string }).name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    throw new ProviderError(
      provider,
      'unavailable',
      timedOut ? `no answer within ${timeoutMs} ms` : 'the request failed before an answer',
      { cause: e },
    );
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body };
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

/** `items` through `fn`, at most `limit` at a time, results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
