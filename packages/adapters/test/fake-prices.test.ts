import { describe, expect, it } from 'vitest';
import { pathMatches, startFakeServer } from '../../local/src/fakes/fake-server.js';
import { deterministicCandles, deterministicQuote } from '../../local/src/fakes/prices.js';

/**
 * The fakes' prices are what adapter tests, the local seed and the local runtime compare against:
 * they must be the same from any window, agree between intervals, and look like markets.
 */

const weekday = (iso: string) => new Date(iso).getUTCDay();
const max = (values: string[]) => Math.max(...values.map(Number));
const min = (values: string[]) => Math.min(...values.map(Number));

describe('deterministic prices', () => {
  it('a bar is the same whatever window it was asked in, call after call', () => {
    const year = deterministicCandles('NVDA', '1day', '2029-01-01', '2029-12-31');
    const day = deterministicCandles('NVDA', '1day', '2029-06-14', '2029-06-14');
    expect(year.find((bar) => bar.time.startsWith('2029-06-14'))).toEqual(day[0]);
    expect(deterministicCandles('NVDA', '1day', '2029-01-01', '2029-12-31')).toEqual(year);
    const minutes = deterministicCandles('NVDA', '1min', '2029-06-14T15:00:00Z', '2029-06-14T15:10:00Z');
    expect(deterministicCandles('NVDA', '1min', '2029-06-14T15:05:00Z', '2029-06-14T15:05:00Z')).toEqual([minutes[5]]);
    expect(deterministicCandles('MSFT', '1day', '2029-06-14', '2029-06-14')).not.toEqual(day);
  });

  it('equities and fx have weekday bars only; crypto trades every day', () => {
    const equity = deterministicCandles('AAPL', '1day', '2030-01-01', '2030-03-31');
    expect(equity.every((bar) => weekday(bar.time) >= 1 && weekday(bar.time) <= 5)).toBe(true);
    expect(deterministicCandles('EUR/USD', '1day', '2030-01-01', '2030-03-31')).toHaveLength(equity.length);
    expect(deterministicCandles('BTC/USD', '1day', '2030-01-01', '2030-03-31')).toHaveLength(90);
  });

  it('bars hold together: low ≤ open, close ≤ high; decimals by asset class; fx near its level', () => {
    const odd: string[] = [];
    for (const [symbol, decimals] of [
      ['AAPL', 2],
      ['EUR/USD', 5],
      ['BTC/USD', 2],
      ['ZZTOP', 2],
    ] as const) {
      for (const bar of deterministicCandles(symbol, '1day', '2025-01-01', '2035-12-31')) {
        const [open, high, low, close] = [bar.open, bar.high, bar.low, bar.close].map(Number);
        if (low > Math.min(open, close) || high < Math.max(open, close)) odd.push(`${symbol} ${bar.time} range`);
        if (bar.close.split('.')[1]?.length !== decimals) odd.push(`${symbol} ${bar.time} ${bar.close}`);
        if (symbol === 'EUR/USD' && (close < 0.85 || close > 1.4)) odd.push(`${symbol} ${bar.time} at ${close}`);
      }
    }
    expect(odd).toEqual([]);
  });

  it('a day’s bar is its minutes’: open, high, low, close and volume; an hour is its minutes too', () => {
    const [day] = deterministicCandles('TSLA', '1day', '2030-01-15', '2030-01-15');
    const minutes = deterministicCandles('TSLA', '1min', '2030-01-15', '2030-01-15');
    expect(minutes).toHaveLength(390);
    expect(minutes[0].time).toBe('2030-01-15T14:30:00.000Z'); // 09:30 New York in winter
    expect(minutes[0].open).toBe(day.open);
    expect(minutes.at(-1)?.close).toBe(day.close);
    expect(max(minutes.map((bar) => bar.high))).toBe(Number(day.high));
    expect(min(minutes.map((bar) => bar.low))).toBe(Number(day.low));
    expect(minutes.reduce((sum, bar) => sum + Number(bar.volume), 0)).toBe(Number(day.volume));
    const hours = deterministicCandles('TSLA', '1h', '2030-01-15', '2030-01-15');
    const eleven = minutes.filter((bar) => bar.time.startsWith('2030-01-15T16:'));
    expect(hours.find((bar) => bar.time === '2030-01-15T16:00:00.000Z')).toEqual({
      time: '2030-01-15T16:00:00.000Z',
      open: eleven[0].open,
      high: max(eleven.map((bar) => bar.high)).toFixed(2),
      low: min(eleven.map((bar) => bar.low)).toFixed(2),
      close: eleven.at(-1)?.close,
      volume: String(eleven.reduce((sum, bar) => sum + Number(bar.volume), 0)),
    });
    const [week] = deterministicCandles('TSLA', '1week', '2030-01-14', '2030-01-14');
    const days = deterministicCandles('TSLA', '1day', '2030-01-14', '2030-01-18');
    expect(week.open).toBe(days[0].open);
    expect(week.close).toBe(days.at(-1)?.close);
  });

  it('the New York session moves with daylight saving time', () => {
    expect(deterministicCandles('KO', '1min', '2030-07-15', '2030-07-15')[0].time).toBe('2030-07-15T13:30:00.000Z');
  });

  it('quotes agree with bars: the close after the session, the last minute during it, else the last close', () => {
    const [day] = deterministicCandles('AAPL', '1day', '2030-01-15', '2030-01-15');
    const [before] = deterministicCandles('AAPL', '1day', '2030-01-14', '2030-01-14');
    const after = deterministicQuote('AAPL', '2030-01-15T23:00:00Z');
    expect(after).toMatchObject({ price: day.close, high: day.high, low: day.low, volume: day.volume });
    expect(after).toMatchObject({ previousClose: before.close, isMarketOpen: false, asOf: '2030-01-15T21:00:00.000Z' });
    const during = deterministicQuote('AAPL', '2030-01-15T17:45:20Z');
    const [minute] = deterministicCandles('AAPL', '1min', '2030-01-15T17:44:00Z', '2030-01-15T17:44:00Z');
    expect(during).toMatchObject({ price: minute.close, asOf: '2030-01-15T17:45:00.000Z', isMarketOpen: true });
    expect(deterministicQuote('AAPL', '2030-01-15T09:00:00Z').price).toBe(before.close);
    const [friday] = deterministicCandles('AAPL', '1day', '2030-01-18', '2030-01-18');
    expect(deterministicQuote('AAPL', '2030-01-20T12:00:00Z').price).toBe(friday.close);
  });

  it('works before the walk’s epoch (2000) too', () => {
    const old = deterministicCandles('IBM', '1day', '1990-03-01', '1990-03-09');
    expect(old).toHaveLength(7);
    expect(deterministicCandles('IBM', '1day', '1990-03-05', '1990-03-05')[0]).toEqual(old[2]);
  });

  it('refuses what it cannot compute', () => {
    expect(() => deterministicCandles('AAPL', '1day', 'yesterday', '2030-01-01')).toThrow(RangeError);
    expect(() => deterministicCandles('AAPL', '1min', '2020-01-01', '2030-01-01')).toThrow(RangeError);
    expect(() => deterministicQuote('AAPL', 'now')).toThrow(RangeError);
  });
});

