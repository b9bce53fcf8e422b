import fc from 'fast-check';
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
import { SYSTEM_TENANT } from '../../../context/types.js';
import { defineRoutes } from '../../define-route.js';
import { DEFAULT_RATE_LIMITS, limitFor, RATE_LIMITS_CONFIG, rateWindow } from './index.js';

const ok = { 200: { description: 'echo', body: z.unknown() } } as const;
const common = { access: 'tenant', uses: { control: 'read' }, responses: ok } as const;

const routes = defineRoutes('probe', {
  read: {
    id: 'probe.read',
    method: 'GET',
    path: '/v1/probe/read',
    summary: 'any member',
    minTier: 'observer',
    roles: [],
    request: { query: z.optional(z.strictObject({ n: z.optional(z.string()) })) },
    ...common,
  },
  write: {
    id: 'probe.write',
    method: 'POST',
    path: '/v1/probe/write',
    summary: 'a write with a tighter limit',
    minTier: 'observer',
    roles: [],
    writeLimitFactor: 0.5,
    request: { body: z.optional(z.unknown()) },
    ...common,
  },
  navigator: {
    id: 'probe.navigator',
    method: 'GET',
    path: '/v1/probe/navigator',
    summary: 'navigator and above',
    minTier: 'navigator',
    roles: [],
    request: {},
    ...common,
  },
  admin: {
    id: 'probe.admin',
    method: 'GET',
    path: '/v1/probe/admin',
    summary: 'admins only',
    minTier: 'observer',
    roles: ['admin'],
    request: {},
    ...common,
  },
  overridable: {
    id: 'probe.overridable',
    method: 'GET',
    path: '/v1/probe/overridable',
    summary: 'sovereign traders, or a system admin',
    minTier: 'sovereign',
    roles: ['trader'],
    systemAdminOverride: true,
    request: {},
    ...common,
  },
});

/** Small limits in the configuration data keep the exhaustion tests short. */
const SMALL = { observer: 3, navigator: 5, operator: 7, sovereign: 9, default: 4 };

let bed: TestBed;
let issuer: LocalIssuer;
let call: Record<keyof typeof routes, Invoke>;
const keys: Record<string, SeededKey> = {};

async function setLimits(value: unknown) {
  await bed.platform.tenancy.putConfig(RATE_LIMITS_CONFIG, value);
  // Limits are cached for 5 s per process: a new minute is well past that.
  bed.clock.nextMinute();
}

beforeAll(async () => {
  bed = await createTestBed({ prefix: 'lim' });
  issuer = await trustIssuer(bed);
  await bed.tenant(SYSTEM_TENANT);
  await bed.tenant('t_alpha');
  await bed.tenant('t_beta');
  await bed.project('t_alpha', 'p_alpha');
  await bed.project('t_beta', 'p_beta');
  await bed.project(SYSTEM_TENANT, 'p_ops');
  for (const tier of ['observer', 'navigator', 'operator', 'sovereign'] as const) {
    keys[tier] = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier, roles: ['trader'] });
  }
  keys.observer2 = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'observer', roles: ['trader'] });
  keys.tenantAdmin = await bed.apiKey({
    tenantId: 't_alpha',
    projectId: 'p_alpha',
    tier: 'observer',
    roles: ['admin'],
  });
  keys.systemAdmin = await bed.apiKey({
    tenantId: SYSTEM_TENANT,
    projectId: 'p_ops',
    tier: 'observer',
    roles: ['admin'],
  });
  await bed.member('t_alpha', 'u_dual', 'observer', ['trader']);
  await bed.member('t_beta', 'u_dual', 'observer', ['trader']);
  call = {
    read: probe(bed.platform, routes.read, echo()),
    write: probe(bed.platform, routes.write, echo()),
    navigator: probe(bed.platform, routes.navigator, echo()),
    admin: probe(bed.platform, routes.admin, echo()),
    overridable: probe(bed.platform, routes.overridable, echo()),
  };
  await setLimits(SMALL);
});

beforeEach(() => {
  bed.clock.nextMinute();
});

