import { Validator } from '@seriousme/openapi-schema-validator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecimalStringSchema, NonNegativeDecimalStringSchema } from '../../packages/core/src/money-schema.js';
import { ballastOpenApi, CONTEXT_TAGS, DEFAULT_SERVERS } from '../../packages/app/src/ops/openapi.js';
import { ALL_ROUTES, ROUTES_BY_CONTEXT } from '../../packages/app/src/routes.js';
import { resolveSchema } from '../../packages/platform/src/schemas/lazy.js';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed document

let t: TestRuntime;
let served: Json;
const generated: Json = JSON.parse(JSON.stringify(ballastOpenApi()));

beforeAll(async () => {
  t = await startRuntime();
  served = (await t.call('GET', '/v1/openapi.json')).body;
});
afterAll(async () => {
  await t.stop();
});

const op = (doc: Json, method: string, path: string): Json => doc.paths[path][method.toLowerCase()];
const param = (o: Json, name: string): Json => o.parameters.find((p: Json) => p.name === name);
const bodySchema = (o: Json): Json => o.requestBody.content['application/json'].schema;
/** `#/components/responses/X` → the component, else the response itself. */
const deref = (doc: Json, r: Json): Json =>
  r.$ref
    ? r.$ref
        .split('/')
        .slice(1)
        .reduce((node: Json, key: string) => node[key], doc)
    : r;

