// Time-weighted return ("true TWR" in the manner of Ghostfolio and Portfolio Performance:
// daily sub-period returns between flows, chained) over a valuation chain with external flows,
// and the reporting periods of SPEC §2. One difference to know: Portfolio Performance's TTWROR
// puts inflows at the start of a day and outflows at its end; a row here carries only the net
// flow, so the whole net flow is at the start (except the outflow case in `dayReturn`).
//
// Floats, not Decimals: a return is a metric, not money. Nothing here is stored, booked or
// summed into a balance; the inputs are end-of-day valuations already converted to the base
// currency, and a relative error of 1e-15 per day is far below any return anyone displays.
//
// Conventions:
// - A row is one calendar day: `value` is the market value at the END of that day, `flow` the
//   net external flow of that day (deposits and transfers in positive, withdrawals and transfers
//   out negative; dividends, interest and fees are NOT external flows: they are return).
// - Flows happen at the START of their day: the day's return is measured on the value after the
//   flow, r = value / (previousValue + flow) − 1. So a deposit earns (or loses) that day's
//   market move, and a day's return never depends on the size of its flow.
// - Rows need not be consecutive days (weekends, holidays): a row's return covers the span since
//   the previous row. A flow on a day without a row belongs on the next row.
// - Sub-period returns are chained geometrically: TWR = Π(1 + r) − 1.
import * as z from 'zod/mini';
import { addDays, addYears, IsoDateSchema, isoWeekday, startOfMonth, startOfYear } from './dates.js';

/** One day of a valuation chain, in the portfolio's base currency. */
export interface ValuationDay {
  /** Calendar day, 'YYYY-MM-DD'. */
  date: string;
  /** Market value at the end of the day; never negative. */
  value: number;
  /** Net external flow that day, at the start of the day: deposits +, withdrawals −. */
  flow: number;
}

export interface TwrPoint {
  date: string;
  value: number;
  /** Π(1 + r) − 1 over the chain up to and including this day; 0 on the first row unless it is a funding day. */
  cumulativeReturn: number;
}

export interface TwrResult {
  /** Time-weighted return of the whole chain, as a fraction (0.05 = +5%); 0 for an empty chain. */
  twr: number;
  series: TwrPoint[];
}

export const ValuationDaySchema = z.strictObject({
  date: IsoDateSchema,
  value: z.number().check(z.gte(0)),
  flow: z.number(),
});

const strictlyAscending = (rows: readonly { date: string }[]) =>
  rows.every((row, i) => i === 0 || rows[i - 1].date < row.date);

/** A valuation chain: rows in strictly ascending date order (one row per date). */
export const ValuationChainSchema = z
  .array(ValuationDaySchema)
  .check(z.refine(strictlyAscending, { error: 'dates must be strictly ascending (one row per day)' }));

/**
 * The return of one day, given the previous row's end value (0 before the first row).
 *
 * - Start capital `previousValue + flow` > 0: r = value / (previousValue + flow) − 1.
 * - Start capital ≤ 0 while there was value: an outflow of everything or more cannot have left
 *   at the start of the day (the excess was earned during it), so for that day the flow is taken
 *   at its END: r = (value − flow) / previousValue − 1. (For a plain full withdrawal, value 0 and
 *   flow = −previousValue, both readings give 0.)
 * - No previous value and no flow: nothing was at risk, r = 0, and the day's value becomes the
 *   base of the next day (the opening valuation of a chain, or value that appeared without a
 *   recorded flow). This is how a chain that starts at zero waits for its first flow.
 * - No previous value and an outflow: the data are inconsistent; a RangeError names the day.
 */
export function dayReturn(previousValue: number, flow: number, value: number, date = '?'): number {
  return dayGrowth(previousValue, flow, value, date) - 1;
}

/** 1 + `dayReturn`, computed as the ratio itself: chaining ratios keeps precision on a −99.99% day. */
function dayGrowth(previousValue: number, flow: number, value: number, date: string): number {
  const startCapital = previousValue + flow;
  if (startCapital > 0) return value / startCapital;
  if (previousValue > 0) return (value - flow) / previousValue;
  if (flow === 0) return 1;
  throw new RangeError(`${date}: outflow ${flow} from a portfolio worth ${previousValue}`);
}

