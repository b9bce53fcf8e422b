import type { Backend } from '@ballast/platform/http/handler.js';
import type { CandleColumns } from './chunks.js';
import { marketDataPorts, storedPorts } from './ports.js';
import { fxRate, latestPrices, type PricePoint } from './prices.js';
import type { CandleInterval, ProviderRegistry } from './provider.js';
export { CANDLE_INTERVALS, type CandleInterval } from './provider.js';
import { normalizeSymbol } from './symbols.js';
import { dateOf, parseTimestamp } from './time.js';
import { decimalString } from './numbers.js';

export { routes as marketDataRoutes, MARKET_DATA_USES } from './routes.js';
export { jobs as marketDataJobs } from './jobs.js';
export type { PricePoint } from './prices.js';
export type { ProviderRegistry, MarketDataProvider, ProviderFactory } from './provider.js';
export { fxSymbol, normalizeSymbol, SYMBOL_PATTERN } from './symbols.js';

/**
 * What the portfolio context values holdings with. Prices are decimal strings: a stored float64
 * close comes back as its shortest round-trip decimal (numbers.ts), so "187.43" uploaded is
 * "187.43" here, and valuation stays exact decimal from there on.
 */
export interface PriceSource {
  /**
   * price source order: the tenant provider's quote (cached) → the latest stored daily candle
   * close; a symbol with neither is absent
   */
  latest(symbols: readonly string[]): Promise<Map<string, PricePoint>>;
  /** base units per 1 unit of `from` (e.g. from EUR to USD ≈ 1.1), same order of sources, or undefined */
  fxRate(from: string, to: string): Promise<{ rate: string; asOf: string; stale: boolean } | undefined>;
  /** stored daily closes, oldest first, for dates in [from, to] (YYYY-MM-DD) */
  dailyCloses(symbol: string, from: string, to: string): Promise<Array<{ date: string; close: string }>>;
}

/**
 * The tenant's prices for a request or job of another context (its Backend, which must have
 * resolved the tenant's data table: `uses` spreads MARKET_DATA_USES). A provider failure never
 * fails the caller: the cache and the stored closes answer, and a symbol nobody knows is absent.
 * A tenant without a `market-data` routing entry is a 503 ROUTING_NOT_CONFIGURED (never a guess).
 */
export function priceSource(backend: Backend, providers: ProviderRegistry): PriceSource {
  const ports = marketDataPorts(providers)(backend);
  const deps = async () => ({ client: await ports.client(), candles: ports.candles, nowMs: backend.now });
  return {
    async latest(symbols) {
      // the caller's spelling in, the caller's spelling out (`EUR/USD` is stored as `EUR-USD`)
      const stored = new Map(symbols.map((symbol) => [symbol, normalizeSymbol(symbol) ?? symbol]));
      const { prices } = await latestPrices(await deps(), [...new Set(stored.values())]);
      const out = new Map<string, PricePoint>();
      for (const [asked, symbol] of stored) {
        const found = prices.get(symbol);
        if (!found) continue;
        const { symbol: _symbol, exchange: _exchange, ...point } = found;
        out.set(asked, point);
      }
      return out;
    },
    async fxRate(from, to) {
      return fxRate(await deps(), from, to);
    },
    async dailyCloses(symbol, from, to) {
      const fromMs = parseTimestamp(from);
      const toMs = parseTimestamp(to);
      if (fromMs === undefined || toMs === undefined || fromMs > toMs) return [];
      const series = { symbol: normalizeSymbol(symbol) ?? symbol, interval: '1day' } as const;
      const bars = await ports.candles.read(series, fromMs, toMs);
      return Array.from({ length: bars.length }, (_, i) => ({
        date: dateOf(bars.time[i]),
        close: decimalString(bars.close[i]),
      }));
    },
  };
}

/** Bars as columns, oldest first (floats: analysis, not money). */
export type { CandleColumns as StoredBars } from './chunks.js';

/**
 * What research reads of market data: the tenant's stored candles (synced or uploaded), never the
 * provider — a strategy is analysed on the bars Ballast holds, so the same request gives the same
 * answer. `latest` is the last `count` bars that opened at or before `atMs`; `range` the bars of a
 * window (a backtest's).
 */
export function storedCandles(backend: Backend) {
  const { candles } = storedPorts(backend);
  return {
    latest(symbol: string, interval: CandleInterval, atMs: number, count: number): Promise<CandleColumns> {
      return candles.latest({ symbol: normalizeSymbol(symbol) ?? symbol, interval }, atMs, count);
    },
    /** the bars that opened in [fromMs, toMs], oldest first; at most `limit` (the oldest ones) */
    range(symbol: string, interval: CandleInterval, fromMs: number, toMs: number, limit: number) {
      return candles.read({ symbol: normalizeSymbol(symbol) ?? symbol, interval }, fromMs, toMs, limit);
    },
  };
}
