import { encodeCursor, invalidCursor, openCursor } from '@ballast/platform/data/cursor.js';
import { AppError, notFound, unavailable } from '@ballast/platform/errors.js';
import type { AuditRecord } from '@ballast/platform/audit/record.js';
import type { JournalEntry } from '../trading/index.js';
import {
  type ArchiveDeps,
  type ArchiveTarget,
  archiveBoundary,
  archiveMonth,
  monthOf,
  nextMonth,
  readArchive,
} from './archive.js';
import type { ArchiveHandler, ArchiveJobHandler, ArchivePorts } from './archive-ports.js';
import { chainWorkId, nextArchiveRun } from './archive-schedule.js';
import type { jobs } from './jobs.js';
import type { routes } from './routes.js';
import type { ArchiveManifest } from './store.js';

type R = typeof routes;
const iso = (ms: number) => new Date(ms).toISOString();
/** A run starts no new part after this share of its timeout; the next day's run carries on. */
const RUN_BUDGET = 0.6;
function auditSource(ports: ArchivePorts, tenantId: string) {
  return {
    oldest: (month: string, limit: number) => ports.audit.oldestOfMonth(tenantId, month, limit),
    remove: (records: readonly AuditRecord[]) => ports.audit.remove(records),
    at: (r: AuditRecord) => r.at,
  };
}

/** Audit: month after month from the first not yet done (or the tenant's creation) to the boundary. */
async function archiveAudit(deps: ArchiveDeps, ports: ArchivePorts, tenantId: string, boundary: string, end: number) {
  const tenant = await ports.tenancy.getTenant(tenantId);
  if (!tenant) return { parts: 0, records: 0 };
  const done = await ports.archives.doneThrough(tenantId, 'audit');
  const target: ArchiveTarget = { tenantId, kind: 'audit', blobs: ports.tenantBlobs() };
  let parts = 0;
  let records = 0;
  for (let month = done ? nextMonth(done) : monthOf(tenant.createdAt); month < boundary; month = nextMonth(month)) {
    const r = await archiveMonth(deps, target, auditSource(ports, tenantId), month, end);
    parts += r.parts;
    records += r.records;
    if (!r.complete) break;
    await ports.archives.setDoneThrough(tenantId, 'audit', month);
  }
  return { parts, records };
}

