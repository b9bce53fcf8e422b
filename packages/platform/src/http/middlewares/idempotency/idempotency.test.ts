import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import { AppError } from '../../../errors.js';
import { defineRoutes } from '../../define-route.js';
import type { RouteHandler } from '../../handler.js';
import { requestFingerprint } from './index.js';
import { IDEMPOTENCY_LOCK_SECONDS, IDEMPOTENCY_TTL_SECONDS } from './store.dynamo.js';

const spec = {
  method: 'POST',
  summary: 'creates a thing',
  access: 'project',
  minTier: 'observer',
  roles: [],
  uses: { control: 'write' },
  request: { params: z.object({ thingId: z.string() }), body: z.object({ name: z.string() }) },
  responses: { 201: { description: 'Created', body: z.unknown(), headers: ['Location'] } },
} as const;

const routes = defineRoutes('probe', {
  create: { ...spec, id: 'probe.create', path: '/v1/probe/things/{thingId}', idempotent: true },
  other: { ...spec, id: 'probe.other', path: '/v1/probe/others/{thingId}', idempotent: true },
  plain: { ...spec, id: 'probe.plain', path: '/v1/probe/plain/{thingId}' },
});

interface Created {
  /** set on problems */
  code?: string;
  run: number;
  name: string;
  thingId: string;
  by: string;
}

let runs = 0;
let failNext = false;
let hold: { entered: () => void; release: Promise<void> } | undefined;

const create: RouteHandler<(typeof routes)['create']> = async (input, h) => {
  runs++;
  const run = runs;
  if (hold) {
    const { entered, release } = hold;
    hold = undefined;
    entered();
    await release;
  }
  if (failNext) {
    failNext = false;
    throw new AppError(422, 'RULE_REJECTED', 'rejected by a rule');
  }
  return {
    status: 201,
    body: { run, name: input.body.name, thingId: input.params.thingId, by: h.ctx.principal.id },
    headers: { Location: `/v1/probe/things/${input.params.thingId}/${run}` },
  };
};

let bed: TestBed;
let issuer: LocalIssuer;
let call: Record<keyof typeof routes, Invoke>;
let keyA: SeededKey;
let keyB: SeededKey;
let serial = 0;
/** a fresh Idempotency-Key per test */
const freshKey = () => `key-${Date.UTC(2030, 0, 1)}-${++serial}`;

beforeAll(async () => {
  bed = await createTestBed({ prefix: 'idem' });
  issuer = await trustIssuer(bed);
  await bed.tenant('t_alpha');
  await bed.project('t_alpha', 'p_alpha');
  await bed.project('t_alpha', 'p_alpha_two');
  await bed.member('t_alpha', 'u_alice', 'navigator', ['trader']);
  keyA = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'sovereign', roles: ['trader'] });
  keyB = await bed.apiKey({ tenantId: 't_alpha', projectId: 'p_alpha', tier: 'sovereign', roles: ['trader'] });
  call = {
    create: probe(bed.platform, routes.create, create),
    other: probe(bed.platform, routes.other, create as never),
    plain: probe(bed.platform, routes.plain, create as never),
  };
});

beforeEach(() => {
  bed.clock.nextMinute();
  failNext = false;
  hold = undefined;
});

const send = (key: string | undefined, o: { by?: SeededKey; name?: string; thingId?: string; env?: string } = {}) =>
  call.create<Created>({
    headers: {
      ...withKey(o.by ?? keyA),
      ...(key === undefined ? {} : { 'Idempotency-Key': key }),
      ...(o.env ? { 'X-Env': o.env } : {}),
    },
    params: { thingId: o.thingId ?? 'th_1' },
    body: { name: o.name ?? 'first' },
  });

