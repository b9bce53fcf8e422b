import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { createTestBed, echo, type Echo, type Invoke, probe } from '../../../../test/support/harness.js';
import { defineRoutes } from '../../define-route.js';
import { MAX_BODY_BYTES } from './index.js';

const routes = defineRoutes('probe', {
  echo: {
    id: 'probe.echo',
    method: 'POST',
    path: '/v1/probe/echo/{thing}',
    summary: 'echoes what the pipeline parsed',
    access: 'public',
    minTier: 'observer',
    roles: [],
    uses: { control: 'read' },
    request: {
      params: z.optional(z.record(z.string(), z.string())),
      query: z.optional(z.record(z.string(), z.string())),
      body: z.optional(z.unknown()),
    },
    responses: { 200: { description: 'echo', body: z.unknown() } },
  },
});

const CREDENTIAL_NAMES = [
  'access_token',
  'accesstoken',
  'token',
  'id_token',
  'idtoken',
  'api_key',
  'apikey',
  'x-api-key',
  'key',
  'authorization',
  'auth',
  'jwt',
  'bearer',
  'bootstrap_key',
  'x-bootstrap-key',
];

let call: Invoke;

beforeAll(async () => {
  const bed = await createTestBed({ prefix: 'norm' });
  call = probe(bed.platform, routes.echo, echo());
});

const json = (rawBody: string, contentType = 'application/json') => ({
  headers: { 'Content-Type': contentType },
  rawBody,
});

describe('headers', () => {
  it('are lower-cased for the handler; values are kept as sent', async () => {
    const r = await call<Echo>({
      headers: { 'X-Custom-Header': 'Value-Kept', ACCEPT: 'application/json', 'x-lower': 'v' },
    });
    expect(r.status).toBe(200);
    expect(r.body.headers).toMatchObject({
      'x-custom-header': 'Value-Kept',
      accept: 'application/json',
      'x-lower': 'v',
    });
    expect(Object.keys(r.body.headers).filter((name) => name !== name.toLowerCase())).toEqual([]);
  });

  it('path parameters and query strings reach the handler as strings', async () => {
    const r = await call<Echo>({ params: { thing: 'th_1' }, query: { page: '2', q: 'a b' } });
    expect(r.body.params).toEqual({ thing: 'th_1' });
    expect(r.body.query).toEqual({ page: '2', q: 'a b' });
  });
});

describe('credentials in the query string', () => {
  for (const name of CREDENTIAL_NAMES) {
    it(`?${name}= → 400 CREDENTIALS_IN_QUERY`, async () => {
      const r = await call({ query: { [name]: 'secret-value' } });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'CREDENTIALS_IN_QUERY', errors: [{ path: `query.${name}` }] });
      expect(r.text).not.toContain('secret-value');
    });
  }

  it('names are matched case-insensitively and every offending one is listed', async () => {
    const r = await call({ query: { Access_Token: 'a', API_KEY: 'b', page: '1' } });
    expect(r.status).toBe(400);
    expect(r.body.errors?.map((e) => e.path).sort()).toEqual(['query.API_KEY', 'query.Access_Token']);
  });

  it('names that merely contain a credential word are fine', async () => {
    const r = await call({ query: { tokens: '1', keyword: 'x', author: 'y', monkey: 'z' } });
    expect(r.status).toBe(200);
  });
});

describe('the body', () => {
  it('is parsed as JSON for application/json and its variants', async () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/vnd.x+json',
      'application/vnd.ballast+json; charset=utf-8',
      'application/merge-patch+json',
      'application/problem+json',
    ]) {
      const r = await call<Echo>(json('{"a":[1,"two",{"b":null}]}', type));
      expect(r.status, type).toBe(200);
      expect(r.body.body, type).toEqual({ a: [1, 'two', { b: null }] });
    }
  });

  // RFC 6838 media type names may hold digits (application/vnd.github.v3+json, application/vnd.api.v2+json).
  // A versioned vendor type (digits in its name) is JSON too.
  it('a +json vendor type whose name holds digits is JSON too', async () => {
    const r = await call<Echo>(json('{"a":1}', 'application/vnd.ballast.v1+json'));
    expect(r.status).toBe(200);
    expect(r.body.body).toEqual({ a: 1 });
  });

  it('other content types (or none) → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of [
      'text/plain',
      'text/json',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonp',
      'application/json5',
      '',
    ]) {
      const r = await call(json('{"a":1}', type));
      expect(r.status, type).toBe(415);
      expect(r.body.code, type).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const none = await call({ rawBody: '{"a":1}' });
    expect(none.status).toBe(415);
  });

  it('an empty body needs no content type and reaches the handler as undefined', async () => {
    const r = await call<Echo>({ rawBody: '' });
    expect(r.status).toBe(200);
    expect(r.body.body).toBeUndefined();
  });

  it('invalid JSON → 400 INVALID_JSON naming the body', async () => {
    for (const bad of ['{', '{"a":}', "{'a':1}", 'undefined', '{"a":1}}', 'NaN']) {
      const r = await call(json(bad));
      expect(r.status, bad).toBe(400);
      expect(r.body, bad).toMatchObject({ code: 'INVALID_JSON', errors: [{ path: 'body' }] });
    }
  });

  it('up to 256 KiB is accepted; one byte more → 413 BODY_TOO_LARGE', async () => {
    expect(MAX_BODY_BYTES).toBe(256 * 1024);
    const exactly = `"${'a'.repeat(MAX_BODY_BYTES - 2)}"`;
    expect((await call(json(exactly))).status).toBe(200);
    const over = `"${'a'.repeat(MAX_BODY_BYTES - 1)}"`;
    const r = await call(json(over));
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('BODY_TOO_LARGE');
  });

  it('the limit counts bytes, not characters', async () => {
    const chars = MAX_BODY_BYTES / 2; // 'é' is two bytes in UTF-8
    const r = await call(json(`"${'é'.repeat(chars)}"`));
    expect(r.status).toBe(413);
  });

  it('the size limit applies even when the content type is wrong (no parsing of huge bodies)', async () => {
    const r = await call(json('x'.repeat(MAX_BODY_BYTES + 1), 'text/plain'));
    expect(r.status).toBe(413);
  });

  it('base64 bodies (API Gateway binary) are decoded before the checks', async () => {
    const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64');
    const ok = await call<Echo>({
      headers: { 'content-type': 'application/json' },
      rawBody: encode('{"name":"Zoë"}'),
      isBase64Encoded: true,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.body).toEqual({ name: 'Zoë' });
    const bad = await call({
      headers: { 'content-type': 'application/json' },
      rawBody: encode('{not json'),
      isBase64Encoded: true,
    });
    expect(bad.body.code).toBe('INVALID_JSON');
    const big = await call({
      headers: { 'content-type': 'application/json' },
      rawBody: encode(`"${'a'.repeat(MAX_BODY_BYTES)}"`),
      isBase64Encoded: true,
    });
    expect(big.status).toBe(413);
  });
});

