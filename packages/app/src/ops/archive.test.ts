import { type BlobStore, TenantBlobs } from '@ballast/platform/data/blobs.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { describe, expect, it } from 'vitest';
import { archiveBoundary, archiveMonth, type ArchiveDeps, type ArchiveSource, readArchive } from './archive.js';
import type { ArchiveManifest, ArchiveStore } from './store.js';

interface Rec {
  id: string;
  at: string;
}

class MemoryUow implements UnitOfWork {
  readonly staged: Array<() => void> = [];
  audits = 0;
  audit(): void {
    this.audits++;
  }
  async commit(): Promise<void> {
    for (const apply of this.staged) apply();
  }
}

function world(records: Rec[]) {
  const objects = new Map<string, Uint8Array>();
  const bucket: BlobStore = {
    put: async (key, body) => void objects.set(key, typeof body === 'string' ? Buffer.from(body) : body),
    get: async (key) => objects.get(key),
    delete: async (keys) => keys.forEach((k) => objects.delete(k)),
  };
  const manifests = new Map<string, ArchiveManifest>();
  const archives: ArchiveStore = {
    put: (uow, _t, m) => void (uow as MemoryUow).staged.push(() => manifests.set(m.archiveId, m)),
    get: async (_t, id) => manifests.get(id),
    ofMonth: async (_t, _s, month) =>
      [...manifests.values()].filter((m) => m.from.startsWith(month)).sort((a, b) => a.part - b.part),
    list: async () => ({ items: [...manifests.values()], nextCursor: null }),
    doneThrough: async () => undefined,
    setDoneThrough: async () => undefined,
    claim: async () => true,
    release: async () => undefined,
  };
  let table = [...records];
  let failRemoveAfter: number | undefined;
  const source: ArchiveSource<Rec> = {
    oldest: async (month, limit) => table.filter((r) => r.at.startsWith(month)).slice(0, limit),
    remove: async (gone) => {
      for (const [i, r] of gone.entries()) {
        if (failRemoveAfter !== undefined && i >= failRemoveAfter) throw new Error('the worker died');
        table = table.filter((x) => x.id !== r.id);
      }
    },
    at: (r) => r.at,
  };
  const deps: ArchiveDeps = {
    archives,
    unitOfWork: () => new MemoryUow(),
    now: () => Date.parse('2030-01-01T00:00:00Z'),
    partRecords: 4,
  };
  const target = {
    tenantId: 't_demo',
    kind: 'audit' as const,
    blobs: new TenantBlobs(() => bucket, { tenantId: 't_demo' }),
  };
  return {
    deps,
    target,
    source,
    manifests,
    objects,
    table: () => table,
    failRemovesAfter: (n: number | undefined) => {
      failRemoveAfter = n;
    },
  };
}

const recs = (n: number, month = '2027-02'): Rec[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${month}-r${String(i).padStart(3, '0')}`,
    at: `${month}-10T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z`,
  }));

describe('archiveMonth', () => {
  it('archives a busy month in parts, each read back and checked, then deletes exactly those', async () => {
    const w = world([...recs(10), ...recs(2, '2027-03')]);
    const r = await archiveMonth(w.deps, w.target, w.source, '2027-02', Date.now() + 60_000);
    expect(r).toEqual({ parts: 3, records: 10, complete: true });
    expect(w.table().map((x) => x.at.slice(0, 7))).toEqual(['2027-03', '2027-03']);
    const parts = [...w.manifests.values()].sort((a, b) => a.part - b.part);
    expect(parts.map((m) => [m.part, m.count, m.state])).toEqual([
      [0, 4, 'purged'],
      [1, 4, 'purged'],
      [2, 2, 'purged'],
    ]);
    expect(parts.map((m) => m.s3Key)).toEqual([
      'tenants/t_demo/tenant/archives/audit/2027-02/0000.jsonl.gz',
      'tenants/t_demo/tenant/archives/audit/2027-02/0001.jsonl.gz',
      'tenants/t_demo/tenant/archives/audit/2027-02/0002.jsonl.gz',
    ]);
    const back = (await Promise.all(parts.map((m) => readArchive(w.target.blobs, m)))).flat();
    expect(back).toEqual(recs(10));
    // nothing left: a second run is a no-op
    expect(await archiveMonth(w.deps, w.target, w.source, '2027-02', Date.now() + 60_000)).toEqual({
      parts: 0,
      records: 0,
      complete: true,
    });
    expect(w.manifests.size).toBe(3);
  });

  it('a run that died while deleting is finished by the next from its archive: no loss, no duplicate', async () => {
    const w = world(recs(6));
    w.failRemovesAfter(2);
    await expect(archiveMonth(w.deps, w.target, w.source, '2027-02', Date.now() + 60_000)).rejects.toThrow('died');
    const [first] = [...w.manifests.values()];
    expect(first).toMatchObject({ part: 0, count: 4, state: 'archived' });
    expect(w.table()).toHaveLength(4); // two of part 0's four were deleted
    w.failRemovesAfter(undefined);
    const r = await archiveMonth(w.deps, w.target, w.source, '2027-02', Date.now() + 60_000);
    expect(r).toMatchObject({ parts: 1, records: 2, complete: true });
    expect(w.table()).toHaveLength(0);
    const all = [...w.manifests.values()].sort((a, b) => a.part - b.part);
    expect(all.map((m) => [m.part, m.count, m.state])).toEqual([
      [0, 4, 'purged'],
      [1, 2, 'purged'],
    ]);
    const back = (await Promise.all(all.map((m) => readArchive(w.target.blobs, m)))).flat();
    expect(back).toEqual(recs(6));
  });

  it('refuses to delete when the object read back does not match (a corrupted or missing object)', async () => {
    const w = world(recs(3));
    const put = w.target.blobs.put.bind(w.target.blobs);
    w.target.blobs.put = async (name, body, type) => put(name, (body as Uint8Array).slice(0, 10), type);
    await expect(archiveMonth(w.deps, w.target, w.source, '2027-02', Date.now() + 60_000)).rejects.toThrow();
    expect(w.table()).toHaveLength(3);
    expect(w.manifests.size).toBe(0);
  });

  it('stops starting parts once out of time; what is left waits for the next run', async () => {
    const w = world(recs(6));
    expect(await archiveMonth(w.deps, w.target, w.source, '2027-02', Date.now() - 1)).toMatchObject({
      complete: false,
      parts: 0,
    });
    expect(w.table()).toHaveLength(6);
  });
});

describe('archiveBoundary', () => {
  const now = Date.parse('2029-06-10T02:00:00Z');
  it('archives whole months that ended by now − the retention age, or by the payload’s cutoff', () => {
    expect(archiveBoundary(now, 'audit', {})).toBe('2028-06');
    expect(archiveBoundary(now, 'journal', {})).toBe('2027-06');
    expect(archiveBoundary(now, 'journal', { retentionDays: 30 })).toBe('2029-05');
    expect(archiveBoundary(now, 'audit', { cutoff: '2027-03-01T00:00:00Z' })).toBe('2027-03');
  });
});
