import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import { type Backend, dataTableOf, projectScopeOf, type RouteHandler } from '@ballast/platform/http/handler.js';
import type { JobSpec } from '@ballast/platform/jobs/define-job.js';
import type { JobHandler } from '@ballast/platform/jobs/worker.js';
import { AppError, unavailable } from '@ballast/platform/errors.js';
import { dynamoTokenBucket, opaqueBucketKey, type TokenBucket } from '@ballast/platform/outbound/token-bucket.js';
import * as z from 'zod/mini';
import { priceSource, type ProviderRegistry } from '../market-data/index.js';
import { portfolioPorts } from '../portfolio/index.js';
import type { Notices, NoticesFor } from '../watchlists/index.js';
import type { Broker, BrokerRegistry } from './broker.js';
import { LIVE_TRADING } from './flags.js';
import type { Account } from './store.js';
import { DynamoJournalStore } from './journal-store.dynamo.js';
import { DynamoTradingStore } from './store.dynamo.js';

/** A broker secret holds both halves of the key pair: `{"keyId": "…", "secretKey": "…"}`. */
const brokerSecret = z.object({ keyId: z.string().check(z.minLength(1)), secretKey: z.string().check(z.minLength(1)) });

/** The routing entry's options this context reads (the adapter reads its own from the same map). */
const brokerOptions = z.object({
  liveBaseUrl: z.optional(z.url()),
  liveSecretRef: z.optional(z.string().check(z.minLength(1))),
});

export const brokerNotConfigured = () =>
  new AppError(
    422,
    'BROKER_NOT_CONFIGURED',
    "The tenant has no broker routing entry: PAPER and LIVE accounts can't trade",
  );

/**
 * The tenant's broker for an account, from its `broker` routing entry: the adapter the functions
 * bound, the paper endpoint (`baseUrl`, `secretRef`) or the live one (`options.liveBaseUrl`,
 * `options.liveSecretRef`), the key pair from the secret resolver.
 */
export async function bindBroker(
  b: Backend,
  brokers: BrokerRegistry,
  account: Pick<Account, 'venue'>,
): Promise<Broker> {
  if (!b.scope) throw new Error('a broker needs a tenant in its request or job');
  const p = b.platform;
  const entry = await p.registry.find(b.scope.tenantId, b.scope.env, 'broker');
  if (!entry) throw brokerNotConfigured();
  const { adapter, baseUrl, secretRef, options } = entry.config;
  const factory = Object.hasOwn(brokers, adapter) ? brokers[adapter] : undefined;
  if (!factory) throw unavailable('ROUTING_MISCONFIGURED', `The tenant's broker '${adapter}' is not one Ballast has`);
  const parsed = brokerOptions.safeParse(options ?? {});
  if (!parsed.success) throw unavailable('ROUTING_MISCONFIGURED', "The tenant's broker options are invalid");
  const live = account.venue === 'LIVE';
  const ref = live ? parsed.data.liveSecretRef : secretRef;
  if (!ref || ref === p.config.bootstrapSecretRef || ref === p.config.cursorSecretRef) {
    throw unavailable('ROUTING_MISCONFIGURED', `The tenant's broker entry names no ${live ? 'live' : 'paper'} secret`);
  }
  let keys: z.infer<typeof brokerSecret>;
  try {
    keys = brokerSecret.parse(JSON.parse(await p.secrets.resolve(ref)));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw unavailable('ROUTING_MISCONFIGURED', "The tenant's broker secret is not a {keyId, secretKey} pair");
  }
  const url = live ? parsed.data.liveBaseUrl : baseUrl;
  const broker = factory({ endpoint: live ? 'live' : 'paper', ...(url ? { baseUrl: url } : {}), ...keys, options });
  // one bucket per key pair in the control table: every Lambda of every tenant sharing the key stays
  // within the broker's 200 requests a minute together (the adapter's own budget is per instance)
  const bucket = dynamoTokenBucket(
    p.db,
    p.config.controlTable,
    { key: opaqueBucketKey('broker', adapter, keys.keyId), capacity: 200, refillPerMinute: 200 },
    p.now,
  );
  return withinBudget(broker, bucket);
}

