import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dynamoTokenBucket,
  opaqueBucketKey,
  type TokenBucketSpec,
  type TokenGrant,
} from '../src/outbound/token-bucket.js';
import { createTestTable, T0, TestClock } from './support/harness.js';

let db: DynamoDBDocumentClient;
let table: string;
let keys = 0;

beforeAll(async () => {
  ({ db, table } = await createTestTable('bucket'));
});

/** a bucket of its own for each test, 8 a minute unless told; one clock for all its takers */
function bucketSpec(o: Partial<TokenBucketSpec> = {}): TokenBucketSpec {
  keys += 1;
  return { key: opaqueBucketKey('far-side', `credential-${keys}`), capacity: 8, refillPerMinute: 8, ...o };
}

const granted = (grants: TokenGrant[]) => grants.filter((g) => g.granted).length;

describe('token bucket in the control table', () => {
  it('grants the capacity at once, then refuses with the wait until the next token', async () => {
    const clock = new TestClock(T0);
    const bucket = dynamoTokenBucket(db, table, bucketSpec(), () => clock.now);
    const grants: TokenGrant[] = [];
    for (let i = 0; i < 8; i++) grants.push(await bucket.take());
    expect(granted(grants)).toBe(8);
    expect(await bucket.take()).toEqual({ granted: false, retryAfterMs: 7500 });
    clock.advance(2500);
    expect(await bucket.take()).toEqual({ granted: false, retryAfterMs: 5000 });
  });

  it('30 concurrent takers (each its own function, sharing the item) are granted exactly the capacity', async () => {
    const clock = new TestClock(T0);
    const spec = bucketSpec();
    const takers = Array.from({ length: 30 }, () => dynamoTokenBucket(db, table, spec, () => clock.now));
    const grants = await Promise.all(takers.map((bucket) => bucket.take()));
    expect(granted(grants)).toBe(8);
    for (const refusal of grants.filter((g) => !g.granted)) {
      expect(refusal).toEqual({ granted: false, retryAfterMs: 7500 });
    }
  });

  it('concurrent takes through one instance are granted exactly the capacity too', async () => {
    const clock = new TestClock(T0);
    const bucket = dynamoTokenBucket(db, table, bucketSpec({ capacity: 5, refillPerMinute: 5 }), () => clock.now);
    expect(granted(await Promise.all(Array.from({ length: 20 }, () => bucket.take())))).toBe(5);
  });

  it('refills lazily with the elapsed time, never above the capacity', async () => {
    const clock = new TestClock(T0);
    const bucket = dynamoTokenBucket(db, table, bucketSpec(), () => clock.now);
    for (let i = 0; i < 8; i++) expect((await bucket.take()).granted).toBe(true);
    clock.advance(7499);
    expect(await bucket.take()).toEqual({ granted: false, retryAfterMs: 1 });
    clock.advance(1);
    expect(await bucket.take()).toEqual({ granted: true });
    expect((await bucket.take()).granted).toBe(false);
    clock.advance(3 * 7500);
    expect(granted(await Promise.all(Array.from({ length: 5 }, () => bucket.take())))).toBe(3);
    clock.advance(60 * 60_000); // an hour idle earns a full bucket, not 480 tokens
    const afterIdle: TokenGrant[] = [];
    for (let i = 0; i < 10; i++) afterIdle.push(await bucket.take());
    expect(granted(afterIdle)).toBe(8);
  });

  it('takes several tokens at once, or none; the wait is until all of them are there', async () => {
    const clock = new TestClock(T0);
    const bucket = dynamoTokenBucket(db, table, bucketSpec(), () => clock.now);
    expect(await bucket.take(5)).toEqual({ granted: true });
    expect(await bucket.take(4)).toEqual({ granted: false, retryAfterMs: 7500 });
    expect(await bucket.take(3)).toEqual({ granted: true });
    expect(await bucket.take(8)).toEqual({ granted: false, retryAfterMs: 60_000 });
    await expect(bucket.take(9)).rejects.toThrow(RangeError);
    await expect(bucket.take(0)).rejects.toThrow(RangeError);
    await expect(bucket.take(1.5)).rejects.toThrow(RangeError);
  });

  it('a taker whose view is stale (another function took meanwhile) still answers right', async () => {
    const clock = new TestClock(T0);
    const spec = bucketSpec({ capacity: 2, refillPerMinute: 2 });
    const here = dynamoTokenBucket(db, table, spec, () => clock.now);
    const there = dynamoTokenBucket(db, table, spec, () => clock.now);
    expect((await here.take()).granted).toBe(true); // here now believes one token is left
    expect((await there.take()).granted).toBe(true);
    expect(await here.take()).toEqual({ granted: false, retryAfterMs: 30_000 });
    clock.advance(60_000); // full again, though `here` last saw it empty
    expect((await here.take()).granted).toBe(true);
    expect((await there.take()).granted).toBe(true);
    expect((await there.take()).granted).toBe(false);
  });

  it('fractional rates work (800 a day) and buckets with other keys are independent', async () => {
    const clock = new TestClock(T0);
    const daily = dynamoTokenBucket(
      db,
      table,
      bucketSpec({ capacity: 2, refillPerMinute: 800 / 1440 }),
      () => clock.now,
    );
    const other = dynamoTokenBucket(db, table, bucketSpec({ capacity: 1, refillPerMinute: 1 }), () => clock.now);
    expect(granted([await daily.take(), await daily.take()])).toBe(2);
    expect(await daily.take()).toEqual({ granted: false, retryAfterMs: 108_000 });
    expect(await other.take()).toEqual({ granted: true });
  });

  it('stores one item with a TTL (epoch seconds) past the moment it is full again', async () => {
    const clock = new TestClock(T0);
    const spec = bucketSpec();
    await dynamoTokenBucket(db, table, spec, () => clock.now).take(2);
    const item = (
      await db.send(new GetCommand({ TableName: table, Key: { PK: `OUTBOUND#BUCKET#${spec.key}`, SK: 'STATE' } }))
    ).Item;
    expect(item?.fullAt).toBe(T0 * 1000 + 2 * 7_500_000);
    expect(item?.ttl).toBeGreaterThanOrEqual((T0 + 60_000) / 1000);
    expect(item?.ttl).toBeLessThanOrEqual((T0 + 60_000) / 1000 + 300);
  });

  it('refuses nonsense specs, and opaque keys do not reveal their parts', () => {
    const now = () => T0;
    expect(() => dynamoTokenBucket(db, table, bucketSpec({ capacity: 0 }), now)).toThrow(RangeError);
    expect(() => dynamoTokenBucket(db, table, bucketSpec({ refillPerMinute: 0 }), now)).toThrow(RangeError);
    expect(() => dynamoTokenBucket(db, table, bucketSpec({ key: '' }), now)).toThrow(RangeError);
    const key = opaqueBucketKey('vendor', 'sk_live_secret');
    expect(key).not.toContain('secret');
    expect(key).toBe(opaqueBucketKey('vendor', 'sk_live_secret'));
    expect(key).not.toBe(opaqueBucketKey('vendor', 'sk_live_secreT'));
    expect(opaqueBucketKey('a', 'bc')).not.toBe(opaqueBucketKey('ab', 'c'));
  });
});