describe('OpenAPI document: valid, and generated entirely from the route table', () => {
  it('is a valid OpenAPI 3.1 document, both as generated in-process and as served', async () => {
    for (const doc of [generated, served]) {
      const validator = new Validator();
      const result = await validator.validate(doc);
      expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)).toEqual([]);
      expect(result.valid).toBe(true);
      expect(validator.version).toBe('3.1');
    }
  });

  it('documents every route of ALL_ROUTES, every declared response with its body and headers', () => {
    const documented = Object.values(served.paths as Json).flatMap((item: Json) => Object.keys(item));
    expect(documented.length).toBe(ALL_ROUTES.length);
    for (const r of ALL_ROUTES) {
      const o = op(served, r.method, r.path);
      expect(o?.operationId, `${r.method} ${r.path}`).toBe(r.id);
      expect(o.summary).toBe(r.summary);
      expect(o.tags).toEqual([r.context]);
      for (const [status, spec] of Object.entries(r.responses)) {
        const res = o.responses[status];
        expect(res, `${r.id} ${status}`).toBeDefined();
        expect(res.description).toBe(spec.description);
        expect(res.headers['X-Request-Id'].required, `${r.id} ${status} X-Request-Id`).toBe(true);
        for (const h of spec.headers ?? []) expect(res.headers[h]?.required, `${r.id} ${status} ${h}`).toBe(true);
        if (r.access !== 'public' && r.access !== 'bootstrapKey') {
          for (const h of ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'])
            expect(res.headers[h]?.schema.type, `${r.id} ${status} ${h}`).toBe('integer');
        }
        if (r.idempotent) expect(res.headers['Idempotent-Replayed'], `${r.id} ${status}`).toBeDefined();
        if (!spec.body) {
          expect(res.content, `${r.id} ${status} has no body`).toBeUndefined();
          continue;
        }
        const type = spec.contentType ?? 'application/json';
        expect(Object.keys(res.content), `${r.id} ${status}`).toEqual([type]);
        expect(res.content[type].schema, `${r.id} ${status} body schema`).toBeTypeOf('object');
      }
      const bodyType = r.bodyTypes?.includes('application/json') === false ? 'text/csv' : 'application/json';
      if (r.request.body) expect(o.requestBody.content[bodyType].schema, `${r.id} request body`).toBeTypeOf('object');
      else expect(o.requestBody, `${r.id} takes no body`).toBeUndefined();
    }
  });

  it('types every path and query parameter from the route’s schemas; path parameters are required', () => {
    for (const r of ALL_ROUTES) {
      const o = op(served, r.method, r.path);
      for (const [, name] of r.path.matchAll(/\{(\w+)\}/g)) {
        const p = param(o, name);
        expect(p, `${r.id}: path parameter ${name}`).toMatchObject({ in: 'path', required: true });
        expect(p.schema.type, `${r.id}: ${name}`).toBe('string');
      }
      for (const p of o.parameters as Json[]) expect(p.schema, `${r.id}: ${p.name}`).toBeTypeOf('object');
    }
  });

  it('types `limit` as an integer (1–200, default 50) on every list', () => {
    const lists = ALL_ROUTES.filter((r) => r.request.query && 'limit' in queryParams(r));
    expect(lists.map((r) => r.id)).toEqual(expect.arrayContaining(['portfolios.list', 'projects.list', 'audit.list']));
    for (const r of lists) {
      expect(param(op(served, r.method, r.path), 'limit'), r.id).toMatchObject({
        in: 'query',
        required: false,
        schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      });
    }
  });

  it('spells money as decimal strings with the grammar’s pattern; cash refuses a sign where the server does', () => {
    const created = op(served, 'POST', '/v1/portfolios').responses['201'].content['application/json'].schema;
    expect(created.properties.cash).toMatchObject({ type: 'string', pattern: expect.any(String) });
    for (const [method, path] of [
      ['POST', '/v1/portfolios'],
      ['PATCH', '/v1/portfolios/{portfolioId}'],
    ] as const) {
      const cash = bodySchema(op(served, method, path)).properties.cash;
      expect(cash.type, `${method} cash`).toBe('string');
      const pattern = new RegExp(cash.pattern);
      expect(pattern.test('1234.50')).toBe(true);
      expect(pattern.test('-1'), `${method} ${path} allows negative cash, the server refuses it`).toBe(false);
    }
    // No JSON number anywhere money lives: every `cash`, `amount`, `price`, `quantity` is a string
    // (or null where a figure may be missing, e.g. a holding without a price).
    const moneyNumbers: string[] = [];
    const isString = (node: { type?: unknown }) => node.type === 'string';
    walk(served.paths, '', (node, at) => {
      const variants = (node.anyOf ?? node.oneOf) as Array<{ type?: unknown }> | undefined;
      const nullableString = variants?.some(isString) && variants.every((v) => isString(v) || v.type === 'null');
      if (/\/(cash|amount|price|quantity|balance)$/.test(at) && !isString(node) && !nullableString) {
        moneyNumbers.push(at);
      }
    });
    expect(moneyNumbers).toEqual([]);
  });

  it('the decimal patterns agree with the server: whatever the schemas accept, the pattern matches', () => {
    const signed = generated.paths['/v1/portfolios'].post.responses['201'].content['application/json'].schema;
    const anyDecimal = new RegExp(signed.properties.cash.pattern);
    const unsigned = new RegExp(bodySchema(op(generated, 'POST', '/v1/portfolios')).properties.cash.pattern);
    const decimalish = fc.stringMatching(/^-?\d{1,20}(\.\d{1,12})?$/);
    fc.assert(
      fc.property(fc.oneof(decimalish, fc.string()), (s) => {
        if (DecimalStringSchema.safeParse(s).success) expect(anyDecimal.test(s), s).toBe(true);
        if (NonNegativeDecimalStringSchema.safeParse(s).success) expect(unsigned.test(s), s).toBe(true);
        if (s.startsWith('-')) expect(unsigned.test(s), s).toBe(false);
      }),
    );
  });

  it('lists each media type a body may come in: CSV as text, JSON with its own shape, and the size limit', () => {
    const csvRoutes = ALL_ROUTES.filter((r) => r.bodyTypes?.includes('text/csv'));
    expect(csvRoutes.map((r) => r.id)).toEqual(expect.arrayContaining(['marketData.uploadCandles']));
    for (const r of csvRoutes) {
      const o = op(served, r.method, r.path);
      expect(Object.keys(o.requestBody.content).sort(), r.id).toEqual([...(r.bodyTypes ?? [])].sort());
      expect(o.requestBody.content['text/csv'].schema).toMatchObject({ type: 'string', contentMediaType: 'text/csv' });
      if (r.bodyTypes?.includes('application/json')) expect(bodySchema(o).type, r.id).toBe('object');
      if (r.maxBodyBytes) expect(o['x-ballast-max-body-bytes'], r.id).toBe(r.maxBodyBytes);
    }
    const upload = op(served, 'PUT', '/v1/market-data/candles/{symbol}/{interval}');
    expect(bodySchema(upload).properties.candles.type).toBe('array');
    expect(upload.requestBody.content['text/csv'].schema.maxLength).toBe(5 * 1024 * 1024);
    // a route that declares nothing takes JSON only
    expect(Object.keys(op(served, 'POST', '/v1/portfolios').requestBody.content)).toEqual(['application/json']);
  });

  it('marks optional bodies as optional and required ones as required', () => {
    for (const r of ALL_ROUTES) {
      if (!r.request.body) continue;
      const optional = resolveSchema(r.request.body)._zod.optin === 'optional';
      expect(op(served, r.method, r.path).requestBody.required, r.id).toBe(!optional);
    }
    expect(op(served, 'POST', '/v1/auth/logout').requestBody.required).toBe(false);
    expect(op(served, 'POST', '/v1/system/bootstrap').requestBody.required).toBe(false);
    expect(op(served, 'POST', '/v1/portfolios').requestBody.required).toBe(true);
  });

  it('names its servers: the host that served it, or (generated offline) the local runtime and a stage', async () => {
    expect(served.servers).toEqual([{ url: t.rt.url, description: expect.any(String) }]);
    expect(generated.servers).toEqual(DEFAULT_SERVERS);
    expect(generated.servers[0].url).toBe('http://localhost:3000');
    expect(generated.servers[1].url).toContain('{apiId}');
    // A hostile Host header is not echoed into the document.
    const { openapi } = await import('../../packages/app/src/ops/openapi-served.js');
    const evil = await openapi(
      { params: {}, query: {}, body: undefined, headers: { host: 'x"><script>' }, ifMatch: undefined },
      undefined as never,
    );
    expect(JSON.stringify(evil.body)).not.toContain('<script>');
    const cloud = await openapi(
      {
        params: {},
        query: {},
        body: undefined,
        headers: { host: 'abc123.execute-api.eu-central-1.amazonaws.com', 'x-forwarded-proto': 'https' },
        ifMatch: undefined,
      },
      undefined as never,
    );
    expect((cloud.body as Json).servers[0].url).toBe('https://abc123.execute-api.eu-central-1.amazonaws.com');
  });

  it('declares security schemes and each operation’s: none if public, the bootstrap key, else bearer or key', () => {
    expect(Object.keys(served.components.securitySchemes).sort()).toEqual(['apiKey', 'bearer', 'bootstrapKey']);
    expect(served.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    for (const r of ALL_ROUTES) {
      const o = op(served, r.method, r.path);
      if (r.access === 'public') expect(o.security, r.id).toEqual([]);
      else if (r.access === 'bootstrapKey') expect(o.security, r.id).toEqual([{ bootstrapKey: [] }]);
      else if (r.freshLogin) expect(o.security, r.id).toEqual([{ bearer: [] }]);
      else expect(o.security, r.id).toBeUndefined();
      if (r.access === 'project')
        expect(param(o, 'X-Project-Id'), r.id).toMatchObject({ in: 'header', required: true });
      if (r.idempotent) {
        const required = r.idempotencyKey === 'required';
        expect(param(o, 'Idempotency-Key'), r.id).toMatchObject({ in: 'header', required });
      }
      if (r.ifMatch) expect(param(o, 'If-Match'), r.id).toMatchObject({ required: r.ifMatch === 'required' });
    }
  });

  it('has a described tag per context, in the table’s order', () => {
    expect(served.tags.map((tag: Json) => tag.name)).toEqual(Object.keys(ROUTES_BY_CONTEXT));
    for (const context of Object.keys(ROUTES_BY_CONTEXT)) {
      expect(CONTEXT_TAGS[context], `context ${context} has no tag description in ops/openapi.ts`).toBeTruthy();
    }
  });

  it('answers refusals as Problem Details, each status a route can refuse with documented', () => {
    for (const r of ALL_ROUTES) {
      const o = op(served, r.method, r.path);
      const statuses = Object.keys(o.responses).map(Number);
      const expected = [400];
      if (r.access !== 'public') expected.push(401);
      if (r.access !== 'public' && r.access !== 'bootstrapKey') expected.push(403, 429);
      if (r.ifMatch) expected.push(412);
      if (r.ifMatch === 'required') expected.push(428);
      if (r.request.body) expected.push(413, 415);
      if (r.idempotent) expected.push(409, 422);
      expect(statuses, r.id).toEqual(expect.arrayContaining(expected));
      for (const status of statuses.filter((s) => s >= 400)) {
        const res = deref(served, o.responses[status]);
        expect(Object.keys(res.content), `${r.id} ${status}`).toEqual(['application/problem+json']);
        expect(res.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
        expect(res.headers['X-Request-Id'].required).toBe(true);
      }
    }
    const problem = served.components.schemas.Problem;
    expect(problem.required).toEqual(['type', 'title', 'status', 'detail', 'code', 'requestId']);
    expect(deref(served, { $ref: '#/components/responses/TooManyRequests' }).headers['Retry-After']).toBeDefined();
    expect(deref(served, { $ref: '#/components/responses/Unauthorized' }).headers['WWW-Authenticate']).toBeDefined();
  });

  it('a real refusal matches the documented Problem shape', async () => {
    const r = await t.call('GET', '/v1/portfolios?limit=1.5', { token: await t.token('u_navigator', 't_demo') });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    for (const key of served.components.schemas.Problem.required) expect(r.body, key).toHaveProperty(key);
  });
});

function queryParams(r: (typeof ALL_ROUTES)[number]): Json {
  return op(generated, r.method, r.path).parameters.reduce(
    (acc: Json, p: Json) => (p.in === 'query' ? { ...acc, [p.name]: p } : acc),
    {},
  );
}

function walk(node: unknown, at: string, visit: (node: Json, at: string) => void): void {
  if (!node || typeof node !== 'object') return;
  if (!Array.isArray(node)) visit(node as Json, at);
  for (const [key, value] of Object.entries(node)) walk(value, `${at}/${key}`, visit);
}
