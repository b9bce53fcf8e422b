import {
  type CandleInterval,
  type CandleRequest,
  type MarketDataProvider,
  type ProviderCandle,
  ProviderError,
  type ProviderFactory,
  type ProviderQuote,
  type ProviderSettings,
  type SymbolMatch,
} from '@ballast/app/market-data/provider.js';
import { CURRENCY_MINOR_UNITS } from '@ballast/core/currencies.js';
import * as z from 'zod/mini';
import {
  type AdapterDeps,
  getJson,
  mapLimited,
  msToNextMinute,
  retryAfterHeaderMs,
  timeoutOf,
  type VendorAnswer,
  vendorMessage,
} from '../http.js';
import { decimalOfNumber } from '../numbers.js';
import { dateOf, dateStartOf, isoOf, windowOf } from '../times.js';

/**
 * Polygon (https://polygon.io/docs; rebranded Massive, the old host still answers), as
 * ../../../../../shared/VENDORS.md describes it.
 *
 * - The key goes in `Authorization: Bearer <key>`, never in the query string; `next_url` (which
 *   carries no key) is followed with the same header, and only to the configured host.
 * - Symbols: Ballast's pairs `EUR/USD` and `BTC/USD` are Polygon's `C:EURUSD` (two currencies) and
 *   `X:BTCUSD` (anything else); tickers pass as they are.
 * - Bars: `/v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}` with adjusted=true,
 *   sort=asc, limit=50000, following `next_url`; `results` absent is no bars. `t` is the bar's start
 *   in ms; a bar of a day or longer is moved to 00:00 UTC of its date (Polygon stamps a US
 *   equity's day at New York midnight, 04:00 or 05:00 UTC) so both vendors agree on bar times.
 * - Numbers are JSON numbers: turned into decimal strings with `String(n)` of the parsed double
 *   (the shortest text that reads back as it, so 130.15 stays "130.15"), expanded out of
 *   exponent form (numbers.ts).
 * - Quotes: `/v2/aggs/ticker/{ticker}/prev`, the previous trading day's bar, chosen over the
 *   snapshot endpoint because every plan (the free one too) may call it and it serves fx and
 *   crypto alike; the price is that day's close, `asOf` the start of that bar as Polygon stamps
 *   it. It costs one request per symbol (up to 4 at once), so a caller counting the vendor's
 *   allowance counts symbols, not calls. US listings are priced in USD; a pair in its quote
 *   currency.
 * - Search: `/v3/reference/tickers?search=…&active=true`.
 * - Errors by HTTP status: 429 → rate-limited (Retry-After if sent, else until the next minute),
 *   401/403 (NOT_AUTHORIZED) → unauthorized, 404 → not-found, other 4xx → bad-request,
 *   5xx → unavailable.
 *
 * Routing options: `timeoutMs` (default 10 s).
 */

export const POLYGON = 'polygon';
const DEFAULT_BASE_URL = 'https://api.polygon.io';
const PAGE_LIMIT = 50_000;
/** next_url pages followed at most for one window (50,000 bars each): past that, something is wrong */
const MAX_PAGES = 50;
const QUOTES_AT_ONCE = 4;
const SEARCH_LIMIT = 20;

const INTERVALS: Readonly<Record<CandleInterval, { multiplier: number; timespan: string; days: boolean }>> = {
  '1min': { multiplier: 1, timespan: 'minute', days: false },
  '5min': { multiplier: 5, timespan: 'minute', days: false },
  '15min': { multiplier: 15, timespan: 'minute', days: false },
  '30min': { multiplier: 30, timespan: 'minute', days: false },
  '1h': { multiplier: 1, timespan: 'hour', days: false },
  '4h': { multiplier: 4, timespan: 'hour', days: false },
  '1day': { multiplier: 1, timespan: 'day', days: true },
  '1week': { multiplier: 1, timespan: 'week', days: true },
  '1month': { multiplier: 1, timespan: 'month', days: true },
};

const aggregate = z.object({
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.optional(z.number()),
  t: z.number(),
});

const aggregatesBody = z.object({
  status: z.optional(z.string()),
  results: z.optional(z.array(aggregate)),
  next_url: z.optional(z.string()),
});