describe('fake server scripts', () => {
  it('matches paths and the paths below them, answers scripts in order, then behaves again', async () => {
    expect(pathMatches('/v2/aggs', '/v2/aggs/ticker/AAPL/prev')).toBe(true);
    expect(pathMatches('/v2/aggs', '/v2/aggsx')).toBe(false);
    expect(pathMatches(/prev$/, '/v2/aggs/ticker/AAPL/prev')).toBe(true);
    const server = await startFakeServer(() => ({ status: 200, body: { ok: true } }));
    try {
      server.script({ path: '/a', times: 2, respond: { status: 429, body: { n: 1 } } });
      server.script({ times: 1, respond: { status: 500, body: 'down', headers: { 'Retry-After': '3' } } });
      const get = async (path: string) => {
        const res = await fetch(`${server.url}${path}`);
        return [res.status, await res.text(), res.headers.get('retry-after')];
      };
      expect(await get('/b')).toEqual([500, 'down', '3']);
      expect(await get('/a/x')).toEqual([429, '{"n":1}', null]);
      expect(await get('/a')).toEqual([429, '{"n":1}', null]);
      expect(await get('/a')).toEqual([200, '{"ok":true}', null]);
      expect([server.hits('/a'), server.hits('/b'), server.hits()]).toEqual([3, 1, 4]);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(() => server.script({ times: 0, respond: { status: 200 } })).toThrow(RangeError);
    } finally {
      await server.close();
    }
  });
});
