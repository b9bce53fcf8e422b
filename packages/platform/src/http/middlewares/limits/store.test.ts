import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '../../../../test/support/harness.js';
import type { RateCounterStore } from './store.js';
import { DynamoRateCounterStore } from './store.dynamo.js';

let store: RateCounterStore;

beforeAll(async () => {
  const { table, db } = await createTestTable('rate');
  store = new DynamoRateCounterStore(db, table);
});

describe('rate counter store (DynamoDB)', () => {
  it('counts hits of one (tenant, principal, window), including this one', async () => {
    expect(await store.hit('t_a', 'u_1', 100, 6120)).toBe(1);
    expect(await store.hit('t_a', 'u_1', 100, 6120)).toBe(2);
    expect(await store.hit('t_a', 'u_1', 100, 6120)).toBe(3);
  });

  it('another window, principal or tenant is another counter', async () => {
    await store.hit('t_b', 'u_1', 200, 12_120);
    expect(await store.hit('t_b', 'u_1', 201, 12_180)).toBe(1);
    expect(await store.hit('t_b', 'u_2', 200, 12_120)).toBe(1);
    expect(await store.hit('t_c', 'u_1', 200, 12_120)).toBe(1);
    expect(await store.hit('t_b', 'u_1', 200, 12_120)).toBe(2);
  });

  it('concurrent hits are atomic: every caller sees its own count', async () => {
    const counts = await Promise.all(Array.from({ length: 25 }, () => store.hit('t_d', 'u_1', 300, 18_120)));
    expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });
});
