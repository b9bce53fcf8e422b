import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export const LOCAL_CLIENT_ID = 'ballast-local-client';

export interface TokenRequest {
  sub: string;
  tenantId?: string;
  /** '30m', '1h', '45s' or seconds; default 30m like the Cognito app client */
  expiresIn?: string | number;
  groups?: string[];
  /** override the issue time (epoch seconds), e.g. to mint an already-expired token in tests */
  iat?: number;
  /**
   * when the user last signed in (epoch seconds, Cognito's `auth_time`); default: the issue time.
   * An old one simulates a stale login, which routes needing a fresh login refuse (RFC 9470).
   */
  authTime?: number;
  /** a `nbf` (not before) claim, epoch seconds; none by default, like Cognito */
  nbf?: number;
  /** mint a token without `exp` (tests: such a token must be refused) */
  noExpiry?: boolean;
  /** allow a lifetime over 24 h (tests: such a token must be refused); otherwise mint refuses it */
  anyLifetime?: boolean;
  /** extra or overriding claims (tests craft wrong-client or wrong-use tokens with it) */
  claims?: Record<string, unknown>;
}

/** The longest lifetime the platform accepts (Cognito's maximum): `/_local/token` mints no longer. */
export const MAX_TOKEN_SECONDS = 24 * 3600;

/** A lifetime as seconds: '30m', '1h', '45s', '1d' or a number of seconds; default 30 minutes. */
export function seconds(v: string | number | undefined): number {
  if (v === undefined) return 1800;
  if (typeof v === 'number') return v;
  const m = /^(\d{1,6})([smhd]?)$/.exec(v.trim());
  if (!m) throw new RangeError('expiresIn must look like 30m, 1h, 45s or a number of seconds');
  const n = Number(m[1]);
  return n * ({ s: 1, m: 60, h: 3600, d: 86400, '': 1 } as Record<string, number>)[m[2]];
}

/**
 * A local stand-in for Cognito: signs RS256 access tokens shaped like Cognito's (token_use,
 * client_id, jti, auth_time, custom:tenant_id, cognito:groups) with its own key, published as a
 * JWKS. The key persists in `keyFile` when given, so tokens survive restarts.
 */
export class LocalIssuer {
  private constructor(
    readonly issuer: string,
    private readonly privateJwk: JWK,
    readonly publicJwk: JWK,
  ) {}

  static async create(issuer: string, keyFile?: string): Promise<LocalIssuer> {
    if (keyFile) {
      try {
        const saved = JSON.parse(await readFile(keyFile, 'utf8')) as { privateJwk: JWK; publicJwk: JWK };
        return new LocalIssuer(issuer, saved.privateJwk, saved.publicJwk);
      } catch {
        // no key yet: make one below
      }
    }
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    if (keyFile) {
      await mkdir(dirname(keyFile), { recursive: true });
      await writeFile(keyFile, JSON.stringify({ privateJwk, publicJwk }), { mode: 0o600 });
    }
    return new LocalIssuer(issuer, privateJwk, publicJwk);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async mint(req: TokenRequest, nowMs = Date.now()): Promise<string> {
    const iat = req.iat ?? Math.floor(nowMs / 1000);
    const lifetime = seconds(req.expiresIn);
    if (!req.anyLifetime && !(lifetime > 0 && lifetime <= MAX_TOKEN_SECONDS)) {
      throw new RangeError('expiresIn must be between 1 second and 24h (the longest lifetime the API accepts)');
    }
    const key = await importJWK(this.privateJwk, 'RS256');
    const jwt = new SignJWT({
      token_use: 'access',
      client_id: LOCAL_CLIENT_ID,
      scope: 'aws.cognito.signin.user.admin',
      auth_time: req.authTime ?? iat,
      ...(req.nbf === undefined ? {} : { nbf: req.nbf }),
      username: req.sub,
      'cognito:groups': req.groups ?? [],
      ...(req.tenantId ? { 'custom:tenant_id': req.tenantId } : {}),
      ...(req.claims ?? {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.publicJwk.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(req.sub)
      .setJti(randomUUID())
      .setIssuedAt(iat);
    return (req.noExpiry ? jwt : jwt.setExpirationTime(iat + lifetime)).sign(key);
  }
}
