import type { Page } from '@ballast/platform/data/query.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';

/** What readiness asks of the backends. */
export interface HealthStore {
  /** milliseconds the control table took to answer; throws when it does not */
  pingControlTable(): Promise<number>;
  /** milliseconds a consistent read of a tenant's own health key in a data table took; throws when it fails */
  pingDataTable(table: string, tenantId: string): Promise<number>;
}

/** The docs page's static parts. */
export interface DocsAssets {
  /** the API reference's browser script */
  scalarScript(): Promise<string>;
}

/** One archive object's manifest: listable by period without listing the bucket. */
export interface ArchiveManifest {
  archiveId: string;
  kind: 'audit' | 'journal';
  env?: string;
  projectId?: string;
  /** the calendar month (UTC): from inclusive, to exclusive */
  from: string;
  to: string;
  part: number;
  count: number;
  /** hex SHA-256 of the uncompressed JSON lines */
  sha256: string;
  s3Key: string;
  bytes: number;
  firstAt: string;
  lastAt: string;
  state: 'archived' | 'purged';
  createdAt: string;
  purgedAt?: string;
}

export interface ArchiveListQuery {
  kind: 'audit' | 'journal';
  /** journal archives of this env only */
  env?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/** The manifests of a tenant's archives (control table), and how far each kind is done. */
export interface ArchiveStore {
  /** stages a manifest's write (or overwrite: same id, same archive) into the unit of work */
  put(uow: UnitOfWork, tenantId: string, manifest: ArchiveManifest): void;
  get(tenantId: string, archiveId: string): Promise<ArchiveManifest | undefined>;
  /** the manifests of one month of one kind and scope, by part */
  ofMonth(
    tenantId: string,
    scope: { kind: 'audit' | 'journal'; env?: string; projectId?: string },
    month: string,
  ): Promise<ArchiveManifest[]>;
  /** manifests overlapping the period, newest period first */
  list(tenantId: string, query: ArchiveListQuery): Promise<Page<ArchiveManifest>>;
  /** the last month (yyyy-mm) of a kind and scope wholly archived and purged, if any */
  doneThrough(tenantId: string, scopeKey: string): Promise<string | undefined>;
  setDoneThrough(tenantId: string, scopeKey: string, month: string): Promise<void>;
  /**
   * One run at a time per kind and scope: takes the lease when it is free, expired or already this
   * run's (a redelivery); false when another run holds it.
   */
  claim(tenantId: string, scopeKey: string, runKey: string, nowMs: number, untilMs: number): Promise<boolean>;
  /** gives the lease back (only this run's) */
  release(tenantId: string, scopeKey: string, runKey: string): Promise<void>;
}
