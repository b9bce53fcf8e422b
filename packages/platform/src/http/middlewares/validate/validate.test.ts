import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { createTestBed, echo, type Echo, type Invoke, probe } from '../../../../test/support/harness.js';
import { AppError } from '../../../errors.js';
import { emptyBody, listQuery } from '../../../schemas/common.js';
import { defineRoutes } from '../../define-route.js';
import { etag, parseIfMatch } from './if-match.js';

const common = {
  access: 'public',
  minTier: 'observer',
  roles: [],
  uses: { control: 'read' },
  responses: { 200: { description: 'echo', body: z.unknown() } },
} as const;

const itemBody = z.strictObject({
  name: z.string().check(z.minLength(1)),
  amount: z.string().check(z.regex(/^\d+(\.\d+)?$/, 'must be a decimal string')),
  tags: z.optional(z.array(z.string().check(z.maxLength(5)))),
  nested: z.optional(z.object({ level: z.number().check(z.refine(Number.isInteger, 'must be an integer')) })),
  currency: z._default(z.string(), 'EUR'),
});

const routes = defineRoutes('probe', {
  put: {
    id: 'probe.put',
    method: 'PUT',
    path: '/v1/probe/items/{itemId}',
    summary: 'params, query and body',
    ...common,
    request: {
      params: z.strictObject({ itemId: z.string().check(z.regex(/^i_[a-z0-9]+$/, 'must look like i_…')) }),
      query: z.strictObject({ dryRun: z.optional(z.enum(['true', 'false'])) }),
      body: itemBody,
    },
  },
  list: {
    id: 'probe.list',
    method: 'GET',
    path: '/v1/probe/items',
    summary: 'a list',
    ...common,
    request: { query: listQuery },
  },
  bare: {
    id: 'probe.bare',
    method: 'POST',
    path: '/v1/probe/bare',
    summary: 'no schemas at all',
    ...common,
    request: {},
  },
  empty: {
    id: 'probe.empty',
    method: 'POST',
    path: '/v1/probe/empty',
    summary: 'an optional empty body',
    ...common,
    request: { body: emptyBody },
  },
  ifMatchRequired: {
    id: 'probe.ifMatchRequired',
    method: 'DELETE',
    path: '/v1/probe/versioned',
    summary: 'If-Match required',
    ifMatch: 'required',
    ...common,
    request: {},
  },
  ifMatchOptional: {
    id: 'probe.ifMatchOptional',
    method: 'PATCH',
    path: '/v1/probe/versioned',
    summary: 'If-Match optional',
    ifMatch: 'optional',
    ...common,
    request: { body: emptyBody },
  },
});

let call: Record<keyof typeof routes, Invoke>;

beforeAll(async () => {
  const bed = await createTestBed({ prefix: 'val' });
  call = {
    put: probe(bed.platform, routes.put, echo()),
    list: probe(bed.platform, routes.list, echo()),
    bare: probe(bed.platform, routes.bare, echo()),
    empty: probe(bed.platform, routes.empty, echo()),
    ifMatchRequired: probe(bed.platform, routes.ifMatchRequired, echo()),
    ifMatchOptional: probe(bed.platform, routes.ifMatchOptional, echo()),
  };
});

const paths = (r: { body: { errors?: Array<{ path: string }> } }) => (r.body.errors ?? []).map((e) => e.path).sort();

