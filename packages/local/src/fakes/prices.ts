import type { CandleInterval, ProviderCandle } from '@ballast/app/market-data/provider.js';
import { CURRENCY_MINOR_UNITS } from '@ballast/core/currencies.js';

/**
 * Made-up but steady prices for any symbol, so the fake vendors, the local seed and tests agree
 * without storing anything: every number is a pure function of (symbol, time).
 *
 * - Daily closes: a geometric random walk in trading days from a fixed epoch (2000-01-03), with a
 *   slow pull back to the symbol's level (mean reversion, half-life ~6 months) so prices in 2030
 *   are still near it: EUR/USD stays around 1.10. Each step is seeded by (symbol, day), so a bar
 *   does not depend on the window it was asked in.
 * - Within a day: a Brownian bridge from the day's open to its close over the session's minutes,
 *   stretched so its extremes are exactly the day's high and low. Every longer bar is aggregated
 *   from those minutes (or days), so a 1h bar agrees with its 1min bars and a week with its days.
 * - Equities and fx trade on weekdays only (no holidays); crypto every day. Equity sessions are
 *   09:30–16:00 America/New_York (US daylight saving applied); fx and crypto trade 24 hours UTC.
 * - Prices as decimal strings: equities 2 decimals, fx 5, crypto 2 (4 below 10). Volumes are
 *   whole numbers; fx has none ("0").
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** 2000-01-03, a Monday: day 0 of every walk */
const EPOCH_DAY = Date.UTC(2000, 0, 3) / DAY_MS;
/** the daily pull of the log price back to its level (stationary spread = vol / √(2 × this)) */
const REVERSION = 0.004;
/** minute bars are computed a day at a time: this many days at most in one call */
const MAX_INTRADAY_DAYS = 400;
const MAX_DAYS = 200 * 366;

export type FakeAssetClass = 'equity' | 'fx' | 'crypto';

const isFiat = (code: string) => Object.hasOwn(CURRENCY_MINOR_UNITS, code);

/** A pair of two currencies is fx, any other pair crypto, anything else an equity (or fund). */
export function fakeAssetClass(symbol: string): FakeAssetClass {
  const slash = symbol.indexOf('/');
  if (slash < 0) return 'equity';
  return isFiat(symbol.slice(0, slash)) && isFiat(symbol.slice(slash + 1)) ? 'fx' : 'crypto';
}

// --- seeded randomness -------------------------------------------------------------------------

/** FNV-1a: the symbol's seed */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** a 32-bit hash of several integers (murmur3's finaliser applied after each) */
function mix(...parts: number[]): number {
  let hash = 0x9e3779b9;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part | 0), 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
  }
  return hash >>> 0;
}

/** in (0, 1) */
const uniform = (...parts: number[]) => (mix(...parts) + 0.5) / 4_294_967_296;

/** standard normal (Box–Muller) */
const normal = (...parts: number[]) =>
  Math.sqrt(-2 * Math.log(uniform(...parts, 1))) * Math.cos(2 * Math.PI * uniform(...parts, 2));

/** what each draw is for, so draws of one (symbol, day) are independent */
const SALT = { level: 1, vol: 2, volume: 3, step: 4, gap: 5, high: 6, low: 7, dayVolume: 8, minute: 9, weight: 10 };

// --- a symbol's character ----------------------------------------------------------------------

interface Profile {
  seed: number;
  assetClass: FakeAssetClass;
  decimals: number;
  logLevel: number;
  dailyVol: number;
  baseVolume: number;
}

/** levels a reader expects for the well-known ones; anything else gets a level from its seed */
const KNOWN_LEVELS: Readonly<Record<string, number>> = {
  'EUR/USD': 1.1,
  'GBP/USD': 1.27,
  'USD/JPY': 150,
  'USD/CHF': 0.88,
  'AUD/USD': 0.66,
  'USD/CAD': 1.36,
  'BTC/USD': 60_000,
  'ETH/USD': 3_000,
};

