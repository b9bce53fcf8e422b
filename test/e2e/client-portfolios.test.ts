import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { BallastClient, Problem } from '../../packages/client/src/index.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

/**
 * Portfolios through the typed client (packages/client, generated from the route table): paths,
 * parameters, bodies and replies are checked by TypeScript against the contract, so a contract
 * change that breaks a caller breaks the type-check of this file. The `@ts-expect-error` lines are
 * calls the contract forbids; each is also sent, and the server refuses it too.
 */
let t: TestRuntime;
let nav: BallastClient;
let obs: BallastClient;

beforeAll(async () => {
  t = await startRuntime();
  nav = t.client({ token: await t.token('u_navigator', 't_demo'), projectId: 'p_demo' });
  obs = t.client({ token: await t.token('u_observer', 't_demo'), projectId: 'p_demo' });
});
afterAll(async () => {
  await t.stop();
});

/** The declared success body, or the test fails with the problem the API answered. */
function ok<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.data === undefined) throw new Error(`${r.response.status}: ${JSON.stringify(r.error)}`);
  return r.data;
}

/** The Problem Details of a refusal. */
function refused(r: { data?: unknown; error?: Problem; response: Response }, status: number): Problem {
  expect(r.response.status, JSON.stringify(r.error)).toBe(status);
  if (!r.error) throw new Error(`no problem body on ${r.response.status}`);
  return r.error;
}

describe('portfolios through the typed client', () => {
  it('create (idempotent), read, page, update with If-Match, delete', async () => {
    const key = { 'Idempotency-Key': 'typed-client-create-1' };
    const body = { name: 'Typed', baseCurrency: 'EUR', cash: '1234.50', description: 'via the client' };
    const created = await nav.POST('/v1/portfolios', { params: { header: key }, body });
    expect(created.response.status).toBe(201);
    const p = ok(created);
    expectTypeOf(p.cash).toEqualTypeOf<string>();
    expectTypeOf(p.version).toEqualTypeOf<number>();
    expect(p).toMatchObject({ name: 'Typed', baseCurrency: 'EUR', cash: '1234.50', version: 1, projectId: 'p_demo' });
    expect(created.response.headers.get('etag')).toBe('"1"');
    expect(created.response.headers.get('location')).toContain(p.portfolioId);

    const replay = await nav.POST('/v1/portfolios', { params: { header: key }, body });
    expect(replay.response.headers.get('idempotent-replayed')).toBe('true');
    expect(ok(replay).portfolioId).toBe(p.portfolioId);

    const read = await obs.GET('/v1/portfolios/{portfolioId}', { params: { path: { portfolioId: p.portfolioId } } });
    expect(ok(read).cash).toBe('1234.50');
    const etag = read.response.headers.get('etag') ?? '';
    expect(etag).toBe('"1"');

    await nav.POST('/v1/portfolios', { body: { name: 'Second', cash: '1.00' } });
    const first = ok(await nav.GET('/v1/portfolios', { params: { query: { limit: 1 } } }));
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toBeTypeOf('string');
    const cursor = first.nextCursor ?? '';
    const second = ok(await nav.GET('/v1/portfolios', { params: { query: { limit: 1, cursor } } }));
    expect(second.items).toHaveLength(1);
    expect(second.items[0].portfolioId).not.toBe(first.items[0].portfolioId);

    const path = { portfolioId: p.portfolioId };
    const stale = await nav.PATCH('/v1/portfolios/{portfolioId}', {
      params: { path, header: { 'If-Match': '"9"' } },
      body: { cash: '10.00' },
    });
    expect(refused(stale, 412).code).toBeTypeOf('string');
    const patched = await nav.PATCH('/v1/portfolios/{portfolioId}', {
      params: { path, header: { 'If-Match': etag } },
      body: { cash: '99.99', description: null },
    });
    expect(ok(patched)).toMatchObject({ cash: '99.99', version: 2 });
    expect(ok(patched).description).toBeUndefined();

    const gone = await nav.DELETE('/v1/portfolios/{portfolioId}', {
      params: { path, header: { 'If-Match': patched.response.headers.get('etag') ?? '' } },
    });
    expect(gone.response.status).toBe(204);
    expect(refused(await nav.GET('/v1/portfolios/{portfolioId}', { params: { path } }), 404).requestId).toBeTruthy();
  });

  it('what the contract forbids, the types refuse and the server refuses', async () => {
    // @ts-expect-error money is a decimal string, never a JSON number
    const numeric = await nav.POST('/v1/portfolios', { body: { name: 'Float', cash: 12.5 } });
    expect(refused(numeric, 400).errors?.map((e) => e.path)).toContain('body.cash');

    // (An unknown body field is not a type error: openapi-fetch infers the init object generically,
    // so TypeScript's excess-property check does not apply. The server refuses it.)
    const unknownField = await nav.POST('/v1/portfolios', { body: { name: 'X', owner: 'me' } });
    expect(refused(unknownField, 400).errors?.map((e) => e.path)).toContain('body.owner');

    const created = ok(await nav.POST('/v1/portfolios', { body: { name: 'Guarded' } }));
    const path = { portfolioId: created.portfolioId };
    // @ts-expect-error If-Match is required on PATCH
    const noMatch = await nav.PATCH('/v1/portfolios/{portfolioId}', { params: { path }, body: { name: 'Y' } });
    expect(refused(noMatch, 428).code).toBeTruthy();

    // Negative cash is a valid string type-wise; the documented pattern and the server refuse it.
    const negative = await nav.POST('/v1/portfolios', { body: { name: 'Neg', cash: '-1.00' } });
    expect(refused(negative, 400).errors?.map((e) => e.path)).toContain('body.cash');

    // Below its tier: a Problem, typed as one.
    const denied = await obs.POST('/v1/portfolios', { body: { name: 'Nope' } });
    const problem = refused(denied, 403);
    expectTypeOf(problem.code).toEqualTypeOf<string>();
    expect(denied.response.headers.get('ratelimit-limit')).toBeTruthy();
  });

  it('sends the project, tenant and env it was created with; per call they can be overridden', async () => {
    const other = t.client({ token: await t.token('u_navigator', 't_demo'), projectId: 'p_nowhere' });
    expect((await other.GET('/v1/portfolios')).response.status).toBe(400);
    const fixed = await other.GET('/v1/portfolios', { params: { header: { 'X-Project-Id': 'p_demo' } } });
    expect(ok(fixed).items).toBeInstanceOf(Array);
    const mismatch = t.client({
      token: await t.token('u_navigator', 't_demo'),
      projectId: 'p_demo',
      tenantId: 't_acme',
    });
    expect(refused(await mismatch.GET('/v1/portfolios'), 403).code).toBe('TENANT_MISMATCH');
  });
});
