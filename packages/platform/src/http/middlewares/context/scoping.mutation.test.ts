// Scoping rules of the context middleware that `npm run mutate -- pipeline` found unpinned
// (issue 16): each test names the behaviour, not the mutant.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { LocalIssuer } from '../../../../../local/src/issuer.js';
import {
  bearer,
  createTestBed,
  echo,
  type Echo,
  type Invoke,
  probe,
  type SeededKey,
  type TestBed,
  trustIssuer,
  withKey,
} from '../../../../test/support/harness.js';
import { SYSTEM_TENANT } from '../../../context/types.js';
import { defineRoutes } from '../../define-route.js';
import type { RateCounterStore } from '../limits/store.js';

const ok = { 200: { description: 'echo', body: z.unknown() } } as const;
const base = { minTier: 'observer', roles: [], uses: { control: 'read' }, responses: ok } as const;

const routes = defineRoutes('probe', {
  tenant: {
    id: 'probe.tenant',
    method: 'POST',
    path: '/v1/probe/tenant',
    summary: 'tenant route',
    access: 'tenant',
    ...base,
    request: { body: z.optional(z.record(z.string(), z.unknown())) },
  },
  project: {
    id: 'probe.project',
    method: 'POST',
    path: '/v1/probe/project',
    summary: 'project route',
    access: 'project',
    ...base,
    request: { body: z.optional(z.record(z.string(), z.unknown())) },
  },
  anyBody: {
    id: 'probe.anyBody',
    method: 'POST',
    path: '/v1/probe/any-body',
    summary: 'takes any JSON body',
    access: 'tenant',
    ...base,
    request: { body: z.optional(z.unknown()) },
  },
});

let bed: TestBed;
let issuer: LocalIssuer;
let call: Record<keyof typeof routes, Invoke>;
let alphaKey: SeededKey;
let orphanKey: SeededKey;

beforeAll(async () => {
  bed = await createTestBed({ prefix: 'ctx-scope' });
  issuer = await trustIssuer(bed);
  await bed.tenant(SYSTEM_TENANT);
  await bed.tenant('t_alpha');
  await bed.project('t_alpha', 'p_alpha');
  await bed.member('t_alpha', 'u_alice', 'navigator', ['trader']);
  // t_orphan has memberships, a project and a key, but no tenant record (deleted, or never created)
  await bed.member('t_orphan', 'u_alice', 'sovereign', ['admin']);
  await bed.project('t_orphan', 'p_orphan');
  alphaKey = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'operator', roles: ['trader'] });
  orphanKey = await bed.apiKey({ tenantId: 't_orphan', projectId: 'p_orphan', tier: 'operator', roles: ['trader'] });
  call = {
    tenant: probe(bed.platform, routes.tenant, echo()),
    project: probe(bed.platform, routes.project, echo()),
    anyBody: probe(bed.platform, routes.anyBody, echo()),
  };
});

beforeEach(() => {
  bed.clock.nextMinute();
});

const alice = async (tenantId?: string) => bearer(await issuer.mint({ sub: 'u_alice', tenantId }));

describe('a tenant without its tenant record is no tenant', () => {
  it('a member of it → 403 NOT_A_MEMBER, whatever the membership says', async () => {
    for (const headers of [await alice('t_orphan'), { ...(await alice()), 'X-Tenant-Id': 't_orphan' }]) {
      const r = await call.tenant({ headers });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('NOT_A_MEMBER');
    }
  });

  it('an API key of it → 403 NOT_A_MEMBER', async () => {
    const r = await call.tenant({ headers: withKey(orphanKey) });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('NOT_A_MEMBER');
  });
});

describe('projects are compared on project routes only', () => {
  it('a tenant route’s body may name a project (it is data there: no X-Project-Id to compare with)', async () => {
    const r = await call.tenant<Echo>({ headers: await alice('t_alpha'), body: { projectId: 'p_new' } });
    expect(r.status).toBe(200);
    expect(r.body.ctx?.projectId).toBeUndefined();
    expect(r.body.body).toEqual({ projectId: 'p_new' });
  });

  it('an API key on a tenant route: its own project is the context; a body naming another is data', async () => {
    const r = await call.tenant<Echo>({ headers: withKey(alphaKey), body: { projectId: 'p_other' } });
    expect(r.status).toBe(200);
    expect(r.body.ctx?.projectId).toBe('p_alpha');
  });

  it('on a project route the same body → 400 CONTEXT_MISMATCH', async () => {
    const r = await call.project({ headers: withKey(alphaKey), body: { projectId: 'p_other' } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'CONTEXT_MISMATCH', errors: [{ path: 'body.projectId' }] });
  });
});

