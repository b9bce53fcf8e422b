import type { MiddlewareObj } from '@middy/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { resolveEnv } from '../context/env.js';
import { SYSTEM_TENANT } from '../context/types.js';
import { unauthorized, unavailable } from '../errors.js';
import { stateOf } from '../http/responder.js';
import type { BallastContext, LambdaEvent, LambdaResult, PipelineState } from '../http/types.js';
import type { Platform } from '../platform.js';
import type { RoutingConfig } from '../routes/schemas.js';
import { hashMatches, parseApiKey } from './api-keys.js';

type IdentityConfig = Extract<RoutingConfig, { kind: 'identity' }>;

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Identity configs that may have issued a token: the platform's (t_system) and the tenant's own. */
async function identityConfigs(p: Platform, env: string, tenantHint: string | undefined): Promise<IdentityConfig[]> {
  const tenants = [SYSTEM_TENANT, ...(tenantHint && tenantHint !== SYSTEM_TENANT ? [tenantHint] : [])];
  const entries = await Promise.all(tenants.map((t) => p.registry.find(t, env, 'identity')));
  const configs = entries.filter((e) => e !== null).map((e) => e.config);
  if (!configs.length) throw unavailable('ROUTING_NOT_CONFIGURED', `No 'identity' routing entry for env ${env}`);
  return configs;
}

export interface Authenticated {
  principal: NonNullable<PipelineState['auth']>['principal'];
  tokenTenantId?: string;
  keyTenantId?: string;
  keyProjectId?: string;
  keyTier?: NonNullable<PipelineState['auth']>['keyTier'];
  keyRoles?: NonNullable<PipelineState['auth']>['keyRoles'];
  /** with `deferRevocation`: the pending revocation lookup, for the caller to await */
  revoked?: Promise<boolean>;
}

/**
 * Verifies a bearer JWT (aws-jwt-verify against the registry's identity entries, then the
 * revocation list) or an X-API-Key (hash lookup). Shared by the route pipeline and the edge
 * authorizer so both apply the same rules.
 */
export async function authenticateHeaders(
  p: Platform,
  headers: Record<string, string>,
  nowMs: number,
  opts: { deferRevocation?: boolean } = {},
): Promise<Authenticated> {
  const env = resolveEnv(headers['x-env'], p.config.defaultEnv);
  const authz = headers['authorization'];
  const apiKey = headers['x-api-key'];
  if (authz !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(authz.trim());
    if (!m) throw unauthorized('INVALID_TOKEN', 'Authorization must be "Bearer <token>"');
    const token = m[1];
    let hint = headers['x-tenant-id'];
    try {
      const claim = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      if (!hint && typeof claim['custom:tenant_id'] === 'string') hint = claim['custom:tenant_id'];
    } catch {
      // unreadable payloads are refused by the verifier below
    }
    const configs = await identityConfigs(p, env, hint);
    const v = await p.verifier.verify(token, configs);
    if (!v.jti) throw unauthorized('INVALID_TOKEN', 'Token has no jti');
    const revoked = p.control.isRevoked(v.jti);
    const principal = { kind: 'user' as const, id: v.sub, userId: v.sub, jti: v.jti, exp: v.exp, authTime: v.authTime };
    if (opts.deferRevocation) {
      // The pipeline overlaps this lookup with the membership read; it awaits it before any decision.
      revoked.catch(() => undefined);
      return { principal, tokenTenantId: v.tenantId, revoked };
    }
    if (await revoked) throw unauthorized('TOKEN_REVOKED', 'Token has been revoked');
    return { principal, tokenTenantId: v.tenantId };
  }
  if (apiKey !== undefined) {
    const parsed = parseApiKey(apiKey.trim());
    if (!parsed) throw unauthorized('INVALID_API_KEY', 'API key is malformed');
    const rec = await p.control.getApiKey(parsed.keyId);
    if (!rec || !hashMatches(apiKey.trim(), rec.hash)) throw unauthorized('INVALID_API_KEY', 'API key is not valid');
    if (rec.revokedAt) throw unauthorized('API_KEY_REVOKED', 'API key has been revoked');
    if (rec.expiresAt && Date.parse(rec.expiresAt) <= nowMs)
      throw unauthorized('API_KEY_EXPIRED', 'API key has expired');
    return {
      principal: { kind: 'apiKey', id: `apikey:${rec.keyId}`, keyId: rec.keyId },
      keyTenantId: rec.tenantId,
      keyProjectId: rec.projectId,
      keyTier: rec.tier,
      keyRoles: rec.roles,
    };
  }
  throw unauthorized('UNAUTHENTICATED', 'Send Authorization: Bearer <token> or X-API-Key');
}

export function authenticate(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const s = stateOf(request);
      const p = s.platform;
      if (s.route.access === 'public') return;
      if (s.route.access === 'bootstrapKey') {
        const presented = s.headers['x-bootstrap-key'];
        if (!presented) throw unauthorized('BOOTSTRAP_KEY_REQUIRED', 'X-Bootstrap-Key is required');
        const expected = await p.secrets.resolve(p.config.bootstrapSecretRef);
        if (!safeEqual(presented, expected)) throw unauthorized('BOOTSTRAP_KEY_INVALID', 'Bootstrap key is not valid');
        return;
      }
      const a = await authenticateHeaders(p, s.headers, s.startedAt, { deferRevocation: true });
      s.auth = {
        revoked: a.revoked,
        principal: a.principal,
        tokenTenantId: a.tokenTenantId ?? a.keyTenantId,
        keyProjectId: a.keyProjectId,
        keyTier: a.keyTier,
        keyRoles: a.keyRoles,
      };
      p.logger.appendKeys({ user: a.principal.id });
    },
  };
}