function profileOf(symbol: string): Profile {
  const seed = hashText(symbol);
  const assetClass = fakeAssetClass(symbol);
  const draw = uniform(seed, SALT.level);
  const level =
    KNOWN_LEVELS[symbol] ??
    (assetClass === 'equity' ? 20 + 400 * draw : assetClass === 'fx' ? 0.5 + 1.5 * draw : 0.5 * 10 ** (5 * draw));
  const byClass = {
    equity: { decimals: 2, dailyVol: 0.012 + 0.012 * uniform(seed, SALT.vol), volume: 1e6 * (1 + 40 * draw) },
    fx: { decimals: 5, dailyVol: 0.005, volume: 0 },
    crypto: { decimals: level < 10 ? 4 : 2, dailyVol: 0.035, volume: 1e4 * (1 + 10 * uniform(seed, SALT.volume)) },
  }[assetClass];
  return {
    seed,
    assetClass,
    decimals: byClass.decimals,
    logLevel: Math.log(level),
    dailyVol: byClass.dailyVol,
    baseVolume: byClass.volume,
  };
}

// --- calendar ----------------------------------------------------------------------------------

const dayMsOf = (day: number) => (EPOCH_DAY + day) * DAY_MS;
const dayOf = (ms: number) => Math.floor(ms / DAY_MS) - EPOCH_DAY;
/** 0 = Monday … 6 = Sunday */
const weekdayOf = (day: number) => ((day % 7) + 7) % 7;

function isTradingDay(profile: Profile, day: number): boolean {
  return profile.assetClass === 'crypto' || weekdayOf(day) < 5;
}

function nthSundayMs(year: number, month: number, nth: number): number {
  const first = Date.UTC(year, month, 1);
  const firstSunday = 1 + ((7 - new Date(first).getUTCDay()) % 7);
  return Date.UTC(year, month, firstSunday + 7 * (nth - 1));
}

/**
 * Hours America/New_York is behind UTC on the UTC date starting at `dayMs` (US rules since
 * 2007: daylight time from the second Sunday of March to the first Sunday of November). Both
 * switches fall on a Sunday, when no equity session or daily bar needs the answer.
 */
export function easternOffsetHours(dayMs: number): number {
  const year = new Date(dayMs).getUTCFullYear();
  return dayMs > nthSundayMs(year, 2, 2) && dayMs < nthSundayMs(year, 10, 1) ? 4 : 5;
}

/** The trading session of `day`: its first minute (epoch ms) and its length in minutes. */
function sessionOf(profile: Profile, day: number): { startMs: number; minutes: number } {
  const dayMs = dayMsOf(day);
  if (profile.assetClass !== 'equity') return { startMs: dayMs, minutes: 1440 };
  return { startMs: dayMs + (9.5 + easternOffsetHours(dayMs)) * HOUR_MS, minutes: 390 };
}

// --- the walk ----------------------------------------------------------------------------------

function step(profile: Profile, logPrice: number, day: number): number {
  if (!isTradingDay(profile, day)) return logPrice;
  const pull = REVERSION * (profile.logLevel - logPrice);
  return logPrice + pull + profile.dailyVol * normal(profile.seed, SALT.step, day);
}

/**
 * Log closes of days first-1 … last (index 0 is the day before `first`). Walked from the epoch
 * both ways (before it the walk runs backwards in time from the level), so any day has one value.
 */
function logCloses(profile: Profile, first: number, last: number): Float64Array {
  const low = first - 1;
  const out = new Float64Array(last - low + 1);
  const keep = (day: number, value: number) => {
    if (day >= low && day <= last) out[day - low] = value;
  };
  keep(0, profile.logLevel);
  let logPrice = profile.logLevel;
  for (let day = 1; day <= last; day++) keep(day, (logPrice = step(profile, logPrice, day)));
  logPrice = profile.logLevel;
  for (let day = -1; day >= low; day--) keep(day, (logPrice = step(profile, logPrice, day)));
  return out;
}

interface NumericBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

interface DayBar extends NumericBar {
  day: number;
}

function dayBar(profile: Profile, day: number, logPrevious: number, logClose: number): DayBar {
  const { seed, dailyVol } = profile;
  const close = Math.exp(logClose);
  // equities open with a gap from the previous close; round-the-clock markets open where they were
  const open =
    profile.assetClass === 'equity'
      ? Math.exp(logPrevious + 0.25 * dailyVol * normal(seed, SALT.gap, day))
      : Math.exp(logPrevious);
  const high = Math.max(open, close) * Math.exp(dailyVol * (0.1 + 0.4 * Math.abs(normal(seed, SALT.high, day))));
  const low = Math.min(open, close) * Math.exp(-dailyVol * (0.1 + 0.4 * Math.abs(normal(seed, SALT.low, day))));
  const volume = Math.round(profile.baseVolume * Math.exp(0.35 * normal(seed, SALT.dayVolume, day)));
  return { day, time: dayMsOf(day), open, high, low, close, volume };
}

