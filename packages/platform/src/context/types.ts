export const TIERS = ['observer', 'navigator', 'operator', 'sovereign'] as const;
export type Tier = (typeof TIERS)[number];
export const ROLES = ['viewer', 'trader', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const ENVS = ['dev', 'staging', 'prod'] as const;
export type Env = (typeof ENVS)[number];
export const MODES = ['enterprise', 'saas', 'lab'] as const;

export const SYSTEM_TENANT = 't_system';

export function tierRank(t: Tier): number {
  return TIERS.indexOf(t);
}

/** Who is calling, resolved from verified credentials and membership data. */
export interface Principal {
  kind: 'user' | 'apiKey';
  /** user id (`sub`) or `apikey:<keyId>` */
  id: string;
  userId?: string;
  keyId?: string;
  /** token id and expiry (seconds), for logout */
  jti?: string;
  exp?: number;
  authTime?: number;
}

/**
 * What counters and idempotency records are keyed by: the principal's kind and id together, so a
 * user whose `sub` happens to read `apikey:k_…` never shares a record with that API key.
 */
export function principalKey(principal: Pick<Principal, 'kind' | 'id'>): string {
  return `${principal.kind}:${principal.id}`;
}

export interface RequestContext {
  requestId: string;
  tenantId: string;
  env: Env;
  projectId?: string;
  principal: Principal;
  tier: Tier;
  roles: Role[];
  mode: string;
  /** caller is an admin of t_system */
  systemAdmin: boolean;
}
