import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError } from '@ballast/platform/errors.js';
import { callPolicy } from '@ballast/platform/outbound/call-policy.js';
import { dynamoTokenBucket } from '@ballast/platform/outbound/token-bucket.js';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, T0 } from '../../../platform/test/support/harness.js';
import { MarketDataClient, type ProviderBinding } from './client.js';
import { type MarketDataProvider, ProviderError, type ProviderQuote } from './provider.js';
import { DynamoQuoteCache } from './store.dynamo.js';

let db: DynamoDBDocumentClient;
let table: string;

beforeAll(async () => {
  const made = await createTestTable('mdclient');
  db = made.db;
  table = made.table;
});

/** A provider whose answers the test scripts; it counts the calls it gets. */
function scriptedProvider(answer: (symbols: readonly string[], call: number) => ProviderQuote[] | Error) {
  const calls: string[][] = [];
  const provider: MarketDataProvider = {
    name: 'scripted',
    async quotes(symbols) {
      calls.push([...symbols]);
      const result = answer(symbols, calls.length);
      if (result instanceof Error) throw result;
      return result;
    },
    async searchSymbols() {
      return [];
    },
    async candles() {
      return [];
    },
  };
  return { provider, calls };
}

const quoteOf = (symbol: string, price = '100.5'): ProviderQuote => ({
  symbol,
  price,
  asOf: '2030-01-15T13:29:00.000Z',
});
const rateLimited = (retryAfterMs?: number) =>
  new ProviderError('scripted', 'rate-limited', 'slow down', { retryAfterMs });

interface Rig {
  client: MarketDataClient;
  calls: string[][];
  slept: number[];
  clock: { now: number };
}

/** A client over the real DynamoDB cache and bucket; `key` names the bucket and the circuit (shared when equal). */
function rig(
  answer: Parameters<typeof scriptedProvider>[0],
  o: { key?: string; tenantId?: string; capacity?: number; clock?: { now: number } } = {},
): Rig {
  const key = o.key ?? randomBytes(6).toString('hex');
  const clock = o.clock ?? { now: T0 };
  const now = () => clock.now;
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
  };
  const { provider, calls } = scriptedProvider(answer);
  const capacity = o.capacity ?? 50;
  const binding: ProviderBinding = {
    name: 'scripted',
    provider,
    bucket: dynamoTokenBucket(db, table, { key, capacity, refillPerMinute: capacity }, now),
    policy: {
      request: callPolicy(`test/${key}`, {
        maxAttempts: 3,
        maxDelayMs: 2000,
        sleep,
        breaker: { consecutiveFailures: 5 },
      }),
      job: callPolicy(`test/${key}`, { maxAttempts: 4, maxDelayMs: 15_000, sleep }),
    },
    settings: { quoteTtlMs: 60_000, capacity, refillPerMinute: capacity, credits: 'symbol' },
  };
  const cache = new DynamoQuoteCache(db, table, { tenantId: o.tenantId ?? `t_${key}` });
  return { client: new MarketDataClient(binding, cache, now), calls, slept, clock };
}