function dayBars(profile: Profile, first: number, last: number): DayBar[] {
  if (last - first > MAX_DAYS) throw new RangeError('a range of at most 200 years');
  const closes = logCloses(profile, first, last);
  const out: DayBar[] = [];
  for (let day = first; day <= last; day++) {
    if (isTradingDay(profile, day)) out.push(dayBar(profile, day, closes[day - first], closes[day - first + 1]));
  }
  return out;
}

/**
 * The day's price at each session minute boundary (minutes + 1 values): starts at the open, ends
 * at the close, touches the high and the low exactly once each, and stays between them.
 */
function minutePath(profile: Profile, bar: DayBar, minutes: number): Float64Array {
  const logOpen = Math.log(bar.open);
  const logClose = Math.log(bar.close);
  const scale = profile.dailyVol / Math.sqrt(minutes);
  const walk = new Float64Array(minutes + 1);
  for (let k = 1; k <= minutes; k++) walk[k] = walk[k - 1] + scale * normal(profile.seed, SALT.minute, bar.day, k);
  const path = new Float64Array(minutes + 1);
  for (let k = 0; k <= minutes; k++) {
    const share = k / minutes;
    path[k] = Math.exp(logOpen + share * (logClose - logOpen) + walk[k] - share * walk[minutes]);
  }
  path[0] = bar.open;
  path[minutes] = bar.close;
  let highAt = 1;
  let lowAt = 2;
  for (let k = 1; k < minutes; k++) {
    if (path[k] > path[highAt]) highAt = k;
    if (path[k] < path[lowAt]) lowAt = k;
  }
  if (lowAt === highAt) lowAt = highAt === 1 ? 2 : 1;
  const top = Math.max(bar.open, bar.close);
  const bottom = Math.min(bar.open, bar.close);
  const peak = path[highAt];
  const trough = path[lowAt];
  for (let k = 1; k < minutes; k++) {
    const value = path[k];
    if (value > top && peak > top) path[k] = top + ((value - top) * (bar.high - top)) / (peak - top);
    else if (value < bottom && trough < bottom)
      path[k] = bottom - ((bottom - value) * (bottom - bar.low)) / (bottom - trough);
    path[k] = Math.min(bar.high, Math.max(bar.low, path[k]));
  }
  path[highAt] = bar.high;
  path[lowAt] = bar.low;
  return path;
}

/** the day's volume over its minutes (more at the open and close for equities); sums exactly */
function minuteVolumes(profile: Profile, bar: DayBar, minutes: number): Float64Array {
  const weights = new Float64Array(minutes);
  let total = 0;
  for (let j = 0; j < minutes; j++) {
    const smile = profile.assetClass === 'equity' ? 1.5 * ((2 * j) / minutes - 1) ** 2 : 0;
    weights[j] = 0.5 + uniform(profile.seed, SALT.weight, bar.day, j) + smile;
    total += weights[j];
  }
  const volumes = new Float64Array(minutes);
  let given = 0;
  for (let j = 0; j < minutes; j++) {
    volumes[j] = Math.floor((bar.volume * weights[j]) / total);
    given += volumes[j];
  }
  volumes[minutes - 1] += bar.volume - given;
  return volumes;
}

// --- bars of any size --------------------------------------------------------------------------

export type FakeGranularity = { unit: 'minute'; size: number } | { unit: 'day' | 'week' | 'month' };

const OUR_INTERVALS: Readonly<Record<CandleInterval, FakeGranularity>> = {
  '1min': { unit: 'minute', size: 1 },
  '5min': { unit: 'minute', size: 5 },
  '15min': { unit: 'minute', size: 15 },
  '30min': { unit: 'minute', size: 30 },
  '1h': { unit: 'minute', size: 60 },
  '4h': { unit: 'minute', size: 240 },
  '1day': { unit: 'day' },
  '1week': { unit: 'week' },
  '1month': { unit: 'month' },
};

