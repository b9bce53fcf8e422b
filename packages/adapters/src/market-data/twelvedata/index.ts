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
import { isDecimalString } from '@ballast/core/decimal-grammar.js';
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
import { isoOf, windowOf } from '../times.js';

/**
 * Twelve Data (https://twelvedata.com/docs), as ../../../../../shared/VENDORS.md describes it.
 *
 * - The key goes in `Authorization: apikey <key>`, never in the query string.
 * - Any body with `"status":"error"` is an error whatever the HTTP status (the API often says 200):
 *   code 429 → rate-limited (until the next minute, when credits reset, unless a Retry-After
 *   says otherwise), 401/403 → unauthorized, 404 → not-found, 400 → bad-request except "No data
 *   is available on the specified dates", which is an empty window, 5xx → unavailable.
 * - Bars are asked in UTC (`timezone=UTC`: the default is the exchange's local time), oldest first,
 *   in date windows of at most 5000 bars (the API's `outputsize` cap), so a long range costs
 *   one request (one credit) per window. `end_date` is passed one second past the end and the bars
 *   are filtered here, so the answer is right whether the vendor treats it as inclusive or not.
 * - Quotes are batched (a credit per symbol, `options.maxSymbolsPerRequest` a request, at most
 *   120): one symbol answers the quote itself, several an object keyed by symbol, where an
 *   unknown symbol is an error object under its key (left out). Price: `close`; time:
 *   `last_quote_at`, else `timestamp` (the start of the day's bar).
 *
 * Routing options: `timeoutMs` (default 10 s), `maxSymbolsPerRequest` (default 120; a free key's
 * 8 credits a minute cannot pay for more than 8).
 */

export const TWELVE_DATA = 'twelvedata';
const DEFAULT_BASE_URL = 'https://api.twelvedata.com';
const MAX_OUTPUT = 5000;
const MAX_BATCH = 120;
const SEARCH_LIMIT = 30;
const NO_DATA = /no data is available/i;

/** Twelve Data spells our intervals as we do; the shortest a bar of each can be, for sizing windows. */
const INTERVALS: Readonly<Record<CandleInterval, { name: string; minMs: number }>> = {
  '1min': { name: '1min', minMs: 60_000 },
  '5min': { name: '5min', minMs: 300_000 },
  '15min': { name: '15min', minMs: 900_000 },
  '30min': { name: '30min', minMs: 1_800_000 },
  '1h': { name: '1h', minMs: 3_600_000 },
  '4h': { name: '4h', minMs: 14_400_000 },
  '1day': { name: '1day', minMs: 86_400_000 },
  '1week': { name: '1week', minMs: 7 * 86_400_000 },
  '1month': { name: '1month', minMs: 28 * 86_400_000 },
};

const decimal = z.string().check(z.refine(isDecimalString, 'a decimal string'));

const errorBody = z.object({
  status: z.literal('error'),
  code: z.optional(z.number()),
  message: z.optional(z.string()),
});

const seriesBody = z.object({
  values: z.optional(
    z.array(
      z.object({
        datetime: z.string(),
        open: decimal,
        high: decimal,
        low: decimal,
        close: decimal,
        // absent for fx; a stray non-number is no reason to lose the bar
        volume: z.optional(z.string()),
      }),
    ),
  ),
});

const quoteBody = z.object({
  symbol: z.string(),
  name: z.optional(z.string()),
  exchange: z.optional(z.string()),
  currency: z.optional(z.string()),
  currency_quote: z.optional(z.string()),
  datetime: z.optional(z.string()),
  timestamp: z.optional(z.number()),
  last_quote_at: z.optional(z.number()),
  close: decimal,
  previous_close: z.optional(decimal),
});

const searchBody = z.object({
  data: z.array(
    z.object({
      symbol: z.string(),
      instrument_name: z.optional(z.string()),
      exchange: z.optional(z.string()),
      instrument_type: z.optional(z.string()),
      country: z.optional(z.string()),
      currency: z.optional(z.string()),
    }),
  ),
});

const ASSET_CLASSES: Readonly<Record<string, string>> = {
  'common stock': 'equity',
  'preferred stock': 'equity',
  'depositary receipt': 'equity',
  'american depositary receipt': 'equity',
  'global depositary receipt': 'equity',
  reit: 'equity',
  etf: 'etf',
  'mutual fund': 'fund',
  index: 'index',
  'physical currency': 'fx',
  'digital currency': 'crypto',
};