/** Every broker call takes a token first; an empty bucket is a 503 with Retry-After, never a 429 from the broker. */
export function withinBudget(broker: Broker, bucket: TokenBucket): Broker {
  const gate = async <T>(call: () => Promise<T>): Promise<T> => {
    const grant = await bucket.take();
    if (!grant.granted) {
      throw new AppError(503, 'BROKER_BUSY', `The broker's request budget is used up; retry shortly`, {
        headers: { 'Retry-After': String(Math.max(1, Math.ceil(grant.retryAfterMs / 1000))) },
      });
    }
    return call();
  };
  return {
    name: broker.name,
    submitOrder: (request) => gate(() => broker.submitOrder(request)),
    orderByClientId: (id) => gate(() => broker.orderByClientId(id)),
    order: (id) => gate(() => broker.order(id)),
    cancelOrder: (id) => gate(() => broker.cancelOrder(id)),
    account: () => gate(() => broker.account()),
    positions: () => gate(() => broker.positions()),
  };
}

/** Whether the `trading.live` flag is on for the request's or job's tenant, env, project and tier. */
export function liveTradingEnabled(b: Backend): Promise<boolean> {
  if (!b.scope) return Promise.resolve(false);
  return b.platform.flags.isEnabled(LIVE_TRADING, { ...b.scope, ...(b.ctx ? { tier: b.ctx.tier } : {}) });
}

/** Whether the tenant has a broker routing entry (AUTONOMOUS on PAPER or LIVE needs one). */
export async function hasBroker(b: Backend): Promise<boolean> {
  if (!b.scope) return false;
  return (await b.platform.registry.find(b.scope.tenantId, b.scope.env, 'broker')) !== null;
}

/**
 * The project's trading data in the tenant's data table, the account's portfolio and its ledger
 * (fills post to it), the tenant's prices, and its broker — resolved only when an order goes to one;
 * the notices a halt sends its account's owner and the tenant's admins (and planning's and
 * automation's failed scheduled runs their creators), when the function entry binds them.
 */
export const tradingPorts =
  (providers: ProviderRegistry, brokers: BrokerRegistry, notices?: NoticesFor) => (b: Backend) => ({
    ...portfolioPorts(b),
    notices: lazyNotices(b, notices),
    trading: new DynamoTradingStore(b.db, dataTableOf(b), projectScopeOf(b)),
    /** the journal's list and notes, and each author's trade logs */
    journal: new DynamoJournalStore(b.db, dataTableOf(b), projectScopeOf(b)),
    prices: priceSource(b, providers),
    broker: (account: Pick<Account, 'venue'>) => bindBroker(b, brokers, account),
    hasBroker: () => hasBroker(b),
    liveTradingEnabled: () => liveTradingEnabled(b),
    tenantId: projectScopeOf(b).tenantId,
    /** the platform's clock, read live (a job measures its budget with it) */
    clock: () => b.platform.now(),
  });

/** The tenant's notices, built on first use; undefined when the entry bound none (nobody is told). */
function lazyNotices(b: Backend, notices: NoticesFor | undefined): () => Notices | undefined {
  let built: Notices | undefined;
  return () => {
    if (notices) built ??= notices(b);
    return built;
  };
}

/** Settings routes: the tenant-wide part of the store only (no project needed). */
export const settingsPorts = (b: Backend) => {
  if (!b.scope) throw new Error('trading settings need a tenant');
  return {
    trading: new DynamoTradingStore(b.db, dataTableOf(b), { tenantId: b.scope.tenantId, projectId: '-' }),
  };
};

export type TradingPorts = ReturnType<ReturnType<typeof tradingPorts>>;
export type SettingsPorts = ReturnType<typeof settingsPorts>;
export type TradingHandler<D extends RouteSpec> = RouteHandler<D, TradingPorts>;
export type SettingsHandler<D extends RouteSpec> = RouteHandler<D, SettingsPorts>;
export type TradingJobHandler<D extends JobSpec> = JobHandler<D, TradingPorts>;
