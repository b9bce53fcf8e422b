import {
  holdingFigures,
  type LedgerEntry,
  type PositionState,
  positionQuantity,
  splitRatio,
} from '@ballast/core/ledger/index.js';
import { type D, decimalString, formatMoney, money } from '@ballast/core/money.js';
import { addDays } from '@ballast/core/performance/dates.js';
import type { PerformancePeriod } from '@ballast/core/performance/twr.js';
import { periodPerformance } from '@ballast/core/performance/valuation.js';
import type { PriceSource } from '../market-data/index.js';
import { effectiveEntries } from './ledger-service.js';
import type { BookRecord, StoredEntry } from './ledger-store.js';

/**
 * Valuing a book on market data. Figures in a holding's own currency are exact (what the lots
 * and the price give); figures in the base currency are converted with the provider's current FX
 * rate and rounded to the base currency's minor unit (half-even) — they are sums a person reads.
 * A holding with no price, or no rate to the base currency, is listed as unpriced and left out of
 * every base-currency total: never guessed.
 */

/** part / whole in percent to 4 places; null when there is no whole */
export const pct = (part: D, whole: D) =>
  whole.isZero() ? null : part.div(whole).times(100).toDecimalPlaces(4).toFixed();

export interface HoldingView {
  symbol: string;
  name: string | null;
  assetClass: string | null;
  currency: string;
  quantity: string;
  averageCost: string | null;
  costBasis: string;
  price: string | null;
  priceAsOf: string | null;
  priceStale: boolean | null;
  priceSource: 'quote' | 'candle' | null;
  marketValue: string | null;
  marketValueBase: string | null;
  unrealisedGain: { amount: string; pct: string | null } | null;
  realisedGain: string;
  income: string;
  dayGain: { amount: string; pct: string | null } | null;
  weight: string | null;
  source: string;
}

export interface Valued {
  baseCurrency: string;
  asOf: string;
  holdings: HoldingView[];
  /** in the base currency, exact (rounded only when shown) */
  totals: {
    value: D;
    cash: D;
    invested: D;
    unrealised: D;
    realised: D;
    income: D;
    dayGain: D;
    previousValue: D;
  };
  unpriced: Array<{ symbol: string; reason: string }>;
}

const isOpen = (p: PositionState) => !money(positionQuantity(p)).isZero();

