import { MODES, SYSTEM_TENANT } from '../context/types.js';
import { k } from '../data/keys.js';
import { AppError, conflict } from '../errors.js';
import type { RouteHandler } from '../http/types.js';
import { audit, iso } from './common.js';

const MODE_DESCRIPTIONS: Record<(typeof MODES)[number], string> = {
  enterprise: 'Dedicated backends (silo data table) for one organisation',
  saas: 'Shared (pooled) backends for a white-label or retail operator',
  lab: 'Research and experimentation tenants',
};

/** The records bootstrap creates (t_system and the modes); the local seed writes the same ones. */
export function systemRecords(
  at: string,
): Array<{ key: { PK: string; SK: string }; item: Record<string, unknown>; resource: string }> {
  return [
    {
      key: k.tenant(SYSTEM_TENANT),
      item: { tenantId: SYSTEM_TENANT, name: 'System', mode: 'enterprise', createdAt: at, updatedAt: at, version: 1 },
      resource: `tenant/${SYSTEM_TENANT}`,
    },
    ...MODES.map((m) => ({
      key: k.mode(m),
      item: {
        mode: m,
        description: MODE_DESCRIPTIONS[m],
        defaults: {},
        ownerTenantId: SYSTEM_TENANT,
        updatedAt: at,
        version: 1,
      },
      resource: `mode/${m}`,
    })),
  ];
}

/** Creates t_system and the modes, nothing else. Safe to call again: existing records are kept. */
export const bootstrap: RouteHandler = async (_i, h) => {
  const c = h.platform.control;
  const at = iso(h.now);
  const created: string[] = [];
  const tryCreate = async (key: { PK: string; SK: string }, item: Record<string, unknown>, resource: string) => {
    try {
      await c.transact(
        [
          { Put: { TableName: c.table, Item: { ...key, ...item }, ConditionExpression: 'attribute_not_exists(PK)' } },
          audit(h, { action: 'create', resource, after: item, tenantId: SYSTEM_TENANT, source: 'system' }),
        ],
        () => conflict('EXISTS', `${resource} exists`),
      );
      created.push(resource);
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'EXISTS')) throw e;
    }
  };
  for (const r of systemRecords(at)) await tryCreate(r.key, r.item, r.resource);
  return { body: { tenantId: SYSTEM_TENANT, modes: [...MODES], created } };
};
