import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, T0, TestClock, testConfig, unitsOfWork } from '../../test/support/harness.js';
import { CACHE_LIMITS } from '../config/caches.js';
import { createPlatform } from '../platform.js';
import { RoutingRegistry } from './registry.js';
import type { RoutingStore } from './store.js';
import { DynamoRoutingStore } from './store.dynamo.js';

let store: DynamoRoutingStore;
/** the store over the test's table, its reads counted, and `answer` deciding which reach DynamoDB */
let countingStore: (answer?: (tenantId: string) => boolean) => { store: RoutingStore; reads: () => number };
let commit: ReturnType<typeof unitsOfWork>['commit'];

beforeAll(async () => {
  const { table, db } = await createTestTable('registry');
  store = new DynamoRoutingStore(db, table);
  countingStore = (answer = () => true) => {
    let reads = 0;
    class Counting extends DynamoRoutingStore {
      override async get(...args: Parameters<DynamoRoutingStore['get']>) {
        reads++;
        return answer(args[0]) ? super.get(...args) : undefined;
      }
    }
    return { store: new Counting(db, table), reads: () => reads };
  };
  const platform = createPlatform(testConfig(table), { db });
  ({ commit } = unitsOfWork(() => platform));
  await commit((u) =>
    store.put(
      u,
      {
        tenantId: 't_known',
        env: 'dev',
        kind: 'data',
        config: { kind: 'data', mode: 'pooled', tableName: 'pooled-1' },
        updatedAt: 'now',
      },
      undefined,
    ),
  );
});

/** Runs `fn` over `items`, `width` at a time. */
async function inBatches<T>(items: readonly T[], width: number, fn: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

describe('routing registry cache: bounded', () => {
  it('20,000 distinct tenant hints do not grow the cache beyond its cap, and known entries still resolve', async () => {
    // The cache is under test, not the store: 20,000 reads of DynamoDB Local take a minute, so the
    // port answers "no entry" in memory for the hints and reads the real table for the known tenant.
    const absentButKnown = countingStore((tenantId) => tenantId === 't_known');
    const clock = new TestClock(T0);
    const registry = new RoutingRegistry(absentButKnown.store, () => clock.now);
    let peak = 0;
    for (let i = 0; i < 20_000; i++) {
      expect(await registry.find(`t_hint_${i.toString(36)}`, 'dev', 'identity')).toBeNull();
      peak = Math.max(peak, registry.cachedEntries);
    }
    expect(absentButKnown.reads()).toBe(20_000);
    expect(peak).toBe(CACHE_LIMITS.routingEntries.max);
    expect(registry.cachedEntries).toBe(CACHE_LIMITS.routingEntries.max);
    expect((await registry.require('t_known', 'dev', 'data')).config.tableName).toBe('pooled-1');
  });

  it('over the DynamoDB store too: distinct hints beyond a small cap evict the oldest, never grow it', async () => {
    const registry = new RoutingRegistry(store, () => T0, 4000, 20);
    await inBatches(
      Array.from({ length: 100 }, (_, i) => `t_miss_${i}`),
      50,
      async (hint) => expect(await registry.find(hint, 'dev', 'identity')).toBeNull(),
    );
    expect(registry.cachedEntries).toBe(20);
    expect((await registry.require('t_known', 'dev', 'data')).config.tableName).toBe('pooled-1');
    expect(registry.cachedEntries).toBe(20);
  });

  it('a hint of the wrong shape is never looked up, nor cached', async () => {
    const counting = countingStore();
    const registry = new RoutingRegistry(counting.store, () => T0);
    const wrong = ['x'.repeat(2000), 'T_UPPER', '', ' t_space', 't#hash', '__proto__', 't_ok\n'];
    for (const hint of wrong) expect(await registry.find(hint, 'dev', 'identity'), JSON.stringify(hint)).toBeNull();
    for (const env of ['__proto__', 'moon', 'PROD']) expect(await registry.find('t_known', env, 'data')).toBeNull();
    expect(counting.reads()).toBe(0);
    expect(registry.cachedEntries).toBe(0);
    await expect(registry.require('x'.repeat(2000), 'dev', 'data')).rejects.toMatchObject({ status: 503 });
  });

  it('entries expire on the platform clock; one set back in time does not keep them fresh', async () => {
    const clock = new TestClock(T0);
    const registry = new RoutingRegistry(store, () => clock.now);
    expect(await registry.find('t_later', 'dev', 'data')).toBeNull();
    await commit((u) =>
      store.put(
        u,
        {
          tenantId: 't_later',
          env: 'dev',
          kind: 'data',
          config: { kind: 'data', mode: 'pooled', tableName: 'later-1' },
          updatedAt: 'now',
        },
        undefined,
      ),
    );
    clock.advance(CACHE_LIMITS.routingEntries.ttlMs - 1);
    expect(await registry.find('t_later', 'dev', 'data')).toBeNull(); // still the cached absence
    clock.set(T0 - 60_000);
    expect((await registry.find('t_later', 'dev', 'data'))?.config.tableName).toBe('later-1');
  });
});