describe('bodies that are not objects name no tenant or project', () => {
  it('null, an array, a string, a number: no 500, the context holds and the body reaches the handler', async () => {
    for (const body of [null, [{ tenantId: 't_beta' }], 't_beta', 42, true]) {
      const r = await call.anyBody<Echo>({ headers: await alice('t_alpha'), body });
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect(r.body.ctx?.tenantId).toBe('t_alpha');
      expect(r.body.body).toEqual(body);
    }
  });

  it('a route whose schema refuses it answers the validation 400, not a 500', async () => {
    const r = await call.tenant({ headers: await alice('t_alpha'), body: null });
    expect(r.status).toBe(400);
    expect(r.body.code).not.toBe('INTERNAL');
  });
});

describe('a refusal is counted under a tenant the caller could claim', () => {
  it('no tenant anywhere (TENANT_REQUIRED): counted under t_system, with RateLimit-* headers', async () => {
    await bed.member(SYSTEM_TENANT, 'u_sys', 'observer', ['viewer']);
    const untenanted = bearer(await issuer.mint({ sub: 'u_sys' }));
    const first = await call.tenant({ headers: untenanted });
    expect(first.status).toBe(400);
    expect(first.body.code).toBe('TENANT_REQUIRED');
    expect(first.headers['RateLimit-Limit']).toBe('60');
    expect(first.headers['RateLimit-Remaining']).toBe('59');
    // the same user's next request, now in t_system, spends the same budget
    const inSystem = await call.tenant({
      headers: bearer(await issuer.mint({ sub: 'u_sys', tenantId: SYSTEM_TENANT })),
    });
    expect(inSystem.status).toBe(200);
    expect(inSystem.headers['RateLimit-Remaining']).toBe(String(30 - 2));
  });

  it('a tenant named by X-Tenant-Id alone is the same budget as the token claiming it', async () => {
    const byHeader = await call.tenant({ headers: { ...(await alice()), 'X-Tenant-Id': 't_alpha' } });
    expect(byHeader.status).toBe(200);
    expect(byHeader.headers['RateLimit-Remaining']).toBe(String(60 - 1));
    const byClaim = await call.tenant({ headers: await alice('t_alpha') });
    expect(byClaim.headers['RateLimit-Remaining']).toBe(String(60 - 2));
    // and a refusal of that header-named tenant (an unknown project) counts there too
    const refused = await call.tenant({
      headers: { ...(await alice()), 'X-Tenant-Id': 't_alpha', 'X-Project-Id': 'p_no' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'PROJECT_UNKNOWN', errors: [{ path: 'headers.x-project-id' }] });
    expect(refused.headers['RateLimit-Remaining']).toBe(String(60 - 3));
  });
});

describe('a failing rate counter', () => {
  let failing: TestBed;
  let failingCall: Invoke;
  let key: SeededKey;

  beforeAll(async () => {
    const down: RateCounterStore = { hit: () => Promise.reject(new Error('counter table unavailable')) };
    failing = await createTestBed({ prefix: 'ctx-down', overrides: { rateCounters: down } });
    await failing.tenant('t_alpha');
    await failing.project('t_alpha', 'p_alpha');
    key = await failing.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'operator', roles: ['trader'] });
    failingCall = probe(failing.platform, routes.tenant, echo());
  });

  it('does not hide a refusal: the caller still learns why it was refused (without RateLimit-*)', async () => {
    // an unhandled rejection ends a Lambda's Node process: the counter's failure must always be handled
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await refusalsStand();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  const refusalsStand = async () => {
    const mismatch = await failingCall({ headers: { ...withKey(key), 'X-Tenant-Id': 't_beta' } });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body.code).toBe('TENANT_MISMATCH');
    expect(mismatch.headers['RateLimit-Limit']).toBeUndefined();
    const unknown = await failingCall({ headers: { ...withKey(key), 'X-Project-Id': 'p_nope' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('CONTEXT_MISMATCH');
  };
});
