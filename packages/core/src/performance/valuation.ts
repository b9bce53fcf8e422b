// The daily valuation series of a ledger: the input to `periodTwr` and `xirr`. The ledger is
// replayed day by day (exact decimals, `replayBook`'s rules), each day's book is valued at that
// day's unit values, and each day carries the external flows booked on it.
//
// Conventions (those of twr.ts, which this feeds):
// - One row per calendar day from `from` to `to`, both included. A row's value is the book at
//   the END of its day: cash plus Σ quantity · unit value, with every entry dated that day
//   applied. Its flow is the sum of the external flows (EntryEffect.externalFlow) dated that
//   day, which twr.ts takes as happening at the START of the day. Dividends, interest and fees
//   are not flows: they are return.
// - Entries before `from` build the opening book; their flows belong to no row. The first row
//   is the base of whatever is measured after it: `periodPerformance` starts its series the
//   day before the period, as `periodChain` expects; feeding `days` straight to
//   `timeWeightedReturn` measures the first row from a value of 0, right only when nothing was
//   held before `from`.
// - A held symbol without a unit value on a day is valued at its last unit value seen in the
//   series (carried forward); one never priced in the series is left out of the value and
//   listed in `unpricedDays`, so a caller can tell a real loss from a missing price.
// - Values and flows are exact decimal strings; cash is formatted in the base currency. The
//   `days` rows are the same figures as numbers (twr.ts works in floats: a return is a metric).
import { Dec, decimalString, money, type D } from '../money.js';
import { applyEntry, compareEntries, emptyBook, type ApplyOptions } from '../ledger/book.js';
import { positionQuantity } from '../ledger/figures.js';
import { checkEntryHeader } from '../ledger/fields.js';
import type { BookState, LedgerEntry } from '../ledger/types.js';
import { addDays, daysBetween, IsoDateSchema } from './dates.js';
import { periodStart, periodTwr, type PerformancePeriod, type TwrResult, type ValuationDay } from './twr.js';
import { xirr, type CashFlow, type XirrResult } from './xirr.js';

export interface ValuationInput {
  baseCurrency: string;
  /** The whole ledger, in any order (replayed in `compareEntries` order). */
  entries: readonly LedgerEntry[];
  /** First day of the series, 'YYYY-MM-DD'. */
  from: string;
  /** Last day of the series, 'YYYY-MM-DD', not before `from`. */
  to: string;
  /**
   * Base-currency value of one unit of `symbol` on `date` (the latest close on or before it,
   * already FX-converted), or undefined.
   */
  unitValue: (symbol: string, date: string) => string | undefined;
  /** Passed to the replay: a margin account's cash may go below zero. */
  allowNegativeCash?: ApplyOptions['allowNegativeCash'];
}

export interface ValuationRow {
  date: string;
  /** End-of-day value, base currency: cash + priced holdings. */
  value: string;
  /** End-of-day cash, base currency. */
  cash: string;
  /** Net external flow of the day, at its start: deposits and transfers in +, out −. */
  flow: string;
}

export interface ValuationSeries {
  /** twr.ts's shape, one row per calendar day from..to. */
  days: ValuationDay[];
  /** The same rows as exact strings. */
  values: ValuationRow[];
  /** Days on which a held symbol had no unit value, not even one to carry forward. */
  unpricedDays: Array<{ date: string; symbols: string[] }>;
}

function holdingsValue(
  book: BookState,
  date: string,
  unitValue: ValuationInput['unitValue'],
  lastUnitValues: Map<string, D>,
): { value: D; unpriced: string[] } {
  let value = new Dec(0);
  const unpriced: string[] = [];
  for (const symbol of Object.keys(book.positions).sort()) {
    const quantity = money(positionQuantity(book.positions[symbol]));
    if (quantity.isZero()) continue;
    const quoted = unitValue(symbol, date);
    if (quoted !== undefined) {
      const unit = money(quoted);
      if (unit.lt(0)) throw new RangeError(`unit value of ${symbol} on ${date} is negative: ${quoted}`);
      lastUnitValues.set(symbol, unit);
    }
    const unit = lastUnitValues.get(symbol);
    if (unit === undefined) unpriced.push(symbol);
    else value = value.plus(quantity.times(unit));
  }
  return { value, unpriced };
}

/**
 * The valuation series of `input.entries` from `from` to `to` (see the module comment). Throws
 * a RangeError on bad dates or a negative unit value, and a LedgerRuleError for a malformed
 * entry or the first one the replay refuses.
 */
