import type { CandleInterval } from './provider.js';

/**
 * Candles as parallel float64 columns, oldest first; `time` is the bar's open in epoch ms (UTC).
 * The shape @ballast/core's strategies and backtest read (CandleSeries), so a read feeds a backtest
 * with no conversion. Prices are float64 on purpose: see numbers.ts for where decimals come back.
 */
export interface CandleColumns {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  length: number;
}

export const COLUMN_NAMES = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Fixed bar lengths; a month has none (bars open on the 1st, UTC). */
export const INTERVAL_MS: Readonly<Record<CandleInterval, number | undefined>> = {
  '1min': MINUTE,
  '5min': 5 * MINUTE,
  '15min': 15 * MINUTE,
  '30min': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
  '1day': DAY,
  '1week': 7 * DAY,
  '1month': undefined,
};

/** Bars of a day or longer open at 00:00 UTC (the date the vendors print); shorter ones on a whole minute. */
export function isAligned(timeMs: number, interval: CandleInterval): boolean {
  if (!Number.isSafeInteger(timeMs)) return false;
  if (interval === '1day' || interval === '1week') return timeMs % DAY === 0;
  if (interval === '1month') return timeMs % DAY === 0 && new Date(timeMs).getUTCDate() === 1;
  return timeMs % MINUTE === 0;
}

/** When a bar that opened at `timeMs` closes (the next bar's open). */
export function barClose(timeMs: number, interval: CandleInterval): number {
  const fixed = INTERVAL_MS[interval];
  if (fixed !== undefined) return timeMs + fixed;
  const at = new Date(timeMs);
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
}

export type ChunkPeriod = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'decade';

/**
 * One stored item holds one series' bars of one period (UTC). Sized so the largest possible chunk
 * (2,976 fifteen-minute bars in a month: 143 KB of columns before compression) stays far inside
 * DynamoDB's 400 KB item limit with no compression at all, and a day of one-minute bars (1,440)
 * is one item: a year of them is 365 items read in parallel.
 */
export const CHUNK_PERIOD: Readonly<Record<CandleInterval, ChunkPeriod>> = {
  '1min': 'day', // ≤ 1,440 bars
  '5min': 'week', // ≤ 2,016
  '15min': 'month', // ≤ 2,976
  '30min': 'month', // ≤ 1,488
  '1h': 'quarter', // ≤ 2,208
  '4h': 'year', // ≤ 2,196
  '1day': 'year', // ≤ 366
  '1week': 'decade', // ≤ 523
  '1month': 'decade', // ≤ 120
};

/** The most bars one chunk of the interval can hold (a 24/7 market, a leap year, the longest month). */
export const MAX_BARS_PER_CHUNK: Readonly<Record<CandleInterval, number>> = {
  '1min': 1440,
  '5min': 2016,
  '15min': 2976,
  '30min': 1488,
  '1h': 2208,
  '4h': 2196,
  '1day': 366,
  '1week': 523,
  '1month': 120,
};

/** The start (epoch ms, UTC) of the period holding `timeMs`. */
export function periodStart(timeMs: number, period: ChunkPeriod): number {
  const day = Math.floor(timeMs / DAY);
  if (period === 'day') return day * DAY;
  // 1970-01-01 was a Thursday; weeks start on Monday (ISO 8601), as weekly bars do.
  if (period === 'week') return (day - ((((day + 3) % 7) + 7) % 7)) * DAY;
  const at = new Date(day * DAY);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  if (period === 'month') return Date.UTC(year, month, 1);
  if (period === 'quarter') return Date.UTC(year, month - (month % 3), 1);
  if (period === 'year') return Date.UTC(year, 0, 1);
  return Date.UTC(year - (((year % 10) + 10) % 10), 0, 1);
}

export function nextPeriodStart(startMs: number, period: ChunkPeriod): number {
  if (period === 'day') return startMs + DAY;
  if (period === 'week') return startMs + 7 * DAY;
  const at = new Date(startMs);
  const months = { month: 1, quarter: 3, year: 12, decade: 120 }[period];
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1);
}

/** Every period that overlaps [fromMs, toMs], oldest first. */
export function periodsBetween(fromMs: number, toMs: number, period: ChunkPeriod): number[] {
  const out: number[] = [];
  for (let start = periodStart(fromMs, period); start <= toMs; start = nextPeriodStart(start, period)) out.push(start);
  return out;
}

/** A period's name in storage: its first day, `YYYY-MM-DD` (sorts as it runs). */
export const periodKey = (startMs: number): string => new Date(startMs).toISOString().slice(0, 10);

export function emptyColumns(length: number): CandleColumns {
  return {
    time: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
    length,
  };
}

/** Bars [start, end) as views (no copy). */
export function sliceColumns(bars: CandleColumns, start: number, end: number): CandleColumns {
  const from = Math.max(0, start);
  const to = Math.min(bars.length, end);
  const length = Math.max(0, to - from);
  return {
    time: bars.time.subarray(from, from + length),
    open: bars.open.subarray(from, from + length),
    high: bars.high.subarray(from, from + length),
    low: bars.low.subarray(from, from + length),
    close: bars.close.subarray(from, from + length),
    volume: bars.volume.subarray(from, from + length),
    length,
  };
}

/** One series out of many parts (each oldest first, the parts in order): one copy. */
export function concatColumns(parts: readonly CandleColumns[]): CandleColumns {
  if (parts.length === 1) return parts[0];
  const out = emptyColumns(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    for (const name of COLUMN_NAMES) out[name].set(part[name], at);
    at += part.length;
  }
  return out;
}

/** First index whose time is ≥ `timeMs` (bars sorted by time). */
export function lowerBound(time: Float64Array, timeMs: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] < timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorted by time, one bar per time: where two share a time, the later one in the input wins. */
export function sortedUnique(bars: CandleColumns): CandleColumns {
  const order = Array.from({ length: bars.length }, (_, i) => i);
  // stable: equal times keep input order, so the last of them is the one kept
  order.sort((a, b) => bars.time[a] - bars.time[b]);
  const keep: number[] = [];
  for (let k = 0; k < order.length; k++) {
    if (k + 1 < order.length && bars.time[order[k + 1]] === bars.time[order[k]]) continue;
    keep.push(order[k]);
  }
  const out = emptyColumns(keep.length);
  keep.forEach((from, to) => {
    for (const name of COLUMN_NAMES) out[name][to] = bars[name][from];
  });
  return out;
}

/** `incoming` merged into `stored` (both sorted and unique): a bar of `incoming` replaces one at the same time. */
export function mergeColumns(stored: CandleColumns, incoming: CandleColumns): CandleColumns {
  if (!stored.length) return incoming;
  if (!incoming.length) return stored;
  const out = emptyColumns(stored.length + incoming.length);
  let i = 0;
  let j = 0;
  let k = 0;
  const copy = (src: CandleColumns, at: number) => {
    for (const name of COLUMN_NAMES) out[name][k] = src[name][at];
    k++;
  };
  while (i < stored.length || j < incoming.length) {
    if (j >= incoming.length) copy(stored, i++);
    else if (i >= stored.length) copy(incoming, j++);
    else if (stored.time[i] < incoming.time[j]) copy(stored, i++);
    else if (stored.time[i] > incoming.time[j]) copy(incoming, j++);
    else {
      copy(incoming, j++);
      i++;
    }
  }
  return sliceColumns(out, 0, k);
}
