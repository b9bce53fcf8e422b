import { ProviderError } from '@ballast/app/market-data/provider.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeVendorServer } from '../../local/src/fakes/fake-server.js';
import { deterministicCandles, deterministicQuote } from '../../local/src/fakes/prices.js';
import { FAKE_TWELVE_DATA_KEY, startFakeTwelveData } from '../../local/src/fakes/twelvedata.js';
import { MARKET_DATA_PROVIDERS } from '../src/market-data/index.js';
import { createTwelveData } from '../src/market-data/twelvedata/index.js';
import { Clock, failureOf, keyNeverInUrl, NOW } from './support.js';

let fake: FakeVendorServer;
let strict: FakeVendorServer;
const clock = new Clock();

beforeAll(async () => {
  fake = await startFakeTwelveData({ now: clock.read });
  strict = await startFakeTwelveData({ now: clock.read, httpStatusOnErrors: true });
});

afterAll(async () => {
  await fake.close();
  await strict.close();
});

afterEach(() => {
  fake.clearScripts();
  clock.now = NOW;
});

const provider = (o: { server?: FakeVendorServer; apiKey?: string; options?: Record<string, unknown> } = {}) =>
  createTwelveData(
    { baseUrl: (o.server ?? fake).url, apiKey: o.apiKey ?? FAKE_TWELVE_DATA_KEY, options: o.options },
    { now: clock.read },
  );

