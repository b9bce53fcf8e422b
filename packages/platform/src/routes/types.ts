import type * as z from 'zod/mini';
import type { Role, Tier } from '../context/types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * How a route is reached:
 * - public: no credentials (health).
 * - bootstrapKey: guarded by the system bootstrap key header, no user.
 * - authenticated: any verified principal; tenant context resolved, no project needed.
 * - tenant: tenant context and membership; no project needed.
 * - project: tenant context, membership and a project (X-Project-Id) of that tenant.
 * - system: an admin of t_system.
 */
export type RouteAccess = 'public' | 'bootstrapKey' | 'authenticated' | 'tenant' | 'project' | 'system';

/** What a route's Lambda touches; drives least-privilege IAM in stacks/Api. */
export interface RouteUses {
  control: 'read' | 'write';
  /** tenant data tables (pooled + silo) */
  data?: 'read' | 'write';
  /** secrets it resolves */
  secrets?: Array<'bootstrap' | 'tenant'>;
}

export interface RouteDef {
  /** stable id, also the Lambda's logical name: 'portfolios.create' */
  id: string;
  method: HttpMethod;
  /** API Gateway style path with {params} */
  path: string;
  summary: string;
  access: RouteAccess;
  minTier: Tier;
  /** any of these roles (empty: any member) */
  roles: Role[];
  /** system admins may name any tenant in the path */
  systemAdminOverride?: boolean;
  /** honours Idempotency-Key */
  idempotent?: boolean;
  /** tighter per-minute write limit multiplier (fraction of the tier limit) */
  writeLimitFactor?: number;
  uses: RouteUses;
  /** handler module, relative to the repo root: functions/… .ts, exporting `handler` */
  handler: string;
  /** alarm/function group */
  group: 'health' | 'system' | 'control' | 'identity' | 'portfolios';
  request: {
    params?: z.ZodMiniType;
    query?: z.ZodMiniType;
    body?: z.ZodMiniType;
  };
  /** successful response schema (documentation; OpenAPI) */
  response?: z.ZodMiniType;
  /** success status */
  status: number;
}