export function valuationSeries(input: ValuationInput): ValuationSeries {
  const { from, to } = input;
  const length = daysBetween(from, to) + 1;
  if (length < 1) throw new RangeError(`valuation series: to ${to} is before from ${from}`);
  // An entry with a malformed date would never come due in the day loop below and so would
  // vanish silently: it is refused up front, with the replay's own INVALID_ENTRY.
  for (const entry of input.entries) checkEntryHeader(entry);
  const entries = [...input.entries].sort(compareEntries);
  const options = { allowNegativeCash: input.allowNegativeCash };
  const lastUnitValues = new Map<string, D>();
  const series: ValuationSeries = { days: [], values: [], unpricedDays: [] };
  let book = emptyBook(input.baseCurrency);
  let next = 0;
  for (let offset = 0; offset < length; offset++) {
    const date = addDays(from, offset);
    let flow = new Dec(0);
    for (; next < entries.length && entries[next].tradeDate <= date; next++) {
      const applied = applyEntry(book, entries[next], options);
      book = applied.book;
      const external = applied.effect.externalFlow;
      if (external !== undefined && entries[next].tradeDate === date) flow = flow.plus(money(external));
    }
    const holdings = holdingsValue(book, date, input.unitValue, lastUnitValues);
    const value = money(book.cash).plus(holdings.value);
    series.values.push({ date, value: decimalString(value), cash: book.cash, flow: decimalString(flow) });
    series.days.push({ date, value: value.toNumber(), flow: flow.toNumber() });
    if (holdings.unpriced.length > 0) series.unpricedDays.push({ date, symbols: holdings.unpriced });
  }
  return series;
}

/**
 * The XIRR cash flows (investor's view, xirr.ts's sign) of the period a series measures: its
 * first row is the base, so its end value is paid in on that date and its flows belong to the
 * period before; then every later row's flow with the sign turned (a deposit is paid in, −);
 * and the last row's value taken out on its date.
 */
export function seriesXirrFlows(series: Pick<ValuationSeries, 'values'>): CashFlow[] {
  const rows = series.values;
  if (rows.length === 0) return [];
  const first = rows[0];
  const last = rows[rows.length - 1];
  const flows: CashFlow[] = [{ date: first.date, amount: -money(first.value).toNumber() }];
  for (const row of rows.slice(1)) {
    if (!money(row.flow).isZero()) flows.push({ date: row.date, amount: -money(row.flow).toNumber() });
  }
  flows.push({ date: last.date, amount: money(last.value).toNumber() });
  return flows;
}

/** `seriesXirrFlows(valuationSeries(input))`: the period from the end of `from` to the end of `to`. */
export function xirrFlows(input: ValuationInput): CashFlow[] {
  return seriesXirrFlows(valuationSeries(input));
}

export interface PeriodPerformanceInput extends Omit<ValuationInput, 'from' | 'to'> {
  period: PerformancePeriod;
  asOf: string;
}

export interface PeriodPerformance {
  period: PerformancePeriod;
  asOf: string;
  /** The base day: the period is measured from its end value. */
  baseDate: string;
  twr: TwrResult;
  /** Money-weighted return of the same period, annualised (see xirr.ts). */
  xirr: XirrResult;
  series: ValuationSeries;
}

/**
 * TWR and XIRR of `period` as of `asOf`, both measured from the end of the day before the
 * period (`periodStart` − 1 day; for MAX the day before the first entry, when nothing was held)
 * to the end of `asOf`. Entries after `asOf` are ignored. A day valued below zero (only with
 * `allowNegativeCash`) has no time-weighted return: `periodTwr` refuses the chain (ZodError).
 */
export function periodPerformance(input: PeriodPerformanceInput): PeriodPerformance {
  const asOf = IsoDateSchema.parse(input.asOf);
  const start = periodStart(input.period, asOf);
  const entries = input.entries.filter((entry) => entry.tradeDate <= asOf);
  const firstTradeDate = entries.reduce<string | undefined>(
    (earliest, entry) => (earliest === undefined || entry.tradeDate < earliest ? entry.tradeDate : earliest),
    undefined,
  );
  const firstDay = start ?? firstTradeDate ?? asOf;
  const baseDate = addDays(firstDay, -1);
  const series = valuationSeries({ ...input, entries, from: baseDate, to: asOf });
  return {
    period: input.period,
    asOf,
    baseDate,
    twr: periodTwr(series.days, input.period, asOf),
    xirr: xirr({ flows: seriesXirrFlows(series) }),
    series,
  };
}