async function providerErrorOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await failureOf(promise);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('Twelve Data adapter: candles', () => {
  it('is registered as `twelvedata`, and names itself so', () => {
    const built = MARKET_DATA_PROVIDERS.twelvedata({ apiKey: 'k', baseUrl: fake.url });
    expect(built.name).toBe('twelvedata');
  });

  it('daily bars of a range: oldest first, weekdays only, exactly the strings the vendor sent', async () => {
    const before = fake.requests.length;
    const bars = await provider().candles({ symbol: 'AAPL', interval: '1day', from: '2030-01-01', to: '2030-01-15' });
    expect(bars).toEqual(deterministicCandles('AAPL', '1day', '2030-01-01', '2030-01-15'));
    expect(bars).toHaveLength(11);
    expect(bars[0].time).toBe('2030-01-01T00:00:00.000Z');
    expect(bars.at(-1)?.time).toBe('2030-01-15T00:00:00.000Z');
    const [request] = fake.requests.slice(before);
    expect(request.path).toBe('/time_series');
    expect(Object.fromEntries(request.query)).toEqual({
      symbol: 'AAPL',
      interval: '1day',
      start_date: '2030-01-01 00:00:00',
      end_date: '2030-01-16 00:00:00',
      timezone: 'UTC',
      order: 'asc',
      outputsize: '5000',
    });
    expect(request.headers.authorization).toBe(`apikey ${FAKE_TWELVE_DATA_KEY}`);
    keyNeverInUrl(fake.requests, FAKE_TWELVE_DATA_KEY);
  });

  it('intraday bars in UTC (the vendor defaults to the exchange’s time), cut to the window', async () => {
    const request = {
      symbol: 'MSFT',
      interval: '1h',
      from: '2030-01-14T15:00:00Z',
      to: '2030-01-15T18:00:00Z',
    } as const;
    const bars = await provider().candles(request);
    expect(bars).toEqual(deterministicCandles('MSFT', '1h', request.from, request.to));
    expect(bars[0].time).toBe('2030-01-14T15:00:00.000Z');
    expect(bars.at(-1)?.time).toBe('2030-01-15T18:00:00.000Z');
  });

  it('a range needing more than 5000 bars is asked in date windows, one request each, no bar twice', async () => {
    const hits = fake.hits('/time_series');
    const request = { symbol: 'BTC/USD', interval: '1min', from: '2030-01-01', to: '2030-01-08' } as const;
    const bars = await provider().candles(request);
    expect(fake.hits('/time_series') - hits).toBe(3); // 11,520 minutes in windows of 4,999
    expect(bars).toHaveLength(8 * 1440);
    expect(new Set(bars.map((bar) => bar.time)).size).toBe(bars.length);
    expect(bars).toEqual(deterministicCandles('BTC/USD', '1min', request.from, request.to));
  });

  it('a window without bars is [] (the vendor’s "No data is available" 400, with HTTP 200 or HTTP 400)', async () => {
    const weekend = { symbol: 'AAPL', interval: '1day', from: '2030-01-12', to: '2030-01-13' } as const;
    expect(await provider().candles(weekend)).toEqual([]);
    expect(await provider({ server: strict }).candles(weekend)).toEqual([]);
    expect(await provider().candles({ ...weekend, from: '2030-01-13', to: '2030-01-12' })).toEqual([]);
  });

  it('fx bars carry no volume at the vendor: "0", prices with 5 decimals around 1.1', async () => {
    const bars = await provider().candles({
      symbol: 'EUR/USD',
      interval: '1day',
      from: '2030-01-06',
      to: '2030-01-10',
    });
    expect(bars.map((bar) => bar.time.slice(0, 10))).toEqual(['2030-01-07', '2030-01-08', '2030-01-09', '2030-01-10']);
    for (const bar of bars) {
      expect(bar.volume).toBe('0');
      expect(bar.close).toMatch(/^1\.\d{5}$/);
    }
  });

  it('weekly and monthly bars open at 00:00 UTC of their Monday / 1st (the week under way is not served)', async () => {
    const weeks = await provider().candles({ symbol: 'SPY', interval: '1week', from: '2029-12-01', to: '2030-01-14' });
    expect(weeks.map((bar) => bar.time.slice(0, 10))).toEqual([
      '2029-12-03',
      '2029-12-10',
      '2029-12-17',
      '2029-12-24',
      '2029-12-31',
      '2030-01-07',
    ]);
    const months = await provider().candles({
      symbol: 'SPY',
      interval: '1month',
      from: '2029-01-01',
      to: '2029-12-31',
    });
    expect(months).toEqual(deterministicCandles('SPY', '1month', '2029-01-01', '2029-12-31'));
    expect(months).toHaveLength(12);
  });

  it('refuses an unknown interval or an unreadable bound as a bad request, without calling', async () => {
    const hits = fake.hits();
    const bad = { symbol: 'AAPL', interval: '2h', from: '2030-01-01', to: '2030-01-02' } as never;
    expect((await providerErrorOf(provider().candles(bad))).kind).toBe('bad-request');
    const unreadable = { symbol: 'AAPL', interval: '1day', from: 'last tuesday', to: '2030-01-02' } as const;
    const error = await providerErrorOf(provider().candles(unreadable));
    expect(error.kind).toBe('bad-request');
    expect(error.retryable).toBe(false);
    expect(fake.hits()).toBe(hits);
  });

  it('an unknown symbol is not-found (not an empty window)', async () => {
    const missing = { symbol: 'NOSUCH', interval: '1day', from: '2030-01-01', to: '2030-01-10' } as const;
    expect((await providerErrorOf(provider().candles(missing))).kind).toBe('not-found');
  });
});