/**
 * Time-weighted return of a valuation chain (see the conventions above). The chain's first row
 * is measured from a value of 0: with no flow it is the opening valuation (return 0, the base
 * of the next day); with a flow it is the funding day and its own return counts. To measure a
 * period that starts after the chain does, use `periodTwr` / `periodChain`, which turn the
 * day before the period into a flow-free base row.
 *
 * Throws a ZodError on a malformed chain (non-finite numbers, negative values, bad or
 * unordered dates) and a RangeError on an outflow from nothing.
 */
export function timeWeightedReturn(rows: readonly ValuationDay[]): TwrResult {
  const chain = ValuationChainSchema.parse(rows);
  const series: TwrPoint[] = [];
  let growth = 1;
  let previousValue = 0;
  for (const { date, value, flow } of chain) {
    growth *= dayGrowth(previousValue, flow, value, date);
    series.push({ date, value, cumulativeReturn: growth - 1 });
    previousValue = value;
  }
  return { twr: growth - 1, series };
}

export const PERFORMANCE_PERIODS = ['1D', 'WTD', 'MTD', 'YTD', '1Y', '5Y', 'MAX'] as const;
export type PerformancePeriod = (typeof PERFORMANCE_PERIODS)[number];
export const PerformancePeriodSchema = z.enum(PERFORMANCE_PERIODS);

/**
 * The first day whose return counts in `period` as of `asOf` (inclusive), or null for MAX (no
 * lower bound). The return is measured from the end of the day before: the base valuation is
 * the last row dated before this day.
 *
 * - 1D: `asOf` itself (its base is the previous row, so a Monday's 1D spans the weekend).
 * - WTD: the Monday of `asOf`'s ISO week (weeks start on Monday).
 * - MTD: the 1st of `asOf`'s month. YTD: 1 January of `asOf`'s year.
 * - 1Y / 5Y: the day after `asOf` minus 1 / 5 years, so the base is that anniversary and the
 *   period is exactly 1 / 5 years long; 29 February falls back to 28 February
 *   (2024-02-29 → base 2023-02-28, first day 2023-03-01).
 * - MAX: null.
 *
 * Pure: `asOf` is an argument, never the clock.
 */
export function periodStart(period: PerformancePeriod, asOf: string): string | null {
  const p = PerformancePeriodSchema.parse(period);
  const day = IsoDateSchema.parse(asOf);
  switch (p) {
    case '1D':
      return day;
    case 'WTD':
      return addDays(day, 1 - isoWeekday(day));
    case 'MTD':
      return startOfMonth(day);
    case 'YTD':
      return startOfYear(day);
    case '1Y':
      return addDays(addYears(day, -1), 1);
    case '5Y':
      return addDays(addYears(day, -5), 1);
    case 'MAX':
      return null;
  }
}

/**
 * The part of `rows` that `period` as of `asOf` measures: rows after `asOf` are dropped; rows
 * before the period start are dropped except the last one, which becomes the base row with its
 * flow set to 0 (that flow belongs to the previous period; only its end value matters here). If
 * no row precedes the period (the account opened inside it), the chain starts at its first row.
 */
export function periodChain(rows: readonly ValuationDay[], period: PerformancePeriod, asOf: string): ValuationDay[] {
  const chain = ValuationChainSchema.parse(rows);
  const start = periodStart(period, asOf);
  const upToAsOf = chain.filter((row) => row.date <= asOf);
  if (start === null) return upToAsOf;
  const inPeriod = upToAsOf.filter((row) => row.date >= start);
  const before = upToAsOf.filter((row) => row.date < start);
  const base = before.at(-1);
  return base ? [{ date: base.date, value: base.value, flow: 0 }, ...inPeriod] : inPeriod;
}

/** `timeWeightedReturn(periodChain(rows, period, asOf))`. */
export function periodTwr(rows: readonly ValuationDay[], period: PerformancePeriod, asOf: string): TwrResult {
  return timeWeightedReturn(periodChain(rows, period, asOf));
}
