import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { TenantBlobs } from '@ballast/platform/data/blobs.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { type ArchiveKind, archiveIdOf } from './ids.js';
import type { ArchiveManifest, ArchiveStore } from './store.js';

/** Default retention ages in days (the job's payload may override: `retentionDays`). */
export const ARCHIVE_RETENTION_DAYS: Readonly<Record<ArchiveKind, number>> = { audit: 365, journal: 730 };
/** At most this many records go into one archive object (a busy month is archived in parts). */
export const ARCHIVE_PART_RECORDS = 5_000;
const DAY_MS = 24 * 3600 * 1000;

export const monthOf = (iso: string) => iso.slice(0, 7);
export const monthStart = (month: string) => `${month}-01T00:00:00.000Z`;
export function nextMonth(month: string): string {
  const [year, mon] = month.split('-').map(Number);
  return mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`;
}

/**
 * The first month that is not archived yet: whole months that ended at or before the cutoff are
 * archived, so a record is kept at least its retention age and at most a month longer.
 */
export function archiveBoundary(nowMs: number, kind: ArchiveKind, o: { cutoff?: string; retentionDays?: number }) {
  const cutoffMs = o.cutoff ? Date.parse(o.cutoff) : nowMs - (o.retentionDays ?? ARCHIVE_RETENTION_DAYS[kind]) * DAY_MS;
  return monthOf(new Date(cutoffMs).toISOString());
}

/** The object's name under its prefix (the tenant's for audit, the project's for a journal). */
export const archiveName = (m: { kind: ArchiveKind; from: string; part: number }) =>
  `archives/${m.kind}/${monthOf(m.from)}/${String(m.part).padStart(4, '0')}.jsonl.gz`;

/** Where the records of one archive come from, and how they are removed once archived. */
export interface ArchiveSource<T> {
  /** up to `limit` of the month's oldest records still in DynamoDB */
  oldest(month: string, limit: number): Promise<T[]>;
  remove(records: readonly T[]): Promise<void>;
  at(record: T): string;
}

export interface ArchiveTarget {
  tenantId: string;
  kind: ArchiveKind;
  env?: string;
  projectId?: string;
  blobs: TenantBlobs;
}

export interface ArchiveDeps {
  archives: ArchiveStore;
  unitOfWork(): UnitOfWork;
  /** the platform's clock (stamps on manifests) */
  now(): number;
  /** records per part (default ARCHIVE_PART_RECORDS) */
  partRecords?: number;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The records an archive holds, read back from S3 and checked against its manifest (count and hash). */
export async function readArchive(blobs: TenantBlobs, m: ArchiveManifest): Promise<Record<string, unknown>[]> {
  const body = await blobs.get(archiveName(m));
  if (body === undefined) throw new Error(`archive ${m.archiveId}: its object ${m.s3Key} is missing`);
  const text = gunzipSync(body).toString('utf8');
  const lines = text.split('\n').filter((line) => line.length > 0);
  if (lines.length !== m.count || sha256(text) !== m.sha256) {
    throw new Error(`archive ${m.archiveId}: its object does not match its manifest (count or hash)`);
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

function stagePurged(deps: ArchiveDeps, target: ArchiveTarget, m: ArchiveManifest): Promise<void> {
  const uow = deps.unitOfWork();
  deps.archives.put(uow, target.tenantId, { ...m, state: 'purged', purgedAt: new Date(deps.now()).toISOString() });
  uow.audit({
    action: 'archive.purge',
    resource: `archive/${m.archiveId}`,
    after: { kind: m.kind, from: m.from, to: m.to, part: m.part, count: m.count, s3Key: m.s3Key },
  });
  return uow.commit();
}

/**
 * Archives one month of one kind and scope, part by part, each step safe to repeat:
 * 1. a part whose manifest says `archived` (a run stopped before its records were all deleted) is
 *    read back, checked, and its records deleted — from the archive, so exactly those;
 * 2. the month's oldest records still in DynamoDB become the next part: JSON lines, gzipped, put
 *    under a name fixed by (kind, month, part), read back and checked (count and SHA-256);
 * 3. only then the manifest is written (`archived`), the records deleted, the manifest `purged`.
 * A run stopped between 2 and 3 left the records in place: the next writes the same part again,
 * to the same key. Returns the parts archived, or 'stopped' when out of time.
 */
export async function archiveMonth<T>(
  deps: ArchiveDeps,
  target: ArchiveTarget,
  source: ArchiveSource<T>,
  month: string,
  deadlineMs: number,
): Promise<{ parts: number; records: number; complete: boolean }> {
  const scope = { kind: target.kind, env: target.env, projectId: target.projectId };
  const known = await deps.archives.ofMonth(target.tenantId, scope, month);
  for (const m of known.filter((k) => k.state === 'archived')) {
    await source.remove((await readArchive(target.blobs, m)) as T[]);
    await stagePurged(deps, target, m);
  }
  let part = known.length;
  let parts = 0;
  let total = 0;
  for (;;) {
    if (Date.now() > deadlineMs) return { parts, records: total, complete: false };
    const records = await source.oldest(month, deps.partRecords ?? ARCHIVE_PART_RECORDS);
    if (!records.length) return { parts, records: total, complete: true };
    const archiveId = archiveIdOf({ ...scope, tenantId: target.tenantId, month, part });
    const from = monthStart(month);
    const name = archiveName({ kind: target.kind, from, part });
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const gz = gzipSync(Buffer.from(text, 'utf8'), { level: 6 });
    await target.blobs.put(name, gz, 'application/gzip');
    const manifest: ArchiveManifest = {
      archiveId,
      kind: target.kind,
      ...(target.env !== undefined ? { env: target.env } : {}),
      ...(target.projectId !== undefined ? { projectId: target.projectId } : {}),
      from,
      to: monthStart(nextMonth(month)),
      part,
      count: records.length,
      sha256: sha256(text),
      s3Key: target.blobs.keyOf(name),
      bytes: gz.byteLength,
      firstAt: source.at(records[0]),
      lastAt: source.at(records[records.length - 1]),
      state: 'archived',
      createdAt: new Date(deps.now()).toISOString(),
    };
    // verified before anything is deleted: what S3 holds is what was read
    await readArchive(target.blobs, manifest);
    const uow = deps.unitOfWork();
    deps.archives.put(uow, target.tenantId, manifest);
    await uow.commit();
    await source.remove(records);
    await stagePurged(deps, target, manifest);
    part++;
    parts++;
    total += records.length;
  }
}
