import { createTestTable, silentLogger, T0, testConfig } from '../../../platform/test/support/harness.js';
import { createPlatform } from '@ballast/platform/platform.js';
import { describe, expect, it } from 'vitest';
import { archiveIdOf } from './ids.js';
import type { ArchiveManifest } from './store.js';
import { DynamoArchiveStore } from './store.dynamo.js';

const manifest = (month: string, o: Partial<ArchiveManifest> = {}): ArchiveManifest => {
  const kind = o.kind ?? 'audit';
  const archiveId = archiveIdOf({ tenantId: 't_demo', kind, env: o.env, projectId: o.projectId, month, part: 0 });
  return {
    archiveId,
    kind,
    from: `${month}-01T00:00:00.000Z`,
    to: `${month}-28T00:00:00.000Z`,
    part: 0,
    count: 1,
    sha256: '0'.repeat(64),
    s3Key: `k/${archiveId}`,
    bytes: 1,
    firstAt: `${month}-02T00:00:00.000Z`,
    lastAt: `${month}-02T00:00:00.000Z`,
    state: 'purged',
    createdAt: '2030-01-01T00:00:00.000Z',
    ...o,
  };
};

describe('archive manifests (DynamoDB)', () => {
  it('gets by id, lists by kind and overlapping period newest first, keeps tenants and envs apart', async () => {
    const { db, table } = await createTestTable('archives');
    const platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0 });
    const store = new DynamoArchiveStore(db, table);
    const uow = platform.unitOfWork({ kind: 'system', tenantId: 't_demo', requestId: 'test' }, T0);
    const jan = manifest('2027-01');
    const feb = manifest('2027-02');
    const mar = manifest('2027-03');
    const journalDev = manifest('2027-02', { kind: 'journal', env: 'dev', projectId: 'p_demo' });
    const journalProd = manifest('2027-02', { kind: 'journal', env: 'prod', projectId: 'p_demo' });
    for (const m of [jan, feb, mar, journalDev, journalProd]) store.put(uow, 't_demo', m);
    await uow.commit();

    expect(await store.get('t_demo', feb.archiveId)).toEqual(feb);
    expect(await store.get('t_acme', feb.archiveId)).toBeUndefined();
    expect(await store.get('t_demo', 'ar_audit_202702_000000000000')).toBeUndefined();
    expect(await store.get('t_demo', 'not-an-id')).toBeUndefined();

    const ids = async (q: Parameters<typeof store.list>[1]) =>
      (await store.list('t_demo', q)).items.map((m) => m.archiveId);
    expect(await ids({ kind: 'audit', limit: 10 })).toEqual([mar, feb, jan].map((m) => m.archiveId));
    const overlap = { kind: 'audit' as const, from: '2027-01-28T00:00:00Z', to: '2027-03-01T00:00:00Z', limit: 10 };
    expect(await ids(overlap)).toEqual([feb.archiveId]);
    expect(await ids({ kind: 'journal', env: 'dev', limit: 10 })).toEqual([journalDev.archiveId]);
    const page = await store.list('t_demo', { kind: 'audit', limit: 2 });
    expect(page.items).toHaveLength(2);
    const next = await store.list('t_demo', { kind: 'audit', limit: 2, cursor: page.nextCursor ?? undefined });
    expect(next.items.map((m) => m.archiveId)).toEqual([jan.archiveId]);

    expect(await store.ofMonth('t_demo', { kind: 'journal', env: 'prod', projectId: 'p_demo' }, '2027-02')).toEqual([
      journalProd,
    ]);
    expect(await store.doneThrough('t_demo', 'audit')).toBeUndefined();
    await store.setDoneThrough('t_demo', 'audit', '2027-03');
    expect(await store.doneThrough('t_demo', 'audit')).toBe('2027-03');
    expect(await ids({ kind: 'audit', limit: 10 })).toHaveLength(3);
  });

  it('leases a kind to one run at a time: a redelivery keeps it, another waits for release or expiry', async () => {
    const { db, table } = await createTestTable('archive-leases');
    const store = new DynamoArchiveStore(db, table);
    expect(await store.claim('t_demo', 'audit', 'run-a', 1000, 2000)).toBe(true);
    expect(await store.claim('t_demo', 'audit', 'run-a', 1100, 2100)).toBe(true);
    expect(await store.claim('t_demo', 'audit', 'run-b', 1200, 2200)).toBe(false);
    expect(await store.claim('t_acme', 'audit', 'run-b', 1200, 2200)).toBe(true);
    expect(await store.claim('t_demo', 'journal#dev', 'run-b', 1200, 2200)).toBe(true);
    await store.release('t_demo', 'audit', 'run-b'); // not its lease: nothing happens
    expect(await store.claim('t_demo', 'audit', 'run-b', 1300, 2300)).toBe(false);
    await store.release('t_demo', 'audit', 'run-a');
    expect(await store.claim('t_demo', 'audit', 'run-b', 1400, 2400)).toBe(true);
    // an expired lease is taken over
    expect(await store.claim('t_demo', 'audit', 'run-c', 2401, 3000)).toBe(true);
  });
});
