import { badRequest, conflict } from '../errors.js';
import type { RouteHandler } from '../http/types.js';
import { audit, ctxOf, iso } from './common.js';

export const logout: RouteHandler = async (_i, h) => {
  const ctx = ctxOf(h);
  const p = ctx.principal;
  if (p.kind !== 'user' || !p.jti || !p.exp)
    throw badRequest('NOT_A_TOKEN', 'Logout revokes bearer tokens; revoke API keys with DELETE /v1/api-keys/{keyId}');
  const c = h.platform.control;
  await c.revoke(p.jti, p.exp, p.id, h.now);
  await c.transact(
    [audit(h, { action: 'token.revoke', resource: `token/${p.jti}`, after: { until: iso(p.exp * 1000) } })],
    () => conflict('WRITE_CONFLICT', 'retry'),
  );
  return { status: 204 };
};

export const me: RouteHandler = async (_i, h) => {
  const ctx = ctxOf(h);
  return {
    body: {
      tenantId: ctx.tenantId,
      env: ctx.env,
      projectId: ctx.projectId,
      user: ctx.principal.kind === 'user' ? ctx.principal.id : undefined,
      apiKeyId: ctx.principal.keyId,
      principal: ctx.principal.id,
      tier: ctx.tier,
      roles: ctx.roles,
      mode: ctx.mode,
      systemAdmin: ctx.systemAdmin,
      requestId: ctx.requestId,
    },
  };
};
