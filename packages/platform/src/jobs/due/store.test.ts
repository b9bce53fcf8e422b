import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig } from '../../../test/support/harness.js';
import { SYSTEM_TENANT } from '../../context/types.js';
import { createPlatform, type Platform } from '../../platform.js';
import { DUE_SHARDS, type DueWork, type DueWorkStore, shardOf, slotOf, slotStart } from './store.js';
import { DynamoDueWorkStore } from './store.dynamo.js';

let store: DueWorkStore;
let platform: Platform;

beforeAll(async () => {
  const { table, db } = await createTestTable('due');
  store = new DynamoDueWorkStore(db, table);
  platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0, due: store });
});

const uow = () => platform.unitOfWork({ kind: 'system', tenantId: SYSTEM_TENANT, requestId: 'test' }, T0);
const iso = (ms: number) => new Date(ms).toISOString();
const work = (tenantId: string, workId: string, dueAt: string, payload: unknown = { workId }): DueWork => ({
  job: 'probe.run',
  tenantId,
  env: 'dev',
  projectId: 'p_1',
  workId,
  dueAt,
  payload,
});
/** `count` work ids of `tenantId` that all fall in `shard` */
function idsInShard(tenantId: string, shard: number, count: number, prefix: string): string[] {
  const ids: string[] = [];
  for (let n = 0; ids.length < count; n++) if (shardOf(tenantId, `${prefix}${n}`) === shard) ids.push(`${prefix}${n}`);
  return ids;
}
/** every item of a slot, page by page */
async function drain(shard: number, slot: number) {
  const items: DueWork[] = [];
  let pages = 0;
  let after: string | undefined;
  do {
    const page = await store.slotPage(shard, slot, after);
    items.push(...page.items);
    after = page.after;
    pages++;
  } while (after);
  return { items, pages };
}

describe('slots and shards (pure)', () => {
  it('work waits for the first minute boundary at or after it: never early', () => {
    const at = (h: number, m: number, s: number, ms = 0) => Date.UTC(2030, 0, 15, h, m, s, ms);
    expect(slotStart(slotOf(at(13, 30, 45)))).toBe(at(13, 31, 0));
    expect(slotStart(slotOf(at(13, 30, 0, 1)))).toBe(at(13, 31, 0));
    expect(slotStart(slotOf(at(13, 31, 0)))).toBe(at(13, 31, 0));
    expect(slotStart(slotOf(at(13, 31, 59, 999)))).toBe(at(13, 32, 0));
  });

  it('a slot starts at or after its work and less than a minute later', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (dueMs) => {
        const start = slotStart(slotOf(dueMs));
        expect(start).toBeGreaterThanOrEqual(dueMs);
        expect(start - dueMs).toBeLessThan(60_000);
        expect(start % 60_000).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('shards are in range and stable for a (tenant, work id)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 80 }), (tenantId, workId) => {
        const shard = shardOf(tenantId, workId);
        expect(Number.isInteger(shard)).toBe(true);
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(DUE_SHARDS);
        expect(shardOf(tenantId, workId)).toBe(shard);
      }),
      { numRuns: 300 },
    );
    // pinned: a change of the hash would strand work already scheduled under the old shards
    expect([shardOf('t_demo', 'w1'), shardOf('t_demo', 'w2'), shardOf('t_acme', 'purge#p_1')]).toEqual([4, 13, 5]);
  });

  it('spreads work over every shard', () => {
    const used = new Set(Array.from({ length: 400 }, (_, n) => shardOf('t_spread', `w${n}`)));
    expect(used.size).toBe(DUE_SHARDS);
  });
});