const tickersBody = z.object({
  results: z.optional(
    z.array(
      z.object({
        ticker: z.string(),
        name: z.optional(z.string()),
        market: z.optional(z.string()),
        locale: z.optional(z.string()),
        primary_exchange: z.optional(z.string()),
        type: z.optional(z.string()),
        currency_name: z.optional(z.string()),
        currency_symbol: z.optional(z.string()),
        base_currency_symbol: z.optional(z.string()),
      }),
    ),
  ),
});

const isCurrency = (code: string) => Object.hasOwn(CURRENCY_MINOR_UNITS, code);

/** `EUR/USD` → `C:EURUSD`, `BTC/USD` → `X:BTCUSD`, `AAPL` → `AAPL` */
export function polygonTicker(symbol: string): string {
  const slash = symbol.indexOf('/');
  if (slash < 0) return symbol;
  const base = symbol.slice(0, slash);
  const quote = symbol.slice(slash + 1);
  return `${isCurrency(base) && isCurrency(quote) ? 'C' : 'X'}:${base}${quote}`;
}

/** `C:EURUSD` → `EUR/USD` (the quote side is the last three letters unless Polygon says otherwise) */
function symbolOfTicker(ticker: string, base?: string, quote?: string): string {
  const match = /^[CX]:([A-Z0-9]+)$/.exec(ticker);
  if (!match) return ticker;
  if (base && quote && `${base}${quote}` === match[1]) return `${base}/${quote}`;
  return `${match[1].slice(0, -3)}/${match[1].slice(-3)}`;
}

/** a ticker in a path segment: encoded, but with Polygon's `:` left as it is */
const pathTicker = (ticker: string) => encodeURIComponent(ticker).replace(/%3A/gi, ':');

