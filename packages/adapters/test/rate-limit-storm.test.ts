import { ProviderError } from '@ballast/app/market-data/provider.js';
import { CircuitOpenError, callPolicy } from '@ballast/platform/outbound/call-policy.js';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVendorServer } from '../../local/src/fakes/fake-server.js';
import { FAKE_POLYGON_KEY, startFakePolygon } from '../../local/src/fakes/polygon.js';
import { FAKE_TWELVE_DATA_KEY, startFakeTwelveData } from '../../local/src/fakes/twelvedata.js';
import { createPolygon } from '../src/market-data/polygon/index.js';
import { createTwelveData } from '../src/market-data/twelvedata/index.js';
import { Clock, failureOf, NOW, sleeper } from './support.js';

/**
 * The adapters under the platform's call policy, against fakes that refuse: what a tenant's
 * request path goes through when a vendor is rate-limiting or down. The policy's sleep moves the
 * clock the fakes and adapters share, so "wait until the next minute" really gets there.
 */

const clock = new Clock();
let twelveData: FakeVendorServer;
let polygon: FakeVendorServer;

const name = () => `vendor-${randomBytes(4).toString('hex')}`;
const tooManyCredits = {
  code: 429,
  message:
    'You have run out of API credits for the current minute. 9 API credits were used, with the current limit being 8.',
  status: 'error',
};
const bars = { symbol: 'AAPL', interval: '1day', from: '2030-01-02', to: '2030-01-10' } as const;

beforeAll(async () => {
  twelveData = await startFakeTwelveData({ now: clock.read });
  polygon = await startFakePolygon({ now: clock.read });
});

afterAll(async () => {
  await twelveData.close();
  await polygon.close();
});

afterEach(() => {
  twelveData.clearScripts();
  polygon.clearScripts();
  clock.now = NOW;
});

const td = () => createTwelveData({ baseUrl: twelveData.url, apiKey: FAKE_TWELVE_DATA_KEY }, { now: clock.read });
const pg = () => createPolygon({ baseUrl: polygon.url, apiKey: FAKE_POLYGON_KEY }, { now: clock.read });

describe('a 429 storm under the call policy', () => {
  it('Twelve Data: 3 × the HTTP-200 credits body, then bars — each wait lasts to the next minute', async () => {
    clock.now = NOW + 50_000; // 10 s before a minute boundary
    twelveData.script({ path: '/time_series', times: 3, respond: { status: 200, body: tooManyCredits } });
    const { sleeps, sleep } = sleeper(clock);
    const hits = twelveData.hits('/time_series');
    const policy = callPolicy(name(), { maxAttempts: 4, maxDelayMs: 60_000, sleep });
    const answer = await policy.execute(() => td().candles(bars));
    expect(answer.length).toBeGreaterThan(0);
    expect(twelveData.hits('/time_series') - hits).toBe(4);
    // to the boundary 10 s away, then (refused again right at it) a whole minute each: what the adapter said
    expect(sleeps).toEqual([10_000, 60_000, 60_000]);
    expect(policy.state).toBe('closed');
  });

  it('Polygon: a storm outlasting the attempts ends in the vendor’s error; Retry-After is waited out', async () => {
    polygon.script({
      path: '/v2/aggs',
      times: 10,
      respond: { status: 429, headers: { 'Retry-After': '2' }, body: { status: 'ERROR', error: 'exceeded' } },
    });
    const { sleeps, sleep } = sleeper(clock);
    const hits = polygon.hits('/v2/aggs');
    const policy = callPolicy(name(), { maxAttempts: 4, initialDelayMs: 100, sleep });
    const error = await failureOf(policy.execute(() => pg().candles(bars)));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: 2000 });
    expect(polygon.hits('/v2/aggs') - hits).toBe(4);
    expect(sleeps).toHaveLength(3);
    expect(sleeps.every((ms) => ms >= 2000)).toBe(true);
  });

  it('a wait longer than the policy allows is not waited: the error comes at once (serve stale)', async () => {
    clock.now = NOW + 5_000; // 55 s to the next minute, beyond a request path's 10 s
    twelveData.script({ path: '/quote', times: 1, respond: { status: 200, body: tooManyCredits } });
    const { sleeps, sleep } = sleeper(clock);
    const hits = twelveData.hits('/quote');
    const error = await failureOf(
      callPolicy(name(), { maxDelayMs: 10_000, sleep }).execute(() => td().quotes(['AAPL'])),
    );
    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: 55_000 });
    expect(twelveData.hits('/quote') - hits).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('an outage opens the circuit: later calls are refused without reaching the vendor', async () => {
    polygon.script({ path: '/v2/aggs', times: Number.POSITIVE_INFINITY, respond: { status: 503, body: 'down' } });
    const { sleep } = sleeper(clock);
    const policy = callPolicy(name(), { maxAttempts: 3, sleep, breaker: { consecutiveFailures: 5 } });
    await expect(policy.execute(() => pg().candles(bars))).rejects.toMatchObject({ kind: 'unavailable' });
    await expect(policy.execute(() => pg().candles(bars))).rejects.toMatchObject({ kind: 'unavailable' });
    expect(policy.state).toBe('open');
    const hits = polygon.hits('/v2/aggs');
    const refusal = await failureOf(policy.execute(() => pg().candles(bars)));
    expect(refusal).toBeInstanceOf(CircuitOpenError);
    expect(polygon.hits('/v2/aggs')).toBe(hits);
  });

  it('a bad key is not retried and does not open the circuit (it is not an outage)', async () => {
    const { sleeps, sleep } = sleeper(clock);
    const policy = callPolicy(name(), { sleep, breaker: { consecutiveFailures: 2 } });
    const wrongKey = createTwelveData({ baseUrl: twelveData.url, apiKey: 'revoked' }, { now: clock.read });
    for (let i = 0; i < 4; i++) {
      await expect(policy.execute(() => wrongKey.quotes(['AAPL']))).rejects.toMatchObject({ kind: 'unauthorized' });
    }
    expect(sleeps).toEqual([]);
    expect(policy.state).toBe('closed');
  });

  it('the vendor’s own credit limit: the policy waits for the minute to turn, then the call succeeds', async () => {
    clock.now = NOW + 30_000;
    const limited = await startFakeTwelveData({ now: clock.read, creditsPerMinute: 8 });
    try {
      const adapter = createTwelveData({ baseUrl: limited.url, apiKey: FAKE_TWELVE_DATA_KEY }, { now: clock.read });
      const { sleeps, sleep } = sleeper(clock);
      const policy = callPolicy(name(), { maxDelayMs: 60_000, sleep });
      expect(
        await policy.execute(() => adapter.quotes(['AAPL', 'MSFT', 'SPY', 'QQQ', 'KO', 'JPM', 'VTI'])),
      ).toHaveLength(7);
      expect(await policy.execute(() => adapter.quotes(['BND', 'AGG']))).toHaveLength(2); // 9 > 8: waits a minute
      expect(sleeps).toHaveLength(1);
      expect(sleeps[0]).toBeGreaterThanOrEqual(30_000);
      expect(limited.hits('/quote')).toBe(3);
    } finally {
      await limited.close();
    }
  });
});
