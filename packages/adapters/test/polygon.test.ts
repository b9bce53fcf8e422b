import { type ProviderCandle, ProviderError } from '@ballast/app/market-data/provider.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVendorServer } from '../../local/src/fakes/fake-server.js';
import { FAKE_POLYGON_KEY, startFakePolygon } from '../../local/src/fakes/polygon.js';
import { deterministicCandles } from '../../local/src/fakes/prices.js';
import { MARKET_DATA_PROVIDERS } from '../src/market-data/index.js';
import { decimalOfNumber } from '../src/market-data/numbers.js';
import { createPolygon, polygonTicker } from '../src/market-data/polygon/index.js';
import { Clock, failureOf, keyNeverInUrl, NOW } from './support.js';

let fake: FakeVendorServer;
let paged: FakeVendorServer;
const clock = new Clock();

beforeAll(async () => {
  fake = await startFakePolygon({ now: clock.read });
  paged = await startFakePolygon({ now: clock.read, maxPageSize: 3 });
});

afterAll(async () => {
  await fake.close();
  await paged.close();
});

afterEach(() => {
  fake.clearScripts();
  clock.now = NOW;
});

const provider = (o: { server?: FakeVendorServer; apiKey?: string; options?: Record<string, unknown> } = {}) =>
  createPolygon(
    { baseUrl: (o.server ?? fake).url, apiKey: o.apiKey ?? FAKE_POLYGON_KEY, options: o.options },
    { now: clock.read },
  );

async function providerErrorOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await failureOf(promise);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** the fake's bars as Polygon's JSON numbers would read back: same times, same values */
const asNumbers = (bars: ProviderCandle[]) =>
  bars.map((bar) => ({
    time: bar.time,
    open: Number(bar.open),
    high: Number(bar.high),
    low: Number(bar.low),
    close: Number(bar.close),
    volume: Number(bar.volume),
  }));

