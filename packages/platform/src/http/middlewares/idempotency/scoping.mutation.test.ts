// Idempotency rules that `npm run mutate -- pipeline` found unpinned (issue 16): the fingerprint's
// exact form, what is stored of a response, and the answers to what a store can report.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  createTestBed,
  type Invoke,
  probe,
  type SeededKey,
  type TestBed,
  withKey,
} from '../../../../test/support/harness.js';
import { newApiKey } from '../../../auth/api-keys.js';
import { AppError } from '../../../errors.js';
import { defineRoutes } from '../../define-route.js';
import type { RouteHandler } from '../../handler.js';
import type { IdempotencyClaim } from '../../pipeline.js';
import { requestFingerprint, storableResponse } from './index.js';
import { redactSecrets } from './secrets.js';
import type { ClaimOutcome, IdempotencyStore, StoredResponse } from './store.js';

describe('requestFingerprint', () => {
  // Records live 24 h: a deploy that changed the fingerprint's form would answer 422 to every
  // retry of a request the previous version took.
  it('is the SHA-256 (hex) of the JSON of body, path parameters and project, stable across versions', () => {
    expect(requestFingerprint(undefined, {}, undefined)).toBe(
      'b4b4d35e43d57a9360ec79e9471d5a43aa970d4fc6d12d4c796a66f7d5b07b54',
    );
    expect(requestFingerprint({ name: 'first' }, { thingId: 'th_1' }, 'p_alpha')).toBe(
      '0aedbe01525ee4a23a3b53d42bdfc5b09a5bf46fa0a0ce6f95bc062dff3c3099',
    );
  });

  it('no body, a null body and no project are the same request; a project or a body is not', () => {
    const none = requestFingerprint(undefined, {}, undefined);
    expect(requestFingerprint(null, {}, undefined)).toBe(none);
    expect(requestFingerprint(undefined, {}, 'p_alpha')).not.toBe(none);
    expect(requestFingerprint({}, {}, undefined)).not.toBe(none);
    expect(requestFingerprint(undefined, { thingId: 'th_1' }, undefined)).not.toBe(none);
  });
});

describe('storableResponse', () => {
  const response = (body: string | undefined) => ({ statusCode: 201, headers: { Location: '/v1/x/1' }, body });

  it('a response without secrets is stored exactly as it was, with no `redacted` member', () => {
    for (const body of ['{"id":"x_1","nested":{"a":[1,2]}}', '{ "spaced" : true }', 'plain text', '', undefined]) {
      const stored = storableResponse(response(body), ['secret']);
      expect(stored).toStrictEqual(response(body));
      expect('redacted' in stored).toBe(false);
    }
  });

  it('a declared secret field is removed, and the record names it', () => {
    const stored = storableResponse(response('{"id":"x_1","secret":"s3cr3t"}'), ['secret']);
    expect(stored).toStrictEqual({ ...response('{"id":"x_1"}'), redacted: ['secret'] });
  });
});

