import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalIssuer } from '../../packages/local/src/issuer.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
const P = { 'X-Project-Id': 'p_demo' };

beforeAll(async () => {
  t = await startRuntime();
});
afterAll(async () => {
  await t.stop();
});

function b64(o: unknown) {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

describe('authentication', () => {
  it('accepts a valid token and reports the resolved context', async () => {
    const r = await t.call('GET', '/v1/me', { token: await t.token('u_operator', 't_demo'), headers: P });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      tenantId: 't_demo',
      env: 'dev',
      projectId: 'p_demo',
      user: 'u_operator',
      tier: 'operator',
      roles: ['trader'],
      mode: 'saas',
    });
    expect(r.headers.get('ratelimit-limit')).toBe('120');
    expect(r.headers.get('x-request-id')).toBeTruthy();
  });

  it('401 without credentials', async () => {
    const r = await t.call('GET', '/v1/portfolios', { headers: P });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('UNAUTHENTICATED');
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('401 for an expired token', async () => {
    const tok = await t.rt.issuer.mint({
      sub: 'u_operator',
      tenantId: 't_demo',
      iat: Math.floor(Date.now() / 1000) - 3600,
      expiresIn: '30m',
    });
    const r = await t.call('GET', '/v1/portfolios', { token: tok, headers: P });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('TOKEN_EXPIRED');
  });

  it('401 for a tampered token (payload changed, signature kept)', async () => {
    const tok = await t.token('u_observer', 't_demo');
    const [h, p, s] = tok.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    payload.sub = 'u_admin';
    const r = await t.call('GET', '/v1/portfolios', { token: `${h}.${b64(payload)}.${s}`, headers: P });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('INVALID_TOKEN');
  });

  it('401 for a token from another issuer', async () => {
    const evil = await LocalIssuer.create('http://evil.example/_local');
    const r = await t.call('GET', '/v1/portfolios', {
      token: await evil.mint({ sub: 'u_operator', tenantId: 't_demo' }),
      headers: P,
    });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('INVALID_TOKEN');
  });

  it('401 for a token signed by another key under the trusted issuer name', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const kid = t.rt.issuer.publicJwk.kid as string;
    const tok = await new SignJWT({
      token_use: 'access',
      client_id: 'ballast-local-client',
      'custom:tenant_id': 't_demo',
    })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(t.rt.issuer.issuer)
      .setSubject('u_operator')
      .setJti('x-1')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    const r = await t.call('GET', '/v1/portfolios', { token: tok, headers: P });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('INVALID_TOKEN');
  });

  it('401 for a token minted for another app client', async () => {
    const tok = await t.rt.issuer.mint({
      sub: 'u_operator',
      tenantId: 't_demo',
      claims: { client_id: 'someone-else' },
    });
    const r = await t.call('GET', '/v1/portfolios', { token: tok, headers: P });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('INVALID_TOKEN');
  });

  it('401 for an id token (token_use other than access)', async () => {
    const tok = await t.rt.issuer.mint({ sub: 'u_operator', tenantId: 't_demo', claims: { token_use: 'id' } });
    expect((await t.call('GET', '/v1/portfolios', { token: tok, headers: P })).status).toBe(401);
    expect((await t.call('GET', '/v1/portfolios', { token: tok, headers: P })).body.code).toBe('INVALID_TOKEN');
  });

  it('401 for alg none and for HS256 tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: t.rt.issuer.issuer,
      sub: 'u_admin',
      token_use: 'access',
      client_id: 'ballast-local-client',
      jti: 'n-1',
      iat: now,
      exp: now + 600,
      'custom:tenant_id': 't_demo',
    };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const r1 = await t.call('GET', '/v1/portfolios', { token: none, headers: P });
    expect(r1.status).toBe(401);
    expect(r1.body.code).toBe('INVALID_TOKEN');
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: t.rt.issuer.publicJwk.kid as string })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    const r2 = await t.call('GET', '/v1/portfolios', { token: hs, headers: P });
    expect(r2.status).toBe(401);
    expect(r2.body.code).toBe('INVALID_TOKEN');
  });

  it('401 for garbage and non-Bearer Authorization headers', async () => {
    expect((await t.call('GET', '/v1/portfolios', { token: 'not.a.jwt', headers: P })).status).toBe(401);
    expect((await t.call('GET', '/v1/portfolios', { headers: { ...P, Authorization: 'Basic dTpw' } })).status).toBe(
      401,
    );
    const garbage = await t.call('GET', '/v1/portfolios', { token: 'not.a.jwt', headers: P });
    expect(garbage.body.code).toBe('INVALID_TOKEN');
    const basic = await t.call('GET', '/v1/portfolios', { headers: { ...P, Authorization: 'Basic dTpw' } });
    expect(basic.body.code).toBe('INVALID_TOKEN');
  });

  it('400 CREDENTIALS_IN_QUERY when a token or key is sent in the query string', async () => {
    const tok = await t.token('u_operator', 't_demo');
    const r = await t.call('GET', `/v1/portfolios?access_token=${tok}`, { headers: P });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('CREDENTIALS_IN_QUERY');
    const r2 = await t.call('GET', '/v1/portfolios?api_key=abc', { token: tok, headers: P });
    expect(r2.body.code).toBe('CREDENTIALS_IN_QUERY');
  });

  it('logout revokes the token until it expires; another token still works', async () => {
    const tok = await t.token('u_navigator', 't_demo');
    expect((await t.call('GET', '/v1/portfolios', { token: tok, headers: P })).status).toBe(200);
    expect((await t.call('POST', '/v1/auth/logout', { token: tok })).status).toBe(204);
    const r = await t.call('GET', '/v1/portfolios', { token: tok, headers: P });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('TOKEN_REVOKED');
    expect(
      (await t.call('GET', '/v1/portfolios', { token: await t.token('u_navigator', 't_demo'), headers: P })).status,
    ).toBe(200);
    // revocation is decided before any context problem: still 401 with a bad header
    const mismatch = await t.call('GET', '/v1/portfolios', { token: tok, headers: { ...P, 'X-Tenant-Id': 't_acme' } });
    expect(mismatch.status).toBe(401);
    expect(mismatch.body.code).toBe('TOKEN_REVOKED');
    expect((await t.call('GET', '/v1/me', { token: tok, headers: { 'X-Project-Id': 'BAD!' } })).body.code).toBe(
      'TOKEN_REVOKED',
    );
  });
});