describe('the market-data client', () => {
  it('serves a cached quote without asking the provider while it is fresh (60 s), then asks again', async () => {
    const r = rig((symbols) => symbols.map((s) => quoteOf(s)));
    const first = await r.client.quotes(['AAPL', 'EUR-USD']);
    expect(first.failure).toBeUndefined();
    expect(r.calls).toEqual([['AAPL', 'EUR/USD']]);
    expect(first.quotes.get('EUR-USD')).toMatchObject({ stale: false, quote: { symbol: 'EUR-USD', price: '100.5' } });
    r.clock.now += 59_000;
    const cached = await r.client.quotes(['AAPL', 'EUR-USD']);
    expect(r.calls).toHaveLength(1);
    expect(cached.quotes.get('AAPL')?.stale).toBe(false);
    r.clock.now += 2_000;
    await r.client.quotes(['AAPL']);
    expect(r.calls).toEqual([['AAPL', 'EUR/USD'], ['AAPL']]);
  });

  it('shares its cache with every other client of the tenant (another Lambda)', async () => {
    const clock = { now: T0 };
    const one = rig((symbols) => symbols.map((s) => quoteOf(s)), { tenantId: 't_shared_cache', clock });
    const two = rig((symbols) => symbols.map((s) => quoteOf(s, '1')), { tenantId: 't_shared_cache', clock });
    await one.client.quotes(['MSFT']);
    const seen = await two.client.quotes(['MSFT']);
    expect(two.calls).toHaveLength(0);
    expect(seen.quotes.get('MSFT')?.quote.price).toBe('100.5');
  });

  it('serves the last cached quote marked stale when the provider fails, and says why', async () => {
    let down = false;
    const r = rig((symbols) =>
      down ? new ProviderError('scripted', 'unavailable', 'down') : symbols.map((s) => quoteOf(s)),
    );
    await r.client.quotes(['VTI']);
    down = true;
    r.clock.now += 5 * 60_000;
    const result = await r.client.quotes(['VTI']);
    expect(result.quotes.get('VTI')).toMatchObject({ stale: true, quote: { price: '100.5' } });
    expect(result.failure).toMatchObject({ status: 503, code: 'PROVIDER_UNAVAILABLE' });
    expect(r.calls.length).toBe(1 + 3); // the first fetch, then three attempts
  });

  it('with nothing cached, the failure is a 503 PROVIDER_UNAVAILABLE with Retry-After', async () => {
    const r = rig(() => rateLimited(1_000));
    const result = await r.client.quotes(['BND']);
    expect(result.quotes.size).toBe(0);
    expect(result.failure).toBeInstanceOf(AppError);
    expect(result.failure).toMatchObject({ status: 503, code: 'PROVIDER_UNAVAILABLE' });
    expect(Number(result.failure?.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
  });

  it('retries a 429 honouring its Retry-After, each attempt paying its tokens', async () => {
    const r = rig((symbols, call) => (call < 3 ? rateLimited(1_500) : symbols.map((s) => quoteOf(s))), {
      capacity: 10,
    });
    const result = await r.client.quotes(['AAPL', 'MSFT']);
    expect(result.failure).toBeUndefined();
    expect(r.calls).toHaveLength(3);
    expect(r.slept).toHaveLength(2);
    for (const wait of r.slept) expect(wait).toBeGreaterThanOrEqual(1_500);
    // 3 attempts × 2 symbols of the 10 tokens: 4 are left
    const after = await r.client.quotes(['A1', 'A2', 'A3', 'A4', 'A5']);
    expect(after.failure?.code).toBe('PROVIDER_UNAVAILABLE');
  });

  it('does not wait out a Retry-After longer than a request may: it fails at once and serves what it has', async () => {
    const r = rig(() => rateLimited(45_000));
    const result = await r.client.quotes(['QQQ']);
    expect(r.calls).toHaveLength(1);
    expect(r.slept).toEqual([]);
    expect(result.failure?.code).toBe('PROVIDER_UNAVAILABLE');
  });

  it('shares one rate budget between two clients of one key (two Lambdas): together they stay within it', async () => {
    const key = randomBytes(6).toString('hex');
    const clock = { now: T0 };
    const answer = (symbols: readonly string[]) => symbols.map((s) => quoteOf(s));
    const one = rig(answer, { key, capacity: 3, clock, tenantId: 't_bucket_one' });
    const two = rig(answer, { key, capacity: 3, clock, tenantId: 't_bucket_two' });
    const results = await Promise.all(
      ['S1', 'S2', 'S3', 'S4', 'S5', 'S6'].map((symbol, i) => (i % 2 ? one : two).client.quotes([symbol])),
    );
    const fetched = one.calls.length + two.calls.length;
    expect(fetched).toBe(3);
    expect(results.filter((r) => r.failure?.code === 'PROVIDER_UNAVAILABLE')).toHaveLength(3);
    for (const refused of results.filter((r) => r.failure)) {
      expect(Number(refused.failure?.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
    }
    // a minute later the bucket is full again, for both
    clock.now += 60_000;
    expect((await one.client.quotes(['S7'])).failure).toBeUndefined();
  });

  it('opens the circuit after five failures in a row: then nobody calls the provider for a while', async () => {
    const r = rig(() => new ProviderError('scripted', 'unavailable', 'down'));
    await r.client.quotes(['C1']); // three attempts
    await r.client.quotes(['C2']); // two more: the circuit opens
    const callsWhenOpen = r.calls.length;
    expect(callsWhenOpen).toBe(5);
    const refused = await r.client.quotes(['C3']);
    expect(r.calls.length).toBe(callsWhenOpen);
    expect(refused.failure).toMatchObject({ status: 503, code: 'PROVIDER_UNAVAILABLE' });
    expect(Number(refused.failure?.headers?.['Retry-After'])).toBeGreaterThan(1);
  });

  it('turns a refused key into 503 PROVIDER_UNAUTHORIZED and a refused request into 422, neither retried', async () => {
    const unauthorized = rig(() => new ProviderError('scripted', 'unauthorized', 'bad key'));
    expect((await unauthorized.client.quotes(['X1'])).failure?.code).toBe('PROVIDER_UNAUTHORIZED');
    expect(unauthorized.calls).toHaveLength(1);
    const rejected = rig(() => new ProviderError('scripted', 'bad-request', 'no such thing'));
    expect((await rejected.client.quotes(['X2'])).failure).toMatchObject({ status: 422, code: 'PROVIDER_REJECTED' });
  });

  it('with provider `none` serves only what is cached, and refuses search and candles with NO_PROVIDER', async () => {
    const client = new MarketDataClient(undefined, new DynamoQuoteCache(db, table, { tenantId: 't_none' }), () => T0);
    expect((await client.quotes(['AAPL'])).quotes.size).toBe(0);
    await expect(client.searchSymbols('apple')).rejects.toMatchObject({ status: 422, code: 'NO_PROVIDER' });
    await expect(
      client.candles({ symbol: 'AAPL', interval: '1day', from: '2030-01-01', to: '2030-01-02' }),
    ).rejects.toMatchObject({ code: 'NO_PROVIDER' });
  });
});
