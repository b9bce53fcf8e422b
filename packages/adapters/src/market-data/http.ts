import { ProviderError } from '@ballast/app/market-data/provider.js';
import { exchange, TransportError } from '../http.js';

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

export { DEFAULT_TIMEOUT_MS, msToNextMinute, retryAfterHeaderMs, timeoutOf, vendorMessage } from '../http.js';

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
  try {
    const answer = await exchange(fetchImpl, { method: 'GET', url, headers, timeoutMs });
    return { status: answer.status, headers: answer.headers, body: answer.body };
  } catch (e) {
    if (!(e instanceof TransportError)) throw e;
    throw new ProviderError(provider, 'unavailable', e.message, { cause: e.cause });
  }
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
