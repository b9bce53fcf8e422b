import {
  type Broker,
  type BrokerDeps,
  BrokerError,
  type BrokerFactory,
  type BrokerFailure,
  type BrokerOrder,
  type BrokerSettings,
} from '@ballast/app/trading/broker.js';
import type * as z from 'zod/mini';
import {
  exchange,
  type HttpAnswer,
  type HttpRequest,
  retryAfterHeaderMs,
  TransportError,
  timeoutOf,
} from '../../http.js';
import { requestBudget } from '../request-budget.js';
import {
  accountBody,
  brokerAccountOf,
  brokerOrderOf,
  brokerPositionsOf,
  errorBody,
  orderBody,
  orderRequestBody,
  positionsBody,
  requestProblem,
} from './wire.js';

/**
 * Alpaca (https://docs.alpaca.markets/reference), paper and live, as
 * ../../../../../../shared/VENDORS.md describes it.
 *
 * - The keys go in `APCA-API-KEY-ID` / `APCA-API-SECRET-KEY`, never in a URL, never in a message.
 * - An order is placed once. A POST that got no answer (timeout, dropped connection), a 5xx or an
 *   unreadable 2xx may or may not have placed it, so it is looked up by its client order id: found
 *   → that is the answer; not found → the same body is sent again (safe: Alpaca refuses a reused
 *   client order id). A 422 "client_order_id must be unique" answers the order holding the id.
 *   At most 3 POSTs for one submitOrder, then 'unavailable' (retryable: the caller may try again
 *   with the same client order id, which is just as safe).
 * - 429 on any call: waits (Retry-After when sent, else exponential backoff with jitter) and
 *   retries, at most 3 times and never longer than 10 s a wait, then 'rate-limited' with
 *   `retryAfterMs`. Besides that each instance keeps to `requestsPerMinute` (Alpaca allows 200
 *   a minute per key), waiting up to 10 s for a free slot.
 * - Errors: 401 and 403 "forbidden." → unauthorized; 403 "insufficient buying power / qty" →
 *   insufficient-buying-power with the broker's figures; other 403 (code 40310000) → rejected;
 *   422 → rejected on a submit, not-cancelable on a cancel, bad-request on a read; 404 →
 *   not-found (reads answer undefined); other 4xx → bad-request; 5xx, timeouts and answers that
 *   are not what Alpaca sends → unavailable.
 *
 * Routing options: `timeoutMs` (default 10 s, per request, body included), `requestsPerMinute`
 * (default 200).
 */

export const ALPACA = 'alpaca';

const BASE_URLS: Readonly<Record<BrokerSettings['endpoint'], string>> = {
  paper: 'https://paper-api.alpaca.markets',
  live: 'https://api.alpaca.markets',
};
const DEFAULT_REQUESTS_PER_MINUTE = 200;
const MAX_REQUESTS_PER_MINUTE = 10_000;
const MAX_POSTS = 3;
const MAX_RATE_LIMIT_RETRIES = 3;
/** the longest the adapter waits at once (a Lambda has better things to do): longer is the caller's call */
const MAX_WAIT_MS = 10_000;
const BACKOFF_BASE_MS = 500;
const MAX_MESSAGE = 200;
const DUPLICATE_CODE = 40010001;
const DUPLICATE = /client_order_id must be unique/i;
const INSUFFICIENT = /insufficient (buying power|qty|quantity)/i;
/** fields of an error body worth keeping in the message (the broker's figures) */
const FIGURES = ['buying_power', 'cost_basis', 'available', 'existing_qty', 'held_for_orders', 'requested'];

type Method = HttpRequest['method'];