function merge(into: NumericBar | undefined, bar: NumericBar, time: number): NumericBar {
  if (!into) return { ...bar, time };
  into.high = Math.max(into.high, bar.high);
  into.low = Math.min(into.low, bar.low);
  into.close = bar.close;
  into.volume += bar.volume;
  return into;
}

/** bars grouped by `bucketOf` (input oldest first), each kept when its start is in [fromMs, toMs] */
function aggregate(bars: Iterable<NumericBar>, bucketOf: (time: number) => number, fromMs: number, toMs: number) {
  const out: NumericBar[] = [];
  let current: NumericBar | undefined;
  for (const bar of bars) {
    const bucket = bucketOf(bar.time);
    if (current && current.time !== bucket) {
      out.push(current);
      current = undefined;
    }
    current = merge(current, bar, bucket);
  }
  if (current) out.push(current);
  return out.filter((bar) => bar.time >= fromMs && bar.time <= toMs);
}

function* minuteBars(profile: Profile, days: readonly DayBar[]): Generator<NumericBar> {
  for (const bar of days) {
    const { startMs, minutes } = sessionOf(profile, bar.day);
    const path = minutePath(profile, bar, minutes);
    const volumes = minuteVolumes(profile, bar, minutes);
    for (let j = 0; j < minutes; j++) {
      const open = path[j];
      const close = path[j + 1];
      const time = startMs + j * MINUTE_MS;
      yield { time, open, close, high: Math.max(open, close), low: Math.min(open, close), volume: volumes[j] };
    }
  }
}

const mondayOf = (time: number) => dayMsOf(dayOf(time) - weekdayOf(dayOf(time)));
const monthOf = (time: number) => {
  const at = new Date(time);
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
};

function numericBars(profile: Profile, granularity: FakeGranularity, fromMs: number, toMs: number): NumericBar[] {
  if (toMs < fromMs) return [];
  if (granularity.unit === 'minute') {
    const size = granularity.size * MINUTE_MS;
    if (!(Number.isInteger(granularity.size) && granularity.size > 0 && DAY_MS % size === 0)) {
      throw new RangeError('minute bars of a size that divides a day');
    }
    const first = dayOf(fromMs);
    const last = dayOf(toMs);
    if (last - first > MAX_INTRADAY_DAYS) throw new RangeError(`intraday bars over ${MAX_INTRADAY_DAYS} days at most`);
    const bucket = (time: number) => Math.floor(time / size) * size;
    return aggregate(minuteBars(profile, dayBars(profile, first, last)), bucket, fromMs, toMs);
  }
  // a day bar opens at its date's 00:00 UTC: the first one in range is on the first midnight ≥ fromMs
  if (granularity.unit === 'day') return dayBars(profile, dayOf(fromMs + DAY_MS - 1), dayOf(toMs));
  if (granularity.unit === 'week') {
    const days = dayBars(profile, dayOf(mondayOf(fromMs)), dayOf(mondayOf(toMs)) + 6);
    return aggregate(days, mondayOf, fromMs, toMs);
  }
  const firstMonth = monthOf(fromMs);
  const lastDay = new Date(toMs);
  const endOfLastMonth = Date.UTC(lastDay.getUTCFullYear(), lastDay.getUTCMonth() + 1, 1) - DAY_MS;
  return aggregate(dayBars(profile, dayOf(firstMonth), dayOf(endOfLastMonth)), monthOf, fromMs, toMs);
}

/**
 * When a bar that opened at `timeMs` holds all it ever will: the fakes serve complete bars only,
 * so a bar never changes between calls. A day is complete at its session's close (an equity's
 * at 16:00 New York, so the day's bar agrees with the quote after the close); a week at the
 * next Monday, a month on the 1st of the next.
 */
export function fakeBarEnd(symbol: string, granularity: FakeGranularity, timeMs: number): number {
  if (granularity.unit === 'minute') return timeMs + granularity.size * MINUTE_MS;
  if (granularity.unit === 'day') {
    const { startMs, minutes } = sessionOf(profileOf(symbol), dayOf(timeMs));
    return startMs + minutes * MINUTE_MS;
  }
  if (granularity.unit === 'week') return timeMs + 7 * DAY_MS;
  const at = new Date(timeMs);
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An ISO date or date-time (UTC unless it says otherwise) as epoch ms; a date `to` is its whole day. */
export function parseBound(iso: string, side: 'from' | 'to'): number {
  const ms = DATE_ONLY.test(iso) ? Date.parse(`${iso}T00:00:00Z`) + (side === 'to' ? DAY_MS - 1 : 0) : Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`not an ISO 8601 date or date-time: ${iso}`);
  return ms;
}

