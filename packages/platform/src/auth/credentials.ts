import { createHash, timingSafeEqual } from 'node:crypto';
import { resolveEnv } from '../context/env.js';
import { tenantHint } from '../context/headers.js';
import { SYSTEM_TENANT } from '../context/types.js';
import { unauthorized, unavailable } from '../errors.js';
import type { Authentication } from '../http/pipeline.js';
import type { Platform } from '../platform.js';
import type { IdentityConfig } from '../routing/schemas.js';
import { hashMatches, parseApiKey } from './api-keys.js';
import { TokenVerifier } from './tokens.js';

/** Constant-time comparison of two secrets of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * Identity configs that may have issued a token: the platform's (t_system) and the tenant's own.
 * `hint` is unverified (a header or a claim of a token not yet checked): only an id of the right
 * shape is looked up, so no value a caller makes up reaches the registry or grows its cache.
 */
async function identityConfigs(p: Platform, env: string, hint: string | undefined): Promise<IdentityConfig[]> {
  const tenants = [SYSTEM_TENANT, ...(hint && hint !== SYSTEM_TENANT ? [hint] : [])];
  const entries = await Promise.all(tenants.map((t) => p.registry.find(t, env, 'identity')));
  const configs = entries.filter((e) => e !== null).map((e) => e.config);
  if (!configs.length) {
    throw unavailable(
      'ROUTING_NOT_CONFIGURED',
      `No 'identity' routing entry for env ${env}: env ${env} has no routing entries here, ` +
        'so no token can be verified in it',
    );
  }
  return configs;
}

function unverifiedTenantClaim(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return tenantHint((payload as Record<string, unknown> | null)?.['custom:tenant_id']);
  } catch {
    return undefined; // unreadable payloads are refused by the verifier
  }
}

/**
 * Verifies a bearer JWT (aws-jwt-verify against the registry's identity entries, then the
 * revocation list) or an X-API-Key (hash lookup). Shared by the route pipeline and the edge
 * authorizer so both apply the same rules. With `deferRevocation` the revocation lookup is
 * returned pending, for the caller to overlap with other reads and await before deciding.
 */
export async function authenticateHeaders(
  p: Platform,
  headers: Record<string, string>,
  nowMs: number,
  opts: { deferRevocation?: boolean } = {},
): Promise<Authentication> {
  // X-Env is checked before anything is looked up (400); a tenant hint of the wrong shape is ignored
  const env = resolveEnv(headers['x-env'], p.config.defaultEnv);
  const authorization = headers.authorization;
  const apiKey = headers['x-api-key'];
  if (authorization !== undefined) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!bearer) throw unauthorized('INVALID_TOKEN', 'Authorization must be "Bearer <token>"');
    const token = bearer[1];
    const configs = await identityConfigs(p, env, tenantHint(headers['x-tenant-id']) ?? unverifiedTenantClaim(token));
    p.verifier ??= new TokenVerifier(p.now);
    const verified = await p.verifier.verify(token, configs, nowMs);
    if (!verified.jti) throw unauthorized('INVALID_TOKEN', 'Token has no jti');
    // A trusted issuer (a tenant's own, say) may still sign a claim that is no tenant id: refused,
    // so it never reaches a lookup.
    if (verified.tenantId !== undefined && tenantHint(verified.tenantId) !== verified.tenantId) {
      throw unauthorized('INVALID_TOKEN', 'Token carries a custom:tenant_id that is not a tenant id');
    }
    const revoked = p.tenancy.isRevoked(verified.jti);
    const principal = {
      kind: 'user' as const,
      id: verified.sub,
      userId: verified.sub,
      jti: verified.jti,
      exp: verified.exp,
      authTime: verified.authTime,
    };
    if (opts.deferRevocation) {
      revoked.catch(() => undefined);
      return { principal, tokenTenantId: verified.tenantId, revoked };
    }
    if (await revoked) throw unauthorized('TOKEN_REVOKED', 'Token has been revoked');
    return { principal, tokenTenantId: verified.tenantId };
  }
  if (apiKey !== undefined) {
    const presented = apiKey.trim();
    const parsed = parseApiKey(presented);
    if (!parsed) throw unauthorized('INVALID_API_KEY', 'API key is malformed');
    const record = await p.tenancy.getApiKey(parsed.keyId);
    if (!record || !hashMatches(presented, record.hash)) throw unauthorized('INVALID_API_KEY', 'API key is not valid');
    if (record.revokedAt) throw unauthorized('API_KEY_REVOKED', 'API key has been revoked');
    if (record.expiresAt && Date.parse(record.expiresAt) <= nowMs) {
      throw unauthorized('API_KEY_EXPIRED', 'API key has expired');
    }
    return {
      principal: { kind: 'apiKey', id: `apikey:${record.keyId}`, keyId: record.keyId },
      tokenTenantId: record.tenantId,
      keyProjectId: record.projectId,
      keyTier: record.tier,
      keyRoles: record.roles,
    };
  }
  throw unauthorized('UNAUTHENTICATED', 'Send Authorization: Bearer <token> or X-API-Key');
}
