import { DecimalStringSchema, NonNegativeDecimalStringSchema } from '@ballast/core/money-schema.js';
import { integer, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { SYNC_ID } from './ids.js';
import { CANDLE_INTERVALS } from './provider.js';
import { normalizeSymbol, SYMBOL_MESSAGE, SYMBOL_PATTERN } from './symbols.js';
import { parseTimestamp } from './time.js';

/** Symbols one quotes request may name. */
export const MAX_QUOTE_SYMBOLS = 50;
/** Bars one candles response holds at most; `nextFrom` says where the next window starts. */
export const MAX_BARS_PER_RESPONSE = 10_000;
export const DEFAULT_BARS_PER_RESPONSE = 1_000;
/** An upload's body: a CSV file of up to 5 MiB (about 80,000 one-minute bars), or as many bars as JSON. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
export const MAX_UPLOAD_BARS = 100_000;
/** A calendar import: up to 1 MiB of CSV, or 10,000 events as JSON. */
export const MAX_EVENTS_BYTES = 1024 * 1024;
export const MAX_IMPORT_EVENTS = 10_000;

export const symbol = z.string().check(z.regex(SYMBOL_PATTERN, SYMBOL_MESSAGE));
export const interval = z.enum(CANDLE_INTERVALS);

const TIME_MESSAGE = 'must be an ISO 8601 date or date-time (1900–2199), like 2026-03-06 or 2026-03-06T14:30:00Z';
/** A date or date-time as parseTimestamp reads it (the handler parses it again to a number). */
export const timestamp = z.string().check(
  z.maxLength(40),
  z.refine((text) => parseTimestamp(text) !== undefined, TIME_MESSAGE),
);
timestamp.register(z.globalRegistry, {
  description: 'An ISO 8601 date (`2026-03-06`, 00:00 UTC) or date-time (`2026-03-06T14:30:00Z`)',
  examples: ['2026-03-06', '2026-03-06T14:30:00Z'],
});

export const candleParams = lazy(() => z.strictObject({ symbol, interval }));

/** `?symbols=AAPL,MSFT,EUR/USD`: the stored form or the vendors' slash for pairs, at most 50. */
export const quotesQuery = lazy(() =>
  z.strictObject({
    symbols: z.string().check(
      z.minLength(1),
      z.maxLength(2000),
      z.refine((list) => list.split(',').every((s) => normalizeSymbol(s) !== undefined), {
        error: 'must be comma-separated symbols like AAPL,MSFT,EUR-USD',
      }),
      z.refine((list) => new Set(list.split(',').map((s) => normalizeSymbol(s))).size <= MAX_QUOTE_SYMBOLS, {
        error: `names more than ${MAX_QUOTE_SYMBOLS} symbols`,
      }),
    ),
  }),
);

export const symbolsQuery = lazy(() =>
  z.strictObject({ q: z.string().check(z.trim(), z.minLength(1), z.maxLength(64)) }),
);

const barsParam = z._default(
  z.coerce.number().check(z.refine(Number.isInteger, 'must be an integer'), z.gte(1), z.lte(MAX_BARS_PER_RESPONSE)),
  DEFAULT_BARS_PER_RESPONSE,
);

/**
 * `from` given: the oldest bars from it on; no `from`: the newest bars up to `to` (default now).
 * At most `maxBars` either way, oldest first.
 */
export const candlesQuery = lazy(() =>
  z.strictObject({ from: z.optional(timestamp), to: z.optional(timestamp), maxBars: barsParam }),
);

export const uploadedCandle = z.strictObject({
  time: timestamp,
  open: DecimalStringSchema,
  high: DecimalStringSchema,
  low: DecimalStringSchema,
  close: DecimalStringSchema,
  volume: z.optional(NonNegativeDecimalStringSchema),
});

/**
 * A candle upload: JSON `{ "candles": [...] }`, or a CSV file (`Content-Type: text/csv`) with a
 * header row naming time (or date, datetime, timestamp), open, high, low, close and optionally
 * volume, in any order.
 */
export const uploadCandlesBody = lazy(() =>
  z.union([
    z.string().check(z.minLength(1), z.maxLength(MAX_UPLOAD_BYTES)),
    z.strictObject({ candles: z.array(uploadedCandle).check(z.minLength(1), z.maxLength(MAX_UPLOAD_BARS)) }),
  ]),
);

/** A window to fetch from the provider; `to` defaults to now. */
export const syncBody = lazy(() =>
  z.strictObject({ symbol, interval, from: timestamp, to: z.optional(timestamp) }).check(
    z.refine((b) => b.to === undefined || (parseTimestamp(b.from) ?? 0) <= (parseTimestamp(b.to) ?? 0), {
      error: 'must not be after `to`',
      path: ['from'],
    }),
  ),
);

export const syncParams = lazy(() =>
  z.strictObject({ syncId: z.string().check(z.regex(SYNC_ID, 'is not a sync id')) }),
);

export const importance = z.enum(['low', 'medium', 'high']);
/** ISO 3166-1 alpha-2, plus `EU` for the euro area, as economic calendars print it. */
const country = z.string().check(z.regex(/^[A-Z]{2}$/, 'must be a two-letter country code like US or EU'));
const currencyCode = z.string().check(z.regex(/^[A-Z]{3}$/, 'must be a currency code like USD'));
const figure = z.string().check(z.maxLength(40));

export const eventInput = z.strictObject({
  time: timestamp,
  country,
  currency: z.optional(currencyCode),
  title: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  importance: z._default(importance, 'medium'),
  actual: z.optional(figure),
  forecast: z.optional(figure),
  previous: z.optional(figure),
  unit: z.optional(z.string().check(z.maxLength(20))),
});

/**
 * An economic calendar import: JSON `{ "events": [...] }` or a CSV file with a header row
 * (time or date, country, currency, event or title, importance or impact, actual, forecast,
 * previous, unit).
 */
export const importEventsBody = lazy(() =>
  z.union([
    z.string().check(z.minLength(1), z.maxLength(MAX_EVENTS_BYTES)),
    z.strictObject({ events: z.array(eventInput).check(z.minLength(1), z.maxLength(MAX_IMPORT_EVENTS)) }),
  ]),
);

/** Oldest first within [from, to] (both required: a calendar is read a window at a time). */
export const eventsQuery = lazy(() =>
  z.extend(listQuery, {
    from: timestamp,
    to: timestamp,
    country: z.optional(country),
    importance: z.optional(importance),
  }),
);

// ---- answers ----

export const quote = lazy(() =>
  z.object({
    symbol: z.string(),
    price: DecimalStringSchema,
    currency: z.optional(z.string()),
    asOf: z.string(),
    /** served past its freshness: the provider could not be asked or failed */
    stale: z.boolean(),
    source: z.enum(['quote', 'candle']),
    previousClose: z.optional(DecimalStringSchema),
    name: z.optional(z.string()),
    assetClass: z.optional(z.string()),
    exchange: z.optional(z.string()),
  }),
);

export const quotesAnswer = lazy(() =>
  z.object({
    items: z.array(quote()),
    /** symbols with no quote (unknown to the provider, or nothing stored while it is down) */
    missing: z.array(z.string()),
  }),
);

export const symbolMatch = z.object({
  symbol: z.string(),
  name: z.string(),
  exchange: z.optional(z.string()),
  currency: z.optional(z.string()),
  assetClass: z.optional(z.string()),
  country: z.optional(z.string()),
  /** stored series (every interval Ballast holds of it), when the match comes from storage */
  stored: z.optional(z.array(z.object({ interval, bars: integer, firstTime: z.string(), lastTime: z.string() }))),
});

export const symbolsAnswer = lazy(() =>
  z.object({ items: z.array(symbolMatch), source: z.enum(['provider', 'stored']) }),
);

export const candleRow = z.object({
  time: z.string(),
  open: DecimalStringSchema,
  high: DecimalStringSchema,
  low: DecimalStringSchema,
  close: DecimalStringSchema,
  volume: DecimalStringSchema,
});

export const candlesAnswer = lazy(() =>
  z.object({
    symbol: z.string(),
    interval,
    items: z.array(candleRow),
    /** more bars lie in the window: ask again with this `from` */
    nextFrom: z.nullable(z.string()),
  }),
);

export const uploadAnswer = lazy(() =>
  z.object({
    symbol: z.string(),
    interval,
    /** rows or items in the body */
    received: integer,
    /** bars written (one per time: a later row at the same time wins) */
    stored: integer,
    chunks: integer,
    firstTime: z.string(),
    lastTime: z.string(),
  }),
);

export const sync = lazy(() =>
  z.object({
    syncId: z.string(),
    symbol: z.string(),
    interval,
    from: z.string(),
    to: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    chunksTotal: integer,
    chunksDone: integer,
    barsWritten: integer,
    retries: integer,
    error: z.optional(z.object({ code: z.string(), message: z.string() })),
    requestedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.optional(z.string()),
    finishedAt: z.optional(z.string()),
    version: integer,
  }),
);

export const economicEvent = z.object({
  eventId: z.string(),
  time: z.string(),
  allDay: z.boolean(),
  country: z.string(),
  currency: z.optional(z.string()),
  title: z.string(),
  importance,
  actual: z.optional(z.string()),
  forecast: z.optional(z.string()),
  previous: z.optional(z.string()),
  unit: z.optional(z.string()),
  source: z.enum(['csv', 'api']),
  importedAt: z.string(),
});

export const eventsPage = lazy(() => pageOf(economicEvent));

export const importEventsAnswer = lazy(() => z.object({ received: integer, stored: integer }));