/** Values every position of `record` at the latest prices and the current FX rates. */
export async function valueBook(record: BookRecord, prices: PriceSource, nowIso: string): Promise<Valued> {
  const base = record.book.baseCurrency;
  const positions = Object.values(record.book.positions);
  const open = positions.filter(isOpen);
  const quotes = await prices.latest(open.map((p) => p.symbol));
  const currencies = [...new Set(positions.map((p) => p.currency).filter((c) => c !== base))];
  const rates = new Map<string, D>();
  await Promise.all(
    currencies.map(async (c) => {
      const found = await prices.fxRate(c, base);
      if (found) rates.set(c, money(found.rate));
    }),
  );
  const rateOf = (c: string) => (c === base ? money('1') : rates.get(c));

  const cash = money(record.book.cash);
  const totals = {
    value: cash,
    cash,
    invested: money('0'),
    unrealised: money('0'),
    realised: money('0'),
    income: money('0'),
    dayGain: money('0'),
    previousValue: cash,
  };
  const unpriced: Valued['unpriced'] = [];
  const rows: Array<{ view: HoldingView; base?: D }> = [];

  for (const p of positions) {
    const rate = rateOf(p.currency);
    if (rate) {
      totals.realised = totals.realised.plus(money(p.realisedGain).times(rate));
      totals.income = totals.income.plus(money(p.income).times(rate));
    }
  }
  for (const p of open) {
    const quote = quotes.get(p.symbol);
    const rate = rateOf(p.currency);
    const figures = holdingFigures(p, quote?.price);
    let marketValueBase: D | undefined;
    let dayGain: HoldingView['dayGain'] = null;
    if (!quote) unpriced.push({ symbol: p.symbol, reason: 'no quote and no stored daily close' });
    else if (!rate) unpriced.push({ symbol: p.symbol, reason: `no ${p.currency}→${base} rate` });
    if (quote && rate && figures.marketValue !== undefined) {
      marketValueBase = money(figures.marketValue).times(rate);
      totals.value = totals.value.plus(marketValueBase);
      totals.invested = totals.invested.plus(money(figures.costBasis).times(rate));
      totals.unrealised = totals.unrealised.plus(money(figures.unrealisedGain ?? '0').times(rate));
      const previousClose = quote.previousClose !== undefined ? money(quote.previousClose) : undefined;
      const previous = previousClose ? money(figures.quantity).times(previousClose) : money(figures.marketValue);
      totals.previousValue = totals.previousValue.plus(previous.times(rate));
      if (previousClose) {
        const amount = money(figures.marketValue).minus(previous);
        totals.dayGain = totals.dayGain.plus(amount.times(rate));
        dayGain = { amount: decimalString(amount), pct: pct(amount, previous) };
      }
    }
    rows.push({
      base: marketValueBase,
      view: {
        symbol: p.symbol,
        name: quote?.name ?? null,
        assetClass: quote?.assetClass ?? null,
        currency: p.currency,
        quantity: figures.quantity,
        averageCost: figures.averageCost,
        costBasis: figures.costBasis,
        price: quote?.price ?? null,
        priceAsOf: quote?.asOf ?? null,
        priceStale: quote?.stale ?? null,
        priceSource: quote?.source ?? null,
        marketValue: figures.marketValue ?? null,
        marketValueBase: marketValueBase ? formatMoney(marketValueBase, base) : null,
        unrealisedGain:
          figures.unrealisedGain !== undefined
            ? { amount: figures.unrealisedGain, pct: figures.unrealisedGainPct ?? null }
            : null,
        realisedGain: p.realisedGain,
        income: p.income,
        dayGain,
        weight: null,
        source: record.sources[p.symbol] ?? 'manual',
      },
    });
  }
  for (const row of rows) row.view.weight = row.base ? pct(row.base, totals.value) : null;
  rows.sort((a, b) => (a.view.symbol < b.view.symbol ? -1 : a.view.symbol > b.view.symbol ? 1 : 0));
  return { baseCurrency: base, asOf: nowIso, holdings: rows.map((r) => r.view), totals, unpriced };
}

/** The engine's entries for a performance replay: the opening cash is the first deposit. */
export function performanceEntries(record: BookRecord, stored: readonly StoredEntry[]): LedgerEntry[] {
  const entries: LedgerEntry[] = effectiveEntries(stored).map((e) => ({
    entryId: e.entryId,
    type: e.type,
    tradeDate: e.tradeDate,
    currency: e.currency,
    ...(e.symbol !== undefined ? { symbol: e.symbol } : {}),
    ...(e.quantity !== undefined ? { quantity: e.quantity } : {}),
    ...(e.price !== undefined ? { price: e.price } : {}),
    ...(e.fee !== undefined ? { fee: e.fee } : {}),
    ...(e.amount !== undefined ? { amount: e.amount } : {}),
    ...(e.ratio !== undefined ? { ratio: e.ratio } : {}),
    ...(e.fxRate !== undefined ? { fxRate: e.fxRate } : {}),
  }));
  if (!money(record.openingCash).isZero()) {
    // "tx_0" sorts before every real id, so the opening balance is the first thing on its day.
    entries.push({
      entryId: 'tx_0',
      type: 'DEPOSIT',
      tradeDate: record.openedOn,
      currency: record.book.baseCurrency,
      amount: record.openingCash,
    });
  }
  return entries;
}

/**
 * A symbol's daily prices for the valuation chain: its stored closes; where a day has none, the
 * price of a trade that day (a holding with no market data is then valued at its last trade, not
 * left out); and for today, when no close is stored yet, the same latest price the summary uses —
 * so the series ends where the summary stands.
 */
