import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCandleStore } from '../../packages/app/src/market-data/store.dynamo.js';
import { deterministicCandles } from '../../packages/local/src/fakes/prices.js';
import { SEEDED_SYMBOLS, seed } from '../../packages/local/src/seed.js';
import type { IdentityConfig } from '../../packages/platform/src/routing/schemas.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
const P = { 'X-Project-Id': 'p_demo' };
const DAY = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** decimal strings compared by value ("187.40" is "187.4") */
const same = (a: unknown, b: unknown) => expect(Number(a)).toBe(Number(b));

beforeAll(async () => {
  t = await startRuntime();
});
afterAll(async () => {
  await t.stop();
});

const admin = () => t.token('u_admin', 't_demo');
const twelveData = () => t.rt.marketData.twelvedata.server;

/** Points t_demo's market-data entry at the fake Twelve Data with these bucket options. */
async function provider(options: Record<string, unknown>) {
  const token = await t.token('u_system', 't_system');
  const current = await t.call('GET', '/v1/routing/t_demo/dev/market-data', { token });
  const res = await t.call('PUT', '/v1/routing/t_demo/dev/market-data', {
    token,
    headers: { 'If-Match': String(current.headers.get('etag')) },
    body: {
      kind: 'market-data',
      provider: 'twelvedata',
      baseUrl: twelveData().url,
      secretRef: t.rt.marketData.twelvedata.secretRef,
      options,
    },
  });
  expect(res.status, res.text).toBeLessThan(300);
  t.rt.platform.registry.invalidate();
}

async function get(path: string, token?: string) {
  return t.call('GET', path, { token: token ?? (await admin()), headers: P });
}

describe('market data: seeded and stored candles', () => {
  it('serves five years of seeded daily bars, newest first window by default, oldest first with `from`', async () => {
    const latest = await get('/v1/market-data/candles/AAPL/1day');
    expect(latest.status).toBe(200);
    const items = latest.body.items ?? [];
    expect(items).toHaveLength(1000);
    expect(latest.body.nextFrom).toBeNull();
    const last = items[items.length - 1];
    const yesterday = dateOf(t.rt.platform.now() - DAY);
    expect(String(last.time) <= `${yesterday}T00:00:00.000Z`).toBe(true);
    const [expected] = deterministicCandles('AAPL', '1day', dateOf(Date.parse(String(last.time))), yesterday);
    same(last.close, expected.close);
    same(last.volume, expected.volume);

    const fiveYearsAgo = dateOf(t.rt.platform.now() - 5 * 365 * DAY);
    const first = await get(`/v1/market-data/candles/AAPL/1day?from=${fiveYearsAgo}&maxBars=100`);
    expect(first.body.items).toHaveLength(100);
    const next = String(first.body.nextFrom);
    expect(next > String(first.body.items?.[99].time)).toBe(true);
    const second = await get(`/v1/market-data/candles/AAPL/1day?from=${next}&maxBars=100`);
    expect(second.body.items?.[0].time).toBe(next);
    for (const symbol of ['MSFT', 'VTI', 'BND', 'BTC-USD', 'EUR-USD']) {
      const series = await get(`/v1/market-data/candles/${symbol}/1day?maxBars=5`);
      expect(series.body.items, symbol).toHaveLength(5);
    }
  });
});

