import { decimalString as exactString, Dec, parseDecimal } from '@ballast/core/money.js';
import type { AppError } from '@ballast/platform/errors.js';
import { barClose, type CandleColumns } from './chunks.js';
import type { MarketDataClient } from './client.js';
import { decimalString } from './numbers.js';
import type { CandleStore } from './store.js';
import { assetClassOf, fxSymbol, pairCurrency } from './symbols.js';
import { isoOf } from './time.js';

/** One symbol's current price as the portfolio context values it (decimal strings, never floats). */
export interface PricePoint {
  price: string;
  currency?: string;
  asOf: string;
  stale: boolean;
  source: 'quote' | 'candle';
  previousClose?: string;
  name?: string;
  assetClass?: string;
}

/** A price point as the quotes route answers it (with its symbol and the exchange, when known). */
export interface ServedPrice extends PricePoint {
  symbol: string;
  exchange?: string;
}

/**
 * A daily close is stale once its day ended more than four days ago: a weekend and a holiday
 * between the last session and today still count as current.
 */
export const STALE_CLOSE_MS = 4 * 86_400_000;

export interface PriceDeps {
  client: MarketDataClient;
  candles: CandleStore;
  nowMs: number;
}

/**
 * The price source order (issue 9): the tenant provider's quote, cached → the latest stored daily
 * candle close. A fresh quote wins; otherwise the newer of a stale cached quote and the last close.
 * `budget: 'none'` never calls the provider (cache and candles only).
 */
export async function latestPrices(
  deps: PriceDeps,
  symbols: readonly string[],
  o: { budget?: 'request' | 'none' } = {},
): Promise<{ prices: Map<string, ServedPrice>; failure?: AppError }> {
  const unique = [...new Set(symbols)];
  const { quotes, failure } = await deps.client.quotes(unique, o);
  const prices = new Map<string, ServedPrice>();
  const quoted = new Map<string, ServedPrice>();
  for (const symbol of unique) {
    const served = quotes.get(symbol);
    if (!served) continue;
    quoted.set(symbol, {
      symbol,
      price: served.quote.price,
      currency: served.quote.currency ?? pairCurrency(symbol),
      asOf: served.quote.asOf,
      stale: served.stale,
      source: 'quote',
      ...(served.quote.previousClose !== undefined ? { previousClose: served.quote.previousClose } : {}),
      ...(served.quote.name !== undefined ? { name: served.quote.name } : {}),
      ...(assetClassOf(symbol) ? { assetClass: assetClassOf(symbol) } : {}),
      ...(served.quote.exchange !== undefined ? { exchange: served.quote.exchange } : {}),
    });
  }
  // Only symbols without a fresh quote need their last close; they are read together.
  const needCloses = unique.filter((symbol) => !(quoted.get(symbol) && !quoted.get(symbol)?.stale));
  const closes = await lastCloses(deps, needCloses);
  for (const symbol of unique) {
    const fromQuote = quoted.get(symbol);
    if (fromQuote && !fromQuote.stale) {
      prices.set(symbol, fromQuote);
      continue;
    }
    const fromCandle = closes.get(symbol);
    const best =
      fromQuote && fromCandle
        ? Date.parse(fromCandle.asOf) > Date.parse(fromQuote.asOf)
          ? fromCandle
          : fromQuote
        : (fromQuote ?? fromCandle);
    if (best) prices.set(symbol, best);
  }
  return { prices, failure };
}

/** The last stored daily close (and the one before it) of each symbol that has any. */
async function lastCloses(deps: PriceDeps, symbols: readonly string[]): Promise<Map<string, ServedPrice>> {
  const out = new Map<string, ServedPrice>();
  if (!symbols.length) return out;
  const bars = await deps.candles.latestOfMany(
    symbols.map((symbol) => ({ symbol, interval: '1day' as const })),
    deps.nowMs,
    2,
  );
  for (const [symbol, series] of bars) {
    const served = closeOf(deps, symbol, series);
    if (served) out.set(symbol, served);
  }
  return out;
}

function closeOf(deps: PriceDeps, symbol: string, bars: CandleColumns): ServedPrice | undefined {
  if (!bars.length) return undefined;
  const last = bars.length - 1;
  const currency = pairCurrency(symbol);
  const assetClass = assetClassOf(symbol);
  return {
    symbol,
    price: decimalString(bars.close[last]),
    ...(currency ? { currency } : {}),
    asOf: isoOf(bars.time[last]),
    stale: deps.nowMs - barClose(bars.time[last], '1day') > STALE_CLOSE_MS,
    source: 'candle',
    ...(last > 0 ? { previousClose: decimalString(bars.close[last - 1]) } : {}),
    ...(assetClass ? { assetClass } : {}),
  };
}

/** Significant digits an inverted FX rate keeps (a rate is a ratio, not money). */
const RATE_DIGITS = 12;

/**
 * Units of `to` per one unit of `from` (EUR → USD ≈ 1.08): the `FROM-TO` pair's price, or one over
 * the `TO-FROM` pair's, by the same source order as prices.
 */
export async function fxRate(
  deps: PriceDeps,
  from: string,
  to: string,
  o: { budget?: 'request' | 'none' } = {},
): Promise<{ rate: string; asOf: string; stale: boolean } | undefined> {
  if (from === to) return { rate: '1', asOf: isoOf(deps.nowMs), stale: false };
  const direct = fxSymbol(from, to);
  const inverse = fxSymbol(to, from);
  const straight = (await latestPrices(deps, [direct], o)).prices.get(direct);
  if (straight) return { rate: straight.price, asOf: straight.asOf, stale: straight.stale };
  const flipped = (await latestPrices(deps, [inverse], o)).prices.get(inverse);
  if (!flipped) return undefined;
  const price = parseDecimal(flipped.price);
  if (price.isZero()) return undefined;
  return {
    rate: exactString(new Dec(1).div(price).toSignificantDigits(RATE_DIGITS)),
    asOf: flipped.asOf,
    stale: flipped.stale,
  };
}
