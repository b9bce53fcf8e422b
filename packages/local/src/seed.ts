import { systemRecords } from '@ballast/app/control/index.js';
import { SYSTEM_TENANT, type Role, type Tier } from '@ballast/platform/context/types.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError } from '@ballast/platform/errors.js';
import { DEFAULT_RATE_LIMITS, RATE_LIMITS_CONFIG } from '@ballast/platform/http/middlewares/limits/index.js';
import type { Platform } from '@ballast/platform/platform.js';
import type { IdentityConfig, RoutingConfig } from '@ballast/platform/routing/schemas.js';

export interface SeedOptions {
  pooledTable: string;
  siloTable: string;
  identity: IdentityConfig;
  env?: string;
  nowMs?: number;
}

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
      if (!(e instanceof AppError && e.status === 409)) throw e;
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
    once((uow) => p.routing.put(uow, { tenantId, env, kind: config.kind, config, updatedAt: at }, undefined));
  await routing('t_demo', { kind: 'data', mode: 'pooled', tableName: o.pooledTable });
  await routing('t_acme', { kind: 'data', mode: 'silo', tableName: o.siloTable });
  await routing('t_demo', { kind: 'secrets', prefix: 'local/t_demo/', refs: {} });
  await routing('t_acme', { kind: 'secrets', prefix: 'local/t_acme/', refs: {} });
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