function priceHistory(
  symbol: string,
  stored: ReadonlyArray<{ date: string; close: string }>,
  entries: readonly LedgerEntry[],
  quotes: ReadonlyMap<string, { price: string }>,
  asOf: string,
): Array<{ date: string; close: string }> {
  const byDate = new Map<string, string>();
  const own = entries.filter((e) => e.symbol === symbol).sort((a, b) => (a.tradeDate < b.tradeDate ? -1 : 1));
  let last: string | undefined;
  for (const e of own) {
    if (e.type === 'SPLIT' && last !== undefined && !byDate.has(e.tradeDate)) {
      // from a split on, quantities are in new shares: the last trade's price must be too (10:1 → a tenth),
      // or a holding without closes is worth ten times as much the day after its split
      const { newShares, oldShares } = splitRatio(e);
      last = decimalString(money(last).times(oldShares).div(newShares));
      byDate.set(e.tradeDate, last);
    } else if (e.price !== undefined && e.type !== 'DIVIDEND' && e.type !== 'SPLIT') {
      byDate.set(e.tradeDate, e.price);
      last = e.price;
    }
  }
  const quote = quotes.get(symbol);
  if (quote) byDate.set(asOf, quote.price);
  for (const c of stored) byDate.set(c.date, c.close);
  return [...byDate]
    .map(([date, close]) => ({ date, close }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

export interface PerformanceView {
  from: string;
  to: string;
  twr: number | null;
  xirr: number | null;
  xirrNote?: string;
  series: Array<{ date: string; value: string; flow: string; twr: number }>;
  unpricedDays: number;
}

/**
 * TWR and XIRR for `period` as of `asOf` from the stored daily closes. A foreign holding's past
 * values convert at today's FX rate (stored FX history is not consulted yet), so for such
 * holdings the series shows price performance in the base currency, not currency effects.
 */
export async function performanceOf(
  record: BookRecord,
  stored: readonly StoredEntry[],
  prices: PriceSource,
  period: PerformancePeriod,
  asOf: string,
): Promise<PerformanceView> {
  const base = record.book.baseCurrency;
  const entries = performanceEntries(record, stored);
  const firstDate = entries.reduce((min, e) => (e.tradeDate < min ? e.tradeDate : min), asOf);
  const symbols = [...new Set(entries.flatMap((e) => (e.symbol && e.type !== 'DIVIDEND' ? [e.symbol] : [])))];
  const currencyOf = new Map(entries.flatMap((e) => (e.symbol ? [[e.symbol, e.currency] as const] : [])));
  const rates = new Map<string, D>();
  for (const c of new Set(currencyOf.values())) {
    if (c === base) continue;
    const found = await prices.fxRate(c, base);
    if (found) rates.set(c, money(found.rate));
  }
  // Closes from a little before the first entry, so a position bought on a holiday has a price.
  const since = addDays(firstDate, -10);
  const closes = new Map<string, Array<{ date: string; close: string }>>();
  await Promise.all(symbols.map(async (s) => closes.set(s, await prices.dailyCloses(s, since, asOf))));
  const quotes = await prices.latest(symbols);
  for (const symbol of symbols)
    closes.set(symbol, priceHistory(symbol, closes.get(symbol) ?? [], entries, quotes, asOf));
  const cursor = new Map<string, number>();
  const unitValue = (symbol: string, date: string): string | undefined => {
    const series = closes.get(symbol) ?? [];
    const currency = currencyOf.get(symbol) ?? base;
    const rate = currency === base ? money('1') : rates.get(currency);
    if (!rate) return undefined;
    // Days are asked in ascending order per symbol: walk forward instead of searching.
    let i = cursor.get(symbol) ?? -1;
    while (i + 1 < series.length && series[i + 1].date <= date) i++;
    if (i >= 0 && series[i].date > date) i = series.findLastIndex((c) => c.date <= date);
    cursor.set(symbol, i);
    return i >= 0 ? decimalString(money(series[i].close).times(rate)) : undefined;
  };
  const result = periodPerformance({ baseCurrency: base, entries, period, asOf, unitValue, allowNegativeCash: true });
  const points = result.twr.series;
  let twr: number | null = result.twr.twr * 100;
  const anyValue = result.series.values.some((v) => !money(v.value).isZero());
  if (!anyValue) twr = null;
  return {
    from: result.baseDate,
    to: asOf,
    twr,
    xirr: result.xirr.ok ? result.xirr.rate * 100 : null,
    ...(result.xirr.ok ? {} : { xirrNote: result.xirr.detail }),
    series: result.series.values.map((v, i) => ({
      date: v.date,
      value: formatMoney(money(v.value), base),
      flow: formatMoney(money(v.flow), base),
      twr: (points[i]?.cumulativeReturn ?? 0) * 100,
    })),
    unpricedDays: result.series.unpricedDays.length,
  };
}
