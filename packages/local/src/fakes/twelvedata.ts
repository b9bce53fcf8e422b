import { DEFAULT_UNKNOWN_SYMBOLS, instrumentOf, isKnownSymbol, searchInstruments } from './catalogue.js';
import {
  type FakeRequest,
  type FakeResponse,
  type FakeVendorServer,
  keyOf,
  minuteAllowance,
  startFakeServer,
} from './fake-server.js';
import {
  deterministicCandles,
  deterministicQuote,
  easternOffsetHours,
  type FakeGranularity,
  fakeAssetClass,
  fakeBarEnd,
  fakeBars,
} from './prices.js';

/**
 * A fake Twelve Data (api.twelvedata.com) speaking its real shapes (../../../../../shared/VENDORS.md):
 * `/time_series`, `/quote` (one symbol: the quote itself; several: an object keyed by symbol, an
 * unknown one as an error object under its key), `/symbol_search`. Its quirks, kept on purpose:
 * errors are `{"code","message","status":"error"}` bodies with HTTP 200 (unless
 * `httpStatusOnErrors`); values are strings; `timezone` defaults to the exchange's (New York for
 * US equities) and `end_date` is exclusive; a window without bars is code 400 "No data is
 * available on the specified dates"; with credits per minute set, batched symbols cost one each.
 */

export const FAKE_TWELVE_DATA_KEY = 'td-local-key';

export interface FakeTwelveDataOptions {
  /** keys it accepts (`Authorization: apikey <key>` or `?apikey=`); default [FAKE_TWELVE_DATA_KEY] */
  apiKeys?: readonly string[];
  /** its clock: only bars complete by now are served, quotes are as of now, credits reset each minute */
  now?: () => number;
  /** credits per key each minute of `now` (the free plan has 8); unlimited when absent */
  creditsPerMinute?: number;
  /** answer errors with their code as the HTTP status too, rather than 200 */
  httpStatusOnErrors?: boolean;
  /** symbols it has never heard of; default DEFAULT_UNKNOWN_SYMBOLS */
  unknownSymbols?: readonly string[];
}

const DAY_MS = 86_400_000;
const MAX_OUTPUT = 5000;
const MAX_BATCH = 120;

const INTERVALS: Readonly<Record<string, FakeGranularity>> = {
  '1min': { unit: 'minute', size: 1 },
  '5min': { unit: 'minute', size: 5 },
  '15min': { unit: 'minute', size: 15 },
  '30min': { unit: 'minute', size: 30 },
  '45min': { unit: 'minute', size: 45 },
  '1h': { unit: 'minute', size: 60 },
  '2h': { unit: 'minute', size: 120 },
  '4h': { unit: 'minute', size: 240 },
  '8h': { unit: 'minute', size: 480 },
  '1day': { unit: 'day' },
  '1week': { unit: 'week' },
  '1month': { unit: 'month' },
};

const MESSAGES = {
  apikey:
    '**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this ' +
    'link: https://twelvedata.com/pricing. If you believe that everything is correct, you can contact us at ' +
    'https://twelvedata.com/contact/customer',
  credits: (wanted: number, limit: number) =>
    `You have run out of API credits for the current minute. ${wanted} API credits were used, with the current ` +
    `limit being ${limit}. Wait for the next minute or consider switching to a higher tier plan at ` +
    'https://twelvedata.com/pricing',
  noData: 'No data is available on the specified dates. Try setting different start/end dates.',
  notFound: (symbol: string) =>
    `**symbol** not found: ${symbol}. Please specify it correctly according to API Documentation.`,
  symbolMissing:
    '**symbol** or **figi** parameter is missing or invalid. Please provide a valid symbol according to API ' +
    'documentation: https://twelvedata.com/docs#reference-data',
};

/** about how long a bar is (a month at its longest), for how far back `outputsize` bars reach */
function barLengthMs(granularity: FakeGranularity): number {
  if (granularity.unit === 'minute') return granularity.size * 60_000;
  return { day: 1, week: 7, month: 31 }[granularity.unit] * DAY_MS;
}

/** hours to add to a UTC time to print it in `timezone` (UTC, the exchange's, or New York) */
function offsetHoursFor(symbol: string, timezone: string, dayMs: number): number | undefined {
  if (timezone === 'UTC') return 0;
  if (timezone !== 'Exchange' && timezone !== 'America/New_York') return undefined;
  if (timezone === 'Exchange' && fakeAssetClass(symbol) !== 'equity') return 0;
  return -easternOffsetHours(dayMs);
}

const pad = (n: number) => String(n).padStart(2, '0');
function printed(timeMs: number, offsetHours: number, dateOnly: boolean): string {
  const at = new Date(timeMs + offsetHours * 3_600_000);
  const date = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
  return dateOnly ? date : `${date} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`;
}

