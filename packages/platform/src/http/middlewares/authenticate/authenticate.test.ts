import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { LOCAL_CLIENT_ID, LocalIssuer } from '../../../../../local/src/issuer.js';
import {
  BOOTSTRAP_REF,
  bearer,
  createTestBed,
  echo,
  type Echo,
  type Invoke,
  probe,
  type SeededKey,
  T0,
  type TestBed,
  trustIssuer,
  withKey,
} from '../../../../test/support/harness.js';
import { newApiKey } from '../../../auth/api-keys.js';
import { LocalSecretResolver } from '../../../secrets/resolver.js';
import { defineRoutes } from '../../define-route.js';

const common = {
  minTier: 'observer',
  roles: [],
  uses: { control: 'read' },
  request: {},
  responses: { 200: { description: 'echo', body: z.unknown() } },
} as const;

const routes = defineRoutes('probe', {
  open: { id: 'probe.open', method: 'GET', path: '/v1/probe/open', summary: 'public', access: 'public', ...common },
  bootstrap: {
    id: 'probe.bootstrap',
    method: 'POST',
    path: '/v1/probe/bootstrap',
    summary: 'bootstrap key',
    access: 'bootstrapKey',
    ...common,
  },
  me: { id: 'probe.me', method: 'GET', path: '/v1/probe/me', summary: 'any caller', access: 'tenant', ...common },
});

const BOOTSTRAP_KEY = 'bootstrap-key-for-tests-0123456789';

let bed: TestBed;
let issuer: LocalIssuer;
let secretsDir: string;
let call: Record<keyof typeof routes, Invoke>;
let key: SeededKey;

beforeAll(async () => {
  secretsDir = await mkdtemp(join(tmpdir(), 'ballast-auth-'));
  await new LocalSecretResolver(secretsDir).put(BOOTSTRAP_REF, BOOTSTRAP_KEY);
  bed = await createTestBed({ prefix: 'auth', config: { secretsBackend: 'local', localSecretsDir: secretsDir } });
  issuer = await trustIssuer(bed);
  await bed.tenant('t_alpha');
  await bed.project('t_alpha', 'p_alpha');
  await bed.member('t_alpha', 'u_alice', 'navigator', ['trader']);
  key = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'observer', roles: ['viewer'] });
  call = {
    open: probe(bed.platform, routes.open, echo()),
    bootstrap: probe(bed.platform, routes.bootstrap, echo()),
    me: probe(bed.platform, routes.me, echo()),
  };
});

afterAll(async () => {
  await rm(secretsDir, { recursive: true, force: true });
});

beforeEach(() => {
  bed.clock.set(T0);
  bed.clock.nextMinute();
});

const expect401 = async (answer: Promise<{ status: number; body: { code?: string }; text: string }>, code: string) => {
  const r = await answer;
  expect(r.status).toBe(401);
  expect(r.body.code).toBe(code);
  return r;
};

describe('public and bootstrap-key routes', () => {
  it('a public route needs no credentials and ignores any that are sent', async () => {
    expect((await call.open({})).status).toBe(200);
    const r = await call.open<Echo>({ headers: { Authorization: 'Bearer garbage', 'X-API-Key': 'nope' } });
    expect(r.status).toBe(200);
    expect(r.body.ctx).toBeUndefined();
  });

  it('a bootstrap-key route without the key → 401 BOOTSTRAP_KEY_REQUIRED', async () => {
    await expect401(call.bootstrap({}), 'BOOTSTRAP_KEY_REQUIRED');
    await expect401(call.bootstrap({ headers: { 'X-Bootstrap-Key': '' } }), 'BOOTSTRAP_KEY_REQUIRED');
  });

  it('a wrong bootstrap key → 401 BOOTSTRAP_KEY_INVALID (prefixes and extensions too)', async () => {
    for (const wrong of ['nope', BOOTSTRAP_KEY.slice(0, -1), `${BOOTSTRAP_KEY}x`, BOOTSTRAP_KEY.toUpperCase()]) {
      const r = await expect401(call.bootstrap({ headers: { 'X-Bootstrap-Key': wrong } }), 'BOOTSTRAP_KEY_INVALID');
      expect(r.text).not.toContain(BOOTSTRAP_KEY);
    }
  });

  it('the right bootstrap key (resolved through the local secret store) → ok, with no caller context', async () => {
    const r = await call.bootstrap<Echo>({ headers: { 'x-bootstrap-key': BOOTSTRAP_KEY } });
    expect(r.status).toBe(200);
    expect(r.body.ctx).toBeUndefined();
    // a bearer token is no substitute for the bootstrap key
    const withToken = bearer(await issuer.mint({ sub: 'u_alice', tenantId: 't_alpha' }));
    await expect401(call.bootstrap({ headers: withToken }), 'BOOTSTRAP_KEY_REQUIRED');
  });
});

