import { isDecimalString } from '@ballast/core/decimal-grammar.js';
import { AppError, badRequest, type FieldError } from '@ballast/platform/errors.js';
import { CircuitOpenError } from '@ballast/platform/outbound/call-policy.js';
import {
  type CandleColumns,
  emptyColumns,
  isAligned,
  MAX_BARS_PER_CHUNK,
  periodsBetween,
  CHUNK_PERIOD,
  nextPeriodStart,
} from './chunks.js';
import { type MarketDataClient, providerProblem, RateBudgetExhausted } from './client.js';
import { readCsv } from './csv.js';
import { eventIdOf } from './ids.js';
import { decimalString, floatOf } from './numbers.js';
import { type CandleInterval, type ProviderCandle, ProviderError } from './provider.js';
import type { EconomicEvent, Importance, SyncRecord } from './store.js';
import { isDateOnly, isoOf, parseTimestamp } from './time.js';

// ---- candles in ----

export interface UploadedCandle {
  time: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume?: string;
}

/** Field problems listed in one refusal at most: enough to fix a file, not a megabyte of them. */
const MAX_LISTED_ERRORS = 20;

class RowErrors {
  readonly errors: FieldError[] = [];
  count = 0;
  add(path: string, message: string) {
    this.count++;
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push({ path, message });
  }
  throwIfAny(what: string) {
    if (!this.count) return;
    throw badRequest(
      'VALIDATION_FAILED',
      `${this.count} ${what} invalid (the first ${this.errors.length} listed)`,
      this.errors,
    );
  }
}

/**
 * Bars from an upload (JSON items or CSV rows), each checked: a time in the interval's grid and
 * not in the future, decimal prices with low ≤ open, close ≤ high, a volume that is not negative.
 * Every bad field is reported (up to 20); one bad row refuses the whole upload.
 */
export function barsFromUpload(
  body: string | { candles: readonly UploadedCandle[] },
  interval: CandleInterval,
  nowMs: number,
): { bars: CandleColumns; received: number } {
  const rows: Array<{ path: string; candle: Partial<UploadedCandle>; epochAllowed: boolean }> =
    typeof body === 'string'
      ? readCsv(body, CANDLE_CSV_COLUMNS).map((row) => ({
          path: `body.rows.${row.record}`,
          candle: row.values,
          epochAllowed: true,
        }))
      : body.candles.map((candle, i) => ({ path: `body.candles.${i}`, candle, epochAllowed: false }));
  const bars = emptyColumns(rows.length);
  const problems = new RowErrors();
  rows.forEach(({ path, candle, epochAllowed }, i) => {
    const time = candle.time === undefined ? undefined : parseTimestamp(candle.time, { epoch: epochAllowed });
    if (time === undefined) problems.add(`${path}.time`, 'must be an ISO 8601 date or date-time');
    else if (!isAligned(time, interval)) problems.add(`${path}.time`, `is not the open of a ${interval} bar`);
    else if (time > nowMs) problems.add(`${path}.time`, 'is in the future');
    const numbers: Record<string, number> = {};
    for (const field of ['open', 'high', 'low', 'close', 'volume'] as const) {
      const text = candle[field] ?? (field === 'volume' ? '0' : undefined);
      if (text === undefined) problems.add(`${path}.${field}`, 'is required');
      else if (!isDecimalString(text)) problems.add(`${path}.${field}`, 'must be a decimal like 187.43');
      else numbers[field] = floatOf(text);
    }
    const { open, high, low, close, volume } = numbers;
    if (low !== undefined && high !== undefined && low > high) problems.add(`${path}.low`, 'is above high');
    for (const [field, value] of [
      ['open', open],
      ['close', close],
    ] as const) {
      if (value !== undefined && low !== undefined && high !== undefined && (value < low || value > high)) {
        problems.add(`${path}.${field}`, 'lies outside low–high');
      }
    }
    if (volume !== undefined && volume < 0) problems.add(`${path}.volume`, 'must not be negative');
    bars.time[i] = time ?? 0;
    bars.open[i] = open ?? 0;
    bars.high[i] = high ?? 0;
    bars.low[i] = low ?? 0;
    bars.close[i] = close ?? 0;
    bars.volume[i] = volume ?? 0;
  });
  problems.throwIfAny(typeof body === 'string' ? 'CSV fields are' : 'candle fields are');
  return { bars, received: rows.length };
}

