import { systemRecords } from '@ballast/app/control/index.js';
import { LIVE_TRADING } from '@ballast/app/trading/index.js';
import { type Env, SYSTEM_TENANT, type Role, type Tier } from '@ballast/platform/context/types.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError } from '@ballast/platform/errors.js';
import { DEFAULT_RATE_LIMITS, RATE_LIMITS_CONFIG } from '@ballast/platform/http/middlewares/limits/index.js';
import type { Platform } from '@ballast/platform/platform.js';
import {
  type IdentityConfig,
  type RoutingConfig,
  type RoutingConfigOf,
  routingConfig,
} from '@ballast/platform/routing/schemas.js';
import { barsFromProvider } from '@ballast/app/market-data/service.js';
import { DynamoCandleStore } from '@ballast/app/market-data/store.dynamo.js';
import { toProviderSymbol } from '@ballast/app/market-data/symbols.js';
import { deterministicCandles } from './fakes/prices.js';

export interface SeedOptions {
  pooledTable: string;
  siloTable: string;
  identity: IdentityConfig;
  env?: Env;
  nowMs?: number;
  /** the fake vendors of this run (their ports change every start) and the secrets holding their keys */
  marketData?: Record<'twelvedata' | 'polygon', { baseUrl: string; secretRef: string }>;
  /** t_demo's broker: the fake Alpaca of this run (paper and live endpoints, each with its key pair) */
  broker?: { baseUrl: string; secretRef: string; liveSecretRef: string };
}

/** Symbols with five years of daily bars for t_demo from the fakes' deterministic prices (Ballast's spelling). */
export const SEEDED_SYMBOLS = ['AAPL', 'MSFT', 'VTI', 'BND', 'BTC-USD', 'EUR-USD'] as const;
const SEEDED_YEARS = 5;
const DAY_MS = 86_400_000;

export const SEED_USERS: Array<{ userId: string; tenantId: string; roles: Role[]; tier: Tier }> = [
  { userId: 'u_observer', tenantId: 't_demo', roles: ['trader'], tier: 'observer' },
  { userId: 'u_navigator', tenantId: 't_demo', roles: ['trader'], tier: 'navigator' },
  { userId: 'u_operator', tenantId: 't_demo', roles: ['trader'], tier: 'operator' },
  { userId: 'u_sovereign', tenantId: 't_demo', roles: ['trader'], tier: 'sovereign' },
  { userId: 'u_admin', tenantId: 't_demo', roles: ['admin'], tier: 'sovereign' },
  { userId: 'u_acme', tenantId: 't_acme', roles: ['trader'], tier: 'operator' },
  { userId: 'u_system', tenantId: SYSTEM_TENANT, roles: ['admin'], tier: 'sovereign' },
];

/**
 * Demo data for the local runtime, idempotent on every start and written through the stores:
 * records are only created when absent, so edits made through the API survive a restart. The
 * identity entry is always refreshed (the issuer's URL carries the port of this run).
 */
export async function seed(p: Platform, o: SeedOptions): Promise<void> {
  const env = o.env ?? 'dev';
  const nowMs = o.nowMs ?? p.now();
  const at = new Date(nowMs).toISOString();
  const once = async (write: (uow: UnitOfWork) => void) => {
    const uow = p.unitOfWork({ kind: 'system', tenantId: SYSTEM_TENANT, requestId: 'seed' }, nowMs);
    write(uow);
    try {
      await uow.commit();
    } catch (e) {
      // already there: a create refused as a conflict (409), or as a stale version (412, the routing store's answer)
      if (!(e instanceof AppError && (e.status === 409 || e.status === 412))) throw e;
    }
  };
  const { tenant: system, modes } = systemRecords(at);
  await once((uow) => p.tenancy.createTenant(uow, system));
  for (const mode of modes) await once((uow) => p.tenancy.putMode(uow, mode, undefined));
  const tenant = (tenantId: string, name: string, mode: string) =>
    once((uow) => p.tenancy.createTenant(uow, { tenantId, name, mode, createdAt: at, updatedAt: at, version: 1 }));
  await tenant('t_demo', 'Demo Investing Co.', 'saas');
  await tenant('t_acme', 'Acme Capital', 'enterprise');
  const project = (tenantId: string, projectId: string, name: string) =>
    once((uow) => p.tenancy.createProject(uow, { tenantId, projectId, name, surface: 'web', createdAt: at }));
  await project('t_demo', 'p_demo', 'Demo web app');
  await project('t_acme', 'p_acme', 'Acme desk');
  for (const user of SEED_USERS) await once((uow) => p.tenancy.createMember(uow, { ...user, updatedAt: at }));
  if ((await p.tenancy.getConfig(RATE_LIMITS_CONFIG)) === undefined) {
    await p.tenancy.putConfig(RATE_LIMITS_CONFIG, { ...DEFAULT_RATE_LIMITS });
  }
  const routing = (tenantId: string, config: RoutingConfig) =>
    // the seeded tenants' archive chains are not started (PUT /v1/routing starts a new tenant's): tests
    // and the local runtime run `ops.archive-run` when they mean to, not at every 03:00 they tick past
    once((uow) => p.routing.put(uow, { tenantId, env, kind: config.kind, config, updatedAt: at }, undefined));
  // t_system's own data entry, as scripts/seed-stage.ts writes it in the cloud (detailed health reads it)
  await routing(SYSTEM_TENANT, { kind: 'data', mode: 'pooled', tableName: o.pooledTable });
  await routing('t_demo', { kind: 'data', mode: 'pooled', tableName: o.pooledTable });
  await routing('t_acme', { kind: 'data', mode: 'silo', tableName: o.siloTable });
  await routing('t_demo', { kind: 'secrets', prefix: 'local/t_demo/', refs: {} });
  await routing('t_acme', { kind: 'secrets', prefix: 'local/t_acme/', refs: {} });
  if (o.marketData) {
    await marketDataRouting(p, env, 't_demo', 'twelvedata', o.marketData.twelvedata, at);
    await marketDataRouting(p, env, 't_acme', 'polygon', o.marketData.polygon, at);
    await dailyCandles(p, o.pooledTable, 't_demo', nowMs);
  }
  if (o.broker) {
    await brokerRouting(p, env, 't_demo', o.broker, at);
    // The demo tenant trades LIVE against the fake broker, so its LIVE switch (off by default,
    // a system admin's to set) is on; t_acme keeps the default.
    const live = { key: LIVE_TRADING.key, scope: 't_demo', enabled: true, rules: [], updatedBy: 'seed' };
    await once((uow) => p.flags.store.put(uow, { ...live, version: 1, updatedAt: at }, undefined));
  }
  // The issuer's URL carries this run's port: refresh it on every start.
  const identity = await p.routing.get(SYSTEM_TENANT, env, 'identity');
  const uow = p.unitOfWork({ kind: 'system', tenantId: SYSTEM_TENANT, requestId: 'seed' }, nowMs);
  p.routing.put(
    uow,
    { tenantId: SYSTEM_TENANT, env, kind: 'identity', config: o.identity, updatedAt: at },
    identity?.version,
  );
  await uow.commit();
  p.registry.invalidate();
}