/** `2030-01-15` or `2030-01-15 14:30:00` in `timezone` → epoch ms */
function parsed(text: string, symbol: string, timezone: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = match;
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offset = offsetHoursFor(symbol, timezone, Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  return offset === undefined ? undefined : asUtc - offset * 3_600_000;
}

/** a - b for decimal strings, exact (both come from the same symbol, so with the same decimals) */
function difference(a: string, b: string): string {
  const decimals = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  const scaled = (text: string) => {
    const [whole, fraction = ''] = text.split('.');
    return BigInt(whole + fraction.padEnd(decimals, '0'));
  };
  const diff = scaled(a) - scaled(b);
  const negative = diff < 0n;
  const digits = (negative ? -diff : diff).toString().padStart(decimals + 1, '0');
  const out = decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
  return negative ? `-${out}` : out;
}

export async function startFakeTwelveData(options: FakeTwelveDataOptions = {}): Promise<FakeVendorServer> {
  const keys = new Set(options.apiKeys ?? [FAKE_TWELVE_DATA_KEY]);
  const unknown = new Set(options.unknownSymbols ?? DEFAULT_UNKNOWN_SYMBOLS);
  const now = options.now ?? (() => Date.now());
  const spend = minuteAllowance(options.creditsPerMinute, now);

  const error = (code: number, message: string, extra: Record<string, unknown> = {}): FakeResponse => ({
    status: options.httpStatusOnErrors ? code : 200,
    body: { code, message, status: 'error', ...extra },
  });

  function timeSeries(query: URLSearchParams): FakeResponse {
    const symbol = query.get('symbol') ?? '';
    const intervalName = query.get('interval') ?? '';
    const granularity = INTERVALS[intervalName];
    if (!symbol) return error(400, MESSAGES.symbolMissing);
    if (!granularity) {
      return error(400, `**interval** is not supported. Supported: ${Object.keys(INTERVALS).join(', ')}`);
    }
    if (!isKnownSymbol(symbol, unknown))
      return error(404, MESSAGES.notFound(symbol), { meta: { symbol, interval: intervalName } });
    const timezone = query.get('timezone') ?? 'Exchange';
    const startText = query.get('start_date');
    const endText = query.get('end_date');
    const outputText = query.get('outputsize');
    const outputsize = outputText === null ? (startText || endText ? MAX_OUTPUT : 30) : Number(outputText);
    if (!(Number.isInteger(outputsize) && outputsize >= 1 && outputsize <= MAX_OUTPUT)) {
      return error(400, '**outputsize** parameter is incorrect. Supported values are between 1 and 5000');
    }
    const nowMs = now();
    const endMs = endText === null ? nowMs : parsed(endText, symbol, timezone);
    const startMs = startText === null ? undefined : parsed(startText, symbol, timezone);
    if (endMs === undefined || (startText !== null && startMs === undefined)) {
      return error(400, '**start_date** / **end_date** / **timezone** parameter is incorrect');
    }
    const complete = (bar: { time: string }) => {
      const opened = Date.parse(bar.time);
      return opened < endMs && fakeBarEnd(symbol, granularity, opened) <= nowMs; // end_date is exclusive
    };
    // Without a start: the latest `outputsize` bars before the end (six bar lengths a bar covers an
    // equity's nights and weekends). Either way the real API answers at most `outputsize` bars, so
    // intraday bars older than 399 days before the end (more than 5000 of them) are never needed.
    const lookbackMs = barLengthMs(granularity) * outputsize * 6 + 7 * DAY_MS;
    let fromMs = startMs ?? endMs - lookbackMs;
    if (granularity.unit === 'minute') fromMs = Math.max(fromMs, endMs - 399 * DAY_MS);
    let bars = fakeBars(symbol, granularity, fromMs, endMs).filter(complete);
    if (!bars.length) return error(400, MESSAGES.noData);
    // like the real API: the latest `outputsize` bars of the window, then in the order asked
    bars = bars.slice(-outputsize);
    if ((query.get('order') ?? 'desc').toLowerCase() !== 'asc') bars.reverse();
    const instrument = instrumentOf(symbol);
    const daily = granularity.unit !== 'minute';
    const isFx = fakeAssetClass(symbol) === 'fx';
    const exchangeTimezone = fakeAssetClass(symbol) === 'equity' ? 'America/New_York' : 'UTC';
    return {
      status: 200,
      body: {
        meta: {
          symbol,
          interval: intervalName,
          ...(isFx
            ? { currency_base: symbol.split('/')[0], currency_quote: symbol.split('/')[1] }
            : { currency: instrument.currency }),
          exchange_timezone: exchangeTimezone,
          exchange: instrument.exchange,
          mic_code: instrument.mic,
          type: instrument.type,
        },
        values: bars.map((bar) => {
          const opened = Date.parse(bar.time);
          const offset = offsetHoursFor(symbol, timezone, Math.floor(opened / DAY_MS) * DAY_MS) ?? 0;
          const value = {
            datetime: printed(opened, daily ? 0 : offset, daily),
            open: bar.open,
            high: bar.high,
            low: bar.low,
            close: bar.close,
          };
          return isFx ? value : { ...value, volume: bar.volume };
        }),
        status: 'ok',
      },
    };
  }

  function quoteOf(symbol: string, nowMs: number): Record<string, unknown> {
    const quote = deterministicQuote(symbol, new Date(nowMs).toISOString());
    const instrument = instrumentOf(symbol);
    const year = deterministicCandles(symbol, '1day', new Date(nowMs - 365 * DAY_MS).toISOString(), quote.tradingDay);
    const lows = year.map((bar) => bar.low);
    const highs = year.map((bar) => bar.high);
    const low = lows.reduce((a, b) => (Number(b) < Number(a) ? b : a), quote.low);
    const high = highs.reduce((a, b) => (Number(b) > Number(a) ? b : a), quote.high);
    const change = difference(quote.price, quote.previousClose);
    const percent = (part: string, whole: string) => ((Number(part) / Number(whole)) * 100).toFixed(5);
    const isFx = fakeAssetClass(symbol) === 'fx';
    const volumes = year.slice(-9).map((bar) => Number(bar.volume));
    return {
      symbol,
      name: instrument.name,
      exchange: instrument.exchange,
      mic_code: instrument.mic,
      ...(fakeAssetClass(symbol) === 'equity'
        ? { currency: instrument.currency }
        : { currency_base: symbol.split('/')[0], currency_quote: symbol.split('/')[1] }),
      datetime: quote.tradingDay,
      // the real API's `timestamp` is the opening of the interval; `last_quote_at` is the price's time
      timestamp: Math.floor(Date.parse(quote.sessionStart) / 1000),
      last_quote_at: Math.floor(Date.parse(quote.asOf) / 1000),
      open: quote.open,
      high: quote.high,
      low: quote.low,
      close: quote.price,
      ...(isFx ? {} : { volume: quote.volume }),
      previous_close: quote.previousClose,
      change,
      percent_change: percent(change, quote.previousClose),
      ...(isFx
        ? {}
        : { average_volume: String(Math.round(volumes.reduce((a, b) => a + b, 0) / Math.max(1, volumes.length))) }),
      is_market_open: quote.isMarketOpen,
      fifty_two_week: {
        low,
        high,
        low_change: difference(quote.price, low),
        high_change: difference(quote.price, high),
        low_change_percent: percent(difference(quote.price, low), low),
        high_change_percent: percent(difference(quote.price, high), high),
        range: `${low} - ${high}`,
      },
    };
  }

  function quotes(symbols: string[]): FakeResponse {
    const nowMs = now();
    const entryOf = (symbol: string) =>
      isKnownSymbol(symbol, unknown)
        ? quoteOf(symbol, nowMs)
        : { code: 404, message: MESSAGES.notFound(symbol), status: 'error', meta: { symbol } };
    if (symbols.length === 1) {
      const [symbol] = symbols;
      return isKnownSymbol(symbol, unknown)
        ? { status: 200, body: quoteOf(symbol, nowMs) }
        : error(404, MESSAGES.notFound(symbol));
    }
    return { status: 200, body: Object.fromEntries(symbols.map((symbol) => [symbol, entryOf(symbol)])) };
  }

  function symbolSearch(query: URLSearchParams): FakeResponse {
    const text = query.get('symbol');
    if (!text) return error(400, '**symbol** parameter is missing or invalid.');
    const limit = Math.min(120, Math.max(1, Number(query.get('outputsize') ?? 30) || 30));
    return {
      status: 200,
      body: {
        data: searchInstruments(text, limit).map((instrument) => ({
          symbol: instrument.symbol,
          instrument_name: instrument.name,
          exchange: instrument.exchange,
          mic_code: instrument.mic,
          exchange_timezone: fakeAssetClass(instrument.symbol) === 'equity' ? 'America/New_York' : 'UTC',
          instrument_type: instrument.type,
          country: instrument.country,
          currency: instrument.currency,
        })),
        status: 'ok',
      },
    };
  }

  const creditsFor = (request: FakeRequest): number =>
    request.path === '/quote' ? (request.query.get('symbol') ?? '').split(',').filter(Boolean).length : 1;

  return startFakeServer((request) => {
    const known = ['/time_series', '/quote', '/symbol_search'];
    if (request.method !== 'GET' || !known.includes(request.path)) {
      return error(404, `This endpoint does not exist: ${request.method} ${request.path}`);
    }
    const key = keyOf(request, 'apikey', 'apikey');
    if (!key || !keys.has(key)) return error(401, MESSAGES.apikey);
    if (request.path === '/quote') {
      const symbols = (request.query.get('symbol') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (!symbols.length) return error(400, MESSAGES.symbolMissing);
      if (symbols.length > MAX_BATCH) return error(400, `**symbol** parameter accepts at most ${MAX_BATCH} symbols`);
    }
    const allowance = spend(key, creditsFor(request));
    if (!allowance.ok) return error(429, MESSAGES.credits(allowance.wanted, allowance.limit));
    if (request.path === '/time_series') return timeSeries(request.query);
    if (request.path === '/quote') {
      return quotes(
        (request.query.get('symbol') ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    }
    return symbolSearch(request.query);
  });
}