describe('rateWindow', () => {
  const at = (h: number, m: number, s: number, ms = 0) => Date.UTC(2030, 0, 15, h, m, s, ms);

  it('the last second of a minute and the first of the next are different windows', () => {
    const last = rateWindow(at(13, 30, 59, 999));
    const first = rateWindow(at(13, 31, 0, 0));
    expect(first.window).toBe(last.window + 1);
    expect(last.window).toBe(Math.floor(at(13, 30, 0) / 60_000));
    expect(last.reset).toBe(1);
    expect(first.reset).toBe(60);
    // a counter outlives its own window by a full minute, so a late request still finds it
    expect(last.expires).toBe(at(13, 32, 0) / 1000);
    expect(first.expires).toBe(at(13, 33, 0) / 1000);
  });

  it('reset counts the seconds to the end of the window; expires is after it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        const { window, reset, expires } = rateWindow(ms);
        const seconds = Math.floor(ms / 1000);
        expect(window).toBe(Math.floor(ms / 60_000));
        expect(reset).toBeGreaterThanOrEqual(1);
        expect(reset).toBeLessThanOrEqual(60);
        expect(seconds + reset).toBe((window + 1) * 60);
        expect(expires - seconds).toBeGreaterThan(60);
        expect(expires - seconds).toBeLessThanOrEqual(120);
      }),
      { numRuns: 300 },
    );
  });
});

describe('limitFor', () => {
  it('takes the tier’s limit, the default for an unknown tier, scaled by writeLimitFactor (at least 1)', () => {
    expect(limitFor(DEFAULT_RATE_LIMITS, 'observer')).toBe(30);
    expect(limitFor(DEFAULT_RATE_LIMITS, 'sovereign')).toBe(240);
    expect(limitFor(DEFAULT_RATE_LIMITS, 'platinum')).toBe(60);
    expect(limitFor(DEFAULT_RATE_LIMITS, 'navigator', 0.5)).toBe(30);
    expect(limitFor(DEFAULT_RATE_LIMITS, 'observer', 0.25)).toBe(7);
    expect(limitFor(DEFAULT_RATE_LIMITS, 'observer', 0.001)).toBe(1);
  });
});

describe('the per-minute counter', () => {
  it('allows the N-th request and refuses the N+1-th with 429, Retry-After and RateLimit-*', async () => {
    bed.clock.nextMinute(10_000); // hh:mm:10 → 50 s left in the window
    for (let i = 1; i <= SMALL.observer; i++) {
      const r = await call.read({ headers: withKey(keys.observer) });
      expect(r.status, `request ${i}`).toBe(200);
      expect(r.headers['RateLimit-Limit']).toBe('3');
      expect(r.headers['RateLimit-Remaining']).toBe(String(SMALL.observer - i));
      expect(r.headers['RateLimit-Reset']).toBe('50');
      expect(r.headers['Retry-After']).toBeUndefined();
    }
    bed.clock.advance(5_000);
    const refused = await call.read({ headers: withKey(keys.observer) });
    expect(refused.status).toBe(429);
    expect(refused.headers['Content-Type']).toBe('application/problem+json');
    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(refused.headers['Retry-After']).toBe('45');
    expect(refused.headers['RateLimit-Reset']).toBe('45');
    expect(refused.headers['RateLimit-Limit']).toBe('3');
    expect(refused.headers['RateLimit-Remaining']).toBe('0');
  });

  it('a new window is open again: the last second of a minute vs the first of the next', async () => {
    bed.clock.nextMinute(59_000);
    for (let i = 0; i < SMALL.observer; i++)
      expect((await call.read({ headers: withKey(keys.observer) })).status).toBe(200);
    bed.clock.advance(999); // hh:mm:59.999
    const last = await call.read({ headers: withKey(keys.observer) });
    expect(last.status).toBe(429);
    expect(last.headers['Retry-After']).toBe('1');
    bed.clock.advance(1); // hh:mm+1:00.000
    const first = await call.read({ headers: withKey(keys.observer) });
    expect(first.status).toBe(200);
    expect(first.headers['RateLimit-Remaining']).toBe(String(SMALL.observer - 1));
    expect(first.headers['RateLimit-Reset']).toBe('60');
  });

  it('counts per (tenant, principal): another key of the same tenant keeps its full budget', async () => {
    for (let i = 0; i <= SMALL.observer; i++) await call.read({ headers: withKey(keys.observer) });
    expect((await call.read({ headers: withKey(keys.observer) })).status).toBe(429);
    const other = await call.read({ headers: withKey(keys.observer2) });
    expect(other.status).toBe(200);
    expect(other.headers['RateLimit-Remaining']).toBe(String(SMALL.observer - 1));
  });

  it('counts per (tenant, principal): the same user in another tenant keeps its full budget', async () => {
    const alpha = bearer(await issuer.mint({ sub: 'u_dual', tenantId: 't_alpha' }));
    const beta = bearer(await issuer.mint({ sub: 'u_dual', tenantId: 't_beta' }));
    for (let i = 0; i < SMALL.observer; i++) expect((await call.read({ headers: alpha })).status).toBe(200);
    expect((await call.read({ headers: alpha })).status).toBe(429);
    const r = await call.read({ headers: beta });
    expect(r.status).toBe(200);
    expect(r.headers['RateLimit-Remaining']).toBe(String(SMALL.observer - 1));
  });

  it('writeLimitFactor tightens a route’s limit (the budget is the principal’s, shared with reads)', async () => {
    const headers = withKey(keys.navigator); // 5 a minute, writes at half: 2
    const first = await call.write({ headers, body: {} });
    expect(first.status).toBe(200);
    expect(first.headers['RateLimit-Limit']).toBe('2');
    expect(first.headers['RateLimit-Remaining']).toBe('1');
    expect((await call.write({ headers, body: {} })).status).toBe(200);
    const third = await call.write({ headers, body: {} });
    expect(third.status).toBe(429);
    expect(third.headers['RateLimit-Limit']).toBe('2');
    // reads still have the rest of the tier's budget
    const read = await call.read({ headers });
    expect(read.status).toBe(200);
    expect(read.headers['RateLimit-Limit']).toBe('5');
    expect(read.headers['RateLimit-Remaining']).toBe('1');
  });

  it('limits follow the caller’s tier in the configuration data', async () => {
    for (const tier of ['observer', 'navigator', 'operator', 'sovereign'] as const) {
      const r = await call.read({ headers: withKey(keys[tier]) });
      expect(r.headers['RateLimit-Limit'], tier).toBe(String(SMALL[tier]));
    }
  });

  it('RateLimit-* headers are on refusals after the limit check too (a validation 400)', async () => {
    const r = await call.read({ headers: withKey(keys.observer), query: { bogus: '1' } });
    expect(r.status).toBe(400);
    expect(r.headers['RateLimit-Limit']).toBe('3');
    expect(r.headers['RateLimit-Remaining']).toBe('2');
  });
});