const CANDLE_CSV_COLUMNS = [
  { name: 'time', headers: ['time', 'date', 'datetime', 'timestamp', 'date/time'], required: true },
  { name: 'open', headers: ['open', 'o'], required: true },
  { name: 'high', headers: ['high', 'h'], required: true },
  { name: 'low', headers: ['low', 'l'], required: true },
  { name: 'close', headers: ['close', 'c'], required: true },
  { name: 'volume', headers: ['volume', 'vol', 'v'] },
] as const;

/** Bars a provider sent, as columns; a bar that is not a well-formed bar of the interval is left out. */
export function barsFromProvider(
  candles: readonly ProviderCandle[],
  interval: CandleInterval,
): { bars: CandleColumns; skipped: number } {
  const bars = emptyColumns(candles.length);
  let kept = 0;
  for (const c of candles) {
    const time = parseTimestamp(c.time);
    const values = [c.open, c.high, c.low, c.close, c.volume];
    if (time === undefined || !isAligned(time, interval) || !values.every(isDecimalString)) continue;
    bars.time[kept] = time;
    bars.open[kept] = floatOf(c.open);
    bars.high[kept] = floatOf(c.high);
    bars.low[kept] = floatOf(c.low);
    bars.close[kept] = floatOf(c.close);
    bars.volume[kept] = floatOf(c.volume);
    kept++;
  }
  const trimmed = emptyColumns(kept);
  for (const name of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) {
    trimmed[name].set(bars[name].subarray(0, kept));
  }
  return { bars: trimmed, skipped: candles.length - kept };
}

// ---- candles out ----

export function candleRows(bars: CandleColumns) {
  return Array.from({ length: bars.length }, (_, i) => ({
    time: isoOf(bars.time[i]),
    open: decimalString(bars.open[i]),
    high: decimalString(bars.high[i]),
    low: decimalString(bars.low[i]),
    close: decimalString(bars.close[i]),
    volume: decimalString(bars.volume[i]),
  }));
}

// ---- syncs ----

/** Bars one provider request may return (Twelve Data's `outputsize` maximum; Polygon allows more). */
export const PROVIDER_MAX_BARS = 5_000;
/** Provider requests one sync may make: a larger window is several syncs. */
export const MAX_SYNC_REQUESTS = 2_000;
/** Provider failures a sync survives (each retried in a later run) before it is marked failed. */
export const MAX_SYNC_RETRIES = 5;

/**
 * The provider requests a window is cut into: whole storage periods (chunks.ts), as many per
 * request as fit in PROVIDER_MAX_BARS, so every request fills chunks that no other request touches.
 */
export function syncWindows(interval: CandleInterval, fromMs: number, toMs: number): Array<[number, number]> {
  const period = CHUNK_PERIOD[interval];
  const perRequest = Math.max(1, Math.floor(PROVIDER_MAX_BARS / MAX_BARS_PER_CHUNK[interval]));
  const starts = periodsBetween(fromMs, toMs, period);
  const windows: Array<[number, number]> = [];
  for (let i = 0; i < starts.length; i += perRequest) {
    const last = starts[Math.min(i + perRequest, starts.length) - 1];
    windows.push([Math.max(fromMs, starts[i]), Math.min(toMs, nextPeriodStart(last, period) - 1)]);
  }
  return windows;
}

export type SyncStep =
  | { kind: 'window'; bars: number }
  | { kind: 'wait'; retryAfterMs: number; retry: boolean }
  | { kind: 'fail'; code: string; message: string };

/**
 * One provider request of a sync: its bars written to the store, or what to do instead — wait
 * (the rate budget, or a transient failure retried in a later run) or give up (the provider
 * refused the key or the request).
 */
export async function syncWindow(
  client: MarketDataClient,
  write: (bars: CandleColumns) => Promise<number>,
  sync: Pick<SyncRecord, 'symbol' | 'interval'>,
  [fromMs, toMs]: [number, number],
): Promise<SyncStep> {
  let candles: ProviderCandle[];
  try {
    candles = await client.candles({
      symbol: sync.symbol,
      interval: sync.interval,
      from: isoOf(fromMs),
      to: isoOf(toMs),
    });
  } catch (e) {
    if (e instanceof RateBudgetExhausted) return { kind: 'wait', retryAfterMs: e.retryAfterMs, retry: false };
    if (e instanceof CircuitOpenError) return { kind: 'wait', retryAfterMs: e.retryAfterMs, retry: true };
    if (e instanceof ProviderError && e.retryable) {
      return { kind: 'wait', retryAfterMs: e.retryAfterMs ?? 60_000, retry: true };
    }
    if (e instanceof ProviderError || e instanceof AppError) {
      const problem = providerProblem(e, client.providerName);
      return { kind: 'fail', code: problem.code, message: problem.message };
    }
    throw e;
  }
  const inWindow = candles.filter((c) => {
    const t = parseTimestamp(c.time);
    return t !== undefined && t >= fromMs && t <= toMs;
  });
  const { bars } = barsFromProvider(inWindow, sync.interval);
  return { kind: 'window', bars: bars.length ? await write(bars) : 0 };
}

