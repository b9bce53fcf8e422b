import { MODES, SYSTEM_TENANT } from '@ballast/platform/context/types.js';
import type { ModeRecord, TenantRecord } from '@ballast/platform/tenancy/store.js';

const MODE_DESCRIPTIONS: Record<(typeof MODES)[number], string> = {
  enterprise: 'Dedicated backends (silo data table) for one organisation',
  saas: 'Shared (pooled) backends for a white-label or retail operator',
  lab: 'Research and experimentation tenants',
};

/** What the bootstrap creates — t_system and the modes — and the local seed writes the same. */
export function systemRecords(at: string): { tenant: TenantRecord; modes: ModeRecord[] } {
  return {
    tenant: { tenantId: SYSTEM_TENANT, name: 'System', mode: 'enterprise', createdAt: at, updatedAt: at, version: 1 },
    modes: MODES.map((mode) => ({
      mode,
      description: MODE_DESCRIPTIONS[mode],
      defaults: {},
      ownerTenantId: SYSTEM_TENANT,
      updatedAt: at,
      version: 1,
    })),
  };
}