/**
 * A tenant's `market-data` entry pointing at this run's fake vendor. The fake's port changes every
 * start, so an entry naming the same provider is repointed (its options kept); one an operator set
 * to another provider is left alone.
 */
async function marketDataRouting(
  p: Platform,
  env: string,
  tenantId: string,
  provider: 'twelvedata' | 'polygon',
  fake: { baseUrl: string; secretRef: string },
  at: string,
): Promise<void> {
  const stored = await p.routing.get(tenantId, env, 'market-data');
  const parsed = routingConfig.safeParse(stored?.config);
  const current = parsed.success && parsed.data.kind === 'market-data' ? parsed.data : undefined;
  if (current && current.provider !== provider) return;
  if (current?.baseUrl === fake.baseUrl && current.secretRef === fake.secretRef) return;
  const config: RoutingConfigOf<'market-data'> = {
    kind: 'market-data',
    provider,
    baseUrl: fake.baseUrl,
    secretRef: fake.secretRef,
    // the free plans' rate: 8 requests a minute (Twelve Data), shared by every function
    options: current?.options ?? { capacity: 8, refillPerMinute: 8 },
  };
  const uow = p.unitOfWork({ kind: 'system', tenantId: SYSTEM_TENANT, requestId: 'seed' }, Date.parse(at));
  p.routing.put(uow, { tenantId, env, kind: 'market-data', config, updatedAt: at }, stored?.version);
  await uow.commit();
}

/**
 * t_demo's `broker` entry pointing at this run's fake Alpaca (its port changes every start); an
 * entry an operator pointed at another adapter is left alone.
 */
async function brokerRouting(
  p: Platform,
  env: string,
  tenantId: string,
  fake: { baseUrl: string; secretRef: string; liveSecretRef: string },
  at: string,
): Promise<void> {
  const stored = await p.routing.get(tenantId, env, 'broker');
  const parsed = routingConfig.safeParse(stored?.config);
  const current = parsed.success && parsed.data.kind === 'broker' ? parsed.data : undefined;
  if (current && current.adapter !== 'alpaca') return;
  if (current?.baseUrl === fake.baseUrl) return;
  const config: RoutingConfigOf<'broker'> = {
    kind: 'broker',
    adapter: 'alpaca',
    baseUrl: fake.baseUrl,
    secretRef: fake.secretRef,
    options: { ...current?.options, liveBaseUrl: fake.baseUrl, liveSecretRef: fake.liveSecretRef, timeoutMs: 2_000 },
  };
  const uow = p.unitOfWork({ kind: 'system', tenantId: SYSTEM_TENANT, requestId: 'seed' }, Date.parse(at));
  p.routing.put(uow, { tenantId, env, kind: 'broker', config, updatedAt: at }, stored?.version);
  await uow.commit();
}

/**
 * Five years of daily bars for each seeded symbol, written through the candle store. Each start
 * adds only the days since the last seeded bar (a second start writes nothing), so it stays quick.
 */
async function dailyCandles(p: Platform, table: string, tenantId: string, nowMs: number): Promise<void> {
  const store = new DynamoCandleStore(p.db, table, { tenantId });
  const lastDay = Math.floor(nowMs / DAY_MS) * DAY_MS - DAY_MS;
  const today = new Date(nowMs);
  const earliest = Date.UTC(today.getUTCFullYear() - SEEDED_YEARS, today.getUTCMonth(), today.getUTCDate());
  await Promise.all(
    SEEDED_SYMBOLS.map(async (symbol) => {
      const series = { symbol, interval: '1day' } as const;
      const known = (await store.catalog(symbol, 20)).find((s) => s.symbol === symbol && s.interval === '1day');
      const from = known ? Math.max(earliest, Date.parse(known.lastTime) + DAY_MS) : earliest;
      if (from > lastDay) return;
      const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const candles = deterministicCandles(toProviderSymbol(symbol), '1day', iso(from), iso(lastDay));
      const { bars } = barsFromProvider(candles, '1day');
      if (bars.length) await store.write(series, bars, nowMs);
    }),
  );
}