describe('a route that declares its body types and limit', () => {
  const csvRoutes = defineRoutes('probe', {
    both: {
      id: 'probe.both',
      method: 'PUT',
      path: '/v1/probe/both',
      summary: 'takes JSON or CSV, up to 1 MiB',
      access: 'public',
      minTier: 'observer',
      roles: [],
      uses: { control: 'read' },
      bodyTypes: ['application/json', 'text/csv'],
      maxBodyBytes: 1024 * 1024,
      request: { body: z.optional(z.unknown()) },
      responses: { 200: { description: 'echo', body: z.unknown() } },
    },
    csvOnly: {
      id: 'probe.csvOnly',
      method: 'POST',
      path: '/v1/probe/csv',
      summary: 'takes CSV only',
      access: 'public',
      minTier: 'observer',
      roles: [],
      uses: { control: 'read' },
      bodyTypes: ['text/csv'],
      request: { body: z.optional(z.unknown()) },
      responses: { 200: { description: 'echo', body: z.unknown() } },
    },
  });
  let both: Invoke;
  let csvOnly: Invoke;

  beforeAll(async () => {
    const bed = await createTestBed({ prefix: 'normcsv' });
    both = probe(bed.platform, csvRoutes.both, echo());
    csvOnly = probe(bed.platform, csvRoutes.csvOnly, echo());
  });

  it('keeps a text/csv body as the text sent (BOM and CRLF included); JSON is still parsed', async () => {
    const text = '\uFEFFtime,close\r\n2026-03-06,"1,5"\r\n';
    for (const type of [
      'text/csv',
      'text/csv; charset=utf-8',
      'TEXT/CSV; header=present',
      'text/csv;charset="UTF-8"',
    ]) {
      const r = await both<Echo>(json(text, type));
      expect(r.status, type).toBe(200);
      expect(r.body.body, type).toBe(text);
    }
    expect((await both<Echo>(json('{"a":1}'))).body.body).toEqual({ a: 1 });
  });

  it('refuses CSV in another charset, other types, and JSON where only CSV is read (415)', async () => {
    for (const type of ['text/csv; charset=iso-8859-1', 'text/csvx', 'text/plain', 'application/csv']) {
      const r = await both(json('a,b\n', type));
      expect(r.status, type).toBe(415);
      expect(r.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const r = await csvOnly(json('{"a":1}'));
    expect(r.status).toBe(415);
    expect(String(r.body.detail)).toContain('text/csv');
    expect((await csvOnly<Echo>(json('a,b\n1,2\n', 'text/csv'))).body.body).toBe('a,b\n1,2\n');
  });

  it('accepts up to its own limit and answers 413 naming it one byte past', async () => {
    const limit = 1024 * 1024;
    expect((await both(json('x'.repeat(limit), 'text/csv'))).status).toBe(200);
    const over = await both(json('x'.repeat(limit + 1), 'text/csv'));
    expect(over.status).toBe(413);
    expect(over.body).toMatchObject({ code: 'BODY_TOO_LARGE', maxBodyBytes: limit });
    expect(String(over.body.detail)).toContain('1 MiB');
    // routes that declare nothing keep the default
    expect((await call(json(`"${'a'.repeat(MAX_BODY_BYTES - 1)}"`))).body).toMatchObject({
      maxBodyBytes: MAX_BODY_BYTES,
    });
    expect((await call(json('a,b\n', 'text/csv'))).status).toBe(415);
  });
});
