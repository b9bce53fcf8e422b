import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { LocalIssuer } from '../../../../../local/src/issuer.js';
import {
  bearer,
  createTestBed,
  type Invoke,
  probe,
  type SeededKey,
  type TestBed,
  trustIssuer,
  withKey,
} from '../../../../test/support/harness.js';
import { LocalSecretResolver } from '../../../secrets/resolver.js';
import { defineRoutes } from '../../define-route.js';
import type { RouteHandler } from '../../handler.js';
import { CURSOR_TTL_SECONDS } from './index.js';

const CURSOR_REF = 'ballast/test/cursor-key';

const listQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.refine(Number.isInteger), z.gte(1), z.lte(200)), 50),
  cursor: z.optional(z.string().check(z.maxLength(2048))),
  kind: z.optional(z.string()),
});

const list = {
  method: 'GET',
  summary: 'pages through positions raw-1, raw-2, raw-3',
  access: 'tenant',
  minTier: 'observer',
  roles: [],
  uses: { control: 'read', secrets: ['cursor'] },
  request: { query: listQuery },
  responses: { 200: { description: 'a page', body: z.unknown() } },
} as const;

const routes = defineRoutes('probe', {
  things: { ...list, id: 'probe.things', path: '/v1/probe/things' },
  others: { ...list, id: 'probe.others', path: '/v1/probe/others' },
  undeclared: { ...list, id: 'probe.undeclared', path: '/v1/probe/undeclared', uses: { control: 'read' } },
});

interface Page {
  code?: string;
  errors?: Array<{ path: string; message: string }>;
  /** the raw position the handler received */
  received: string | null;
  nextCursor: string | null;
}

/** A list of three pages whose store positions are `raw-1`, `raw-2`, `raw-3`. */
const things: RouteHandler<(typeof routes)['things']> = async (input) => {
  const at = input.query.cursor ?? null;
  const n = at === null ? 1 : Number(at.slice('raw-'.length)) + 1;
  return { status: 200, body: { received: at, nextCursor: n < 3 ? `raw-${n}` : null } };
};

let bed: TestBed;
let bare: TestBed;
let issuer: LocalIssuer;
let secretsDir: string;
let call: Record<keyof typeof routes, Invoke>;
let keyA: SeededKey;
let keyB: SeededKey;

beforeAll(async () => {
  secretsDir = await mkdtemp(join(tmpdir(), 'ballast-cursors-'));
  await new LocalSecretResolver(secretsDir).put(CURSOR_REF, 'cursor-key-for-tests-0123456789abcdef');
  bed = await createTestBed({
    prefix: 'cursors',
    config: { secretsBackend: 'local', localSecretsDir: secretsDir, cursorSecretRef: CURSOR_REF },
  });
  issuer = await trustIssuer(bed);
  await bed.tenant('t_alpha');
  await bed.tenant('t_beta');
  await bed.project('t_alpha', 'p_alpha');
  await bed.project('t_beta', 'p_beta');
  await bed.member('t_alpha', 'u_alice', 'observer', ['viewer']);
  keyA = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'observer', roles: ['viewer'] });
  keyB = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'observer', roles: ['viewer'] });
  call = {
    things: probe(bed.platform, routes.things, things),
    others: probe(bed.platform, routes.others, things as never),
    undeclared: probe(bed.platform, routes.undeclared, things as never),
  };
  bare = await createTestBed({ prefix: 'cursors-bare' });
  await bare.tenant('t_alpha');
  await bare.project('t_alpha', 'p_alpha');
});

afterAll(async () => {
  await rm(secretsDir, { recursive: true, force: true });
});

beforeEach(() => {
  bed.clock.nextMinute();
});

const page = (o: { key?: SeededKey; cursor?: string; query?: Record<string, string>; headers?: object } = {}) =>
  call.things<Page>({
    headers: { ...withKey(o.key ?? keyA), ...(o.headers ?? {}) },
    query: { ...(o.query ?? {}), ...(o.cursor === undefined ? {} : { cursor: o.cursor }) },
  });

async function firstCursor(o: Parameters<typeof page>[0] = {}): Promise<string> {
  const r = await page({ ...o, cursor: undefined });
  expect(r.status).toBe(200);
  expect(typeof r.body.nextCursor).toBe('string');
  return r.body.nextCursor ?? '';
}

const expectInvalid = async (answer: Promise<{ status: number; body: Page }>, why?: RegExp) => {
  const r = await answer;
  expect(r.status).toBe(400);
  expect(r.body.code).toBe('INVALID_CURSOR');
  expect(r.body.errors?.[0]?.path).toBe('query.cursor');
  if (why) expect(r.body.errors?.[0]?.message).toMatch(why);
  expect(r.body.received, 'the handler never ran').toBeUndefined();
};

