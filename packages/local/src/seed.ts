import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { SYSTEM_TENANT, type Role, type Tier } from '@ballast/platform/context/types.js';
import { systemRecords } from '@ballast/platform/services/system.js';
import { k } from '@ballast/platform/data/keys.js';
import { DEFAULT_RATE_LIMITS, RATE_LIMITS_CONFIG } from '@ballast/platform/http/limits.js';
import type { Platform } from '@ballast/platform/platform.js';
import type { RoutingConfig } from '@ballast/platform/routes/schemas.js';

export interface SeedOptions {
  pooledTable: string;
  siloTable: string;
  identity: Extract<RoutingConfig, { kind: 'identity' }>;
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
 * Demo data for the local runtime, idempotent on every start: records are written with
 * if-not-exists semantics so edits made through the API survive a restart. The identity entry is
 * always refreshed (the issuer's URL carries the port of this run).
 */
export async function seed(p: Platform, o: SeedOptions): Promise<void> {
  const env = o.env ?? 'dev';
  const at = new Date(o.nowMs ?? Date.now()).toISOString();
  const t = p.config.controlTable;
  const putNew = async (item: Record<string, unknown>) => {
    try {
      await p.db.send(new PutCommand({ TableName: t, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }));
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    }
  };
  const tenant = (tenantId: string, name: string, mode: string) =>
    putNew({ ...k.tenant(tenantId), tenantId, name, mode, createdAt: at, updatedAt: at, version: 1 });
  for (const r of systemRecords(at)) await putNew({ ...r.key, ...r.item });
  await tenant('t_demo', 'Demo Investing Co.', 'saas');
  await tenant('t_acme', 'Acme Capital', 'enterprise');
  await putNew({
    ...k.project('t_demo', 'p_demo'),
    tenantId: 't_demo',
    projectId: 'p_demo',
    name: 'Demo web app',
    surface: 'web',
    createdAt: at,
  });
  await putNew({
    ...k.project('t_acme', 'p_acme'),
    tenantId: 't_acme',
    projectId: 'p_acme',
    name: 'Acme desk',
    surface: 'web',
    createdAt: at,
  });
  for (const u of SEED_USERS) {
    await putNew({
      ...k.member(u.tenantId, u.userId),
      ...u,
      updatedAt: at,
      GSI1PK: `USER#${u.userId}`,
      GSI1SK: `TENANT#${u.tenantId}`,
    });
  }
  await putNew({ ...k.config(RATE_LIMITS_CONFIG), value: { ...DEFAULT_RATE_LIMITS } });
  const routing = (tenantId: string, config: RoutingConfig) =>
    putNew({
      ...k.routing(tenantId, env, config.kind),
      tenantId,
      env,
      kind: config.kind,
      config,
      version: 1,
      updatedAt: at,
    });
  await routing('t_demo', { kind: 'data', mode: 'pooled', tableName: o.pooledTable });
  await routing('t_acme', { kind: 'data', mode: 'silo', tableName: o.siloTable });
  await routing('t_demo', { kind: 'secrets', prefix: 'local/t_demo/', refs: {} });
  await routing('t_acme', { kind: 'secrets', prefix: 'local/t_acme/', refs: {} });
  // The issuer's URL carries this run's port: refresh it on every start.
  await p.db.send(
    new PutCommand({
      TableName: t,
      Item: {
        ...k.routing(SYSTEM_TENANT, env, 'identity'),
        tenantId: SYSTEM_TENANT,
        env,
        kind: 'identity',
        config: o.identity,
        version: 1,
        updatedAt: at,
      },
    }),
  );
  p.registry.invalidate();
}
