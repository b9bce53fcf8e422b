import type { MiddlewareObj } from '@middy/core';
import { resolveEnv } from '../../../context/env.js';
import { invalidProjectId, invalidTenantId, tenantHint } from '../../../context/headers.js';
import { principalKey, type RequestContext, SYSTEM_TENANT } from '../../../context/types.js';
import { badRequest, forbidden, unauthorized } from '../../../errors.js';
import { ID_PATTERN } from '../../../schemas/common.js';
import {
  type Authentication,
  type BallastContext,
  type LambdaEvent,
  type LambdaResult,
  type PipelineState,
  stateOf,
} from '../../pipeline.js';
import { countRequest, rateLimited } from '../limits/index.js';
import { rateWindow } from '../limits/window.js';

/**
 * Builds the request context. Tenant: X-Tenant-Id, else the token's custom:tenant_id (an API key
 * carries its own); both present and different → 403. Tier and roles come from the membership
 * record (data), never from token groups, so a downgrade applies on the next request.
 *
 * The request is counted against its principal's rate limit as soon as the principal is known,
 * and a refusal here (TENANT_MISMATCH, INVALID_TENANT_ID, NOT_A_MEMBER, PROJECT_UNKNOWN,
 * CONTEXT_MISMATCH, …) carries the RateLimit-* headers and turns into a 429 once the budget is
 * spent. It is counted under the tenant it claims when that claim holds together; otherwise under
 * the credential's own tenant (an API key's, a token's claim), else t_system — never under a
 * tenant id the caller made up, so inventing tenants buys no fresh budget.
 */
export function resolveContext(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      const auth = state.auth;
      if (!auth) return; // public or bootstrap-key route
      const p = state.platform;
      const route = state.route;
      const env = resolveEnv(state.headers['x-env'], p.config.defaultEnv);
      let claimed: { tenantId: string; projectId?: string } | undefined;
      let early: unknown;
      try {
        claimed = claimedContext(state.headers, auth);
      } catch (e) {
        early = e;
      }
      const isUser = auth.principal.kind === 'user';
      // Round trips that need only the claimed tenant run together with the revocation lookup
      // authentication started: membership records and the rate-limit counter. Nothing is
      // decided before the revocation answer is in.
      const recordsRead = claimed
        ? p.tenancy.contextRecords(claimed.tenantId, isUser ? auth.principal.userId : undefined, claimed.projectId)
        : undefined;
      recordsRead?.catch(() => undefined);
      const counted = {
        tenantId: claimed?.tenantId ?? tenantHint(auth.tokenTenantId) ?? SYSTEM_TENANT,
        principalKey: principalKey(auth.principal),
      };
      const window = rateWindow(state.startedAt);
      state.rateCount = p.rateCounters.hit(counted.tenantId, counted.principalKey, window.window, window.expires);
      state.rateCount.catch(() => undefined);
      if (auth.revoked && (await auth.revoked)) throw unauthorized('TOKEN_REVOKED', 'Token has been revoked');
      // the caller's tier once known (an API key's at once, a user's from the membership record)
      let knownTier: string | undefined = auth.keyTier;
      try {
        if (early || !claimed || !recordsRead) throw early;
        const { tenantId, projectId } = claimed;
        const records = await recordsRead;
        if (!records.tenant) throw forbidden('NOT_A_MEMBER', 'Not a member of this tenant');
        let tier = auth.keyTier;
        let roles = auth.keyRoles;
        if (isUser) {
          if (!records.member) throw forbidden('NOT_A_MEMBER', 'Not a member of this tenant');
          tier = records.member.tier;
          roles = records.member.roles;
        }
        if (!tier || !roles) throw forbidden('NOT_A_MEMBER', 'Not a member of this tenant');
        knownTier = tier;
        if (route.access === 'project' && !projectId) {
          throw badRequest('PROJECT_REQUIRED', 'X-Project-Id is required on this route', [
            { path: 'headers.x-project-id', message: 'is required' },
          ]);
        }
        if (projectId && !records.project) {
          throw badRequest('PROJECT_UNKNOWN', `Project ${projectId} is not a project of tenant ${tenantId}`, [
            { path: 'headers.x-project-id', message: 'is not a project of this tenant' },
          ]);
        }
        const ctx: RequestContext = {
          requestId: state.requestId,
          tenantId,
          env,
          projectId: records.project ? projectId : undefined,
          principal: auth.principal,
          tier,
          roles,
          mode: records.tenant.mode,
          systemAdmin: tenantId === SYSTEM_TENANT && roles.includes('admin'),
        };
        state.ctx = ctx;
        p.logger.appendKeys({ tenant: tenantId, env, project: ctx.projectId });

        if (route.access === 'system' && !ctx.systemAdmin) {
          throw forbidden('SYSTEM_ADMIN_REQUIRED', 'Only a system administrator may do this');
        }
        refuseOtherTenantOrProject(state.params, state.rawBody, ctx, route);
      } catch (refusal) {
        await countRefusal(state, knownTier, counted);
        throw refusal;
      }
    },
  };
}

