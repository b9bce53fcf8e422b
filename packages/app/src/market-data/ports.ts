import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import { type Backend, dataTableOf, type RouteHandler } from '@ballast/platform/http/handler.js';
import type { JobSpec } from '@ballast/platform/jobs/define-job.js';
import type { JobHandler } from '@ballast/platform/jobs/worker.js';
import { unavailable } from '@ballast/platform/errors.js';
import { callPolicy } from '@ballast/platform/outbound/call-policy.js';
import { dynamoTokenBucket, opaqueBucketKey } from '@ballast/platform/outbound/token-bucket.js';
import * as z from 'zod/mini';
import { type ClientSettings, DEFAULT_SETTINGS, MarketDataClient, noProvider, type ProviderBinding } from './client.js';
import type { ProviderRegistry } from './provider.js';
import { DynamoCandleStore, DynamoEventStore, DynamoQuoteCache, DynamoSyncStore } from './store.dynamo.js';

/** The provider name that means "no provider: stored data only". */
export const NO_PROVIDER = 'none';

/** Vendors whose quotes cost a credit (or a request) per symbol: Twelve Data counts symbols, Polygon asks one each. */
const CREDITS_PER_SYMBOL = new Set(['twelvedata', 'polygon']);

/**
 * What a tenant may set in its `market-data` routing entry's `options` for the client (the adapter
 * reads its own keys from the same map): the token bucket (`capacity`, `refillPerMinute`; default
 * 8 and 8, Twelve Data's free plan), the quote cache's freshness (`quoteTtlSeconds`, default 60)
 * and what the vendor counts (`credits`).
 */
const clientOptions = z.object({
  capacity: z.optional(z.number().check(z.refine(Number.isInteger, 'must be an integer'), z.gte(1), z.lte(1_000_000))),
  refillPerMinute: z.optional(z.number().check(z.gt(0), z.lte(1_000_000))),
  quoteTtlSeconds: z.optional(
    z.number().check(z.refine(Number.isInteger, 'must be an integer'), z.gte(1), z.lte(86_400)),
  ),
  credits: z.optional(z.enum(['symbol', 'request'])),
});

export function clientSettings(
  provider: string,
  options: Readonly<Record<string, unknown>> | undefined,
): ClientSettings {
  const parsed = clientOptions.safeParse(options ?? {});
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw unavailable('ROUTING_MISCONFIGURED', `The tenant's market-data options are invalid (${fields})`);
  }
  const o = parsed.data;
  return {
    quoteTtlMs: (o.quoteTtlSeconds ?? DEFAULT_SETTINGS.quoteTtlMs / 1000) * 1000,
    capacity: o.capacity ?? DEFAULT_SETTINGS.capacity,
    refillPerMinute: o.refillPerMinute ?? DEFAULT_SETTINGS.refillPerMinute,
    credits: o.credits ?? (CREDITS_PER_SYMBOL.has(provider) ? 'symbol' : 'request'),
  };
}

const unknownProvider = (name: string) =>
  unavailable('ROUTING_MISCONFIGURED', `The tenant's market-data provider '${name}' is not one Ballast has`);

/** Retries on a request path stay short (the caller waits); a job may wait longer between attempts. */
const REQUEST_POLICY = { maxAttempts: 3, initialDelayMs: 250, maxDelayMs: 2_000 };
const JOB_POLICY = { maxAttempts: 4, initialDelayMs: 500, maxDelayMs: 15_000 };
const BREAKER = { consecutiveFailures: 5, halfOpenAfterMs: 30_000 };

/**
 * The tenant's provider, from its `market-data` routing entry: the adapter the functions bound,
 * its key from the secret resolver, one token bucket and one circuit per vendor key (two tenants
 * sharing a key share both), or undefined for `none`. A missing entry is a 503, never a fallback.
 */