describe('market data: the local seed', () => {
  it('is idempotent and quick: seeding again writes no candle and keeps the routing entries', async () => {
    const p = t.rt.platform;
    const store = new DynamoCandleStore(p.db, t.rt.tables.pooled, { tenantId: 't_demo' });
    const daily = async () => (await store.catalog('', 100)).filter((s) => s.interval === '1day');
    const before = await daily();
    expect(before.map((s) => s.symbol).sort()).toEqual([...SEEDED_SYMBOLS].sort());
    const entry = await p.routing.get('t_demo', 'dev', 'market-data');
    const identity = (await p.routing.get('t_system', 'dev', 'identity'))?.config as IdentityConfig;
    const started = performance.now();
    await seed(p, {
      pooledTable: t.rt.tables.pooled,
      siloTable: t.rt.tables.silo,
      identity,
      nowMs: p.now(),
      marketData: {
        twelvedata: { baseUrl: twelveData().url, secretRef: t.rt.marketData.twelvedata.secretRef },
        polygon: { baseUrl: t.rt.marketData.polygon.server.url, secretRef: t.rt.marketData.polygon.secretRef },
      },
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await daily()).toEqual(before);
    expect((await p.routing.get('t_demo', 'dev', 'market-data'))?.version).toBe(entry?.version);
    // five years of weekdays for a stock, every day for a coin
    const bySymbol = Object.fromEntries(before.map((s) => [s.symbol, s.bars]));
    expect(bySymbol.AAPL).toBeGreaterThan(5 * 250);
    expect(bySymbol['BTC-USD']).toBeGreaterThan(5 * 364);
  });
});

describe('market data: quotes and symbol search', () => {
  beforeAll(() => provider({ capacity: 100, refillPerMinute: 100 }));

  it('quotes symbols from the provider, caches them for everybody, and lists the unknown ones', async () => {
    const before = twelveData().hits('/quote');
    const res = await get('/v1/market-data/quotes?symbols=AAPL,EUR/USD,NOSUCH');
    expect(res.status).toBe(200);
    expect(res.body.missing).toEqual(['NOSUCH']);
    const bySymbol = Object.fromEntries((res.body.items ?? []).map((q) => [q.symbol, q]));
    expect(bySymbol.AAPL).toMatchObject({ source: 'quote', stale: false, currency: 'USD', name: 'Apple Inc' });
    expect(bySymbol['EUR-USD']).toMatchObject({ source: 'quote', stale: false, assetClass: 'fx', currency: 'USD' });
    expect(typeof bySymbol.AAPL.price).toBe('string');
    expect(twelveData().hits('/quote') - before).toBe(1);
    // another member, another request: from the cache, no provider call
    const again = await get('/v1/market-data/quotes?symbols=EUR-USD,AAPL', await t.token('u_observer', 't_demo'));
    expect(again.body.items?.map((q) => q.price)).toEqual([bySymbol['EUR-USD'].price, bySymbol.AAPL.price]);
    expect(twelveData().hits('/quote') - before).toBe(1);
  });

  it('refuses more than 50 symbols and malformed lists with 400', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `S${i}`).join(',');
    const res = await get(`/v1/market-data/quotes?symbols=${many}`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]).toMatchObject({ path: 'query.symbols' });
    expect((await get('/v1/market-data/quotes?symbols=AAPL,,MSFT')).status).toBe(400);
    expect((await get('/v1/market-data/quotes')).status).toBe(400);
  });

  it('searches symbols at the provider, pairs in Ballast’s spelling', async () => {
    const res = await get('/v1/market-data/symbols?q=apple');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ source: 'provider' });
    expect(res.body.items?.[0]).toMatchObject({ symbol: 'AAPL', name: 'Apple Inc', assetClass: 'equity' });
    const pairs = await get('/v1/market-data/symbols?q=EUR');
    expect(pairs.body.items?.map((m) => m.symbol)).toContain('EUR-USD');
  });
});