describe('a missing or corrupt limits config falls back to the contract numbers', () => {
  const corrupt: Array<[string, unknown]> = [
    ['missing', undefined],
    ['not an object', 'lots'],
    ['null', null],
    ['an array', [30, 60]],
    ['a tier missing', { observer: 3, navigator: 5, operator: 7, default: 4 }],
    ['an unknown member', { ...SMALL, platinum: 1000 }],
    ['a zero', { ...SMALL, observer: 0 }],
    ['a negative', { ...SMALL, navigator: -5 }],
    ['a fraction', { ...SMALL, operator: 7.5 }],
    ['a string number', { ...SMALL, sovereign: '9' }],
  ];

  for (const [what, value] of corrupt) {
    it(`${what} → observer 30, navigator 60, operator 120, sovereign 240`, async () => {
      await setLimits(value);
      for (const tier of ['observer', 'navigator', 'operator', 'sovereign'] as const) {
        const r = await call.read({ headers: withKey(keys[tier]) });
        expect(r.status, tier).toBe(200);
        expect(r.headers['RateLimit-Limit'], tier).toBe(String(DEFAULT_RATE_LIMITS[tier]));
      }
    });
  }

  it('a valid config applies again once the cache has passed', async () => {
    await setLimits(SMALL);
    expect((await call.read({ headers: withKey(keys.operator) })).headers['RateLimit-Limit']).toBe('7');
  });
});

describe('tier and role gate', () => {
  it('below the route’s tier → 403 TIER_TOO_LOW', async () => {
    const r = await call.navigator({ headers: withKey(keys.observer) });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('TIER_TOO_LOW');
    for (const tier of ['navigator', 'operator', 'sovereign'] as const) {
      expect((await call.navigator({ headers: withKey(keys[tier]) })).status, tier).toBe(200);
    }
  });

  it('without one of the route’s roles → 403 ROLE_REQUIRED', async () => {
    const r = await call.admin({ headers: withKey(keys.sovereign) });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('ROLE_REQUIRED');
    expect((await call.admin({ headers: withKey(keys.tenantAdmin) })).status).toBe(200);
  });

  it('a system admin passes the gate only on routes with systemAdminOverride', async () => {
    const overridden = await call.overridable({ headers: withKey(keys.systemAdmin) });
    expect(overridden.status).toBe(200);
    const tenantAdmin = await call.overridable({ headers: withKey(keys.tenantAdmin) });
    expect(tenantAdmin.status).toBe(403);
    expect(tenantAdmin.body.code).toBe('TIER_TOO_LOW');
    const noOverride = await call.navigator({ headers: withKey(keys.systemAdmin) });
    expect(noOverride.status).toBe(403);
    expect(noOverride.body.code).toBe('TIER_TOO_LOW');
  });

  it('a system admin is still rate limited on an overridden route', async () => {
    for (let i = 0; i < SMALL.observer; i++) {
      expect((await call.overridable({ headers: withKey(keys.systemAdmin) })).status).toBe(200);
    }
    expect((await call.overridable({ headers: withKey(keys.systemAdmin) })).status).toBe(429);
  });

  // DESIGN "HTTP conventions": RateLimit-* headers on every authenticated response, refusals included.
  // A tier/role refusal comes after the request was counted against the caller's budget.
  it('a tier refusal still carries RateLimit-* headers (it was counted)', async () => {
    const r = await call.navigator({ headers: withKey(keys.observer) });
    expect(r.status).toBe(403);
    expect(r.headers['RateLimit-Limit']).toBe('3');
    expect(r.headers['RateLimit-Remaining']).toBe('2');
  });
});