describe('tenancy', () => {
  it('403 TENANT_MISMATCH when X-Tenant-Id differs from the token tenant', async () => {
    const r = await t.call('GET', '/v1/portfolios', {
      token: await t.token('u_acme', 't_acme'),
      headers: { 'X-Tenant-Id': 't_demo', 'X-Project-Id': 'p_demo' },
    });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('TENANT_MISMATCH');
    expect(r.body.items).toBeUndefined();
  });

  it('a member of t_acme reading t_demo data → 403 and no data, even with a t_demo-scoped token', async () => {
    const admin = await t.token('u_admin', 't_demo');
    const created = await t.call('POST', '/v1/portfolios', {
      token: admin,
      headers: P,
      body: { name: 'Demo secret', cash: '5000' },
    });
    expect(created.status).toBe(201);
    const tok = await t.token('u_acme', 't_demo');
    const list = await t.call('GET', '/v1/portfolios', { token: tok, headers: P });
    expect(list.status).toBe(403);
    expect(list.body.code).toBe('NOT_A_MEMBER');
    expect(list.text).not.toContain('Demo secret');
    const one = await t.call('GET', `/v1/portfolios/${String(created.body.portfolioId)}`, { token: tok, headers: P });
    expect(one.status).toBe(403);
    expect(one.body.code).toBe('NOT_A_MEMBER');
    expect(one.text).not.toContain('Demo secret');
    // With its own tenant the acme user sees its silo, not the demo portfolio.
    const own = await t.call('GET', `/v1/portfolios/${String(created.body.portfolioId)}`, {
      token: await t.token('u_acme', 't_acme'),
      headers: { 'X-Project-Id': 'p_acme' },
    });
    expect(own.status).toBe(404);
    expect(own.body.code).toBe('PORTFOLIO_NOT_FOUND');
  });

  it('400 TENANT_REQUIRED when neither the token nor a header names a tenant', async () => {
    const r = await t.call('GET', '/v1/portfolios', { token: await t.token('u_operator'), headers: P });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('TENANT_REQUIRED');
    const ok = await t.call('GET', '/v1/portfolios', {
      token: await t.token('u_operator'),
      headers: { ...P, 'X-Tenant-Id': 't_demo' },
    });
    expect(ok.status).toBe(200);
  });
});

describe('bootstrap', () => {
  it('401 without or with a wrong key; the right key creates t_system and modes idempotently', async () => {
    expect((await t.call('POST', '/v1/system/bootstrap')).status).toBe(401);
    expect((await t.call('POST', '/v1/system/bootstrap')).body.code).toBe('BOOTSTRAP_KEY_REQUIRED');
    const wrong = await t.call('POST', '/v1/system/bootstrap', { headers: { 'X-Bootstrap-Key': 'nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('BOOTSTRAP_KEY_INVALID');
    const ok1 = await t.call('POST', '/v1/system/bootstrap', { headers: { 'X-Bootstrap-Key': t.rt.bootstrapKey } });
    expect(ok1.status).toBe(200);
    expect(ok1.body).toMatchObject({ tenantId: 't_system', modes: ['enterprise', 'saas', 'lab'] });
    const ok2 = await t.call('POST', '/v1/system/bootstrap', { headers: { 'X-Bootstrap-Key': t.rt.bootstrapKey } });
    expect(ok2.status).toBe(200);
    expect(ok2.body.created).toEqual([]);
    expect(ok2.text).not.toContain(t.rt.bootstrapKey);
  });
});
