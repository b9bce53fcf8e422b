import { AppError } from '@ballast/platform/errors.js';
import { type CallPolicy, CircuitOpenError } from '@ballast/platform/outbound/call-policy.js';
import type { TokenBucket } from '@ballast/platform/outbound/token-bucket.js';
import type { CandleRequest, MarketDataProvider, ProviderCandle, SymbolMatch } from './provider.js';
import { ProviderError } from './provider.js';
import type { CachedQuote, QuoteCache } from './store.js';
import { fromProviderSymbol, toProviderSymbol } from './symbols.js';

/**
 * The one way provider calls are made. Around the adapter, in this order: the quote cache (the
 * tenant's data table, so every Lambda shares it), the per-key token bucket (the control table, so
 * all Lambdas together stay within the vendor's rate), and the call policy (retries with backoff
 * and jitter on 429/5xx honouring Retry-After, and a circuit breaker per vendor key). Every attempt
 * — a retry too — takes its tokens first: a retry is a request the vendor counts.
 */

/** How a tenant's provider is reached, resolved from its `market-data` routing entry (ports.ts). */
export interface ProviderBinding {
  /** the routing entry's provider name */
  name: string;
  provider: MarketDataProvider;
  bucket: TokenBucket;
  /** the call policy for request paths (short waits) and for jobs (longer ones) */
  policy: { request: CallPolicy; job: CallPolicy };
  settings: ClientSettings;
}

export interface ClientSettings {
  /** a cached quote younger than this is served without asking the provider */
  quoteTtlMs: number;
  /** tokens the bucket holds and gains a minute */
  capacity: number;
  refillPerMinute: number;
  /** what a vendor counts: every symbol of a batched quote (Twelve Data) or every request (Polygon) */
  credits: 'symbol' | 'request';
}

export const DEFAULT_SETTINGS: Omit<ClientSettings, 'credits'> = {
  quoteTtlMs: 60_000,
  capacity: 8,
  refillPerMinute: 8,
};

/** Symbols one quote request asks for at most (the route's own cap is the same). */
export const MAX_QUOTE_BATCH = 50;

/** The bucket had no tokens for this call; not the vendor's failure, so it never counts against its circuit. */
export class RateBudgetExhausted extends Error {
  readonly retryable = false;
  constructor(readonly retryAfterMs: number) {
    super(`the provider's rate budget is used up; tokens again in ${retryAfterMs} ms`);
    this.name = 'RateBudgetExhausted';
  }
}

export interface ServedQuote {
  quote: CachedQuote;
  /** served past its freshness because the provider could not be asked or did not answer */
  stale: boolean;
}

export interface QuoteResult {
  quotes: Map<string, ServedQuote>;
  /** why some symbols could not be fetched fresh (the provider's failure), if they could not */
  failure?: AppError;
}

const seconds = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

/** A provider call that failed, as the API answers it (503 with Retry-After, 422, …). */
export function providerProblem(error: unknown, providerName: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof RateBudgetExhausted || error instanceof CircuitOpenError) {
    return new AppError(503, 'PROVIDER_UNAVAILABLE', `The market-data provider cannot be asked right now`, {
      headers: { 'Retry-After': seconds(error.retryAfterMs) },
    });
  }
  if (error instanceof ProviderError) {
    if (error.kind === 'unauthorized') {
      return new AppError(503, 'PROVIDER_UNAUTHORIZED', `${providerName} refused the tenant's API key`);
    }
    if (error.kind === 'bad-request') {
      return new AppError(422, 'PROVIDER_REJECTED', `${providerName} refused the request: ${error.message}`);
    }
    return new AppError(503, 'PROVIDER_UNAVAILABLE', `${providerName} did not answer (${error.kind})`, {
      headers: { 'Retry-After': seconds(error.retryAfterMs ?? 30_000) },
    });
  }
  throw error;
}

export const noProvider = () =>
  new AppError(422, 'NO_PROVIDER', "The tenant's market-data provider is `none`: only stored data is served");

export class MarketDataClient {
  constructor(
    private readonly binding: ProviderBinding | undefined,
    private readonly cache: QuoteCache,
    private readonly now: () => number,
  ) {}

  get providerName(): string {
    return this.binding?.name ?? 'none';
  }

