import { DEFAULT_UNKNOWN_SYMBOLS, FAKE_INSTRUMENTS, isKnownSymbol, searchInstruments } from './catalogue.js';
import {
  type FakeRequest,
  type FakeResponse,
  type FakeVendorServer,
  keyOf,
  minuteAllowance,
  startFakeServer,
} from './fake-server.js';
import { easternOffsetHours, type FakeGranularity, fakeAssetClass, fakeBarEnd, fakeBars } from './prices.js';

/**
 * A fake Polygon (api.polygon.io) speaking its real shapes (../../../../../shared/VENDORS.md):
 * `/v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}`, `/v2/aggs/ticker/{ticker}/prev`
 * and `/v3/reference/tickers`. Its quirks, kept on purpose: numbers are JSON numbers; `t` is the
 * bar's start in ms, and a US equity's daily (weekly, monthly) bar starts at midnight New York
 * time, not UTC; `results` is absent, not empty, when there is nothing; pages beyond `limit`
 * (or `maxPageSize`) are linked by a `next_url` that carries no API key; pairs are spelled
 * `C:EURUSD` (fx) and `X:BTCUSD` (crypto); errors are `{"status":"ERROR","error":…}` with the
 * HTTP status (401 no or unknown key, 429 over the per-minute limit).
 */

export const FAKE_POLYGON_KEY = 'pg-local-key';

export interface FakePolygonOptions {
  /** keys it accepts (`Authorization: Bearer <key>` or `?apiKey=`); default [FAKE_POLYGON_KEY] */
  apiKeys?: readonly string[];
  /** its clock: only bars complete by now are served; the request limit counts minutes of it */
  now?: () => number;
  /** requests per key each minute of `now` (the free tier has 5); unlimited when absent */
  requestsPerMinute?: number;
  /** the most results one page holds, whatever `limit` asks (to make `next_url` appear in tests) */
  maxPageSize?: number;
  /** symbols (in Ballast's spelling, `EUR/USD`) it has never heard of; default DEFAULT_UNKNOWN_SYMBOLS */
  unknownSymbols?: readonly string[];
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MAX_LIMIT = 50_000;
const AGGS = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/(\d+)\/([a-z]+)\/([^/]+)\/([^/]+)$/;
const PREV = /^\/v2\/aggs\/ticker\/([^/]+)\/prev$/;

/** `C:EURUSD` → `EUR/USD`, `X:BTCUSD` → `BTC/USD`, `AAPL` → `AAPL` */
export function symbolOfTicker(ticker: string): string {
  const match = /^([CX]):([A-Z0-9]+)$/.exec(ticker);
  if (!match) return ticker;
  const pair = match[2];
  return `${pair.slice(0, -3)}/${pair.slice(-3)}`;
}

/** `EUR/USD` → `C:EURUSD`, `BTC/USD` → `X:BTCUSD`, `AAPL` → `AAPL` */
export function tickerOfSymbol(symbol: string): string {
  const assetClass = fakeAssetClass(symbol);
  if (assetClass === 'equity') return symbol;
  return `${assetClass === 'fx' ? 'C' : 'X'}:${symbol.replace('/', '')}`;
}

function granularityOf(multiplier: number, timespan: string): FakeGranularity | undefined {
  if (timespan === 'minute') return { unit: 'minute', size: multiplier };
  if (timespan === 'hour') return { unit: 'minute', size: 60 * multiplier };
  if ((timespan === 'day' || timespan === 'week' || timespan === 'month') && multiplier === 1) {
    return { unit: timespan };
  }
  return undefined;
}

/** `2030-01-15` (its whole day, UTC) or epoch ms */
function boundOf(text: string, side: 'from' | 'to'): number | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const start = Date.parse(`${text}T00:00:00Z`);
    return Number.isFinite(start) ? start + (side === 'to' ? DAY_MS - 1 : 0) : undefined;
  }
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

interface Cursor {
  offset: number;
  limit: number;
  sort: 'asc' | 'desc';
  adjusted: boolean;
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
function decodeCursor(text: string): Cursor | undefined {
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    return Number.isInteger(cursor.offset) && Number.isInteger(cursor.limit) ? cursor : undefined;
  } catch {
    return undefined;
  }
}