describe('Twelve Data adapter: quotes and search', () => {
  it('a batch is one request; each quote as the vendor has it now; an unknown symbol is left out', async () => {
    const hits = fake.hits('/quote');
    const quotes = await provider().quotes(['AAPL', 'NOSUCH', 'EUR/USD', 'AAPL']);
    expect(fake.hits('/quote') - hits).toBe(1);
    expect(fake.requests.at(-1)?.query.get('symbol')).toBe('AAPL,NOSUCH,EUR/USD');
    const at = new Date(NOW).toISOString();
    const aapl = deterministicQuote('AAPL', at);
    expect(quotes).toEqual([
      {
        symbol: 'AAPL',
        price: aapl.price,
        asOf: aapl.asOf,
        name: 'Apple Inc',
        currency: 'USD',
        exchange: 'NASDAQ',
        previousClose: aapl.previousClose,
      },
      {
        symbol: 'EUR/USD',
        price: deterministicQuote('EUR/USD', at).price,
        asOf: deterministicQuote('EUR/USD', at).asOf,
        name: 'Euro / US Dollar',
        currency: 'USD',
        exchange: 'Forex',
        previousClose: deterministicQuote('EUR/USD', at).previousClose,
      },
    ]);
    // the price after the close is the day's close: what stored daily candles say
    expect(aapl.price).toBe(deterministicCandles('AAPL', '1day', '2030-01-15', '2030-01-15')[0].close);
  });

  it('one symbol: the vendor answers the quote itself; an unknown one alone is [] too', async () => {
    const [msft] = await provider().quotes(['MSFT']);
    expect(msft.symbol).toBe('MSFT');
    expect(msft.price).toBe(deterministicQuote('MSFT', new Date(NOW).toISOString()).price);
    expect(await provider().quotes(['NOSUCH'])).toEqual([]);
    expect(await provider({ server: strict }).quotes(['NOSUCH'])).toEqual([]);
    const hits = fake.hits('/quote');
    expect(await provider().quotes([])).toEqual([]);
    expect(fake.hits('/quote')).toBe(hits);
  });

  it('batches are cut at maxSymbolsPerRequest (a free key cannot pay for more than 8 at once)', async () => {
    const hits = fake.hits('/quote');
    const quotes = await provider({ options: { maxSymbolsPerRequest: 2 } }).quotes([
      'AAPL',
      'MSFT',
      'SPY',
      'QQQ',
      'KO',
    ]);
    expect(quotes.map((quote) => quote.symbol)).toEqual(['AAPL', 'MSFT', 'SPY', 'QQQ', 'KO']);
    expect(fake.hits('/quote') - hits).toBe(3);
  });

  it('a quote during the session is where the minute bars have got to', async () => {
    clock.now = Date.UTC(2030, 0, 15, 16, 0, 30);
    const [quote] = await provider().quotes(['AAPL']);
    expect(quote.asOf).toBe('2030-01-15T16:00:00.000Z');
    const minutes = deterministicCandles('AAPL', '1min', '2030-01-15T15:59:00Z', '2030-01-15T15:59:00Z');
    expect(quote.price).toBe(minutes[0].close);
  });

  it('symbol search maps the vendor’s instruments', async () => {
    const found = await provider().searchSymbols('apple');
    expect(found[0]).toEqual({
      symbol: 'AAPL',
      name: 'Apple Inc',
      exchange: 'NASDAQ',
      currency: 'USD',
      assetClass: 'equity',
      country: 'United States',
    });
    const byPrefix = await provider().searchSymbols('EUR');
    expect(byPrefix.map((match) => [match.symbol, match.assetClass])).toEqual([['EUR/USD', 'fx']]);
    expect((await provider().searchSymbols('SP'))[0]).toMatchObject({ symbol: 'SPY', assetClass: 'etf' });
    expect(await provider().searchSymbols('   ')).toEqual([]);
    expect(await provider().searchSymbols('zzzzzz')).toEqual([]);
  });
});