describe('due-work store (DynamoDB)', () => {
  it('scheduled work is in its slot’s page, and its slot marker is listed only up to that slot', async () => {
    const due = T0 + 45_000; // 13:30:45 → slot of 13:31
    const item = work('t_one', 'w_first', iso(due), { note: 'hello', amount: '12.50' });
    const shard = shardOf('t_one', 'w_first');
    const u = uow();
    store.schedule(u, item);
    await u.commit();
    const slot = slotOf(due);
    expect(slotStart(slot)).toBe(T0 + 60_000);
    expect(await store.occupiedSlots(shard, slot - 1)).not.toContain(slot);
    expect(await store.occupiedSlots(shard, slot)).toContain(slot);
    expect(await store.occupiedSlots(shard, slot + 1000)).toContain(slot);
    expect((await store.slotPage(shard, slot)).items).toEqual([item]);
    expect((await store.slotPage(shard, slot - 1)).items).toEqual([]);
    const otherShard = (shard + 1) % DUE_SHARDS;
    expect(await store.occupiedSlots(otherShard, slot + 1000)).not.toContain(slot);
  });

  it('occupied slots come oldest first, each once', async () => {
    const shard = 3;
    const ids = idsInShard('t_order', shard, 4, 'ord');
    const base = T0 + 3_600_000;
    const dues = [base + 600_000, base, base + 120_000, base - 5_000]; // the last shares the slot of `base`
    const u = uow();
    ids.forEach((id, i) => store.schedule(u, work('t_order', id, iso(dues[i]))));
    await u.commit();
    const slots = (await store.occupiedSlots(shard, slotOf(base + 10_000_000))).filter(
      (slot) => slot >= slotOf(base - 5_000) && slot <= slotOf(base + 600_000),
    );
    expect(slots).toEqual([slotOf(base), slotOf(base + 120_000), slotOf(base + 600_000)]);
  });

  it('two items of one slot and shard in one unit of work: the marker is written once', async () => {
    const shard = 5;
    const [a, b] = idsInShard('t_pair', shard, 2, 'pair');
    const due = iso(T0 + 7_200_000 + 10_000);
    const u = uow();
    store.schedule(u, work('t_pair', a, due));
    store.schedule(u, work('t_pair', b, due));
    await u.commit(); // a transaction may not write one item twice: this commits only if deduplicated
    const slot = slotOf(Date.parse(due));
    expect((await drain(shard, slot)).items.map((w) => w.workId).sort()).toEqual([a, b].sort());
    expect((await store.occupiedSlots(shard, slot)).filter((s) => s === slot)).toHaveLength(1);
  });

  it('re-scheduling the same work and time overwrites it', async () => {
    const due = iso(T0 + 9_000_000);
    const shard = shardOf('t_again', 'w_again');
    for (const version of [1, 2]) {
      const u = uow();
      store.schedule(u, work('t_again', 'w_again', due, { version }));
      await u.commit();
    }
    const { items } = await drain(shard, slotOf(Date.parse(due)));
    expect(items.filter((w) => w.workId === 'w_again').map((w) => w.payload)).toEqual([{ version: 2 }]);
  });

  it('scheduled work commits with the change that made it due, or not at all', async () => {
    const due = iso(T0 + 10_800_000);
    const u = uow();
    store.schedule(u, work('t_atomic', 'w_atomic', due));
    platform.tenancy.createTenant(u, {
      tenantId: 't_atomic',
      name: 'x',
      mode: 'saas',
      createdAt: due,
      updatedAt: due,
      version: 1,
    });
    await u.commit();
    const v = uow();
    store.schedule(v, work('t_atomic', 'w_atomic_2', iso(T0 + 14_400_000)));
    platform.tenancy.createTenant(v, {
      tenantId: 't_atomic',
      name: 'again',
      mode: 'saas',
      createdAt: due,
      updatedAt: due,
      version: 1,
    });
    await expect(v.commit()).rejects.toMatchObject({ status: 409, code: 'TENANT_EXISTS' });
    const shard = shardOf('t_atomic', 'w_atomic_2');
    const slot = slotOf(T0 + 14_400_000);
    expect((await store.slotPage(shard, slot)).items).toEqual([]);
    expect(await store.occupiedSlots(shard, slot)).not.toContain(slot);
  });

  it('a slot’s work is paged; every item comes back once', async () => {
    const shard = 9;
    const ids = idsInShard('t_bulk', shard, 14, 'bulk');
    const due = iso(T0 + 86_400_000);
    const padding = 'x'.repeat(100_000); // ~1.4 MB in one partition: more than one Query page
    await store.scheduleMany(ids.map((id) => work('t_bulk', id, due, { padding })));
    const { items, pages } = await drain(shard, slotOf(Date.parse(due)));
    expect(pages).toBeGreaterThan(1);
    expect(items.map((w) => w.workId).sort()).toEqual([...ids].sort());
    expect(items.every((w) => (w.payload as { padding: string }).padding.length === 100_000)).toBe(true);
  });

  it('scheduleMany writes every item and one marker per occupied slot', async () => {
    const base = T0 + 172_800_000;
    const many = Array.from({ length: 60 }, (_, n) => work('t_many', `m${n}`, iso(base + (n % 3) * 60_000 + 1)));
    await store.scheduleMany(many);
    let found = 0;
    for (let shard = 0; shard < DUE_SHARDS; shard++) {
      const slots = (await store.occupiedSlots(shard, slotOf(base + 180_000))).filter((s) => s > slotOf(base - 1));
      for (const slot of slots) found += (await drain(shard, slot)).items.filter((w) => w.tenantId === 't_many').length;
      expect(new Set(slots).size).toBe(slots.length);
    }
    expect(found).toBe(60);
  });

  it('clearSlot removes the marker; the slot is no longer listed', async () => {
    const due = iso(T0 + 259_200_000);
    const shard = shardOf('t_clear', 'w_clear');
    const slot = slotOf(Date.parse(due));
    const u = uow();
    store.schedule(u, work('t_clear', 'w_clear', due));
    await u.commit();
    expect(await store.occupiedSlots(shard, slot)).toContain(slot);
    await store.clearSlot(shard, slot);
    expect(await store.occupiedSlots(shard, slot)).not.toContain(slot);
    await store.clearSlot(shard, slot); // clearing twice is harmless
  });
});