describe('signed cursors: the mechanism', () => {
  it('nextCursor is sealed (opaque, not the raw position); the next page’s handler gets the raw position', async () => {
    const first = await page();
    expect(first.body.received).toBeNull();
    const sealed = first.body.nextCursor ?? '';
    expect(sealed).not.toContain('raw-1');
    expect(Buffer.from(sealed.split('.')[0], 'base64url').toString()).not.toMatch(/^raw-1$/);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const second = await page({ cursor: sealed });
    expect(second.status).toBe(200);
    expect(second.body.received).toBe('raw-1');
    const third = await page({ cursor: second.body.nextCursor ?? '' });
    expect(third.body.received).toBe('raw-2');
    expect(third.body.nextCursor).toBeNull();
  });

  it('a raw position, a tampered payload or signature, junk → 400 INVALID_CURSOR; the handler never runs', async () => {
    const sealed = await firstCursor();
    const [payload, mac] = sealed.split('.');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const forgedPayload = Buffer.from(JSON.stringify({ p: 'raw-2', x: 4_102_444_800 })).toString('base64url');
    for (const bad of [
      'raw-1',
      Buffer.from(JSON.stringify({ PK: 'TENANT#t_alpha', SK: '' })).toString('base64url'),
      `${flip(payload, 3)}.${mac}`,
      `${payload}.${flip(mac, 5)}`,
      `${forgedPayload}.${mac}`,
      `${payload}.`,
      `${payload}.${mac}.x`,
      `${payload}`,
      '.',
      '',
    ]) {
      await expectInvalid(page({ cursor: bad }));
    }
  });

  it('any string as a cursor answers 200 or 400, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (cursor) => {
        bed.clock.nextMinute(); // a fresh rate-limit window for every run
        const r = await page({ cursor });
        expect([200, 400]).toContain(r.status);
        if (r.status === 400) expect(r.body.code).toBe('INVALID_CURSOR');
      }),
      { numRuns: 60 },
    );
  });

  it('bound to the principal: another key of the same tenant cannot use it', async () => {
    await expectInvalid(page({ key: keyB, cursor: await firstCursor() }), /not issued for this/);
  });

  it('bound to the tenant: a user cannot carry one from one tenant to another', async () => {
    await bed.member('t_beta', 'u_alice', 'observer', ['viewer']);
    const token = await issuer.mint({ sub: 'u_alice' }, bed.clock.now);
    const inAlpha = await call.things<Page>({ headers: { ...bearer(token), 'X-Tenant-Id': 't_alpha' } });
    expect(inAlpha.status).toBe(200);
    const r = call.things<Page>({
      headers: { ...bearer(token), 'X-Tenant-Id': 't_beta' },
      query: { cursor: inAlpha.body.nextCursor ?? '' },
    });
    await expectInvalid(r);
  });

  it('bound to the env and the project', async () => {
    const sealed = await firstCursor();
    await expectInvalid(page({ cursor: sealed, headers: { 'X-Env': 'staging' } }));
    const token = await issuer.mint({ sub: 'u_alice', tenantId: 't_alpha' }, bed.clock.now);
    const inProject = await call.things<Page>({ headers: { ...bearer(token), 'X-Project-Id': 'p_alpha' } });
    const r = call.things<Page>({ headers: bearer(token), query: { cursor: inProject.body.nextCursor ?? '' } });
    await expectInvalid(r);
  });

  it('bound to the route: a cursor of one list is refused by another', async () => {
    const sealed = await firstCursor();
    const r = call.others<Page>({ headers: withKey(keyA), query: { cursor: sealed } });
    await expectInvalid(r);
  });

  it('bound to the query: another filter or page size is another list', async () => {
    const sealed = await firstCursor({ query: { kind: 'open' } });
    expect((await page({ cursor: sealed, query: { kind: 'open' } })).status).toBe(200);
    await expectInvalid(page({ cursor: sealed, query: { kind: 'closed' } }));
    await expectInvalid(page({ cursor: sealed }));
    await expectInvalid(page({ cursor: sealed, query: { kind: 'open', limit: '10' } }));
    // the default page size is the same query whether it is spelled out or not
    const byDefault = await firstCursor();
    expect((await page({ cursor: byDefault, query: { limit: '50' } })).status).toBe(200);
  });

  it('expires 24 h after it was handed out, on the platform clock', async () => {
    const sealed = await firstCursor();
    bed.clock.advance(CURSOR_TTL_SECONDS * 1000 - 1000);
    expect((await page({ cursor: sealed })).status).toBe(200);
    bed.clock.advance(1000);
    await expectInvalid(page({ cursor: sealed }), /expired/);
  });

  it('a cursor signed with another key (before a rotation) is refused', async () => {
    const sealed = await firstCursor();
    await new LocalSecretResolver(secretsDir).put(CURSOR_REF, 'a-rotated-key-0123456789abcdefghij');
    try {
      await expectInvalid(page({ cursor: sealed }));
    } finally {
      await new LocalSecretResolver(secretsDir).put(CURSOR_REF, 'cursor-key-for-tests-0123456789abcdef');
    }
  });

  it('without a cursor key configured a list that pages answers 503 CURSOR_KEY_NOT_CONFIGURED', async () => {
    const key = await bare.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'observer', roles: ['viewer'] });
    const r = await probe(bare.platform, routes.things, things)({ headers: withKey(key) });
    expect(r.status).toBe(503);
    expect(r.body.code).toBe('CURSOR_KEY_NOT_CONFIGURED');
  });

  it('a route answering a cursor without declaring uses.secrets cursor fails closed (never unsigned)', async () => {
    const r = await call.undeclared<Page>({ headers: withKey(keyA) });
    expect(r.status).toBe(500);
    expect(r.text).not.toContain('raw-1');
  });
});
