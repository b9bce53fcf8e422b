/**
 * The port a market-data provider adapter implements (packages/adapters/src/market-data/<provider>).
 * Prices are decimal strings as the vendor sent them; times are ISO 8601 UTC. The adapter speaks
 * the vendor's HTTP shapes and turns its failures into a ProviderError; retries, the shared rate
 * limit, the circuit breaker and caching are layered around it by this context, not inside it.
 */

export const CANDLE_INTERVALS = ['1min', '5min', '15min', '30min', '1h', '4h', '1day', '1week', '1month'] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];

export interface ProviderCandle {
  /** the bar's open time, ISO 8601 UTC */
  time: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export interface ProviderQuote {
  symbol: string;
  price: string;
  /** when the vendor says the price was observed, ISO 8601 UTC */
  asOf: string;
  name?: string;
  currency?: string;
  exchange?: string;
  previousClose?: string;
}

export interface SymbolMatch {
  symbol: string;
  name: string;
  exchange?: string;
  currency?: string;
  /** e.g. equity, etf, fx, crypto */
  assetClass?: string;
  country?: string;
}

export interface CandleRequest {
  symbol: string;
  interval: CandleInterval;
  /** inclusive, ISO 8601 date or date-time (UTC) */
  from: string;
  /** inclusive, ISO 8601 date or date-time (UTC) */
  to: string;
}

export interface MarketDataProvider {
  readonly name: string;
  /** quotes for the symbols the vendor knows; unknown symbols are left out, not an error */
  quotes(symbols: readonly string[]): Promise<ProviderQuote[]>;
  searchSymbols(query: string): Promise<SymbolMatch[]>;
  /** bars in the window, oldest first; an empty window is [] (never an error) */
  candles(request: CandleRequest): Promise<ProviderCandle[]>;
}

export type ProviderFailure = 'rate-limited' | 'unavailable' | 'unauthorized' | 'bad-request' | 'not-found';

/**
 * A provider call that failed. `retryable` and `retryAfterMs` are read structurally by the
 * platform's outbound call policy (which knows nothing of market data).
 */
export class ProviderError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly provider: string,
    readonly kind: ProviderFailure,
    message: string,
    readonly options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ProviderError';
    this.retryable = kind === 'rate-limited' || kind === 'unavailable';
  }

  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
}

export interface ProviderSettings {
  /** the vendor's base URL (the routing entry's `baseUrl`; the adapter has the vendor's default) */
  baseUrl?: string;
  /** the API key, resolved from the routing entry's `secretRef` by the secret resolver */
  apiKey: string;
  /** the routing entry's free-form `options` */
  options?: Readonly<Record<string, unknown>>;
}

export type ProviderFactory = (settings: ProviderSettings, deps?: { fetch?: typeof fetch }) => MarketDataProvider;

/** Provider adapters by routing `provider` name; functions bind them (functions → adapters). */
export type ProviderRegistry = Readonly<Record<string, ProviderFactory>>;