describe('redactSecrets', () => {
  it('declared names are top-level fields only: a nested member of that name is data', () => {
    const out = redactSecrets({ secret: 's', nested: { secret: 'kept', list: [{ secret: 'kept too' }] } }, ['secret']);
    expect(out.fields).toEqual(['secret']);
    expect(out.body).toStrictEqual({ nested: { secret: 'kept', list: [{ secret: 'kept too' }] } });
  });

  it('a removed member is gone, not left as undefined; a secret in a list becomes null', () => {
    const { secret } = newApiKey();
    const out = redactSecrets({ a: { s: secret, t: 1 }, list: [secret, 'x'] });
    expect(out.body).toStrictEqual({ a: { t: 1 }, list: [null, 'x'] });
    expect(Object.keys((out.body as { a: object }).a)).toEqual(['t']);
    expect(out.fields).toEqual(['a.s', 'list.0']);
    // members stay ordinary data members, as JSON.parse makes them
    (out.body as { a: { t: number } }).a.t = 2;
    expect(out.body).toStrictEqual({ a: { t: 2 }, list: [null, 'x'] });
  });

  it('objects inside a top-level list are not top level: their declared names are data', () => {
    const out = redactSecrets({ list: [{ secret: 'kept' }], secret: 'gone' }, ['secret']);
    expect(out.body).toStrictEqual({ list: [{ secret: 'kept' }] });
    expect(out.fields).toEqual(['secret']);
  });

  it('a body nested deeper than the walk goes is cut there and named, never stored unread, never overflowing', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 20_000; i++) deep = i % 2 ? [deep] : { a: deep };
    const out = redactSecrets({ top: deep, secret: 'gone' }, ['secret']);
    const down = (v: unknown, levels: number): unknown =>
      levels === 0 ? v : down(Array.isArray(v) ? v[0] : (v as { a: unknown }).a, levels - 1);
    // levels 1–32 below the body are copies; what would be the 33rd is gone, and said to be
    const copy = (out.body as { top: unknown }).top;
    expect(copy).not.toBe(deep);
    expect(down(copy, 31)).toBeTypeOf('object');
    expect([undefined, null]).toContain(down(copy, 32));
    expect(out.fields).toHaveLength(2);
    expect(out.fields).toContain('secret');
    expect(out.fields.find((f) => f !== 'secret')?.split('.')).toHaveLength(33);
  });

  it('a key secret nested below the walk’s depth is not stored either', () => {
    const secret = `bk_k_AAAAAAAAAAAAAAAA_${'s'.repeat(43)}`;
    let deep: unknown = { secret };
    for (let i = 0; i < 40; i++) deep = { a: deep };
    expect(JSON.stringify(redactSecrets(deep).body)).not.toContain('bk_');
  });
});

const routes = defineRoutes('probe', {
  create: {
    id: 'probe.create',
    method: 'POST',
    path: '/v1/probe/things',
    summary: 'creates a thing',
    access: 'project',
    minTier: 'observer',
    roles: [],
    uses: { control: 'write' },
    idempotent: true,
    request: { body: z.object({ name: z.string() }) },
    responses: { 201: { description: 'Created', body: z.unknown() } },
  },
});

/** A store that answers what the test tells it to, and records what it was asked. */
class ScriptedStore implements IdempotencyStore {
  next: ClaimOutcome = { claimed: true, owner: 'o_1' };
  releaseFails = false;
  claims: Array<{ claim: IdempotencyClaim; hash: string; nowSeconds: number }> = [];
  completed: StoredResponse[] = [];
  released: string[] = [];
  async claim(claim: IdempotencyClaim, hash: string, nowSeconds: number): Promise<ClaimOutcome> {
    this.claims.push({ claim, hash, nowSeconds });
    return this.next;
  }
  async complete(_claim: IdempotencyClaim, _owner: string, response: StoredResponse): Promise<boolean> {
    this.completed.push(response);
    return true;
  }
  async release(_claim: IdempotencyClaim, owner: string): Promise<void> {
    this.released.push(owner);
    if (this.releaseFails) throw new Error('table unavailable');
  }
}

let store: ScriptedStore;
let bed: TestBed;
let call: Invoke;
let key: SeededKey;
let runs = 0;
let failNext = false;

const create: RouteHandler<(typeof routes)['create']> = async (input) => {
  runs++;
  if (failNext) {
    failNext = false;
    throw new AppError(422, 'RULE_REJECTED', 'rejected by a rule');
  }
  return { status: 201, body: { run: runs, name: input.body.name } };
};

beforeAll(async () => {
  store = new ScriptedStore();
  bed = await createTestBed({ prefix: 'idem-scope', overrides: { idempotency: store } });
  await bed.tenant('t_alpha');
  await bed.project('t_alpha', 'p_alpha');
  key = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'sovereign', roles: ['trader'] });
  call = probe(bed.platform, routes.create, create);
});