function assetClassOf(market: string | undefined, type: string | undefined): string | undefined {
  if (market === 'fx' || market === 'crypto') return market;
  if (market === 'indices') return 'index';
  if (type === 'ETF' || type === 'ETN' || type === 'ETV' || type === 'ETS') return 'etf';
  if (type === 'FUND') return 'fund';
  return market === 'stocks' || market === 'otc' ? 'equity' : undefined;
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function createPolygon(settings: ProviderSettings, deps: AdapterDeps = {}): MarketDataProvider {
  const baseUrl = (settings.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const origin = new URL(baseUrl).origin;
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const now = deps.now ?? (() => Date.now());
  const timeoutMs = timeoutOf(settings.options);

  function failure(answer: VendorAnswer): ProviderError {
    const { status } = answer;
    const said = answer.body as { error?: unknown; message?: unknown; status?: unknown } | undefined;
    const text = `Polygon: ${vendorMessage(said?.error ?? said?.message, `HTTP ${status}`)}`;
    if (status === 429) {
      const retryAfterMs = retryAfterHeaderMs(answer.headers, now()) ?? msToNextMinute(now());
      return new ProviderError(POLYGON, 'rate-limited', text, { status, retryAfterMs });
    }
    if (status === 401 || status === 403 || said?.status === 'NOT_AUTHORIZED') {
      return new ProviderError(POLYGON, 'unauthorized', text, { status });
    }
    if (status === 404) return new ProviderError(POLYGON, 'not-found', text, { status });
    if (status >= 400 && status < 500 && status !== 408)
      return new ProviderError(POLYGON, 'bad-request', text, { status });
    return new ProviderError(POLYGON, 'unavailable', text, { status });
  }

  async function call(url: string): Promise<unknown> {
    const answer = await getJson(POLYGON, fetchImpl, url, { Authorization: `Bearer ${settings.apiKey}` }, timeoutMs);
    const status = (answer.body as { status?: unknown } | undefined)?.status;
    if (answer.status < 200 || answer.status >= 300 || status === 'ERROR' || status === 'NOT_AUTHORIZED') {
      throw failure(answer);
    }
    if (answer.body === undefined)
      throw new ProviderError(POLYGON, 'unavailable', 'Polygon answered something other than JSON');
    return answer.body;
  }

  function parsed<T>(schema: z.ZodMiniType<T>, body: unknown, what: string): T {
    const result = schema.safeParse(body);
    if (!result.success) throw new ProviderError(POLYGON, 'unavailable', `Polygon sent an unexpected ${what}`);
    return result.data;
  }

  function decimal(value: number | undefined, what: string): string {
    const text = decimalOfNumber(value);
    if (text === undefined) throw new ProviderError(POLYGON, 'unavailable', `Polygon sent ${value} as a ${what}`);
    return text;
  }

  async function quoteOf(symbol: string): Promise<ProviderQuote | undefined> {
    let body: unknown;
    try {
      body = await call(`${baseUrl}/v2/aggs/ticker/${pathTicker(polygonTicker(symbol))}/prev?adjusted=true`);
    } catch (e) {
      if (e instanceof ProviderError && e.kind === 'not-found') return undefined;
      throw e;
    }
    const bar = parsed(aggregatesBody, body, 'previous close').results?.[0];
    if (!bar) return undefined; // a ticker Polygon does not know answers no results
    const slash = symbol.indexOf('/');
    return {
      symbol,
      price: decimal(bar.c, 'price'),
      asOf: isoOf(bar.t),
      currency: slash < 0 ? 'USD' : symbol.slice(slash + 1),
    };
  }

  return {
    name: POLYGON,

    async quotes(symbols) {
      const wanted = [...new Set(symbols.map((symbol) => symbol.trim()).filter(Boolean))];
      const found = await mapLimited(wanted, QUOTES_AT_ONCE, quoteOf);
      return found.filter((quote): quote is ProviderQuote => quote !== undefined);
    },

    async searchSymbols(query) {
      const text = query.trim().slice(0, 64);
      if (!text) return [];
      const params = new URLSearchParams({ search: text, active: 'true', limit: String(SEARCH_LIMIT) });
      let body: unknown;
      try {
        body = await call(`${baseUrl}/v3/reference/tickers?${params}`);
      } catch (e) {
        if (e instanceof ProviderError && e.kind === 'not-found') return [];
        throw e;
      }
      return (parsed(tickersBody, body, 'search answer').results ?? []).map((match): SymbolMatch => {
        const currency = match.currency_symbol ?? (match.currency_name?.length === 3 ? match.currency_name : undefined);
        return compact({
          symbol: symbolOfTicker(match.ticker, match.base_currency_symbol, match.currency_symbol),
          name: match.name ?? match.ticker,
          exchange: match.primary_exchange,
          currency: currency?.toUpperCase(),
          assetClass: assetClassOf(match.market, match.type),
          country: match.locale && match.locale !== 'global' ? match.locale.toUpperCase() : undefined,
        });
      });
    },

    async candles(request: CandleRequest): Promise<ProviderCandle[]> {
      const interval = INTERVALS[request.interval];
      if (!interval) throw new ProviderError(POLYGON, 'bad-request', `unknown interval ${request.interval}`);
      const { fromMs, toMs } = windowOf(POLYGON, request);
      if (toMs < fromMs) return [];
      // days by date (Polygon reads a date as that trading day), intraday bars by the millisecond
      const from = interval.days ? dateOf(fromMs) : String(fromMs);
      const to = interval.days ? dateOf(toMs) : String(toMs);
      const path = `/v2/aggs/ticker/${pathTicker(polygonTicker(request.symbol))}/range/${interval.multiplier}`;
      let url: string | undefined =
        `${baseUrl}${path}/${interval.timespan}/${from}/${to}?adjusted=true&sort=asc&limit=${PAGE_LIMIT}`;
      const byTime = new Map<string, ProviderCandle>();
      for (let page = 0; url; page++) {
        if (page >= MAX_PAGES) throw new ProviderError(POLYGON, 'unavailable', `Polygon sent over ${MAX_PAGES} pages`);
        const body: z.infer<typeof aggregatesBody> = parsed(aggregatesBody, await call(url), 'aggregates answer');
        for (const bar of body.results ?? []) {
          const opened = interval.days ? dateStartOf(bar.t) : bar.t;
          if (opened < fromMs || opened > toMs) continue;
          const time = isoOf(opened);
          byTime.set(time, {
            time,
            open: decimal(bar.o, 'price'),
            high: decimal(bar.h, 'price'),
            low: decimal(bar.l, 'price'),
            close: decimal(bar.c, 'price'),
            volume: decimal(bar.v ?? 0, 'volume'),
          });
        }
        url = body.next_url ? new URL(body.next_url, baseUrl).href : undefined;
        // the key goes wherever next_url points: only ever to the host it was configured for
        if (url && new URL(url).origin !== origin) {
          throw new ProviderError(POLYGON, 'unavailable', 'Polygon sent a next_url to another host; not followed');
        }
      }
      return [...byTime.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    },
  };
}

export const polygonProvider: ProviderFactory = (settings, deps) => createPolygon(settings, deps);
