// Rate-limit rules that `npm run mutate -- pipeline` found unpinned (issue 16): where the limits
// are read from, how long they are cached, and the counter countRequest keeps.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  createTestBed,
  echo,
  type Invoke,
  probe,
  type SeededKey,
  type TestBed,
  withKey,
} from '../../../../test/support/harness.js';
import { defineRoutes } from '../../define-route.js';
import type { PipelineState } from '../../pipeline.js';
import { countRequest, rateWindow } from './index.js';

const routes = defineRoutes('probe', {
  read: {
    id: 'probe.read',
    method: 'GET',
    path: '/v1/probe/read',
    summary: 'any member',
    access: 'tenant',
    minTier: 'observer',
    roles: [],
    uses: { control: 'read' },
    request: {},
    responses: { 200: { description: 'echo', body: z.unknown() } },
  },
  eitherRole: {
    id: 'probe.eitherRole',
    method: 'GET',
    path: '/v1/probe/either-role',
    summary: 'admins or traders',
    access: 'tenant',
    minTier: 'observer',
    roles: ['admin', 'trader'],
    uses: { control: 'read' },
    request: {},
    responses: { 200: { description: 'echo', body: z.unknown() } },
  },
});

const SMALL = { observer: 3, navigator: 5, operator: 7, sovereign: 9, default: 4 };
const LARGER = { observer: 13, navigator: 15, operator: 17, sovereign: 19, default: 14 };

let bed: TestBed;
let call: Invoke;
let eitherRole: Invoke;
let observer: SeededKey;
let viewer: SeededKey;

beforeAll(async () => {
  bed = await createTestBed({ prefix: 'lim-scope' });
  await bed.tenant('t_alpha');
  await bed.project('t_alpha', 'p_alpha');
  observer = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'observer', roles: ['trader'] });
  viewer = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'observer', roles: ['viewer'] });
  call = probe(bed.platform, routes.read, echo());
  eitherRole = probe(bed.platform, routes.eitherRole, echo());
});

beforeEach(() => {
  // past the limits cache (5 s) and in a rate-limit window nobody has used yet
  bed.clock.nextMinute();
});

describe('the limits configuration', () => {
  // the name the seeded configuration data (packages/local seed, stage config) is stored under
  it('is read from the config item named RATE_LIMITS', async () => {
    await bed.platform.tenancy.putConfig('RATE_LIMITS', SMALL);
    bed.clock.nextMinute();
    const r = await call({ headers: withKey(observer) });
    expect(r.status).toBe(200);
    expect(r.headers['RateLimit-Limit']).toBe('3');
  });

  it('is cached 5 s per platform: a change applies once that has passed, not before', async () => {
    // a platform of its own, so this test is the one that makes (and must keep) its cache
    const own = await createTestBed({ prefix: 'lim-cache' });
    await own.tenant('t_alpha');
    await own.project('t_alpha', 'p_alpha');
    const k = await own.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'observer', roles: ['trader'] });
    const read = probe(own.platform, routes.read, echo());
    await own.platform.tenancy.putConfig('RATE_LIMITS', SMALL);
    own.clock.nextMinute(0);
    expect((await read({ headers: withKey(k) })).headers['RateLimit-Limit']).toBe('3');
    await own.platform.tenancy.putConfig('RATE_LIMITS', LARGER);
    own.clock.advance(4_999);
    expect((await read({ headers: withKey(k) })).headers['RateLimit-Limit'], 'still cached').toBe('3');
    own.clock.advance(1);
    expect((await read({ headers: withKey(k) })).headers['RateLimit-Limit'], 'cache passed').toBe('13');
  });
});

describe('the role gate', () => {
  it('one of the route’s roles is enough; none of them → 403 ROLE_REQUIRED', async () => {
    expect((await eitherRole({ headers: withKey(observer) })).status).toBe(200);
    const r = await eitherRole({ headers: withKey(viewer) });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('ROLE_REQUIRED');
  });
});

describe('countRequest', () => {
  const stateAt = (startedAt: number, rateCount?: Promise<number>) =>
    ({
      platform: bed.platform,
      route: routes.read,
      startedAt,
      ...(rateCount ? { rateCount } : {}),
    }) as unknown as PipelineState;

  it('counts the request itself when the context did not (no count started yet)', async () => {
    await bed.platform.tenancy.putConfig('RATE_LIMITS', SMALL);
    const at = bed.clock.nextMinute(20_000);
    const counted = { tenantId: 't_direct', principalKey: 'apiKey:apikey:k_direct' };
    const first = stateAt(at);
    expect(await countRequest(first, 'observer', counted)).toEqual({ over: false, limit: 3, reset: 40 });
    expect(first.rateHeaders).toEqual({ 'RateLimit-Limit': '3', 'RateLimit-Remaining': '2', 'RateLimit-Reset': '40' });
    // it went to the counter of that (tenant, principal) in this window
    const { window, expires } = rateWindow(at);
    expect(await bed.platform.rateCounters.hit(counted.tenantId, counted.principalKey, window, expires)).toBe(2);
    expect(await countRequest(stateAt(at), 'observer', counted)).toEqual({ over: false, limit: 3, reset: 40 });
    const fourth = stateAt(at);
    expect(await countRequest(fourth, 'observer', counted)).toEqual({ over: true, limit: 3, reset: 40 });
    expect(fourth.rateHeaders?.['RateLimit-Remaining']).toBe('0');
  });

  it('a count already started is used, not counted again; an unknown tier has the default limit', async () => {
    await bed.platform.tenancy.putConfig('RATE_LIMITS', SMALL);
    const at = bed.clock.nextMinute(30_000);
    const state = stateAt(at, Promise.resolve(2));
    expect(await countRequest(state, undefined, { tenantId: 't_never', principalKey: 'user:u_never' })).toEqual({
      over: false,
      limit: 4,
      reset: 30,
    });
    const { window, expires } = rateWindow(at);
    expect(await bed.platform.rateCounters.hit('t_never', 'user:u_never', window, expires)).toBe(1);
  });
});