// ---- economic calendar ----

export interface EventInput {
  time: string;
  country: string;
  currency?: string;
  title: string;
  importance: Importance;
  actual?: string;
  forecast?: string;
  previous?: string;
  unit?: string;
}

const EVENT_CSV_COLUMNS = [
  { name: 'time', headers: ['time', 'date', 'datetime', 'timestamp', 'date/time'], required: true },
  { name: 'country', headers: ['country', 'region', 'countrycode'], required: true },
  { name: 'currency', headers: ['currency', 'ccy'] },
  { name: 'title', headers: ['event', 'title', 'name', 'description'], required: true },
  { name: 'importance', headers: ['importance', 'impact', 'priority'] },
  { name: 'actual', headers: ['actual'] },
  { name: 'forecast', headers: ['forecast', 'consensus', 'expected'] },
  { name: 'previous', headers: ['previous', 'prior'] },
  { name: 'unit', headers: ['unit', 'units'] },
] as const;

const IMPORTANCE_WORDS: Record<string, Importance> = {
  low: 'low',
  '1': 'low',
  medium: 'medium',
  moderate: 'medium',
  '2': 'medium',
  high: 'high',
  '3': 'high',
};

/** Calendar events from an import (JSON items, already validated, or CSV rows checked here). */
export function eventsFromImport(
  body: string | { events: readonly EventInput[] },
  nowMs: number,
): { events: EconomicEvent[]; received: number } {
  const importedAt = isoOf(nowMs);
  const problems = new RowErrors();
  const inputs: Array<EventInput | undefined> =
    typeof body === 'string'
      ? readCsv(body, EVENT_CSV_COLUMNS).map((row) => eventFromCsv(row.values, `body.rows.${row.record}`, problems))
      : [...body.events];
  problems.throwIfAny('CSV fields are');
  const events = inputs.flatMap((input) => {
    if (!input) return [];
    const ms = parseTimestamp(input.time, { epoch: typeof body === 'string' }) ?? 0;
    const time = isoOf(ms);
    const event: EconomicEvent = {
      eventId: eventIdOf(time, input.country, input.title),
      time,
      allDay: isDateOnly(input.time),
      country: input.country,
      title: input.title,
      importance: input.importance,
      source: typeof body === 'string' ? 'csv' : 'api',
      importedAt,
    };
    for (const field of ['currency', 'actual', 'forecast', 'previous', 'unit'] as const) {
      if (input[field] !== undefined) event[field] = input[field];
    }
    return [event];
  });
  return { events, received: inputs.length };
}

function eventFromCsv(
  values: Record<string, string | undefined>,
  path: string,
  problems: RowErrors,
): EventInput | undefined {
  const before = problems.count;
  const time = values.time;
  if (time === undefined || parseTimestamp(time, { epoch: true }) === undefined) {
    problems.add(`${path}.time`, 'must be an ISO 8601 date or date-time');
  }
  const country = values.country?.toUpperCase();
  if (!country || !/^[A-Z]{2}$/.test(country)) problems.add(`${path}.country`, 'must be a two-letter country code');
  const currency = values.currency?.toUpperCase();
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency))
    problems.add(`${path}.currency`, 'must be a currency code');
  const title = values.title;
  if (!title || title.length > 200) problems.add(`${path}.title`, 'must be 1–200 characters');
  const importance = values.importance === undefined ? 'medium' : IMPORTANCE_WORDS[values.importance.toLowerCase()];
  if (!importance) problems.add(`${path}.importance`, 'must be low, medium or high');
  for (const field of ['actual', 'forecast', 'previous'] as const) {
    if ((values[field]?.length ?? 0) > 40) problems.add(`${path}.${field}`, 'is longer than 40 characters');
  }
  if ((values.unit?.length ?? 0) > 20) problems.add(`${path}.unit`, 'is longer than 20 characters');
  if (problems.count > before || !time || !country || !title || !importance) return undefined;
  return {
    time,
    country,
    ...(currency ? { currency } : {}),
    title,
    importance,
    ...(values.actual !== undefined ? { actual: values.actual } : {}),
    ...(values.forecast !== undefined ? { forecast: values.forecast } : {}),
    ...(values.previous !== undefined ? { previous: values.previous } : {}),
    ...(values.unit !== undefined ? { unit: values.unit } : {}),
  };
}