// issue 8: refusals of the context step (TENANT_MISMATCH, INVALID_TENANT_ID, NOT_A_MEMBER, …) were
// neither counted nor answered with RateLimit-* headers.
describe('refused requests are counted too, and carry RateLimit-*', () => {
  const refusals = (): Array<[string, number, () => Promise<Record<string, string>>, Record<string, string>]> => [
    ['TENANT_MISMATCH', 403, async () => withKey(keys.observer), { 'X-Tenant-Id': 't_beta' }],
    ['INVALID_TENANT_ID', 400, async () => withKey(keys.observer), { 'X-Tenant-Id': 'NOT A TENANT' }],
    ['CONTEXT_MISMATCH', 400, async () => withKey(keys.observer), { 'X-Project-Id': 'p_beta' }],
    [
      'PROJECT_UNKNOWN',
      400,
      async () => bearer(await issuer.mint({ sub: 'u_dual', tenantId: 't_alpha' })),
      {
        'X-Project-Id': 'p_nowhere',
      },
    ],
    ['NOT_A_MEMBER', 403, async () => bearer(await issuer.mint({ sub: 'u_nobody', tenantId: 't_alpha' })), {}],
  ];

  for (const [code, status] of refusals().map(([c, s]) => [c, s] as const)) {
    it(`${code} → ${status} with RateLimit-*, and 429 once the budget is spent`, async () => {
      const [, , credentials, headers] = refusals().find(([c]) => c === code) ?? [];
      if (!credentials || !headers) throw new Error(code);
      const creds = await credentials();
      // a key's tier is known before the refusal; a user's only from a membership record
      const limit = code === 'NOT_A_MEMBER' ? SMALL.default : SMALL.observer;
      for (let i = 1; i <= limit; i++) {
        const r = await call.read({ headers: { ...creds, ...headers } });
        expect(r.status, `${code} #${i}`).toBe(status);
        expect(r.body.code).toBe(code);
        expect(r.headers['RateLimit-Limit']).toBe(String(limit));
        expect(r.headers['RateLimit-Remaining']).toBe(String(limit - i));
        expect(r.headers['RateLimit-Reset']).toBeDefined();
      }
      const over = await call.read({ headers: { ...creds, ...headers } });
      expect(over.status).toBe(429);
      expect(over.body.code).toBe('RATE_LIMITED');
      expect(over.headers['Retry-After']).toBeDefined();
    });
  }

  it('a refusal naming another tenant counts under the credential’s own: made-up tenants buy no budget', async () => {
    for (let i = 0; i < SMALL.observer; i++) {
      const r = await call.read({ headers: { ...withKey(keys.observer), 'X-Tenant-Id': `t_made_up_${i}` } });
      expect(r.status).toBe(403);
    }
    const own = await call.read({ headers: withKey(keys.observer) });
    expect(own.status).toBe(429);
  });

  it('a user whose id reads like an API key principal does not spend that key’s budget', async () => {
    const imitator = `apikey:${keys.observer.keyId}`;
    await bed.member('t_alpha', imitator, 'observer', ['trader']);
    const token = bearer(await issuer.mint({ sub: imitator, tenantId: 't_alpha' }));
    for (let i = 0; i < SMALL.observer; i++) expect((await call.read({ headers: token })).status).toBe(200);
    expect((await call.read({ headers: token })).status).toBe(429);
    const key = await call.read({ headers: withKey(keys.observer) });
    expect(key.status).toBe(200);
    expect(key.headers['RateLimit-Remaining']).toBe(String(SMALL.observer - 1));
  });
});