  get hasProvider(): boolean {
    return this.binding !== undefined;
  }

  /** Runs one provider call under the policy, taking `tokens` before every attempt. */
  private async call<T>(
    binding: ProviderBinding,
    kind: 'request' | 'job',
    tokens: number,
    fn: () => Promise<T>,
  ): Promise<T> {
    return binding.policy[kind].execute(async () => {
      const grant = await binding.bucket.take(Math.min(tokens, binding.settings.capacity));
      if (!grant.granted) throw new RateBudgetExhausted(grant.retryAfterMs);
      return fn();
    });
  }

  /**
   * Quotes by symbol (stored form): fresh cached ones as they are; the rest from the provider in
   * batches, cached for everybody; when the provider cannot be asked or fails, what the cache
   * holds is served marked stale. A symbol with neither is absent. Never throws for a provider
   * failure: the failure is in the result, for the caller to answer (or not) with it.
   */
  async quotes(symbols: readonly string[], o: { budget?: 'request' | 'none' } = {}): Promise<QuoteResult> {
    const nowMs = this.now();
    const cached = await this.cache.get(symbols);
    const quotes = new Map<string, ServedQuote>();
    const ttl = this.binding?.settings.quoteTtlMs ?? DEFAULT_SETTINGS.quoteTtlMs;
    const wanted: string[] = [];
    for (const symbol of symbols) {
      const hit = cached.get(symbol);
      if (hit && nowMs - Date.parse(hit.fetchedAt) < ttl) quotes.set(symbol, { quote: hit, stale: false });
      else wanted.push(symbol);
    }
    let failure: AppError | undefined;
    const binding = this.binding;
    if (binding && wanted.length && o.budget !== 'none') {
      const perBatch =
        binding.settings.credits === 'symbol' ? Math.min(MAX_QUOTE_BATCH, binding.settings.capacity) : MAX_QUOTE_BATCH;
      for (let at = 0; at < wanted.length && !failure; at += perBatch) {
        const batch = wanted.slice(at, at + perBatch);
        try {
          const tokens = binding.settings.credits === 'symbol' ? batch.length : 1;
          const fetched = await this.call(binding, 'request', tokens, () =>
            binding.provider.quotes(batch.map(toProviderSymbol)),
          );
          const fetchedAt = new Date(this.now()).toISOString();
          const fresh = fetched
            .map((q): CachedQuote => ({ ...q, symbol: fromProviderSymbol(q.symbol), fetchedAt }))
            .filter((q) => batch.includes(q.symbol));
          await this.cache.put(fresh);
          for (const q of fresh) quotes.set(q.symbol, { quote: q, stale: false });
        } catch (e) {
          failure = providerProblem(e, binding.name);
        }
      }
    }
    for (const symbol of wanted) {
      const hit = cached.get(symbol);
      if (hit && !quotes.has(symbol)) quotes.set(symbol, { quote: hit, stale: true });
    }
    return { quotes, failure };
  }

  async searchSymbols(query: string): Promise<SymbolMatch[]> {
    const binding = this.requireBinding();
    try {
      const found = await this.call(binding, 'request', 1, () => binding.provider.searchSymbols(query));
      return found.map((m) => ({ ...m, symbol: fromProviderSymbol(m.symbol) }));
    } catch (e) {
      if (e instanceof ProviderError && e.kind === 'not-found') return [];
      throw providerProblem(e, binding.name);
    }
  }

  /**
   * One window of bars for a job: the job's policy may wait longer between attempts than a
   * request may. A window the bucket cannot serve soon throws RateBudgetExhausted (the job comes
   * back later); other failures are ProviderErrors or CircuitOpenError, for the job to judge.
   */
  async candles(request: CandleRequest): Promise<ProviderCandle[]> {
    const binding = this.requireBinding();
    try {
      return await this.call(binding, 'job', 1, () =>
        binding.provider.candles({ ...request, symbol: toProviderSymbol(request.symbol) }),
      );
    } catch (e) {
      if (e instanceof ProviderError && e.kind === 'not-found') return [];
      throw e;
    }
  }

  private requireBinding(): ProviderBinding {
    if (!this.binding) throw noProvider();
    return this.binding;
  }
}