describe('bearer tokens', () => {
  const mint = (o: Parameters<LocalIssuer['mint']>[0] = { sub: 'u_alice', tenantId: 't_alpha' }) => issuer.mint(o);

  it('no credentials at all → 401 UNAUTHENTICATED', async () => {
    await expect401(call.me({}), 'UNAUTHENTICATED');
  });

  it('a valid access token → the user, whatever the scheme’s case', async () => {
    const token = await mint();
    for (const authorization of [`Bearer ${token}`, `bearer ${token}`, `  Bearer   ${token}  `]) {
      const r = await call.me<Echo>({ headers: { Authorization: authorization } });
      expect(r.status, authorization.slice(0, 10)).toBe(200);
      expect(r.body.ctx?.principal).toMatchObject({ kind: 'user', id: 'u_alice' });
    }
  });

  it('an Authorization header that is not "Bearer <token>" → 401 INVALID_TOKEN', async () => {
    const token = await mint();
    for (const authorization of ['', 'Bearer', 'Bearer ', `Basic ${token}`, `Token ${token}`, `Bearer ${token} x`]) {
      await expect401(call.me({ headers: { Authorization: authorization } }), 'INVALID_TOKEN');
    }
  });

  it('something that is not a JWT → 401 INVALID_TOKEN', async () => {
    const junk = [
      'abc',
      'a.b',
      'a.b.c',
      `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.bm90anNvbg.sig`,
      'x'.repeat(4000),
    ];
    for (const token of junk) await expect401(call.me({ headers: bearer(token) }), 'INVALID_TOKEN');
  });

  it('an expired token → 401 TOKEN_EXPIRED', async () => {
    const expired = await mint({ sub: 'u_alice', tenantId: 't_alpha', iat: 1_000_000_000, expiresIn: '30m' });
    await expect401(call.me({ headers: bearer(expired) }), 'TOKEN_EXPIRED');
  });

  // issue 8: a token with no exp was accepted forever; a future iat/nbf was accepted; no lifetime cap.
  describe('time claims, on the platform clock', () => {
    const now = () => Math.floor(bed.clock.now / 1000);
    const at = (o: Omit<Parameters<LocalIssuer['mint']>[0], 'sub'>) =>
      issuer.mint({ sub: 'u_alice', tenantId: 't_alpha', ...o }, bed.clock.now);
    const refused = async (token: string, detail: RegExp) => {
      const r = await call.me({ headers: bearer(token) });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('INVALID_TOKEN');
      expect(r.body.detail).toMatch(detail);
    };

    it('a token without exp → 401 INVALID_TOKEN: every token must expire', async () => {
      const token = await at({ noExpiry: true });
      expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp).toBeUndefined();
      await refused(token, /no exp/);
    });

    it('iat, nbf or auth_time more than 60 s in the future → 401 INVALID_TOKEN; within the skew → ok', async () => {
      await refused(await at({ iat: now() + 61 }), /iat lies in the future/);
      await refused(await at({ nbf: now() + 120 }), /nbf|not valid yet/);
      await refused(await at({ authTime: now() + 3600 }), /auth_time lies in the future/);
      expect((await call.me({ headers: bearer(await at({ iat: now() + 60 })) })).status).toBe(200);
      expect((await call.me({ headers: bearer(await at({ nbf: 1_000_000_000 })) })).status).toBe(200);
    });

    it('a lifetime over 24 h → 401 INVALID_TOKEN; 24 h exactly is accepted', async () => {
      await refused(await at({ expiresIn: '25h', anyLifetime: true }), /longer than 24 h/);
      await refused(await at({ expiresIn: '365d', anyLifetime: true }), /longer than 24 h/);
      expect((await call.me({ headers: bearer(await at({ expiresIn: '24h' })) })).status).toBe(200);
    });

    it('time claims that are not epoch seconds → 401 INVALID_TOKEN', async () => {
      await refused(await at({ claims: { auth_time: 'yesterday' } }), /auth_time/);
      await refused(await at({ claims: { auth_time: 1.5e9 + 0.5 } }), /auth_time/);
    });
  });

  it('an untrusted issuer, a forged signature, another client or an id token → 401 INVALID_TOKEN', async () => {
    const stranger = await LocalIssuer.create('https://evil.example.test/pool');
    const impostor = await LocalIssuer.create(issuer.issuer); // same issuer URL, another key
    const tokens = [
      await stranger.mint({ sub: 'u_alice', tenantId: 't_alpha' }),
      await impostor.mint({ sub: 'u_alice', tenantId: 't_alpha' }),
      await mint({ sub: 'u_alice', tenantId: 't_alpha', claims: { client_id: 'someone-else' } }),
      await mint({ sub: 'u_alice', tenantId: 't_alpha', claims: { token_use: 'id' } }),
    ];
    for (const token of tokens) await expect401(call.me({ headers: bearer(token) }), 'INVALID_TOKEN');
  });

  it('an unsigned token (alg none) → 401 INVALID_TOKEN', async () => {
    const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const payload = {
      iss: issuer.issuer,
      sub: 'u_alice',
      token_use: 'access',
      client_id: LOCAL_CLIENT_ID,
      jti: 'j-1',
      exp: 4_102_444_800,
      'custom:tenant_id': 't_alpha',
    };
    await expect401(call.me({ headers: bearer(`${part({ alg: 'none' })}.${part(payload)}.`) }), 'INVALID_TOKEN');
  });

  it('a revoked token → 401 TOKEN_REVOKED', async () => {
    const token = await mint();
    const { jti } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { jti: string };
    expect((await call.me({ headers: bearer(token) })).status).toBe(200);
    await bed.platform.tenancy.revoke(jti, Math.floor(T0 / 1000) + 3600, 'u_alice', new Date(T0).toISOString());
    await expect401(call.me({ headers: bearer(token) }), 'TOKEN_REVOKED');
  });

  it('a tenant’s own identity entry is trusted for that tenant’s tokens', async () => {
    const own = await LocalIssuer.create('https://login.alpha.example.test/pool');
    const token = await own.mint({ sub: 'u_alice', tenantId: 't_alpha' });
    await expect401(call.me({ headers: bearer(token) }), 'INVALID_TOKEN');
    await bed.routing('t_alpha', 'dev', {
      kind: 'identity',
      issuer: own.issuer,
      clientIds: [LOCAL_CLIENT_ID],
      jwks: own.jwks() as { keys: Record<string, unknown>[] },
    });
    expect((await call.me({ headers: bearer(token) })).status).toBe(200);
  });

  it('no identity entry for the env → 503 ROUTING_NOT_CONFIGURED, not a 401', async () => {
    const bare = await createTestBed({ prefix: 'auth-bare' });
    const me = probe(bare.platform, routes.me, echo());
    const r = await me({ headers: bearer(await mint()) });
    expect(r.status).toBe(503);
    expect(r.body.code).toBe('ROUTING_NOT_CONFIGURED');
    expect(r.body.detail).toContain("'identity'");
  });

  it('401 bodies never echo the token', async () => {
    const expired = await mint({ sub: 'u_alice', tenantId: 't_alpha', iat: 1_000_000_000 });
    const r = await call.me({ headers: bearer(expired) });
    expect(r.text).not.toContain(expired);
    expect(r.text).not.toContain(expired.split('.')[1]);
  });
});