export async function startFakePolygon(options: FakePolygonOptions = {}): Promise<FakeVendorServer> {
  const keys = new Set(options.apiKeys ?? [FAKE_POLYGON_KEY]);
  const unknown = new Set(options.unknownSymbols ?? DEFAULT_UNKNOWN_SYMBOLS);
  const now = options.now ?? (() => Date.now());
  const spend = minuteAllowance(options.requestsPerMinute, now);
  const maxPageSize = options.maxPageSize ?? MAX_LIMIT;
  let requestCount = 0;
  const requestId = () => (++requestCount).toString(16).padStart(32, '0');

  const failure = (status: number, body: Record<string, unknown>): FakeResponse => ({
    status,
    body: { ...body, request_id: requestId() },
  });

  /** the vendor's bars as Polygon prints them: numbers, `t` in ms (New York midnight for equity days) */
  function aggregates(symbol: string, granularity: FakeGranularity, fromMs: number, toMs: number) {
    const nowMs = now();
    const equityDays = fakeAssetClass(symbol) === 'equity' && granularity.unit !== 'minute';
    // an equity's daily bar is stamped at New York midnight, a few hours after UTC's: ask from earlier
    const bars = fakeBars(symbol, granularity, equityDays ? fromMs - 6 * HOUR_MS : fromMs, toMs);
    return bars.flatMap((bar) => {
      const opened = Date.parse(bar.time);
      if (fakeBarEnd(symbol, granularity, opened) > nowMs) return [];
      const t = equityDays ? opened + easternOffsetHours(opened) * HOUR_MS : opened;
      if (t < fromMs || t > toMs) return [];
      const [o, h, l, c, v] = [bar.open, bar.high, bar.low, bar.close, bar.volume].map(Number);
      return [{ v, vw: Number(((h + l + c) / 3).toFixed(4)), o, c, h, l, t, n: Math.max(1, Math.round(v / 150)) }];
    });
  }

  function range(request: FakeRequest, baseUrl: string, match: RegExpExecArray): FakeResponse {
    const [, tickerText, multiplierText, timespan, fromText, toText] = match;
    const ticker = decodeURIComponent(tickerText);
    const granularity = granularityOf(Number(multiplierText), timespan);
    if (!granularity) {
      return failure(400, { status: 'ERROR', error: `the fake serves minute, hour, or 1 day/week/month: ${timespan}` });
    }
    const fromMs = boundOf(fromText, 'from');
    const toMs = boundOf(toText, 'to');
    if (fromMs === undefined || toMs === undefined) {
      const which = fromMs === undefined ? 'from' : 'to';
      return failure(400, {
        status: 'ERROR',
        error: `Could not parse the time parameter: '${which}'. Use YYYY-MM-DD or Unix MS Timestamps`,
      });
    }
    const cursorText = request.query.get('cursor');
    const cursor = cursorText ? decodeCursor(cursorText) : undefined;
    if (cursorText && !cursor) return failure(400, { status: 'ERROR', error: 'invalid cursor' });
    const limit = Math.min(MAX_LIMIT, Math.max(1, Number(cursor?.limit ?? request.query.get('limit') ?? 5000) || 5000));
    const sort = (cursor?.sort ?? request.query.get('sort') ?? 'asc') === 'desc' ? 'desc' : 'asc';
    const adjusted = cursor?.adjusted ?? request.query.get('adjusted') !== 'false';
    const offset = cursor?.offset ?? 0;
    const symbol = symbolOfTicker(ticker);
    const all = isKnownSymbol(symbol, unknown) ? aggregates(symbol, granularity, fromMs, toMs) : [];
    if (sort === 'desc') all.reverse();
    const page = all.slice(offset, offset + Math.min(limit, maxPageSize));
    const more = offset + page.length < all.length;
    const next = encodeCursor({ offset: offset + page.length, limit, sort, adjusted });
    return {
      status: 200,
      body: {
        ticker,
        queryCount: page.length,
        resultsCount: page.length,
        adjusted,
        ...(page.length ? { results: page } : {}),
        status: 'OK',
        request_id: requestId(),
        count: page.length,
        ...(more ? { next_url: `${baseUrl}${request.path}?cursor=${next}` } : {}),
      },
    };
  }

  function previousDay(ticker: string): FakeResponse {
    const symbol = symbolOfTicker(ticker);
    const nowMs = now();
    const bars = isKnownSymbol(symbol, unknown)
      ? aggregates(symbol, { unit: 'day' }, nowMs - 10 * DAY_MS, nowMs).slice(-1)
      : [];
    return {
      status: 200,
      body: {
        ticker,
        queryCount: bars.length,
        resultsCount: bars.length,
        adjusted: true,
        ...(bars.length ? { results: bars.map((bar) => ({ T: ticker, ...bar })) } : {}),
        status: 'OK',
        request_id: requestId(),
      },
    };
  }

  function tickers(query: URLSearchParams): FakeResponse {
    const limit = Math.min(1000, Math.max(1, Number(query.get('limit') ?? 100) || 100));
    const search = query.get('search');
    const found = search ? searchInstruments(search, limit) : FAKE_INSTRUMENTS.slice(0, limit);
    const results = found
      .filter((instrument) => isKnownSymbol(instrument.symbol, unknown))
      .map((instrument) => {
        const assetClass = fakeAssetClass(instrument.symbol);
        const market = assetClass === 'equity' ? 'stocks' : assetClass;
        return {
          ticker: tickerOfSymbol(instrument.symbol),
          name: instrument.name,
          market,
          locale: assetClass === 'equity' ? 'us' : 'global',
          ...(assetClass === 'equity'
            ? { primary_exchange: instrument.mic, type: instrument.type === 'ETF' ? 'ETF' : 'CS' }
            : {}),
          active: true,
          currency_name: instrument.currency.toLowerCase(),
          ...(assetClass === 'equity'
            ? {}
            : { base_currency_symbol: instrument.symbol.split('/')[0], currency_symbol: instrument.currency }),
          last_updated_utc: '2030-01-01T00:00:00Z',
        };
      });
    return { status: 200, body: { results, status: 'OK', request_id: requestId(), count: results.length } };
  }

  return startFakeServer((request, baseUrl) => {
    if (request.method !== 'GET') return failure(405, { status: 'ERROR', error: 'method not allowed' });
    const aggs = AGGS.exec(request.path);
    const prev = PREV.exec(request.path);
    if (!aggs && !prev && request.path !== '/v3/reference/tickers') {
      return failure(404, { status: 'NOT_FOUND', message: 'The requested resource was not found' });
    }
    const key = keyOf(request, 'Bearer', 'apiKey');
    if (!key) return failure(401, { status: 'ERROR', error: 'API Key was not provided' });
    if (!keys.has(key)) return failure(401, { status: 'ERROR', error: 'Unknown API Key' });
    if (!spend(key, 1).ok) {
      return failure(429, {
        status: 'ERROR',
        error:
          "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. " +
          'https://polygon.io/pricing',
      });
    }
    if (aggs) return range(request, baseUrl, aggs);
    if (prev) return previousDay(decodeURIComponent(prev[1]));
    return tickers(request.query);
  });
}