describe('market data: uploads', () => {
  const path = '/v1/market-data/candles/ZZTEST/1min';
  const put = async (o: { body?: unknown; rawBody?: string; type?: string; token?: string }) =>
    t.call('PUT', path, {
      token: o.token ?? (await admin()),
      headers: { ...P, ...(o.type ? { 'Content-Type': o.type } : {}) },
      ...(o.body !== undefined ? { body: o.body } : { rawBody: o.rawBody }),
    });

  it('takes JSON bars and serves them back as sent', async () => {
    const bars = [
      { time: '2026-01-05T14:30:00Z', open: '10.5', high: '11', low: '10.25', close: '10.75', volume: '1200' },
      { time: '2026-01-05T14:31:00Z', open: '10.75', high: '10.9', low: '10.6', close: '10.6' },
    ];
    const res = await put({ body: { candles: bars } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ symbol: 'ZZTEST', interval: '1min', received: 2, stored: 2, chunks: 1 });
    const back = await get(`${path}?from=2026-01-05&to=2026-01-06`);
    expect(back.body.items).toEqual([
      { time: '2026-01-05T14:30:00.000Z', open: '10.5', high: '11', low: '10.25', close: '10.75', volume: '1200' },
      { time: '2026-01-05T14:31:00.000Z', open: '10.75', high: '10.9', low: '10.6', close: '10.6', volume: '0' },
    ]);
  });

  it('takes CSV (BOM, CRLF, quoted header, any column order, epoch times); a later bar replaces one', async () => {
    const at = Date.UTC(2026, 0, 5, 14, 31) / 1000;
    const csv =
      '\uFEFF"Volume","Close","Date/Time","Open","High","Low","Note"\r\n' +
      `900,10.8,${at},10.7,10.95,10.65,replaces the JSON bar\r\n` +
      '"1,000",10.9,2026-01-05 14:32:00,10.8,11.0,10.7,\r\n';
    const refused = await put({ rawBody: csv, type: 'text/csv; charset=utf-8' });
    // "1,000" is not a decimal: thousands separators are refused, not guessed
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: 'body.rows.3.volume', message: 'must be a decimal like 187.43' }]);
    const ok = await put({ rawBody: csv.replace('"1,000"', '1000'), type: 'text/csv' });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ received: 2, stored: 2 });
    const back = await get(`${path}?from=2026-01-05T14:30:00Z&to=2026-01-05T14:32:00Z`);
    expect(back.body.items?.map((b) => [b.time, b.close, b.volume])).toEqual([
      ['2026-01-05T14:30:00.000Z', '10.75', '1200'],
      ['2026-01-05T14:31:00.000Z', '10.8', '900'],
      ['2026-01-05T14:32:00.000Z', '10.9', '1000'],
    ]);
  });

  it('refuses bad bars with 400 naming each field, and writes nothing', async () => {
    const future = new Date(t.rt.platform.now() + DAY).toISOString().slice(0, 16);
    const res = await put({
      body: {
        candles: [
          { time: '2026-01-06T10:00:00Z', open: '10', high: '9', low: '9.5', close: '9.6' },
          { time: '2026-01-06T10:00:30Z', open: '10', high: '11', low: '9', close: '10' },
          { time: `${future}:00Z`, open: '10', high: '11', low: '9', close: '10' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.path)).toEqual([
      'body.candles.0.low',
      'body.candles.0.open',
      'body.candles.0.close',
      'body.candles.1.time',
      'body.candles.2.time',
    ]);
    const numbers = await put({
      body: { candles: [{ time: '2026-01-06T10:00:00Z', open: 1, high: 2, low: 1, close: 2 }] },
    });
    expect(numbers.status).toBe(400);
    const noClose = await put({ rawBody: 'time,open,high,low\n2026-01-06,1,2,1\n', type: 'text/csv' });
    expect(noClose.status).toBe(400);
    expect(noClose.body.code).toBe('INVALID_CSV');
    const broken = await put({ rawBody: 'time,open,high,low,close\n"2026-01-06,1,2,1,2\n', type: 'text/csv' });
    expect(broken.body.code).toBe('INVALID_CSV');
    expect((await get(`${path}?from=2026-01-06&to=2026-01-07`)).body.items).toEqual([]);
  });

  it('refuses other media types (415) and bodies over 5 MiB (413 saying the limit)', async () => {
    const plain = await put({ rawBody: 'time,open\n', type: 'text/plain' });
    expect(plain.status).toBe(415);
    expect(plain.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const latin1 = await put({ rawBody: 'time,open\n', type: 'text/csv; charset=iso-8859-1' });
    expect(latin1.status).toBe(415);
    const big = await put({ rawBody: `time,open,high,low,close\n${'x'.repeat(5 * 1024 * 1024)}`, type: 'text/csv' });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'BODY_TOO_LARGE', maxBodyBytes: 5 * 1024 * 1024 });
    expect(String(big.body.detail)).toContain('5 MiB');
    // a route that declares nothing keeps JSON only
    const portfolio = await t.call('POST', '/v1/portfolios', {
      token: await admin(),
      headers: { ...P, 'Content-Type': 'text/csv' },
      rawBody: 'name\nx\n',
    });
    expect(portfolio.status).toBe(415);
  });

  it('lets only admins of the tenant upload (observers lack the tier, traders the role)', async () => {
    const body = { candles: [{ time: '2026-01-07T10:00:00Z', open: '1', high: '1', low: '1', close: '1' }] };
    expect((await put({ body, token: await t.token('u_observer', 't_demo') })).status).toBe(403);
    const trader = await put({ body, token: await t.token('u_sovereign', 't_demo') });
    expect(trader.status).toBe(403);
    expect(trader.body.code).toBe('ROLE_REQUIRED');
  });
});