/** Journals: each project's oldest entries, month by month, while they are older than the boundary. */
async function archiveJournals(
  deps: ArchiveDeps,
  ports: ArchivePorts,
  tenantId: string,
  env: string,
  boundary: string,
  end: number,
) {
  const before = `${boundary}-01T00:00:00.000Z`;
  let parts = 0;
  let records = 0;
  let cursor: string | undefined;
  do {
    const page = await ports.tenancy.listProjects(tenantId, { limit: 100, cursor });
    for (const project of page.items) {
      const journal = ports.journalOf(project.projectId);
      const target: ArchiveTarget = {
        tenantId,
        kind: 'journal',
        env,
        projectId: project.projectId,
        blobs: ports.projectBlobs(project.projectId),
      };
      for (;;) {
        const [oldest] = await journal.oldestJournal(before, 1);
        if (!oldest) break;
        const month = monthOf(oldest.at);
        const monthEnd = `${nextMonth(month)}-01T00:00:00.000Z`;
        const source = {
          oldest: (_month: string, limit: number) =>
            journal.oldestJournal(monthEnd < before ? monthEnd : before, limit),
          remove: (entries: readonly JournalEntry[]) => journal.removeJournal(entries),
          at: (e: JournalEntry) => e.at,
        };
        const r = await archiveMonth(deps, target, source, month, end);
        parts += r.parts;
        records += r.records;
        if (!r.complete) return { parts, records };
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { parts, records };
}

/**
 * `ops.archive-run`: archives what is older than the retention age (the payload's `cutoff` or
 * `retentionDays`, else ARCHIVE_RETENTION_DAYS), then — when it is the daily chain's run — books
 * the next day's. Every step is safe to repeat (archive.ts), so a redelivery archives nothing twice.
 */
export const runArchive: ArchiveJobHandler<(typeof jobs)['archiveRun']> = async (payload, h) => {
  const { tenantId, env } = h.envelope;
  // the next day's run first: a run that fails or finds the lease taken still keeps the chain going
  if (h.envelope.workId === chainWorkId(payload.kind)) {
    const uow = h.unitOfWork();
    h.ports.due.schedule(uow, {
      job: h.job.id,
      tenantId,
      env,
      workId: chainWorkId(payload.kind),
      dueAt: iso(nextArchiveRun(h.now)),
      payload: { kind: payload.kind, ...(payload.retentionDays ? { retentionDays: payload.retentionDays } : {}) },
    });
    await uow.commit();
  }
  const timeoutMs = (h.job.timeoutSeconds ?? 60) * 1000;
  // one run at a time per kind and scope (a chain's and an operator's run must not interleave)
  const scopeKey = payload.kind === 'audit' ? 'audit' : `journal#${env}`;
  if (!(await h.ports.archives.claim(tenantId, scopeKey, h.envelope.key, h.now, h.now + timeoutMs + 60_000))) {
    h.logger.info('archive run skipped: another run holds the lease', { kind: payload.kind });
    return 'skipped';
  }
  try {
    const end = Date.now() + timeoutMs * RUN_BUDGET;
    const deps: ArchiveDeps = { archives: h.ports.archives, unitOfWork: h.unitOfWork, now: () => h.now };
    const boundary = archiveBoundary(h.now, payload.kind, payload);
    const result =
      payload.kind === 'audit'
        ? await archiveAudit(deps, h.ports, tenantId, boundary, end)
        : await archiveJournals(deps, h.ports, tenantId, env, boundary, end);
    h.logger.info('archive run', { kind: payload.kind, boundary, ...result });
    return result.parts ? 'processed' : 'skipped';
  } finally {
    await h.ports.archives.release(tenantId, scopeKey, h.envelope.key);
  }
};

// --- routes ---------------------------------------------------------------------------------

const view = (m: ArchiveManifest) => m;

export const listArchives: ArchiveHandler<R['listArchives']> = async ({ query }, h) => {
  const page = await h.ports.archives.list(h.ctx.tenantId, {
    kind: query.kind,
    ...(query.kind === 'journal' ? { env: h.ctx.env } : {}),
    from: query.from,
    to: query.to,
    limit: query.limit,
    cursor: query.cursor,
  });
  return { status: 200, body: { items: page.items.map(view), nextCursor: page.nextCursor } };
};

/** The records list pages by position in the archive; the raw cursor (sealed by the pipeline) holds it. */
function recordOffsetOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const opened = openCursor(cursor);
  const fields = typeof opened === 'object' && opened !== null ? Object.entries(opened) : [];
  const [only] = fields;
  if (fields.length !== 1 || !only || only[0] !== 'record' || typeof only[1] !== 'string' || !/^\d{1,9}$/.test(only[1]))
    throw invalidCursor('does not belong to this list');
  return Number(only[1]);
}

export const archiveRecords: ArchiveHandler<R['archiveRecords']> = async ({ params, query }, h) => {
  const m = await h.ports.archives.get(h.ctx.tenantId, params.archiveId);
  // a journal archive of another env is as absent as another tenant's
  if (!m || (m.kind === 'journal' && m.env !== h.ctx.env)) {
    throw notFound('ARCHIVE_NOT_FOUND', `No archive ${params.archiveId} of this tenant`);
  }
  const start = recordOffsetOf(query.cursor);
  const blobs = m.kind === 'audit' ? h.ports.tenantBlobs() : h.ports.projectBlobs(m.projectId ?? '');
  let records: Record<string, unknown>[];
  try {
    records = await readArchive(blobs, m);
  } catch (e) {
    if (e instanceof AppError) throw e; // no blob bucket: 503 BLOBS_NOT_CONFIGURED
    // the object is gone or is not what its manifest says: nothing a caller can fix, so not a 4xx
    throw unavailable(
      'ARCHIVE_UNREADABLE',
      `Archive ${m.archiveId} cannot be read back: its object is missing or altered`,
    );
  }
  const end = Math.min(records.length, start + query.limit);
  return {
    status: 200,
    body: {
      archiveId: m.archiveId,
      kind: m.kind,
      count: m.count,
      items: records.slice(start, end),
      nextCursor: end < records.length ? encodeCursor({ record: String(end) }) : null,
    },
  };
};