function requestsPerMinuteOf(options: BrokerSettings['options']): number {
  const asked = options?.requestsPerMinute;
  return typeof asked === 'number' && Number.isInteger(asked) && asked >= 1
    ? Math.min(asked, MAX_REQUESTS_PER_MINUTE)
    : DEFAULT_REQUESTS_PER_MINUTE;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** how the refusal of a 422 reads for each kind of call */
type On422 = 'rejected' | 'not-cancelable' | 'bad-request';

export function createAlpaca(settings: BrokerSettings, deps: BrokerDeps = {}): Broker {
  const baseUrl = (settings.baseUrl ?? BASE_URLS[settings.endpoint] ?? BASE_URLS.paper).replace(/\/+$/, '');
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const now = deps.now ?? (() => Date.now());
  const sleep = deps.sleep ?? defaultSleep;
  const timeoutMs = timeoutOf(settings.options);
  const secrets = [settings.keyId, settings.secretKey].filter((secret) => secret && secret.length >= 4);
  const headers = { 'APCA-API-KEY-ID': settings.keyId, 'APCA-API-SECRET-KEY': settings.secretKey };

  /** Alpaca's words, the keys taken out should it ever echo them, at most MAX_MESSAGE characters */
  function message(text: string): string {
    let out = `Alpaca: ${text.replace(/\s+/g, ' ').trim()}`;
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE - 3)}...` : out;
  }

  const error = (kind: BrokerFailure, text: string, options: BrokerError['options'] = {}) =>
    new BrokerError(ALPACA, kind, message(text), options);

  const budget = requestBudget({
    perMinute: requestsPerMinuteOf(settings.options),
    now,
    sleep,
    maxWaitMs: MAX_WAIT_MS,
    onExhausted: (waitMs) =>
      error('rate-limited', `client-side budget of requests a minute used up`, { retryAfterMs: waitMs }),
  });

  /** 1st, 2nd, 3rd retry: about 0.5, 1, 2 s, each between half and all of that (jitter) */
  const backoffMs = (retry: number) => {
    const ceiling = BACKOFF_BASE_MS * 2 ** retry;
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  };

  /**
   * One call, within the budget, with 429s waited out. A request that got no answer throws a
   * TransportError (the caller decides what that means); a 429 that outlasts the retries throws
   * 'rate-limited'; every other answer is returned as it came.
   */
  async function send(method: Method, path: string, json?: unknown): Promise<HttpAnswer> {
    for (let retry = 0; ; retry++) {
      await budget.take();
      const answer = await exchange(fetchImpl, { method, url: `${baseUrl}${path}`, headers, json, timeoutMs });
      if (answer.status !== 429) return answer;
      const waitMs = retryAfterHeaderMs(answer.headers, now()) ?? backoffMs(retry);
      if (retry >= MAX_RATE_LIMIT_RETRIES || waitMs > MAX_WAIT_MS) {
        const said = errorBody.safeParse(answer.body);
        throw error('rate-limited', said.success && said.data.message ? said.data.message : 'too many requests', {
          status: 429,
          vendorCode: said.success ? said.data.code : undefined,
          retryAfterMs: waitMs,
        });
      }
      await sleep(waitMs);
    }
  }

  /** `send`, a request without an answer being 'unavailable' */
  async function call(method: Method, path: string, json?: unknown): Promise<HttpAnswer> {
    try {
      return await send(method, path, json);
    } catch (e) {
      if (e instanceof TransportError) throw error('unavailable', e.message, { cause: e.cause });
      throw e;
    }
  }

  /** the failure a non-2xx answer stands for */
  function failure(answer: HttpAnswer, on422: On422): BrokerError {
    const { status } = answer;
    const said = errorBody.safeParse(answer.body);
    const vendorCode = said.success ? said.data.code : undefined;
    const words = (said.success && said.data.message?.trim()) || `HTTP ${status}`;
    const options = { status, vendorCode };
    if (status === 401) return error('unauthorized', words, options);
    if (status === 403) {
      if (INSUFFICIENT.test(words)) return error('insufficient-buying-power', withFigures(words, answer.body), options);
      if (vendorCode !== undefined) return error('rejected', withFigures(words, answer.body), options);
      return error('unauthorized', words, options);
    }
    if (status === 404) return error('not-found', words, options);
    if (status === 422) return error(on422, words, options);
    if (status >= 500 || status === 408) return error('unavailable', words, options);
    return error('bad-request', words, options);
  }

  /** the broker's figures beside its words: "insufficient buying power (buying_power 176531.28, cost_basis 4864…)" */
  function withFigures(words: string, body: unknown): string {
    if (typeof body !== 'object' || body === null) return words;
    const record = body as Record<string, unknown>;
    const figures = FIGURES.filter((name) => typeof record[name] === 'string' || typeof record[name] === 'number').map(
      (name) => `${name} ${String(record[name]).slice(0, 32)}`,
    );
    return figures.length ? `${words} (${figures.join(', ')})` : words;
  }

  function parsed<T>(schema: z.ZodMiniType<T>, answer: HttpAnswer, what: string): T {
    const result = schema.safeParse(answer.body);
    if (!result.success) throw error('unavailable', `sent an unexpected ${what}`, { status: answer.status });
    return result.data;
  }

  function orderOf(answer: HttpAnswer): BrokerOrder {
    const order = brokerOrderOf(parsed(orderBody, answer, 'order'));
    if (!order) throw error('unavailable', 'sent an order of a type Ballast does not know', { status: answer.status });
    return order;
  }

  const ok = (answer: HttpAnswer) => answer.status >= 200 && answer.status < 300;

  async function orderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    if (typeof clientOrderId !== 'string' || !clientOrderId) return undefined;
    const query = new URLSearchParams({ client_order_id: clientOrderId });
    const answer = await call('GET', `/v2/orders:by_client_order_id?${query}`);
    if (answer.status === 404) return undefined;
    if (!ok(answer)) throw failure(answer, 'bad-request');
    return orderOf(answer);
  }

  /** the order holding the id after an ambiguous POST, or undefined when Alpaca has none (or could not say) */
  async function lookUp(clientOrderId: string): Promise<BrokerOrder | undefined> {
    try {
      return await orderByClientId(clientOrderId);
    } catch (e) {
      // not knowing is no reason to stop: a re-sent POST with the same id cannot place a second order
      if (e instanceof BrokerError && e.kind === 'unavailable') return undefined;
      throw e;
    }
  }

  return {
    name: ALPACA,

    async submitOrder(request) {
      const problem = requestProblem(request);
      if (problem) throw error('bad-request', problem);
      const body = orderRequestBody(request);
      let last = 'no answer';
      for (let post = 1; post <= MAX_POSTS; post++) {
        let answer: HttpAnswer | undefined;
        try {
          answer = await send('POST', '/v2/orders', body);
        } catch (e) {
          if (!(e instanceof TransportError)) throw e;
          last = e.message;
        }
        if (answer && ok(answer)) {
          const order = orderBody.safeParse(answer.body);
          if (order.success) {
            const mapped = brokerOrderOf(order.data);
            if (mapped) return mapped;
          }
          last = 'an unexpected answer to the order';
        } else if (answer) {
          const said = errorBody.safeParse(answer.body);
          const refusal = said.success ? said.data : {};
          if (answer.status === 422 && (refusal.code === DUPLICATE_CODE || DUPLICATE.test(refusal.message ?? ''))) {
            const holder = await orderByClientId(request.clientOrderId);
            if (holder) return holder;
            throw error('duplicate-client-order-id', refusal.message || 'client_order_id must be unique', {
              status: 422,
              vendorCode: refusal.code,
            });
          }
          // a 408 is the server's own timeout: as ambiguous as ours
          if (answer.status < 500 && answer.status !== 408) throw failure(answer, 'rejected');
          last = `HTTP ${answer.status}`;
        }
        // Ambiguous: the order may have been placed. Ask before sending it again.
        const placed = await lookUp(request.clientOrderId);
        if (placed) return placed;
      }
      throw error('unavailable', `the order was not confirmed after ${MAX_POSTS} attempts (${last})`);
    },

    orderByClientId,

    async order(brokerOrderId) {
      if (typeof brokerOrderId !== 'string' || !brokerOrderId) return undefined;
      const answer = await call('GET', `/v2/orders/${encodeURIComponent(brokerOrderId)}`);
      if (answer.status === 404) return undefined;
      if (!ok(answer)) throw failure(answer, 'bad-request');
      return orderOf(answer);
    },

    async cancelOrder(brokerOrderId) {
      if (typeof brokerOrderId !== 'string' || !brokerOrderId) throw error('bad-request', 'no order id');
      const answer = await call('DELETE', `/v2/orders/${encodeURIComponent(brokerOrderId)}`);
      if (!ok(answer)) throw failure(answer, 'not-cancelable');
    },

    async account() {
      const answer = await call('GET', '/v2/account');
      if (!ok(answer)) throw failure(answer, 'bad-request');
      return brokerAccountOf(parsed(accountBody, answer, 'account'));
    },

    async positions() {
      const answer = await call('GET', '/v2/positions');
      if (!ok(answer)) throw failure(answer, 'bad-request');
      return brokerPositionsOf(parsed(positionsBody, answer, 'list of positions'));
    },
  };
}

export const alpacaBroker: BrokerFactory = (settings, deps) => createAlpaca(settings, deps);
