import { MODES, type Role, SYSTEM_TENANT, type Tier, tierRank } from '@ballast/platform/context/types.js';
import { forbidden } from '@ballast/platform/errors.js';
import type { ModeRecord, TenantRecord } from '@ballast/platform/tenancy/store.js';

const MODE_DESCRIPTIONS: Record<(typeof MODES)[number], string> = {
  enterprise: 'Dedicated backends (silo data table) for one organisation',
  saas: 'Shared (pooled) backends for a white-label or retail operator',
  lab: 'Research and experimentation tenants',
};

/** What the bootstrap creates — t_system and the modes — and the local seed writes the same. */
export function systemRecords(at: string): { tenant: TenantRecord; modes: ModeRecord[] } {
  return {
    tenant: {
      tenantId: SYSTEM_TENANT,
      name: 'System',
      mode: 'enterprise',
      tierCeiling: 'sovereign',
      createdAt: at,
      updatedAt: at,
      version: 1,
    },
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

/**
 * Roles rank viewer < trader < admin: an admin may grant trader, a trader may not grant admin.
 * (Tiers rank observer < navigator < operator < sovereign.)
 */
const ROLE_RANK: Record<Role, number> = { viewer: 0, trader: 1, admin: 2 };

function topRole(roles: readonly Role[]): number {
  return roles.reduce((top, role) => Math.max(top, ROLE_RANK[role]), -1);
}

/** A tier and roles: what a membership or an API key holds, and what a caller has. */
export interface Rights {
  tier: Tier;
  roles: readonly Role[];
}

/** Whether `held` is no more than `bound`: neither its tier nor its highest role is above. */
export function within(held: Rights, bound: Rights): boolean {
  return tierRank(held.tier) <= tierRank(bound.tier) && topRole(held.roles) <= topRole(bound.roles);
}

/**
 * No escalation: nobody grants (to a member or an API key) a tier above the tenant's ceiling or
 * their own, nor a role above their own highest. 403 with the rule that was broken.
 */
export function refuseEscalation(grantor: Rights, granted: Rights, ceiling: Tier): void {
  if (tierRank(granted.tier) > tierRank(ceiling)) {
    throw forbidden('TIER_ABOVE_CEILING', `Tier ${granted.tier} is above this tenant's ceiling (${ceiling})`);
  }
  if (tierRank(granted.tier) > tierRank(grantor.tier)) {
    throw forbidden('TIER_ABOVE_OWN', `Tier ${granted.tier} is above your own (${grantor.tier})`);
  }
  if (topRole(granted.roles) > topRole(grantor.roles)) {
    throw forbidden(
      'ROLE_ABOVE_OWN',
      `Roles ${granted.roles.join(', ')} go above your own (${grantor.roles.join(', ')})`,
    );
  }
}