describe('Idempotency-Key', () => {
  it('the first request runs; a replay answers the stored response with Idempotent-Replayed: true', async () => {
    const key = freshKey();
    const first = await send(key);
    expect(first.status).toBe(201);
    expect(first.headers['Idempotent-Replayed']).toBeUndefined();
    const before = runs;
    const replay = await send(key);
    expect(runs).toBe(before);
    expect(replay.status).toBe(201);
    expect(replay.headers['Idempotent-Replayed']).toBe('true');
    expect(replay.text).toBe(first.text);
    expect(replay.headers.Location).toBe(first.headers.Location);
    expect(replay.headers['Content-Type']).toBe('application/json');
    // the replay is still this request's response: its own request id, security and rate headers
    expect(replay.headers['X-Request-Id']).not.toBe(first.headers['X-Request-Id']);
    expect(replay.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(replay.headers['RateLimit-Limit']).toBeDefined();
  });

  it('the same key with another body → 422 IDEMPOTENCY_KEY_REUSED, and nothing runs', async () => {
    const key = freshKey();
    await send(key);
    const before = runs;
    const reused = await send(key, { name: 'second' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(runs).toBe(before);
  });

  it('the same key with other path parameters → 422', async () => {
    const key = freshKey();
    await send(key, { thingId: 'th_1' });
    const reused = await send(key, { thingId: 'th_2' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('the same key in another project → 422', async () => {
    const key = freshKey();
    const headers = (projectId: string) => ({ 'Idempotency-Key': key, 'X-Project-Id': projectId });
    const tokenHeaders = bearer(await issuer.mint({ sub: 'u_alice', tenantId: 't_alpha' }));
    const first = await call.create({
      headers: { ...tokenHeaders, ...headers('p_alpha') },
      params: { thingId: 'th_1' },
      body: { name: 'first' },
    });
    expect(first.status).toBe(201);
    const other = await call.create({
      headers: { ...tokenHeaders, ...headers('p_alpha_two') },
      params: { thingId: 'th_1' },
      body: { name: 'first' },
    });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a key is scoped to the principal: another caller with the same key gets a run of its own', async () => {
    const key = freshKey();
    const mine = await send(key, { by: keyA });
    const theirs = await send(key, { by: keyB });
    expect(theirs.status).toBe(201);
    expect(theirs.headers['Idempotent-Replayed']).toBeUndefined();
    expect(theirs.body.run).not.toBe(mine.body.run);
    expect(theirs.body.by).toBe(keyB.principalId);
    // and each one's replay is its own
    expect((await send(key, { by: keyA })).body.run).toBe(mine.body.run);
    expect((await send(key, { by: keyB })).body.run).toBe(theirs.body.run);
  });

  // issue 8: records were keyed by the principal id alone, and a user's id can read `apikey:k_…`.
  it('a user whose id reads like an API key principal cannot reach that key’s records', async () => {
    const imitator = keyA.principalId; // `apikey:<keyA's id>`, as a user id
    await bed.member('t_alpha', imitator, 'sovereign', ['trader']);
    const key = freshKey();
    const byKey = await send(key, { by: keyA });
    expect(byKey.status).toBe(201);
    const token = await issuer.mint({ sub: imitator, tenantId: 't_alpha' }, bed.clock.now);
    const byUser = await call.create<Created>({
      headers: { ...bearer(token), 'X-Project-Id': 'p_alpha', 'Idempotency-Key': key },
      params: { thingId: 'th_1' },
      body: { name: 'first' },
    });
    expect(byUser.status).toBe(201);
    expect(byUser.headers['Idempotent-Replayed']).toBeUndefined();
    expect(byUser.body.run).not.toBe(byKey.body.run);
  });

  it('a key is scoped to the route', async () => {
    const key = freshKey();
    const created = await send(key);
    const other = await call.other<Created>({
      headers: { ...withKey(keyA), 'Idempotency-Key': key },
      params: { thingId: 'th_1' },
      body: { name: 'first' },
    });
    expect(other.status).toBe(201);
    expect(other.headers['Idempotent-Replayed']).toBeUndefined();
    expect(other.body.run).not.toBe(created.body.run);
  });

  // DESIGN "HTTP conventions": keys are scoped to (tenant, env, principal, route).
  // Without env in the key, a dev response would be replayed to a prod request.
  it('a key is scoped to the env: the same key and body in prod is not a replay of dev', async () => {
    const key = freshKey();
    const dev = await send(key, { env: 'dev' });
    expect(dev.status).toBe(201);
    const prod = await send(key, { env: 'prod' });
    expect(prod.status).toBe(201);
    expect(prod.headers['Idempotent-Replayed']).toBeUndefined();
    expect(prod.body.run).not.toBe(dev.body.run);
  });

  it('while the first request is still running → 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    const key = freshKey();
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    hold = { entered, release: new Promise<void>((resolve) => (release = resolve)) };
    const first = send(key);
    await inHandler;
    const concurrent = await send(key);
    expect(concurrent.status).toBe(409);
    expect(concurrent.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    release();
    expect((await first).status).toBe(201);
    const after = await send(key);
    expect(after.headers['Idempotent-Replayed']).toBe('true');
    expect(after.body.run).toBe((await first).body.run);
  });

  it('an in-progress claim older than its lock (a crashed invocation) is taken over by a retry', async () => {
    const key = freshKey();
    const crashedAt = Math.floor(bed.clock.now / 1000);
    // what a Lambda that died inside the handler leaves behind: a claim, never completed or released
    const claimed = await bed.platform.idempotency.claim(
      {
        tenantId: 't_alpha',
        env: 'dev',
        principalKind: 'apiKey',
        principalId: keyA.principalId,
        routeId: 'probe.create',
        key,
      },
      requestFingerprint({ name: 'first' }, { thingId: 'th_1' }, 'p_alpha'),
      crashedAt,
    );
    expect(claimed.claimed).toBe(true);
    expect(IDEMPOTENCY_LOCK_SECONDS).toBe(60);
    bed.clock.advance(30_000);
    expect((await send(key)).status).toBe(409);
    bed.clock.set(crashedAt * 1000 + IDEMPOTENCY_LOCK_SECONDS * 1000);
    expect((await send(key)).status, 'the lock holds through its last second').toBe(409);
    bed.clock.advance(1000);
    const before = runs;
    const retry = await send(key);
    expect(retry.status).toBe(201);
    expect(retry.headers['Idempotent-Replayed']).toBeUndefined();
    expect(runs).toBe(before + 1);
    const replay = await send(key);
    expect(replay.headers['Idempotent-Replayed']).toBe('true');
    expect(replay.body.run).toBe(retry.body.run);
  });

  it('a completed record is kept 24 h; after that the key is free again', async () => {
    const key = freshKey();
    const startedAt = Math.floor(bed.clock.now / 1000) * 1000;
    const first = await send(key);
    expect(IDEMPOTENCY_TTL_SECONDS).toBe(24 * 3600);
    bed.clock.set(startedAt + IDEMPOTENCY_TTL_SECONDS * 1000);
    const stillThere = await send(key);
    expect(stillThere.headers['Idempotent-Replayed']).toBe('true');
    expect(stillThere.body.run).toBe(first.body.run);
    bed.clock.advance(1000);
    const afresh = await send(key, { name: 'another body, a day later' });
    expect(afresh.status).toBe(201);
    expect(afresh.headers['Idempotent-Replayed']).toBeUndefined();
    expect(afresh.body.name).toBe('another body, a day later');
  });

  it('a failed request releases the claim so the retry runs', async () => {
    const key = freshKey();
    failNext = true;
    const failed = await send(key);
    expect(failed.status).toBe(422);
    expect(failed.body.code).toBe('RULE_REJECTED');
    const before = runs;
    const retry = await send(key);
    expect(retry.status).toBe(201);
    expect(retry.headers['Idempotent-Replayed']).toBeUndefined();
    expect(runs).toBe(before + 1);
    // and a different body is fine too after a failure: nothing was recorded for the key
    const key2 = freshKey();
    failNext = true;
    await send(key2);
    expect((await send(key2, { name: 'changed my mind' })).status).toBe(201);
  });

  it('malformed keys → 400 INVALID_IDEMPOTENCY_KEY before anything runs', async () => {
    const before = runs;
    for (const bad of ['short', 'x'.repeat(129), 'has space in it', 'ünïcødé-key', 'semi;colon;key', '']) {
      const r = await send(bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body).toMatchObject({ code: 'INVALID_IDEMPOTENCY_KEY', errors: [{ path: 'headers.idempotency-key' }] });
    }
    expect(runs).toBe(before);
    for (const good of ['a'.repeat(8), `${'Z'.repeat(120)}-_.:0123`.slice(0, 128)]) {
      expect((await send(`${good}`)).status, good).toBe(201);
    }
  });

  it('without a key every request runs; routes that do not declare idempotency ignore the header', async () => {
    const a = await send(undefined);
    const b = await send(undefined);
    expect(b.body.run).toBe(a.body.run + 1);
    const key = freshKey();
    const plain = (name: string) =>
      call.plain<Created>({
        headers: { ...withKey(keyA), 'Idempotency-Key': key },
        params: { thingId: 'th_1' },
        body: { name },
      });
    const p1 = await plain('same');
    const p2 = await plain('same');
    expect(p2.headers['Idempotent-Replayed']).toBeUndefined();
    expect(p2.body.run).toBe(p1.body.run + 1);
  });
});