const assetClassOf = (type: string) => ASSET_CLASSES[type.toLowerCase()] ?? type.toLowerCase().replace(/\s+/g, '-');

/** `2030-01-15` or `2030-01-15 14:30:00` (UTC, as asked) → ISO 8601 */
function isoOfDatetime(text: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2}))?$/.exec(text);
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}T${match[2] ?? '00:00:00'}Z`);
  return Number.isFinite(ms) ? isoOf(ms) : undefined;
}

/** epoch ms → `2030-01-15 14:30:00` (UTC, whole seconds) */
const paramOf = (ms: number) => isoOf(ms).slice(0, 19).replace('T', ' ');

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function positiveIntegerOption(options: ProviderSettings['options'], name: string, max: number): number {
  const value = options?.[name];
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? Math.min(value, max) : max;
}

export function createTwelveData(settings: ProviderSettings, deps: AdapterDeps = {}): MarketDataProvider {
  const baseUrl = (settings.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const now = deps.now ?? (() => Date.now());
  const timeoutMs = timeoutOf(settings.options);
  const batchSize = positiveIntegerOption(settings.options, 'maxSymbolsPerRequest', MAX_BATCH);

  /** the failure a vendor error code stands for */
  function failure(code: number, message: string, answer: VendorAnswer): ProviderError {
    const text = `Twelve Data: ${vendorMessage(message, `error ${code}`)}`;
    if (code === 429) {
      const retryAfterMs = retryAfterHeaderMs(answer.headers, now()) ?? msToNextMinute(now());
      return new ProviderError(TWELVE_DATA, 'rate-limited', text, { status: code, retryAfterMs });
    }
    if (code === 401 || code === 403) return new ProviderError(TWELVE_DATA, 'unauthorized', text, { status: code });
    if (code === 404) return new ProviderError(TWELVE_DATA, 'not-found', text, { status: code });
    if (code >= 400 && code < 500 && code !== 408) {
      return new ProviderError(TWELVE_DATA, 'bad-request', text, { status: code });
    }
    return new ProviderError(TWELVE_DATA, 'unavailable', text, { status: code });
  }

  async function call(path: string, params: Record<string, string>): Promise<unknown> {
    const url = `${baseUrl}${path}?${new URLSearchParams(params)}`;
    const answer = await getJson(
      TWELVE_DATA,
      fetchImpl,
      url,
      { Authorization: `apikey ${settings.apiKey}` },
      timeoutMs,
    );
    const error = errorBody.safeParse(answer.body);
    if (error.success) throw failure(error.data.code ?? answer.status, error.data.message ?? '', answer);
    if (answer.status < 200 || answer.status >= 300) throw failure(answer.status, `HTTP ${answer.status}`, answer);
    if (answer.body === undefined) {
      throw new ProviderError(TWELVE_DATA, 'unavailable', 'Twelve Data answered something other than JSON');
    }
    return answer.body;
  }

  function parsed<T>(schema: z.ZodMiniType<T>, body: unknown, what: string): T {
    const result = schema.safeParse(body);
    if (!result.success) throw new ProviderError(TWELVE_DATA, 'unavailable', `Twelve Data sent an unexpected ${what}`);
    return result.data;
  }

  function quoteOf(symbol: string, body: unknown): ProviderQuote {
    const quote = parsed(quoteBody, body, 'quote');
    const seconds = quote.last_quote_at ?? quote.timestamp;
    const asOf =
      seconds !== undefined ? isoOf(seconds * 1000) : (quote.datetime && isoOfDatetime(quote.datetime)) || isoOf(now());
    const pairCurrency = symbol.includes('/') ? symbol.slice(symbol.indexOf('/') + 1) : undefined;
    return compact({
      symbol,
      price: quote.close,
      asOf,
      name: quote.name,
      currency: quote.currency ?? quote.currency_quote ?? pairCurrency,
      exchange: quote.exchange,
      previousClose: quote.previous_close,
    });
  }

  /** one request of up to `batchSize` symbols */
  async function quoteBatch(symbols: readonly string[]): Promise<ProviderQuote[]> {
    let body: unknown;
    try {
      body = await call('/quote', { symbol: symbols.join(',') });
    } catch (e) {
      // one symbol answers its own error at the top: an unknown one is left out, not a failure
      const unknown = e instanceof ProviderError && (e.kind === 'not-found' || e.kind === 'bad-request');
      if (symbols.length === 1 && unknown) return [];
      throw e;
    }
    if (symbols.length === 1 || (typeof body === 'object' && body !== null && 'close' in body)) {
      const single = parsed(quoteBody, body, 'quote');
      const asked = symbols.find((symbol) => symbol.toUpperCase() === single.symbol.toUpperCase()) ?? symbols[0];
      return [quoteOf(asked, body)];
    }
    const keyed = parsed(z.record(z.string(), z.unknown()), body, 'batch of quotes');
    const out: ProviderQuote[] = [];
    for (const symbol of symbols) {
      const entry = keyed[symbol] ?? keyed[symbol.toUpperCase()];
      if (entry === undefined) continue;
      const error = errorBody.safeParse(entry);
      if (error.success) {
        const code = error.data.code ?? 400;
        if (code === 400 || code === 404) continue; // an unknown symbol of the batch
        throw failure(code, error.data.message ?? '', { status: 200, headers: new Headers(), body: entry });
      }
      out.push(quoteOf(symbol, entry));
    }
    return out;
  }

  /** bars of one window of at most MAX_OUTPUT bars; a window with none is [] */
  async function timeSeriesWindow(symbol: string, interval: string, startMs: number, endMs: number) {
    try {
      const body = await call('/time_series', {
        symbol,
        interval,
        start_date: paramOf(startMs),
        end_date: paramOf(Math.floor(endMs / 1000) * 1000 + 1000),
        timezone: 'UTC',
        order: 'asc',
        outputsize: String(MAX_OUTPUT),
      });
      return parsed(seriesBody, body, 'time series').values ?? [];
    } catch (e) {
      if (e instanceof ProviderError && e.kind === 'bad-request' && NO_DATA.test(e.message)) return [];
      throw e;
    }
  }

  return {
    name: TWELVE_DATA,

    async quotes(symbols) {
      const wanted = [...new Set(symbols.map((symbol) => symbol.trim()).filter(Boolean))];
      const batches: string[][] = [];
      for (let at = 0; at < wanted.length; at += batchSize) batches.push(wanted.slice(at, at + batchSize));
      // one batch after another: each one spends its credits, and a 429 should stop the rest
      const answered = await mapLimited(batches, 1, quoteBatch);
      return answered.flat();
    },

    async searchSymbols(query) {
      const text = query.trim().slice(0, 64);
      if (!text) return [];
      let body: unknown;
      try {
        body = await call('/symbol_search', { symbol: text, outputsize: String(SEARCH_LIMIT) });
      } catch (e) {
        if (e instanceof ProviderError && e.kind === 'not-found') return [];
        throw e;
      }
      return parsed(searchBody, body, 'search answer').data.map(
        (match): SymbolMatch =>
          compact({
            symbol: match.symbol,
            name: match.instrument_name ?? match.symbol,
            exchange: match.exchange || undefined,
            currency: match.currency || undefined,
            assetClass: match.instrument_type ? assetClassOf(match.instrument_type) : undefined,
            country: match.country || undefined,
          }),
      );
    },

    async candles(request: CandleRequest): Promise<ProviderCandle[]> {
      const interval = INTERVALS[request.interval];
      if (!interval) throw new ProviderError(TWELVE_DATA, 'bad-request', `unknown interval ${request.interval}`);
      const { fromMs, toMs } = windowOf(TWELVE_DATA, request);
      const span = (MAX_OUTPUT - 1) * interval.minMs;
      const byTime = new Map<string, ProviderCandle>();
      for (let startMs = fromMs; startMs <= toMs; ) {
        const endMs = Math.min(toMs, startMs + span);
        for (const value of await timeSeriesWindow(request.symbol, interval.name, startMs, endMs)) {
          const time = isoOfDatetime(value.datetime);
          if (!time) throw new ProviderError(TWELVE_DATA, 'unavailable', `Twelve Data sent a bar at ${value.datetime}`);
          const opened = Date.parse(time);
          if (opened < fromMs || opened > toMs) continue;
          const volume = value.volume !== undefined && isDecimalString(value.volume) ? value.volume : '0';
          byTime.set(time, { time, open: value.open, high: value.high, low: value.low, close: value.close, volume });
        }
        startMs = endMs + 1;
      }
      return [...byTime.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    },
  };
}

export const twelveDataProvider: ProviderFactory = (settings, deps) => createTwelveData(settings, deps);