describe('market data: the economic calendar', () => {
  it('imports a CSV calendar, lists a window oldest first; an import again replaces rather than doubles', async () => {
    const csv =
      '\uFEFFDate,Country,Currency,Event,Impact,Actual,Forecast,Previous\r\n' +
      '2026-03-06T13:30:00Z,US,USD,Nonfarm Payrolls,High,151K,160K,143K\r\n' +
      '2026-03-05T13:15:00Z,EU,EUR,ECB Rate Decision,high,2.65%,2.65%,2.90%\r\n' +
      '2026-03-10,US,USD,Bank holiday,low,,,\r\n';
    const post = async (rawBody: string) =>
      t.call('POST', '/v1/market-data/events', {
        token: await admin(),
        headers: { ...P, 'Content-Type': 'text/csv' },
        rawBody,
      });
    const first = await post(csv);
    expect(first.status, first.text).toBe(200);
    expect(first.body).toEqual({ received: 3, stored: 3 });
    await post(csv);
    const list = await get('/v1/market-data/events?from=2026-03-01&to=2026-03-31');
    expect(list.body.items?.map((e) => e.title)).toEqual(['ECB Rate Decision', 'Nonfarm Payrolls', 'Bank holiday']);
    expect(list.body.items?.[1]).toMatchObject({ country: 'US', importance: 'high', actual: '151K', source: 'csv' });
    expect(list.body.items?.[2]).toMatchObject({ allDay: true, time: '2026-03-10T00:00:00.000Z' });
    const us = await get('/v1/market-data/events?from=2026-03-01&to=2026-03-31&country=US&importance=high');
    expect(us.body.items?.map((e) => e.title)).toEqual(['Nonfarm Payrolls']);
    const paged = await get('/v1/market-data/events?from=2026-03-01&to=2026-03-31&limit=2');
    expect(paged.body.items).toHaveLength(2);
    const cursor = encodeURIComponent(String(paged.body.nextCursor));
    const rest = await get(`/v1/market-data/events?from=2026-03-01&to=2026-03-31&limit=2&cursor=${cursor}`);
    expect(rest.body.items?.map((e) => e.title)).toEqual(['Bank holiday']);
    const json = await t.call('POST', '/v1/market-data/events', {
      token: await admin(),
      headers: P,
      body: { events: [{ time: '2026-03-11T12:30:00Z', country: 'US', title: 'CPI', importance: 'high' }] },
    });
    expect(json.body).toEqual({ received: 1, stored: 1 });
    const bad = await post('date,country,event\n2026-02-30,USA,\n');
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.path)).toEqual([
      'body.rows.2.time',
      'body.rows.2.country',
      'body.rows.2.title',
    ]);
    expect((await get('/v1/market-data/events?from=2026-03-31&to=2026-03-01')).status).toBe(400);
  });
});