describe('API keys', () => {
  it('a valid key → its principal (surrounding whitespace ignored)', async () => {
    for (const sent of [key.secret, ` ${key.secret} `]) {
      const r = await call.me<Echo>({ headers: { 'X-API-Key': sent } });
      expect(r.status).toBe(200);
      expect(r.body.ctx?.principal).toMatchObject({ kind: 'apiKey', id: key.principalId });
    }
  });

  it('a malformed key → 401 INVALID_API_KEY', async () => {
    for (const bad of ['', 'bk_short', key.secret.slice(0, -1), `${key.secret}A`, key.secret.replace('bk_', 'xx_')]) {
      await expect401(call.me({ headers: { 'X-API-Key': bad } }), 'INVALID_API_KEY');
    }
  });

  it('a well-formed key nobody issued, or a wrong secret for a real key id → 401 INVALID_API_KEY', async () => {
    const unknown = newApiKey().secret;
    await expect401(call.me({ headers: { 'X-API-Key': unknown } }), 'INVALID_API_KEY');
    const secretPart = key.secret.slice(-43);
    const forged = key.secret.replace(
      secretPart,
      secretPart.startsWith('A') ? `B${secretPart.slice(1)}` : `A${secretPart.slice(1)}`,
    );
    await expect401(call.me({ headers: { 'X-API-Key': forged } }), 'INVALID_API_KEY');
  });

  it('a revoked key → 401 API_KEY_REVOKED', async () => {
    const revoked = await bed.apiKey({
      tenantId: 't_alpha',
      projectId: 'p_alpha',
      tier: 'observer',
      roles: ['viewer'],
      revoked: true,
    });
    await expect401(call.me({ headers: withKey(revoked) }), 'API_KEY_REVOKED');
  });

  it('a key expires at its expiresAt on the platform clock → 401 API_KEY_EXPIRED', async () => {
    const expiresAt = T0 + 3_600_000;
    const expiring = await bed.apiKey({
      tenantId: 't_alpha',
      projectId: 'p_alpha',
      tier: 'observer',
      roles: ['viewer'],
      expiresAt: new Date(expiresAt).toISOString(),
    });
    bed.clock.set(expiresAt - 1);
    expect((await call.me({ headers: withKey(expiring) })).status).toBe(200);
    bed.clock.set(expiresAt);
    await expect401(call.me({ headers: withKey(expiring) }), 'API_KEY_EXPIRED');
    bed.clock.set(expiresAt + 86_400_000);
    await expect401(call.me({ headers: withKey(expiring) }), 'API_KEY_EXPIRED');
  });

  it('401 bodies never echo the key', async () => {
    const r = await call.me({ headers: { 'X-API-Key': `${key.secret}A` } });
    expect(r.text).not.toContain(key.secret);
  });
});
