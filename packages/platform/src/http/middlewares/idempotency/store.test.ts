import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '../../../../test/support/harness.js';
import type { IdempotencyClaim } from '../../pipeline.js';
import type { IdempotencyStore } from './store.js';
import { DynamoIdempotencyStore, IDEMPOTENCY_LOCK_SECONDS, IDEMPOTENCY_TTL_SECONDS } from './store.dynamo.js';

let store: IdempotencyStore;
let serial = 0;
const NOW = 1_900_000_000;
const claimOf = (over: Partial<IdempotencyClaim> = {}): IdempotencyClaim => ({
  tenantId: 't_a',
  env: 'dev',
  principalKind: 'user',
  principalId: 'u_1',
  routeId: 'things.create',
  key: `key-${++serial}`,
  ...over,
});
const response = { statusCode: 201, headers: { Location: '/v1/things/1' }, body: '{"id":"1"}' };

beforeAll(async () => {
  const { table, db } = await createTestTable('idem-store');
  store = new DynamoIdempotencyStore(db, table);
});

describe('idempotency store (DynamoDB)', () => {
  it('claims a new key; a second claim sees it in progress with its hash', async () => {
    const c = claimOf();
    expect(await store.claim(c, 'h1', NOW)).toMatchObject({ claimed: true, owner: expect.any(String) });
    expect(await store.claim(c, 'h2', NOW + 1)).toEqual({
      claimed: false,
      existing: { hash: 'h1', state: 'IN_PROGRESS', response: undefined },
    });
  });

  /** Claims and returns the owner token (the claim must succeed). */
  const own = async (c: IdempotencyClaim, hash: string, at: number) => {
    const outcome = await store.claim(c, hash, at);
    if (!outcome.claimed) throw new Error('expected the claim to succeed');
    return outcome.owner;
  };

  it('complete stores the response; later claims see it COMPLETED with that response', async () => {
    const c = claimOf();
    const owner = await own(c, 'h1', NOW);
    expect(await store.complete(c, owner, response)).toBe(true);
    expect(await store.claim(c, 'h1', NOW + 5)).toEqual({
      claimed: false,
      existing: { hash: 'h1', state: 'COMPLETED', response },
    });
  });

  it('a completed record is not taken over when the lock time passes (only the TTL frees it)', async () => {
    const c = claimOf();
    await store.complete(c, await own(c, 'h1', NOW), response);
    expect((await store.claim(c, 'h1', NOW + IDEMPOTENCY_LOCK_SECONDS + 1)).claimed).toBe(false);
    expect((await store.claim(c, 'h1', NOW + IDEMPOTENCY_TTL_SECONDS)).claimed).toBe(false);
    expect((await store.claim(c, 'h2', NOW + IDEMPOTENCY_TTL_SECONDS + 1)).claimed).toBe(true);
  });

  it('an abandoned in-progress claim is free once its lock has passed', async () => {
    const c = claimOf();
    await store.claim(c, 'h1', NOW);
    expect((await store.claim(c, 'h1', NOW + IDEMPOTENCY_LOCK_SECONDS)).claimed).toBe(false);
    expect((await store.claim(c, 'h1', NOW + IDEMPOTENCY_LOCK_SECONDS + 1)).claimed).toBe(true);
  });

  it('release gives the key back', async () => {
    const c = claimOf();
    await store.release(c, await own(c, 'h1', NOW));
    expect((await store.claim(c, 'h2', NOW + 1)).claimed).toBe(true);
  });

  it('an invocation whose claim was taken over can neither complete nor release the new owner’s record', async () => {
    const c = claimOf();
    const late = await own(c, 'h1', NOW);
    const current = await own(c, 'h1', NOW + IDEMPOTENCY_LOCK_SECONDS + 1);
    expect(await store.complete(c, late, { statusCode: 500, headers: {}, body: 'stale' })).toBe(false);
    await store.release(c, late);
    expect(await store.claim(c, 'h1', NOW + IDEMPOTENCY_LOCK_SECONDS + 2)).toMatchObject({
      claimed: false,
      existing: { state: 'IN_PROGRESS' },
    });
    expect(await store.complete(c, current, response)).toBe(true);
    expect(await store.claim(c, 'h1', NOW + IDEMPOTENCY_LOCK_SECONDS + 3)).toMatchObject({
      existing: { state: 'COMPLETED', response },
    });
  });

  it('tenant, env, principal kind, principal, route and key each scope a record', async () => {
    const c = claimOf();
    await store.claim(c, 'h1', NOW);
    for (const other of [
      { ...c, tenantId: 't_b' },
      { ...c, env: 'prod' },
      { ...c, principalKind: 'apiKey' as const },
      { ...c, principalId: 'u_2' },
      { ...c, routeId: 'things.update' },
      { ...c, key: `${c.key}-x` },
    ]) {
      expect((await store.claim(other, 'h1', NOW)).claimed, JSON.stringify(other)).toBe(true);
    }
  });

  it('a user id that reads like an API key principal (`apikey:k_…`) is not that key', async () => {
    const c = claimOf({ principalKind: 'apiKey', principalId: 'apikey:k_AAAAAAAAAAAAAAAA' });
    await store.claim(c, 'h1', NOW);
    const imitator = { ...c, principalKind: 'user' as const };
    expect((await store.claim(imitator, 'h1', NOW)).claimed).toBe(true);
  });

  it('a response stored with redacted fields comes back with the list, and nothing else of them', async () => {
    const c = claimOf();
    const owner = await own(c, 'h1', NOW);
    const redacted = { statusCode: 201, headers: {}, body: '{"keyId":"k_1"}', redacted: ['secret'] };
    expect(await store.complete(c, owner, redacted)).toBe(true);
    expect(await store.claim(c, 'h1', NOW + 1)).toMatchObject({ existing: { response: redacted } });
  });

  it('of concurrent claims of one key exactly one wins', async () => {
    const c = claimOf();
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.claim(c, 'h1', NOW)));
    expect(outcomes.filter((o) => o.claimed)).toHaveLength(1);
  });
});
