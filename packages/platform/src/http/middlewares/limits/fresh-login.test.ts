import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { LocalIssuer } from '../../../../../local/src/issuer.js';
import {
  bearer,
  createTestBed,
  echo,
  type Invoke,
  probe,
  type SeededKey,
  type TestBed,
  trustIssuer,
  withKey,
} from '../../../../test/support/harness.js';
import { defineRoutes } from '../../define-route.js';
import { FRESH_LOGIN_MAX_AGE_SECONDS } from './index.js';

const spec = {
  method: 'POST',
  summary: 'a dangerous action',
  access: 'tenant',
  minTier: 'observer',
  roles: ['admin'],
  uses: { control: 'write' },
  request: { body: z.optional(z.unknown()) },
  responses: { 200: { description: 'echo', body: z.unknown() } },
} as const;

const routes = defineRoutes('probe', {
  dangerous: { ...spec, id: 'probe.dangerous', path: '/v1/probe/dangerous', freshLogin: true },
  ordinary: { ...spec, id: 'probe.ordinary', path: '/v1/probe/ordinary' },
});

const CHALLENGE = `Bearer error="insufficient_user_authentication", max_age=${FRESH_LOGIN_MAX_AGE_SECONDS}`;

let bed: TestBed;
let issuer: LocalIssuer;
let call: Record<keyof typeof routes, Invoke>;
let adminKey: SeededKey;

beforeAll(async () => {
  bed = await createTestBed({ prefix: 'fresh' });
  issuer = await trustIssuer(bed);
  await bed.tenant('t_alpha');
  await bed.project('t_alpha', 'p_alpha');
  await bed.member('t_alpha', 'u_admin', 'sovereign', ['admin']);
  await bed.member('t_alpha', 'u_viewer', 'sovereign', ['viewer']);
  adminKey = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'sovereign', roles: ['admin'] });
  call = {
    dangerous: probe(bed.platform, routes.dangerous, echo()),
    ordinary: probe(bed.platform, routes.ordinary, echo()),
  };
});

beforeEach(() => {
  bed.clock.nextMinute();
});

const nowSeconds = () => Math.floor(bed.clock.now / 1000);
/** a token minted now on the platform clock, its login `loginAgo` seconds back (or no auth_time) */
const tokenOf = (sub: string, loginAgo: number | 'absent') =>
  issuer.mint(
    loginAgo === 'absent'
      ? { sub, tenantId: 't_alpha', claims: { auth_time: undefined } }
      : { sub, tenantId: 't_alpha', authTime: nowSeconds() - loginAgo },
    bed.clock.now,
  );

describe('fresh login (RFC 9470 step-up) on routes that declare freshLogin', () => {
  it('a login within the last 5 minutes passes, its last second included', async () => {
    for (const ago of [0, 60, FRESH_LOGIN_MAX_AGE_SECONDS]) {
      const r = await call.dangerous({ headers: bearer(await tokenOf('u_admin', ago)) });
      expect(r.status, `${ago}s ago`).toBe(200);
    }
  });

  it('an older login → 401 FRESH_LOGIN_REQUIRED with the step-up challenge and RateLimit-*', async () => {
    for (const ago of [FRESH_LOGIN_MAX_AGE_SECONDS + 1, 3600, 86_000]) {
      const r = await call.dangerous({ headers: bearer(await tokenOf('u_admin', ago)) });
      expect(r.status, `${ago}s ago`).toBe(401);
      expect(r.body.code).toBe('FRESH_LOGIN_REQUIRED');
      expect(r.body.title).toBe('Unauthorized');
      expect(r.headers['WWW-Authenticate']).toBe(CHALLENGE);
      expect(r.headers['RateLimit-Limit']).toBeDefined();
    }
  });

  it('a token without auth_time → 401 FRESH_LOGIN_REQUIRED', async () => {
    const token = await tokenOf('u_admin', 'absent');
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).auth_time).toBeUndefined();
    const r = await call.dangerous({ headers: bearer(token) });
    expect(r.status).toBe(401);
    expect(r.headers['WWW-Authenticate']).toBe(CHALLENGE);
  });

  it('freshness is judged on the platform clock: the same token goes stale as the clock moves', async () => {
    const token = await tokenOf('u_admin', 0);
    expect((await call.dangerous({ headers: bearer(token) })).status).toBe(200);
    bed.clock.advance((FRESH_LOGIN_MAX_AGE_SECONDS + 1) * 1000);
    expect((await call.dangerous({ headers: bearer(token) })).status).toBe(401);
  });

  it('an API key cannot do it at all → 403', async () => {
    const r = await call.dangerous({ headers: withKey(adminKey) });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('INTERACTIVE_LOGIN_REQUIRED');
    expect(r.headers['WWW-Authenticate']).toBeUndefined();
  });

  it('a caller without the route’s role gets the role refusal, not a step-up it could not use', async () => {
    const r = await call.dangerous({ headers: bearer(await tokenOf('u_viewer', 3600)) });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('ROLE_REQUIRED');
  });

  it('routes that do not declare it take stale logins and API keys', async () => {
    expect((await call.ordinary({ headers: bearer(await tokenOf('u_admin', 86_000)) })).status).toBe(200);
    expect((await call.ordinary({ headers: bearer(await tokenOf('u_admin', 'absent')) })).status).toBe(200);
    expect((await call.ordinary({ headers: withKey(adminKey) })).status).toBe(200);
  });
});
