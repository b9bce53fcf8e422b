import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { JwtBaseError, JwtExpiredError, JwtNotBeforeError } from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { createHash } from 'node:crypto';
import { BoundedCache, CACHE_LIMITS } from '../config/caches.js';
import { unauthorized } from '../errors.js';
import type { IdentityConfig } from '../routing/schemas.js';

export interface VerifiedToken {
  sub: string;
  jti?: string;
  exp: number;
  authTime?: number;
  tenantId?: string;
  clientId: string;
  issuer: string;
  groups: string[];
}

/** Reads a JWT's header and payload without trusting them (to pick the issuer's config). */
export function peekJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const parts = token.split('.');
  if (parts.length !== 3) throw unauthorized('INVALID_TOKEN', 'Token is not a JWT');
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    if (typeof header !== 'object' || !header || typeof payload !== 'object' || !payload)
      throw new Error('not objects');
    return { header: header as Record<string, unknown>, payload: payload as Record<string, unknown> };
  } catch {
    throw unauthorized('INVALID_TOKEN', 'Token is not a JWT');
  }
}

/** A JWKS fetcher that refuses the network: used when the registry carries the keys inline. */
const noNetwork = {
  fetch: async (uri: string): Promise<ArrayBuffer> => {
    throw new Error(`JWKS fetch refused for ${uri}: keys are configured inline`);
  },
};

/** Clock skew tolerated between the issuer and us (seconds). */
export const CLOCK_SKEW_SECONDS = 60;
/** The longest lifetime a token may have: Cognito's maximum for access tokens (24 h). */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * What aws-jwt-verify leaves alone (it checks `exp` and `nbf` only when present, on the wall
 * clock), on the platform clock: `exp` is required — a token without one never expires, and a
 * revocation of it could never be let go; `iat`, `nbf` and `auth_time` may not lie in the future
 * beyond the skew; a token lives at most 24 h.
 */
export function checkTimeClaims(payload: JwtPayload, nowSeconds: number): void {
  const refuse = (why: string) => unauthorized('INVALID_TOKEN', `Token ${why}`);
  const { exp, iat, nbf, auth_time: authTime } = payload as Record<string, unknown>;
  if (exp === undefined) throw refuse('has no exp (expiry): tokens must expire');
  if (!isTime(exp)) throw refuse('has an exp that is not a time in epoch seconds');
  for (const [name, value] of [
    ['iat', iat],
    ['nbf', nbf],
    ['auth_time', authTime],
  ] as const) {
    if (value === undefined) continue;
    if (!isTime(value)) throw refuse(`has a ${name} that is not a time in epoch seconds`);
    if (value > nowSeconds + CLOCK_SKEW_SECONDS) throw refuse(`${name} lies in the future`);
  }
  const issuedAt = typeof iat === 'number' ? iat : nowSeconds;
  if (exp - issuedAt > MAX_TOKEN_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    throw refuse(`lives longer than ${MAX_TOKEN_LIFETIME_SECONDS / 3600} h (the longest lifetime accepted)`);
  }
}

/**
 * Verifies Cognito-style access tokens with aws-jwt-verify, one verifier per identity config
 * (issuer, client ids, JWKS source), cached per process in a bounded LRU (each verifier holds its
 * issuer's JWKS, so that is bounded too, and refreshed when the verifier is rebuilt). RS256 only.
 */
export class TokenVerifier {
  private readonly verifiers: BoundedCache<string, (token: string) => Promise<JwtPayload>>;

  constructor(now: () => number) {
    this.verifiers = new BoundedCache(CACHE_LIMITS.tokenVerifiers, now);
  }

  private verifierFor(cfg: IdentityConfig): (token: string) => Promise<JwtPayload> {
    const cacheKey = createHash('sha256').update(JSON.stringify(cfg)).digest('hex');
    let verify = this.verifiers.get(cacheKey);
    if (!verify) {
      const jwksUri = cfg.jwksUri ?? `${cfg.issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
      const clientIds = cfg.clientIds;
      const props = {
        issuer: cfg.issuer,
        audience: null,
        jwksUri,
        customJwtCheck: ({ header, payload }: { header: { alg?: string }; payload: JwtPayload }) => {
          if (header.alg !== 'RS256') throw new Error('alg must be RS256');
          if (payload.token_use !== 'access') throw new Error('token_use must be access');
          if (typeof payload.client_id !== 'string' || !clientIds.includes(payload.client_id))
            throw new Error('client_id not allowed');
        },
      };
      const v = cfg.jwks
        ? JwtVerifier.create(props, { jwksCache: new SimpleJwksCache({ fetcher: noNetwork }) })
        : JwtVerifier.create(props);
      if (cfg.jwks) v.cacheJwks(cfg.jwks as unknown as Jwks);
      verify = (token: string) => v.verify(token);
      this.verifiers.set(cacheKey, verify);
    }
    return verify;
  }

  /** Verifies `token` against whichever of `configs` names its issuer, its time claims at `nowMs`. */
  async verify(token: string, configs: IdentityConfig[], nowMs: number): Promise<VerifiedToken> {
    const { header, payload } = peekJwt(token);
    if (header.alg !== 'RS256') throw unauthorized('INVALID_TOKEN', 'Token algorithm is not accepted');
    const cfg = configs.find((c) => c.issuer === payload.iss);
    if (!cfg) throw unauthorized('INVALID_TOKEN', 'Token issuer is not trusted');
    let verified: JwtPayload;
    try {
      verified = await this.verifierFor(cfg)(token);
    } catch (e) {
      if (e instanceof JwtExpiredError) throw unauthorized('TOKEN_EXPIRED', 'Token has expired');
      if (e instanceof JwtNotBeforeError) throw unauthorized('INVALID_TOKEN', 'Token is not valid yet (nbf)');
      if (e instanceof JwtBaseError || e instanceof Error)
        throw unauthorized('INVALID_TOKEN', 'Token could not be verified');
      throw e;
    }
    checkTimeClaims(verified, Math.floor(nowMs / 1000));
    const groups = verified['cognito:groups'];
    return {
      sub: String(verified.sub),
      jti: typeof verified.jti === 'string' ? verified.jti : undefined,
      exp: Number(verified.exp),
      authTime: typeof verified.auth_time === 'number' ? verified.auth_time : undefined,
      tenantId: typeof verified['custom:tenant_id'] === 'string' ? (verified['custom:tenant_id'] as string) : undefined,
      clientId: String(verified.client_id),
      issuer: String(verified.iss),
      groups: Array.isArray(groups) ? groups.map(String) : [],
    };
  }
}