export async function bindProvider(b: Backend, providers: ProviderRegistry): Promise<ProviderBinding | undefined> {
  if (!b.scope) throw new Error('market data needs a tenant in its request or job');
  const p = b.platform;
  const entry = await p.registry.require(b.scope.tenantId, b.scope.env, 'market-data');
  const { provider: name, baseUrl, secretRef, options } = entry.config;
  if (name === NO_PROVIDER) return undefined;
  const factory = Object.hasOwn(providers, name) ? providers[name] : undefined;
  if (!factory) throw unknownProvider(name);
  if (!secretRef || secretRef === p.config.bootstrapSecretRef || secretRef === p.config.cursorSecretRef) {
    throw unavailable('ROUTING_MISCONFIGURED', "The tenant's market-data entry names no secret of its own (secretRef)");
  }
  const settings = clientSettings(name, options);
  const apiKey = await p.secrets.resolve(secretRef);
  const key = opaqueBucketKey('market-data', name, apiKey);
  const policyName = `market-data/${name}/${key}`;
  return {
    name,
    provider: factory({ baseUrl, apiKey, options }),
    bucket: dynamoTokenBucket(
      p.db,
      p.config.controlTable,
      { key, capacity: settings.capacity, refillPerMinute: settings.refillPerMinute },
      p.now,
    ),
    policy: {
      request: callPolicy(policyName, { ...REQUEST_POLICY, breaker: BREAKER }),
      job: callPolicy(policyName, { ...JOB_POLICY, breaker: BREAKER }),
    },
    settings,
  };
}

/**
 * The tenant's stored market data in its own data table (pooled or silo): what the routes that
 * never call the provider need (candles, uploads, syncs read back, the calendar). Their functions
 * bind these alone, so their bundles carry no adapter, call policy or token bucket.
 */
export const storedPorts = (b: Backend) => {
  if (!b.scope) throw new Error('market data needs a tenant in its request or job');
  const table = dataTableOf(b);
  const scope = { tenantId: b.scope.tenantId };
  return {
    /** whose data: the verified tenant and env (and the requesting project, for jobs it schedules) */
    scope: b.scope,
    candles: new DynamoCandleStore(b.db, table, scope),
    syncs: new DynamoSyncStore(b.db, table, scope),
    events: new DynamoEventStore(b.db, table, scope),
    /** later work (a sync's next window), committed with the progress that makes it due */
    due: b.platform.due,
    /** the platform's clock, read live (a job checks its time budget with it) */
    now: () => b.platform.now(),
  };
};

/** Stored market data and the tenant's provider, resolved when first asked for. */
export const marketDataPorts = (providers: ProviderRegistry) => (b: Backend) => {
  const stored = storedPorts(b);
  const quoteCache = new DynamoQuoteCache(b.db, dataTableOf(b), { tenantId: stored.scope.tenantId });
  let client: Promise<MarketDataClient> | undefined;
  return {
    ...stored,
    quoteCache,
    /** the provider's name if the tenant has one this deployment speaks (a sync needs one; `none` is a 422) */
    async providerName(): Promise<string> {
      const entry = await b.platform.registry.require(stored.scope.tenantId, stored.scope.env, 'market-data');
      const name = entry.config.provider;
      if (name === NO_PROVIDER) throw noProvider();
      if (!Object.hasOwn(providers, name)) throw unknownProvider(name);
      return name;
    },
    client(): Promise<MarketDataClient> {
      client ??= bindProvider(b, providers).then(
        (binding) => new MarketDataClient(binding, quoteCache, b.platform.now),
      );
      return client;
    },
  };
};

export type StoredPorts = ReturnType<typeof storedPorts>;
export type MarketDataPorts = ReturnType<ReturnType<typeof marketDataPorts>>;
/** a route that reads or writes stored data only */
export type StoredHandler<D extends RouteSpec> = RouteHandler<D, StoredPorts>;
export type MarketDataHandler<D extends RouteSpec> = RouteHandler<D, MarketDataPorts>;
export type MarketDataJobHandler<D extends JobSpec> = JobHandler<D, MarketDataPorts>;