/** The symbol's decimals and the bars as strings. */
function formatted(profile: Profile, bar: NumericBar): ProviderCandle {
  const price = (value: number) => value.toFixed(profile.decimals);
  return {
    time: new Date(bar.time).toISOString(),
    open: price(bar.open),
    high: price(bar.high),
    low: price(bar.low),
    close: price(bar.close),
    volume: String(bar.volume),
  };
}

/** Bars of any granularity (the fakes serve vendor intervals such as 45min or 2h with this). */
export function fakeBars(symbol: string, granularity: FakeGranularity, fromMs: number, toMs: number): ProviderCandle[] {
  const profile = profileOf(symbol);
  return numericBars(profile, granularity, fromMs, toMs).map((bar) => formatted(profile, bar));
}

/**
 * The bars of `symbol` whose open time is in [from, to] (ISO dates or date-times; a date `to`
 * covers its whole day), oldest first. Bars of a day or longer open at 00:00 UTC of their date
 * (weeks on Monday, months on the 1st). The same arguments always give the same bars.
 */
export function deterministicCandles(
  symbol: string,
  interval: CandleInterval,
  fromIso: string,
  toIso: string,
): ProviderCandle[] {
  const granularity = OUR_INTERVALS[interval];
  if (!granularity) throw new RangeError(`unknown interval ${interval}`);
  return fakeBars(symbol, granularity, parseBound(fromIso, 'from'), parseBound(toIso, 'to'));
}

export interface FakeQuote {
  symbol: string;
  /** the last price at `asOf`: a session minute's open while trading, else the last close */
  price: string;
  /** when that price was made, ISO 8601 UTC */
  asOf: string;
  /** the trading day the price belongs to, YYYY-MM-DD */
  tradingDay: string;
  /** that day's first minute, ISO 8601 UTC */
  sessionStart: string;
  open: string;
  high: string;
  low: string;
  volume: string;
  previousClose: string;
  isMarketOpen: boolean;
}

/**
 * The quote of `symbol` at `atIso`. After a session's close it is that day's close, so it equals
 * the close of deterministicCandles' daily bar of that date (and its 1min bars' last close);
 * during a session it is where the minute bars have got to; before the open, the previous close.
 */
export function deterministicQuote(symbol: string, atIso: string): FakeQuote {
  const atMs = Date.parse(atIso);
  if (!Number.isFinite(atMs)) throw new RangeError(`not an ISO 8601 date-time: ${atIso}`);
  const profile = profileOf(symbol);
  let day = dayOf(atMs);
  while (!isTradingDay(profile, day) || sessionOf(profile, day).startMs > atMs) day -= 1;
  const closes = logCloses(profile, day, day);
  const bar = dayBar(profile, day, closes[0], closes[1]);
  const { startMs, minutes } = sessionOf(profile, day);
  const minute = Math.floor((atMs - startMs) / MINUTE_MS);
  const price = (value: number) => value.toFixed(profile.decimals);
  const common = {
    symbol,
    tradingDay: new Date(bar.time).toISOString().slice(0, 10),
    sessionStart: new Date(startMs).toISOString(),
    open: price(bar.open),
    previousClose: price(Math.exp(closes[0])),
  };
  if (minute >= minutes) {
    return {
      ...common,
      price: price(bar.close),
      asOf: new Date(startMs + minutes * MINUTE_MS).toISOString(),
      high: price(bar.high),
      low: price(bar.low),
      volume: String(bar.volume),
      isMarketOpen: false,
    };
  }
  const path = minutePath(profile, bar, minutes);
  const volumes = minuteVolumes(profile, bar, minutes);
  let high = path[0];
  let low = path[0];
  let volume = 0;
  for (let k = 1; k <= minute; k++) {
    high = Math.max(high, path[k]);
    low = Math.min(low, path[k]);
    volume += volumes[k - 1];
  }
  return {
    ...common,
    price: price(path[minute]),
    asOf: new Date(startMs + minute * MINUTE_MS).toISOString(),
    high: price(high),
    low: price(low),
    volume: String(volume),
    isMarketOpen: true,
  };
}