describe('Polygon adapter: bars', () => {
  it('is registered as `polygon`, and names itself so', () => {
    expect(MARKET_DATA_PROVIDERS.polygon({ apiKey: 'k', baseUrl: fake.url }).name).toBe('polygon');
  });

  it('daily bars: the vendor stamps New York midnight, the adapter answers 00:00 UTC of the date', async () => {
    const before = fake.requests.length;
    const bars = await provider().candles({ symbol: 'AAPL', interval: '1day', from: '2030-01-01', to: '2030-01-15' });
    const expected = deterministicCandles('AAPL', '1day', '2030-01-01', '2030-01-15');
    expect(asNumbers(bars)).toEqual(asNumbers(expected));
    expect(bars[0].time).toBe('2030-01-01T00:00:00.000Z');
    const [request] = fake.requests.slice(before);
    expect(request.path).toBe('/v2/aggs/ticker/AAPL/range/1/day/2030-01-01/2030-01-15');
    expect(Object.fromEntries(request.query)).toEqual({ adjusted: 'true', sort: 'asc', limit: '50000' });
    expect(request.headers.authorization).toBe(`Bearer ${FAKE_POLYGON_KEY}`);
    const raw = await fetch(`${fake.url}${request.path}?${request.query}`, {
      headers: { Authorization: `Bearer ${FAKE_POLYGON_KEY}` },
    });
    const { results } = (await raw.json()) as { results: Array<{ t: number }> };
    expect(new Date(results[0].t).toISOString()).toBe('2030-01-01T05:00:00.000Z');
  });

  it('numbers become decimal strings without float noise or exponents', async () => {
    const bars = await provider().candles({ symbol: 'SPY', interval: '1day', from: '2030-01-02', to: '2030-01-10' });
    for (const bar of bars) {
      for (const value of [bar.open, bar.high, bar.low, bar.close, bar.volume]) {
        expect(value).toMatch(/^\d+(\.\d{1,2})?$/);
      }
    }
    expect(decimalOfNumber(130.15)).toBe('130.15');
    expect(decimalOfNumber(130.1)).toBe('130.1');
    expect(decimalOfNumber(1.5e-7)).toBe('0.00000015');
    expect(decimalOfNumber(1e-7)).toBe('0.0000001');
    expect(decimalOfNumber(1.2e21)).toBe('1200000000000000000000');
    expect(decimalOfNumber(-2.5e-8)).toBe('-0.000000025');
    expect(decimalOfNumber(-0)).toBe('0');
    expect(decimalOfNumber(70790813)).toBe('70790813');
    expect(decimalOfNumber(Number.NaN)).toBeUndefined();
    expect(decimalOfNumber(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(decimalOfNumber('1.5')).toBeUndefined();
  });

  it('intraday bars by the millisecond, cut to the window', async () => {
    const request = {
      symbol: 'MSFT',
      interval: '5min',
      from: '2030-01-15T15:02:00Z',
      to: '2030-01-15T16:00:00Z',
    } as const;
    const bars = await provider().candles(request);
    expect(asNumbers(bars)).toEqual(asNumbers(deterministicCandles('MSFT', '5min', request.from, request.to)));
    expect(bars[0].time).toBe('2030-01-15T15:05:00.000Z');
    expect(fake.requests.at(-1)?.path).toBe(
      `/v2/aggs/ticker/MSFT/range/5/minute/${Date.parse(request.from)}/${Date.parse(request.to)}`,
    );
  });

  it('follows next_url (which has no key) with the key in the header, to the end', async () => {
    const before = paged.requests.length;
    const bars = await provider({ server: paged }).candles({
      symbol: 'EUR/USD',
      interval: '1day',
      from: '2030-01-01',
      to: '2030-01-14',
    });
    expect(asNumbers(bars)).toEqual(asNumbers(deterministicCandles('EUR/USD', '1day', '2030-01-01', '2030-01-14')));
    expect(bars).toHaveLength(10);
    const requests = paged.requests.slice(before);
    expect(requests).toHaveLength(4); // pages of 3
    expect(requests[0].path).toBe('/v2/aggs/ticker/C:EURUSD/range/1/day/2030-01-01/2030-01-14');
    for (const request of requests.slice(1)) {
      expect(request.query.get('cursor')).toBeTruthy();
      expect(request.query.has('apiKey')).toBe(false);
    }
    for (const request of requests) expect(request.headers.authorization).toBe(`Bearer ${FAKE_POLYGON_KEY}`);
  });

  it('no results (the field absent, not empty) is []', async () => {
    const weekend = { symbol: 'AAPL', interval: '1day', from: '2030-01-12', to: '2030-01-13' } as const;
    expect(await provider().candles(weekend)).toEqual([]);
    expect(await provider().candles({ ...weekend, symbol: 'NOSUCH' })).toEqual([]);
  });

  it('never follows a next_url to another host (the key would go with it)', async () => {
    fake.script({
      times: 1,
      respond: {
        status: 200,
        body: { status: 'OK', results: [], next_url: 'https://elsewhere.example/v2/aggs/ticker/AAPL?cursor=x' },
      },
    });
    const hits = fake.hits();
    const error = await providerErrorOf(
      provider().candles({ symbol: 'AAPL', interval: '1day', from: '2030-01-01', to: '2030-01-10' }),
    );
    expect(error.kind).toBe('unavailable');
    expect(fake.hits() - hits).toBe(1);
  });
});

describe('Polygon adapter: quotes and search', () => {
  it('quotes are the previous day’s close, one request per symbol; unknown ones are left out', async () => {
    const hits = fake.hits('/v2/aggs');
    const quotes = await provider().quotes(['AAPL', 'NOSUCH', 'EUR/USD', 'BTC/USD']);
    expect(fake.hits('/v2/aggs') - hits).toBe(4);
    const paths = fake.requests.slice(-4).map((request) => request.path);
    expect(paths.sort()).toEqual([
      '/v2/aggs/ticker/AAPL/prev',
      '/v2/aggs/ticker/C:EURUSD/prev',
      '/v2/aggs/ticker/NOSUCH/prev',
      '/v2/aggs/ticker/X:BTCUSD/prev',
    ]);
    // At 22:00 UTC on the 15th the last complete day of AAPL is the 15th (its session closed at
    // 21:00); of markets that trade round the clock, the 14th.
    const closeOf = (symbol: string, day: string) => Number(deterministicCandles(symbol, '1day', day, day)[0].close);
    expect(quotes.map((quote) => [quote.symbol, Number(quote.price), quote.currency])).toEqual([
      ['AAPL', closeOf('AAPL', '2030-01-15'), 'USD'],
      ['EUR/USD', closeOf('EUR/USD', '2030-01-14'), 'USD'],
      ['BTC/USD', closeOf('BTC/USD', '2030-01-14'), 'USD'],
    ]);
    expect(quotes[0].asOf).toBe('2030-01-15T05:00:00.000Z');
    expect(await provider().quotes([])).toEqual([]);
  });

  it('maps symbols to Polygon tickers', () => {
    expect(polygonTicker('AAPL')).toBe('AAPL');
    expect(polygonTicker('BRK.B')).toBe('BRK.B');
    expect(polygonTicker('EUR/USD')).toBe('C:EURUSD');
    expect(polygonTicker('USD/JPY')).toBe('C:USDJPY');
    expect(polygonTicker('BTC/USD')).toBe('X:BTCUSD');
    expect(polygonTicker('DOGE/EUR')).toBe('X:DOGEEUR');
  });

  it('search maps reference tickers, pairs back to Ballast’s spelling', async () => {
    const apple = await provider().searchSymbols('apple');
    expect(apple[0]).toEqual({
      symbol: 'AAPL',
      name: 'Apple Inc',
      exchange: 'XNGS',
      currency: 'USD',
      assetClass: 'equity',
      country: 'US',
    });
    expect(fake.requests.at(-1)?.query.get('active')).toBe('true');
    const euro = await provider().searchSymbols('eur');
    expect(euro.map((match) => [match.symbol, match.assetClass, match.currency])).toEqual([['EUR/USD', 'fx', 'USD']]);
    expect((await provider().searchSymbols('BTC'))[0]).toMatchObject({ symbol: 'BTC/USD', assetClass: 'crypto' });
    expect((await provider().searchSymbols('QQQ'))[0]).toMatchObject({ symbol: 'QQQ', assetClass: 'etf' });
    expect(await provider().searchSymbols('')).toEqual([]);
  });
});

describe('Polygon adapter: failures', () => {
  const bars = { symbol: 'AAPL', interval: '1day', from: '2030-01-02', to: '2030-01-10' } as const;

  it('no key or an unknown one is unauthorized (401); NOT_AUTHORIZED (403) too; neither retryable', async () => {
    expect(await providerErrorOf(provider({ apiKey: 'wrong' }).quotes(['AAPL']))).toMatchObject({
      kind: 'unauthorized',
      retryable: false,
    });
    fake.script({
      times: 1,
      respond: {
        status: 403,
        body: { status: 'NOT_AUTHORIZED', request_id: 'r', message: 'You are not entitled to this data.' },
      },
    });
    const error = await providerErrorOf(provider().candles(bars));
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toMatch(/not entitled/);
  });

  it('over the per-minute limit: rate-limited until the next minute (no Retry-After from Polygon)', async () => {
    const clockOf = new Clock(NOW + 20_000);
    const limited = await startFakePolygon({ now: clockOf.read, requestsPerMinute: 5 });
    try {
      const adapter = createPolygon({ baseUrl: limited.url, apiKey: FAKE_POLYGON_KEY }, { now: clockOf.read });
      expect(await adapter.quotes(['AAPL', 'MSFT', 'SPY', 'QQQ', 'KO'])).toHaveLength(5);
      const error = await providerErrorOf(adapter.candles(bars));
      expect(error).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 40_000 });
      expect(error.message).toMatch(/exceeded the maximum requests per minute/);
      clockOf.advance(40_000);
      expect((await adapter.candles(bars)).length).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('a Retry-After header is honoured', async () => {
    fake.script({
      times: 1,
      respond: { status: 429, headers: { 'Retry-After': '12' }, body: { status: 'ERROR', error: 'slow down' } },
    });
    expect(await providerErrorOf(provider().candles(bars))).toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 12_000,
    });
  });

  it('5xx, garbage and wrong shapes are unavailable; 400 is bad-request; 404 not-found', async () => {
    const unavailable = [
      { status: 500, body: { status: 'ERROR', error: 'internal' } },
      { status: 503, body: '<html>maintenance</html>' },
      { status: 200, body: 'not json' },
      { status: 200, body: { status: 'OK', results: [{ o: '1', h: 1, l: 1, c: 1, t: 0 }] } },
      { status: 200, body: { status: 'ERROR', error: 'odd' } },
    ];
    for (const respond of unavailable) {
      fake.script({ times: 1, respond });
      expect((await providerErrorOf(provider().candles(bars))).kind, JSON.stringify(respond)).toBe('unavailable');
    }
    fake.script({ times: 1, respond: { status: 400, body: { status: 'ERROR', error: 'Could not parse' } } });
    expect((await providerErrorOf(provider().candles(bars))).kind).toBe('bad-request');
    fake.script({ times: 1, respond: { status: 404, body: { status: 'NOT_FOUND', message: 'Not found' } } });
    expect((await providerErrorOf(provider().candles(bars))).kind).toBe('not-found');
  });

  it('a slow answer times out; a dropped connection fails; both unavailable and retryable', async () => {
    fake.script({ times: 1, respond: { status: 200, body: {}, delayMs: 5000 } });
    expect(await providerErrorOf(provider({ options: { timeoutMs: 25 } }).candles(bars))).toMatchObject({
      kind: 'unavailable',
      retryable: true,
    });
    fake.script({ times: 1, respond: { status: 200, dropConnection: true } });
    expect(await providerErrorOf(provider().quotes(['AAPL']))).toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('never sends the key in a URL', () => {
    keyNeverInUrl(fake.requests, FAKE_POLYGON_KEY);
    keyNeverInUrl(paged.requests, FAKE_POLYGON_KEY);
  });
});