beforeEach(() => {
  bed.clock.nextMinute(1_500);
  store.next = { claimed: true, owner: 'o_1' };
  store.releaseFails = false;
  store.claims = [];
  store.completed = [];
  store.released = [];
  failNext = false;
});

const send = (name = 'first') =>
  call<{ code?: string; run?: number }>({
    headers: { ...withKey(key), 'Idempotency-Key': 'scripted-key-1' },
    body: { name },
  });
const hashOf = (name: string) => requestFingerprint({ name }, {}, 'p_alpha');

describe('the claim the middleware makes', () => {
  it('names tenant, env, principal kind and id, route and key; the request’s fingerprint; the second', async () => {
    const r = await send();
    expect(r.status).toBe(201);
    expect(store.claims).toEqual([
      {
        claim: {
          tenantId: 't_alpha',
          env: 'dev',
          principalKind: 'apiKey',
          principalId: key.principalId,
          routeId: 'probe.create',
          key: 'scripted-key-1',
        },
        hash: hashOf('first'),
        nowSeconds: Math.floor(bed.clock.now / 1000),
      },
    ]);
    expect(store.completed).toEqual([{ statusCode: 201, headers: expect.any(Object), body: r.text }]);
  });
});

describe('what a store can answer', () => {
  it('not claimed and no record (it vanished in between) → 409 IDEMPOTENCY_IN_PROGRESS, nothing runs', async () => {
    store.next = { claimed: false, existing: undefined };
    const before = runs;
    const r = await send();
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(runs).toBe(before);
    expect(store.released).toEqual([]);
  });

  it('a completed record without a stored response → 409 IDEMPOTENCY_IN_PROGRESS, no empty replay', async () => {
    store.next = { claimed: false, existing: { hash: hashOf('first'), state: 'COMPLETED' } };
    const r = await send();
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(r.headers['Idempotent-Replayed']).toBeUndefined();
  });

  it('an in-progress record with a response already in it is still in progress', async () => {
    store.next = {
      claimed: false,
      existing: { hash: hashOf('first'), state: 'IN_PROGRESS', response: { statusCode: 201, body: '{}' } },
    };
    const r = await send();
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
  });

  it('a stored response without headers replays with this request’s own headers only', async () => {
    store.next = {
      claimed: false,
      existing: { hash: hashOf('first'), state: 'COMPLETED', response: { statusCode: 201, body: '{"run":-1}' } },
    };
    const before = runs;
    const r = await send();
    expect(r.status).toBe(201);
    expect(r.body.run).toBe(-1);
    expect(r.headers['Idempotent-Replayed']).toBe('true');
    expect(r.headers['X-Request-Id']).toBeDefined();
    expect(runs).toBe(before);
    expect(store.completed).toEqual([]);
  });

  it('a replay is not stored again', async () => {
    store.next = {
      claimed: false,
      existing: {
        hash: hashOf('first'),
        state: 'COMPLETED',
        response: { statusCode: 201, headers: { Location: '/v1/probe/things/1' }, body: '{"run":-2}' },
      },
    };
    const r = await send();
    expect(r.headers.Location).toBe('/v1/probe/things/1');
    expect(store.completed).toEqual([]);
  });
});

describe('a failed request', () => {
  it('releases its own claim, and a failing release does not hide the request’s own error', async () => {
    store.next = { claimed: true, owner: 'o_failed' };
    store.releaseFails = true;
    failNext = true;
    const r = await send();
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('RULE_REJECTED');
    expect(store.released).toEqual(['o_failed']);
    expect(store.completed).toEqual([]);
  });

  it('a refusal before any claim releases nothing', async () => {
    const r = await call({ headers: { ...withKey(key), 'Idempotency-Key': 'bad key' }, body: { name: 'x' } });
    expect(r.status).toBe(400);
    expect(store.claims).toEqual([]);
    expect(store.released).toEqual([]);
  });
});