describe('market data: syncs on the jobs spine', () => {
  let syncId = '';

  it('fetches a window from the provider a request at a time, within the rate budget, with progress', async () => {
    await provider({ capacity: 2, refillPerMinute: 2 });
    const now = t.rt.platform.now();
    const from = dateOf(now - 8 * DAY);
    const to = `${dateOf(now - DAY)}T23:59:00Z`;
    const created = await t.call('POST', '/v1/market-data/syncs', {
      token: await admin(),
      headers: { ...P, 'Idempotency-Key': 'sync-msft-1min-0001' },
      body: { symbol: 'MSFT', interval: '1min', from, to },
    });
    expect(created.status, created.text).toBe(202);
    syncId = String(created.body.syncId);
    expect(created.headers.get('location')).toBe(`/v1/market-data/syncs/${syncId}`);
    expect(created.body).toMatchObject({ status: 'queued', chunksDone: 0, chunksTotal: 3 });

    const hitsBefore = twelveData().hits('/time_series');
    let clock = now;
    const tick = async () => {
      clock += 61_000;
      const r = await t.call('POST', '/_local/tick', { body: { at: new Date(clock).toISOString() } });
      expect(r.status).toBe(200);
      return (await get(`/v1/market-data/syncs/${syncId}`)).body;
    };
    const afterFirst = await tick();
    expect(afterFirst).toMatchObject({ status: 'running', chunksDone: 2, chunksTotal: 3 });
    expect(twelveData().hits('/time_series') - hitsBefore).toBe(2);
    // the next run is due when the bucket holds a token again (30 s at 2 a minute): a tick or two later
    let afterSecond = await tick();
    for (let more = 0; more < 3 && afterSecond.status !== 'succeeded'; more++) afterSecond = await tick();
    expect(afterSecond).toMatchObject({ status: 'succeeded', chunksDone: 3 });
    expect(twelveData().hits('/time_series') - hitsBefore).toBe(3);

    const expected = deterministicCandles('MSFT', '1min', from, to);
    expect(afterSecond.barsWritten).toBe(expected.length);
    const stored = await get(`/v1/market-data/candles/MSFT/1min?from=${from}&to=${to}&maxBars=10000`);
    expect(stored.body.items).toHaveLength(expected.length);
    expect(stored.body.items?.[123].time).toBe(expected[123].time);
    same(stored.body.items?.[123].close, expected[123].close);
    // a replay of the request answers the first response, it does not start another sync
    const replay = await t.call('POST', '/v1/market-data/syncs', {
      token: await admin(),
      headers: { ...P, 'Idempotency-Key': 'sync-msft-1min-0001' },
      body: { symbol: 'MSFT', interval: '1min', from, to },
    });
    expect(replay.body.syncId).toBe(syncId);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses windows in the future or too large, and unknown syncs', async () => {
    const body = (o: Record<string, unknown>) => ({ symbol: 'MSFT', interval: '1min', from: '2025-01-01', ...o });
    const post = async (o: Record<string, unknown>) =>
      t.call('POST', '/v1/market-data/syncs', { token: await admin(), headers: P, body: body(o) });
    expect((await post({ from: dateOf(t.rt.platform.now() + 2 * DAY) })).status).toBe(400);
    expect((await post({ from: '1990-01-01' })).status).toBe(400);
    expect((await post({ from: '2025-02-01', to: '2025-01-01' })).status).toBe(400);
    expect((await get('/v1/market-data/syncs/sy_0000000000000000000000000Z')).body.code).toBe('SYNC_NOT_FOUND');
    expect((await get('/v1/market-data/syncs/not-a-sync')).status).toBe(400);
  });

  it('keeps tenants apart: another tenant’s member gets 403 naming ours, 404 in its own', async () => {
    const acme = await t.token('u_acme', 't_acme');
    const asDemo = await t.call('GET', `/v1/market-data/syncs/${syncId}`, {
      token: acme,
      headers: { ...P, 'X-Tenant-Id': 't_demo' },
    });
    expect(asDemo.status).toBe(403);
    const own = await t.call('GET', `/v1/market-data/syncs/${syncId}`, {
      token: acme,
      headers: { 'X-Project-Id': 'p_acme' },
    });
    expect(own.status).toBe(404);
    const candles = await t.call('GET', '/v1/market-data/candles/AAPL/1day', {
      token: acme,
      headers: { 'X-Project-Id': 'p_acme' },
    });
    expect(candles.body.items).toEqual([]);
    const upload = await t.call('PUT', '/v1/market-data/candles/AAPL/1day', {
      token: acme,
      headers: { ...P, 'X-Tenant-Id': 't_demo' },
      body: { candles: [{ time: '2026-01-05', open: '1', high: '1', low: '1', close: '1' }] },
    });
    expect(upload.status).toBe(403);
  });
});

describe('market data: a provider 429 storm', () => {
  it('is retried within the limit, then the cached quote is served marked stale; with none cached, 503', async () => {
    await provider({ capacity: 100, refillPerMinute: 100 });
    const warm = await get('/v1/market-data/quotes?symbols=KO');
    expect(warm.body.items?.[0]).toMatchObject({ symbol: 'KO', stale: false });
    t.rt.clock.set(t.rt.platform.now() + 5 * 60_000);
    twelveData().script({
      path: '/quote',
      times: 100,
      respond: {
        status: 200,
        headers: { 'Retry-After': '1' },
        body: { code: 429, message: 'You have run out of API credits for the current minute.', status: 'error' },
      },
    });
    try {
      const before = twelveData().hits('/quote');
      const stale = await get('/v1/market-data/quotes?symbols=KO');
      expect(stale.status).toBe(200);
      expect(stale.body.items?.[0]).toMatchObject({ symbol: 'KO', source: 'quote', stale: true });
      expect(stale.body.items?.[0].price).toBe(warm.body.items?.[0].price);
      // three attempts (the first and two retries after Retry-After), each within the token bucket
      expect(twelveData().hits('/quote') - before).toBe(3);

      const none = await get('/v1/market-data/quotes?symbols=JPM');
      expect(none.status).toBe(503);
      expect(none.body.code).toBe('PROVIDER_UNAVAILABLE');
      expect(Number(none.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // five failures in a row opened the circuit: the next request does not reach the provider
      const hits = twelveData().hits('/quote');
      const open = await get('/v1/market-data/quotes?symbols=JPM,KO');
      expect(twelveData().hits('/quote')).toBe(hits);
      expect(open.status).toBe(200);
      expect(open.body).toMatchObject({ missing: ['JPM'] });
      // a stored daily close still prices what the cache does not hold
      const seeded = await get('/v1/market-data/quotes?symbols=VTI');
      expect(seeded.body.items?.[0]).toMatchObject({ symbol: 'VTI', source: 'candle' });
    } finally {
      twelveData().clearScripts();
    }
  });
});