describe('zod validation of params, query and body', () => {
  it('a valid request reaches the handler parsed, with defaults applied', async () => {
    const r = await call.put<Echo>({ params: { itemId: 'i_42' }, body: { name: 'x', amount: '12.50' } });
    expect(r.status).toBe(200);
    expect(r.body.params).toEqual({ itemId: 'i_42' });
    expect(r.body.query).toEqual({});
    expect(r.body.body).toEqual({ name: 'x', amount: '12.50', currency: 'EUR' });
  });

  it('every failing field is listed at once, each with its path', async () => {
    const r = await call.put({
      params: { itemId: 'nope' },
      query: { dryRun: 'maybe' },
      body: { name: '', amount: 12.5, tags: ['ok', 'too long'], nested: { level: 1.5 } },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('VALIDATION_FAILED');
    expect(paths(r)).toEqual([
      'body.amount',
      'body.name',
      'body.nested.level',
      'body.tags.1',
      'params.itemId',
      'query.dryRun',
    ]);
    for (const e of r.body.errors ?? []) expect(e.message.length).toBeGreaterThan(0);
  });

  it('a missing required body field is listed by its path', async () => {
    const r = await call.put({ params: { itemId: 'i_1' }, body: { amount: '1' } });
    expect(paths(r)).toEqual(['body.name']);
  });

  it('a missing body where one is required is listed as the body', async () => {
    const r = await call.put({ params: { itemId: 'i_1' } });
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['body']);
  });

  it('query defaults and coercion: ?limit= defaults to 50 and arrives as a number', async () => {
    expect((await call.list<Echo>({})).body.query).toEqual({ limit: 50 });
    expect((await call.list<Echo>({ query: { limit: '20', cursor: 'abc' } })).body.query).toEqual({
      limit: 20,
      cursor: 'abc',
    });
    for (const limit of ['0', '201', '1.5', 'ten']) {
      const r = await call.list({ query: { limit } });
      expect(r.status, limit).toBe(400);
      expect(paths(r), limit).toEqual(['query.limit']);
    }
  });

  // issue 8: `?limit=ten` answered "Invalid input: expected number, received NaN".
  it('messages say what is expected, never what the validator received internally (NaN, undefined)', async () => {
    const ten = await call.list({ query: { limit: 'ten' } });
    expect(ten.body.errors).toEqual([{ path: 'query.limit', message: 'must be a number' }]);
    const missing = await call.put({ params: { itemId: 'i_1' }, body: { amount: '1' } });
    expect(missing.body.errors).toContainEqual({ path: 'body.name', message: 'is required' });
    const wrong = await call.put({ params: { itemId: 'i_1' }, body: { name: 5, amount: '1', tags: 'x' } });
    expect(wrong.body.errors).toContainEqual({ path: 'body.name', message: 'must be a string' });
    expect(wrong.body.errors).toContainEqual({ path: 'body.tags', message: 'must be an array' });
    for (const r of [ten, missing, wrong]) expect(r.text).not.toMatch(/NaN|received|undefined/);
  });

  it('on a route without a query schema every query parameter is refused by name', async () => {
    const r = await call.bare({ query: { page: '1', sort: 'asc' } });
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['query.page', 'query.sort']);
    for (const e of r.body.errors ?? []) expect(e.message).toBe('is not a known parameter');
  });

  // DESIGN "Errors": each problem names its field (`"path":"body.amount"`), a strict schema's
  // unknown keys too, one by one rather than on their parent (`query` / `body`).
  it('on a route with a query schema an unknown parameter is listed by its own path', async () => {
    const r = await call.list({ query: { limit: '5', pgae: '2' } });
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['query.pgae']);
  });

  it('an unknown body member is refused by a strict body schema', async () => {
    const r = await call.put({ params: { itemId: 'i_1' }, body: { name: 'x', amount: '1', admin: true } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(r.body.errors)).toContain('admin');
  });

  it('a body on a route that takes none → 400 naming the body', async () => {
    const r = await call.bare({ body: { anything: 1 } });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'body', message: 'is not accepted on this route' }],
    });
    expect((await call.bare({})).status).toBe(200);
  });

  it('an optional empty body accepts nothing or {} but not members', async () => {
    expect((await call.empty({})).status).toBe(200);
    expect((await call.empty({ body: {} })).status).toBe(200);
    expect((await call.empty({ body: { x: 1 } })).status).toBe(400);
  });
});

describe('If-Match', () => {
  it('required and absent → 428 IF_MATCH_REQUIRED', async () => {
    const r = await call.ifMatchRequired({});
    expect(r.status).toBe(428);
    expect(r.body.code).toBe('IF_MATCH_REQUIRED');
  });

  it('"3" and 3 name version 3', async () => {
    for (const header of ['"3"', '3', ' "3" ']) {
      const r = await call.ifMatchRequired<Echo>({ headers: { 'If-Match': header } });
      expect(r.status, header).toBe(200);
      expect(r.body.ifMatch, header).toBe(3);
    }
  });

  it('malformed → 400 INVALID_IF_MATCH naming the header', async () => {
    for (const header of ['abc', '"v3"', '*', '"3", "4"', '-1', '"1234567890123"', 'W/3x', '', '"3', '3"']) {
      const r = await call.ifMatchRequired({ headers: { 'If-Match': header } });
      expect(r.status, header).toBe(400);
      expect(r.body, header).toMatchObject({ code: 'INVALID_IF_MATCH', errors: [{ path: 'headers.if-match' }] });
    }
  });

  it('a weak ETag never matches (strong comparison, RFC 9110 §13.1.1) → 412 VERSION_MISMATCH', async () => {
    for (const header of ['W/"3"', 'W/3']) {
      const r = await call.ifMatchRequired({ headers: { 'If-Match': header } });
      expect(r.status, header).toBe(412);
      expect(r.body, header).toMatchObject({ code: 'VERSION_MISMATCH' });
    }
  });

  it('optional: absent → undefined, present → the version, malformed → 400', async () => {
    expect((await call.ifMatchOptional<Echo>({})).body.ifMatch).toBeUndefined();
    expect((await call.ifMatchOptional<Echo>({ headers: { 'if-match': '"7"' } })).body.ifMatch).toBe(7);
    expect((await call.ifMatchOptional({ headers: { 'if-match': 'nope' } })).status).toBe(400);
  });

  it('a route that does not declare If-Match ignores it', async () => {
    const r = await call.bare<Echo>({ headers: { 'If-Match': 'garbage' } });
    expect(r.status).toBe(200);
    expect(r.body.ifMatch).toBeUndefined();
  });

  it('parseIfMatch reads back every ETag the API issues; the weak form of any of them is refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), (version) => {
        expect(parseIfMatch(etag(version), true)).toBe(version);
        expect(() => parseIfMatch(`W/${etag(version)}`, true)).toThrow(expect.objectContaining({ status: 412 }));
      }),
      { numRuns: 300 },
    );
  });

  it('parseIfMatch answers a number or an AppError, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), fc.boolean(), (header, required) => {
        try {
          const v = parseIfMatch(header, required);
          expect(Number.isSafeInteger(v)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(AppError);
          expect((e as AppError).status).toBe(400);
        }
      }),
      { numRuns: 300 },
    );
  });
});
