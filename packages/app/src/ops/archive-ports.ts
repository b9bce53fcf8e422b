import { projectBlobsIn, tenantWideBlobsOf } from '@ballast/platform/data/project-blobs.js';
import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import { type Backend, dataTableOf, type RouteHandler } from '@ballast/platform/http/handler.js';
import type { JobSpec } from '@ballast/platform/jobs/define-job.js';
import type { JobHandler } from '@ballast/platform/jobs/worker.js';
import { DynamoTradingStore } from '../trading/index.js';
import { DynamoArchiveStore } from './store.dynamo.js';

/**
 * Retention and archival: the manifests and the audit log (control table), the tenant's and its
 * projects' blobs, and — for the job, which declares data — each project's journal (trading's store).
 */
export const archivePorts = (b: Backend) => {
  const tenantId = b.scope?.tenantId;
  if (!tenantId) throw new Error('archives are a tenant’s: no tenant in this request or job');
  return {
    archives: new DynamoArchiveStore(b.platform.db, b.platform.config.controlTable),
    audit: b.platform.audit,
    tenancy: b.platform.tenancy,
    due: b.platform.due,
    /** the tenant's own prefix (its audit archive) */
    tenantBlobs: () => tenantWideBlobsOf(b),
    /** a project's prefix in this env: `projectId` from the tenancy records or a manifest, never input */
    projectBlobs: (projectId: string) => projectBlobsIn(b, projectId),
    journalOf: (projectId: string) => new DynamoTradingStore(b.db, dataTableOf(b), { tenantId, projectId }),
  };
};

export type ArchivePorts = ReturnType<typeof archivePorts>;
export type ArchiveHandler<D extends RouteSpec> = RouteHandler<D, ArchivePorts>;
export type ArchiveJobHandler<D extends JobSpec> = JobHandler<D, ArchivePorts>;