describe('Twelve Data adapter: failures', () => {
  const bars = { symbol: 'AAPL', interval: '1day', from: '2030-01-02', to: '2030-01-10' } as const;

  it('a wrong key is unauthorized (not retryable), with HTTP 200 or HTTP 401', async () => {
    for (const server of [fake, strict]) {
      const error = await providerErrorOf(provider({ server, apiKey: 'wrong' }).quotes(['AAPL']));
      expect(error.kind).toBe('unauthorized');
      expect(error.retryable).toBe(false);
      expect(error.message).not.toContain('wrong');
    }
  });

  it('code 403 (not in the plan) is unauthorized; another 400 is bad-request', async () => {
    fake.script({
      times: 1,
      respond: { status: 200, body: { code: 403, message: 'not in your plan', status: 'error' } },
    });
    expect((await providerErrorOf(provider().candles(bars))).kind).toBe('unauthorized');
    fake.script({
      times: 1,
      respond: { status: 200, body: { code: 400, message: '**interval** bad', status: 'error' } },
    });
    expect((await providerErrorOf(provider().candles(bars))).kind).toBe('bad-request');
  });

  it('out of credits (the real 429 body, HTTP 200): rate-limited until the next minute', async () => {
    const clockOf = new Clock(NOW + 15_000);
    const limited = await startFakeTwelveData({ now: clockOf.read, creditsPerMinute: 8 });
    try {
      const adapter = createTwelveData({ baseUrl: limited.url, apiKey: FAKE_TWELVE_DATA_KEY }, { now: clockOf.read });
      const eight = ['AAPL', 'MSFT', 'SPY', 'QQQ', 'KO', 'JPM', 'VTI', 'BND'];
      expect(await adapter.quotes(eight)).toHaveLength(8); // 8 credits: one per symbol
      const error = await providerErrorOf(adapter.quotes(['AAPL']));
      expect(error).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 45_000 });
      expect(error.message).toMatch(/run out of API credits/);
      clockOf.advance(45_000);
      expect(await adapter.quotes(['AAPL'])).toHaveLength(1);
    } finally {
      await limited.close();
    }
  });

  it('a 429 with Retry-After is honoured over the minute boundary', async () => {
    fake.script({
      times: 1,
      respond: { status: 429, headers: { 'Retry-After': '7' }, body: { code: 429, message: 'slow', status: 'error' } },
    });
    expect(await providerErrorOf(provider().candles(bars))).toMatchObject({ kind: 'rate-limited', retryAfterMs: 7000 });
  });

  it('5xx, an HTTP-200 error body with a 5xx code, HTML and garbage are unavailable (retryable)', async () => {
    const answers = [
      { status: 200, body: { code: 500, message: 'internal', status: 'error' } },
      { status: 502, body: '<html>bad gateway</html>' },
      { status: 200, body: 'not json {' },
      { status: 200, body: { values: [{ datetime: 'yesterday', open: '1', high: '1', low: '1', close: '1' }] } },
      { status: 200, body: { values: [{ datetime: '2030-01-02', open: 1.5, high: '1', low: '1', close: '1' }] } },
    ];
    for (const respond of answers) {
      fake.script({ times: 1, respond });
      const error = await providerErrorOf(provider().candles(bars));
      expect(error.kind, JSON.stringify(respond)).toBe('unavailable');
      expect(error.retryable).toBe(true);
    }
  });

  it('a slow answer times out (options.timeoutMs) and a dropped connection fails: both unavailable', async () => {
    fake.script({ times: 1, respond: { status: 200, body: {}, delayMs: 5000 } });
    const slow = await providerErrorOf(provider({ options: { timeoutMs: 25 } }).quotes(['AAPL']));
    expect(slow).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(slow.message).toMatch(/within 25 ms/);
    fake.script({ times: 1, respond: { status: 200, dropConnection: true } });
    expect(await providerErrorOf(provider().quotes(['AAPL']))).toMatchObject({ kind: 'unavailable', retryable: true });
  });

  it('an error inside a batch other than an unknown symbol fails the batch', async () => {
    fake.script({
      times: 1,
      respond: {
        status: 200,
        body: { AAPL: { code: 429, message: 'out of credits', status: 'error' }, MSFT: { code: 404, status: 'error' } },
      },
    });
    expect((await providerErrorOf(provider().quotes(['AAPL', 'MSFT']))).kind).toBe('rate-limited');
  });

  it('never sends the key in a URL', () => {
    keyNeverInUrl(fake.requests, FAKE_TWELVE_DATA_KEY);
    keyNeverInUrl(strict.requests, FAKE_TWELVE_DATA_KEY);
  });
});
