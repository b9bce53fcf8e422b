import { isoTime, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { ARCHIVE_ID, ARCHIVE_KINDS } from './ids.js';

export const archiveKind = z.enum(ARCHIVE_KINDS);

/** `?kind=&from=&to=`: archives whose period overlaps [from, to) */
export const archiveListQuery = lazy(() =>
  z
    .extend(listQuery, {
      kind: archiveKind,
      from: z.optional(isoTime),
      to: z.optional(isoTime),
    })
    .check(
      z.refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), {
        error: 'must be after `from`',
        path: ['to'],
      }),
    ),
);

export const archiveParams = lazy(() =>
  z.strictObject({ archiveId: z.string().check(z.regex(ARCHIVE_ID, 'is not an archive id')) }),
);

export const archiveRecordsQuery = lazy(() => listQuery);

export const archiveManifest = lazy(() =>
  z.object({
    archiveId: z.string(),
    kind: archiveKind,
    /** journal archives: the env and project whose journal it holds */
    env: z.optional(z.string()),
    projectId: z.optional(z.string()),
    /** the period (a calendar month, UTC): from inclusive, to exclusive */
    from: z.string(),
    to: z.string(),
    /** a busy month is archived in parts of at most ARCHIVE_PART_RECORDS records */
    part: z.number(),
    count: z.number(),
    /** hex SHA-256 of the uncompressed JSON lines */
    sha256: z.string(),
    s3Key: z.string(),
    bytes: z.number(),
    firstAt: z.string(),
    lastAt: z.string(),
    /** `archived`: the object is written and verified; `purged`: its records are gone from DynamoDB */
    state: z.enum(['archived', 'purged']),
    createdAt: z.string(),
    purgedAt: z.optional(z.string()),
  }),
);

export const pages = {
  archives: lazy(() => pageOf(archiveManifest())),
  /** the records as archived: audit records or journal entries, exactly as they were stored */
  records: lazy(() =>
    z.object({
      archiveId: z.string(),
      kind: archiveKind,
      count: z.number(),
      items: z.array(z.record(z.string(), z.unknown())),
      nextCursor: z.nullable(z.string()),
    }),
  ),
};

/** `ops.archive-run`: tenant and env come from the verified envelope, never the payload. */
export const archiveRunPayload = lazy(() =>
  z.strictObject({
    kind: archiveKind,
    /** archive whole months that ended at or before this instant (default: now − the retention age) */
    cutoff: z.optional(isoTime),
    /** override of the retention age in days (default ARCHIVE_RETENTION_DAYS[kind]) */
    retentionDays: z.optional(z.int().check(z.gte(1), z.lte(36_500))),
  }),
);
