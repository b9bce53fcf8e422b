import type { MiddlewareObj } from '@middy/core';
import { badRequest, forbidden, unauthorized } from '../errors.js';
import { rateWindow } from '../http/limits.js';
import { stateOf } from '../http/responder.js';
import type { BallastContext, LambdaEvent, LambdaResult, PipelineState } from '../http/types.js';
import { resolveEnv } from './env.js';
import { SYSTEM_TENANT, type RequestContext } from './types.js';

const ID = /^[a-z][a-z0-9_]{1,62}$/;

/**
 * Builds the request context. Tenant: X-Tenant-Id, else the token's custom:tenant_id (an API key
 * carries its own); both present and different → 403. Tier and roles come from the membership
 * record (data), never from token groups, so a downgrade applies on the next request.
 */
export function resolveContext(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const s = stateOf(request);
      const a = s.auth;
      if (!a) return; // public or bootstrap-key route
      const p = s.platform;
      const route = s.route;
      const env = resolveEnv(s.headers['x-env'], p.config.defaultEnv);
      let claimed: { tenantId: string; projectId?: string } | undefined;
      let early: unknown;
      try {
        claimed = fromHeaders(s.headers, a);
      } catch (e) {
        early = e;
      }
      const isUser = a.principal.kind === 'user';
      // Round trips that need only the claimed tenant run together with the revocation lookup
      // authentication started: membership records and the rate-limit counter. Nothing is
      // decided before the revocation answer is in.
      const recsP = claimed
        ? p.control.contextRecords(claimed.tenantId, isUser ? a.principal.userId : undefined, claimed.projectId)
        : undefined;
      recsP?.catch(() => undefined);
      if (claimed) {
        const w = rateWindow(s.startedAt);
        s.rateCount = p.control.hit(claimed.tenantId, a.principal.id, w.window, w.expires);
        s.rateCount.catch(() => undefined);
      }
      if (a.revoked && (await a.revoked)) throw unauthorized('TOKEN_REVOKED', 'Token has been revoked');
      if (early || !claimed || !recsP) throw early;
      const { tenantId, projectId } = claimed;
      const recs = await recsP;
      if (!recs.tenant) throw forbidden('NOT_A_MEMBER', 'Not a member of this tenant');
      let tier = a.keyTier;
      let roles = a.keyRoles;
      if (isUser) {
        if (!recs.member) throw forbidden('NOT_A_MEMBER', 'Not a member of this tenant');
        tier = recs.member.tier;
        roles = recs.member.roles;
      }
      if (!tier || !roles) throw forbidden('NOT_A_MEMBER', 'Not a member of this tenant');
      if (route.access === 'project') {
        if (!projectId)
          throw badRequest('PROJECT_REQUIRED', 'X-Project-Id is required on this route', [
            { path: 'headers.x-project-id', message: 'is required' },
          ]);
        if (!recs.project)
          throw badRequest('PROJECT_UNKNOWN', `Project ${projectId} is not a project of tenant ${tenantId}`, [
            { path: 'headers.x-project-id', message: 'is not a project of this tenant' },
          ]);
      } else if (projectId && !recs.project) {
        throw badRequest('PROJECT_UNKNOWN', `Project ${projectId} is not a project of tenant ${tenantId}`, [
          { path: 'headers.x-project-id', message: 'is not a project of this tenant' },
        ]);
      }
      const ctx: RequestContext = {
        requestId: s.requestId,
        tenantId,
        env,
        projectId: recs.project ? projectId : undefined,
        principal: a.principal,
        tier,
        roles,
        mode: recs.tenant.mode,
        systemAdmin: tenantId === SYSTEM_TENANT && roles.includes('admin'),
      };
      s.ctx = ctx;
      p.logger.appendKeys({ tenant: tenantId, env, project: ctx.projectId });

      if (route.access === 'system' && !ctx.systemAdmin)
        throw forbidden('SYSTEM_ADMIN_REQUIRED', 'Only a system administrator may do this');

      // A path or body naming another tenant/project than the context is a mismatch, except that
      // a system admin may name any tenant on routes that allow it.
      const named = [
        ['params.tenantId', s.params.tenantId],
        ['body.tenantId', bodyField(s.rawBody, 'tenantId')],
      ] as const;
      for (const [path, value] of named) {
        if (value === undefined || value === tenantId) continue;
        if ((route.systemAdminOverride || route.access === 'system') && ctx.systemAdmin) continue;
        throw badRequest('CONTEXT_MISMATCH', `${path} names another tenant than the request context`, [
          { path, message: 'does not match the request context tenant' },
        ]);
      }
      const bodyProject = bodyField(s.rawBody, 'projectId');
      if (bodyProject !== undefined && bodyProject !== ctx.projectId && route.access === 'project') {
        throw badRequest('CONTEXT_MISMATCH', 'body.projectId names another project than the request context', [
          { path: 'body.projectId', message: 'does not match X-Project-Id' },
        ]);
      }
    },
  };
}

/** Tenant and project the request claims, from headers and credentials (no I/O). */
function fromHeaders(
  headers: Record<string, string>,
  a: NonNullable<PipelineState['auth']>,
): { tenantId: string; projectId?: string } {
  const headerTenant = headers['x-tenant-id']?.trim() || undefined;
  if (headerTenant !== undefined && !ID.test(headerTenant)) {
    throw badRequest('INVALID_TENANT_ID', 'X-Tenant-Id is not a valid tenant id', [
      { path: 'headers.x-tenant-id', message: 'is not a valid tenant id' },
    ]);
  }
  if (headerTenant && a.tokenTenantId && headerTenant !== a.tokenTenantId) {
    throw forbidden('TENANT_MISMATCH', 'X-Tenant-Id names another tenant than the credentials');
  }
  const tenantId = headerTenant ?? a.tokenTenantId;
  if (!tenantId)
    throw badRequest('TENANT_REQUIRED', 'Send X-Tenant-Id (the token carries no tenant)', [
      { path: 'headers.x-tenant-id', message: 'is required' },
    ]);
  const headerProject = headers['x-project-id']?.trim() || undefined;
  if (headerProject !== undefined && !ID.test(headerProject)) {
    throw badRequest('PROJECT_UNKNOWN', 'X-Project-Id is not a valid project id', [
      { path: 'headers.x-project-id', message: 'is not a valid project id' },
    ]);
  }
  if (a.keyProjectId && headerProject && headerProject !== a.keyProjectId) {
    throw badRequest('CONTEXT_MISMATCH', 'X-Project-Id names another project than the API key');
  }
  return { tenantId, projectId: a.keyProjectId ?? headerProject };
}

function bodyField(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return (body as Record<string, unknown>)[name];
}