/**
 * A refused request was counted too: its answer carries the RateLimit-* headers, and a caller
 * past its budget gets the 429 instead. (Should the counter itself fail, the refusal stands.)
 */
async function countRefusal(
  state: PipelineState,
  tier: string | undefined,
  counted: { tenantId: string; principalKey: string },
): Promise<void> {
  let outcome: Awaited<ReturnType<typeof countRequest>> | undefined;
  try {
    outcome = await countRequest(state, tier, counted);
  } catch {
    return;
  }
  if (outcome.over) throw rateLimited(outcome.limit, outcome.reset);
}

/**
 * A path or body naming another tenant/project than the context is a mismatch, except that a
 * system admin may name any tenant on routes that allow it.
 */
function refuseOtherTenantOrProject(
  params: Record<string, string>,
  body: unknown,
  ctx: RequestContext,
  route: { access: string; systemAdminOverride?: boolean },
): void {
  const named = [
    ['params.tenantId', params.tenantId],
    ['body.tenantId', bodyField(body, 'tenantId')],
  ] as const;
  for (const [path, value] of named) {
    if (value === undefined || value === ctx.tenantId) continue;
    if ((route.systemAdminOverride || route.access === 'system') && ctx.systemAdmin) continue;
    throw badRequest('CONTEXT_MISMATCH', `${path} names another tenant than the request context`, [
      { path, message: 'does not match the request context tenant' },
    ]);
  }
  if (route.access !== 'project') return;
  const namedProjects = [
    ['params.projectId', params.projectId],
    ['body.projectId', bodyField(body, 'projectId')],
  ] as const;
  for (const [path, value] of namedProjects) {
    if (value === undefined || value === ctx.projectId) continue;
    throw badRequest('CONTEXT_MISMATCH', `${path} names another project than the request context`, [
      { path, message: 'does not match X-Project-Id' },
    ]);
  }
}

/** Tenant and project the request claims, from headers and credentials (no I/O). */
export function claimedContext(
  headers: Record<string, string>,
  auth: Authentication,
): { tenantId: string; projectId?: string } {
  const headerTenant = headers['x-tenant-id']?.trim() || undefined;
  if (headerTenant !== undefined && !ID_PATTERN.test(headerTenant)) throw invalidTenantId();
  if (headerTenant && auth.tokenTenantId && headerTenant !== auth.tokenTenantId) {
    throw forbidden('TENANT_MISMATCH', 'X-Tenant-Id names another tenant than the credentials');
  }
  const tenantId = headerTenant ?? auth.tokenTenantId;
  if (!tenantId) {
    throw badRequest('TENANT_REQUIRED', 'Send X-Tenant-Id (the token carries no tenant)', [
      { path: 'headers.x-tenant-id', message: 'is required' },
    ]);
  }
  const headerProject = headers['x-project-id']?.trim() || undefined;
  if (headerProject !== undefined && !ID_PATTERN.test(headerProject)) throw invalidProjectId();
  if (auth.keyProjectId && headerProject && headerProject !== auth.keyProjectId) {
    throw badRequest('CONTEXT_MISMATCH', 'X-Project-Id names another project than the API key');
  }
  return { tenantId, projectId: auth.keyProjectId ?? headerProject };
}

function bodyField(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return (body as Record<string, unknown>)[name];
}
