import type { BootstrapConfig } from '../config/bootstrap.js';
import type { Backend } from '../http/handler.js';
import { type BlobStore, blobsNotConfigured, TenantBlobs } from './blobs.js';
import { createS3Client, S3BlobStore } from './blobs.s3.js';

/**
 * One S3 client a process and bucket setting. Built here, not in the platform, so only the
 * functions whose ports reach for blobs bundle the S3 SDK.
 */
const stores = new WeakMap<BootstrapConfig, BlobStore>();

export function stageBlobStore(config: BootstrapConfig): BlobStore {
  const known = stores.get(config);
  if (known) return known;
  if (!config.blobBucket) throw blobsNotConfigured();
  const store = new S3BlobStore(
    createS3Client({ region: config.region, endpoint: config.s3Endpoint }),
    config.blobBucket,
  );
  stores.set(config, store);
  return store;
}

/**
 * The project's blobs in the stage's bucket, under `tenants/<tenant>/<env>/projects/<project>/`:
 * the prefix is the verified scope's (a route's context, a job's checked envelope), never input.
 * The bucket is resolved on first use (503 BLOBS_NOT_CONFIGURED without one).
 */
export function projectBlobsOf(b: Backend): TenantBlobs {
  if (!b.scope?.projectId) throw new Error('no project in this request or job: its blobs need one');
  const config = b.platform.config;
  return new TenantBlobs(() => stageBlobStore(config), {
    tenantId: b.scope.tenantId,
    env: b.scope.env,
    projectId: b.scope.projectId,
  });
}

/**
 * The tenant's own blobs, of no env or project (`tenants/<tenant>/tenant/`): records of the whole
 * tenant, such as its audit archive. The tenant is the verified scope's.
 */
export function tenantWideBlobsOf(b: Backend): TenantBlobs {
  if (!b.scope?.tenantId) throw new Error('no tenant in this request or job');
  const config = b.platform.config;
  return new TenantBlobs(() => stageBlobStore(config), { tenantId: b.scope.tenantId });
}

/**
 * Another project's blobs of the verified tenant and env (a tenant-wide job going through its
 * projects): `projectId` must be one the tenancy records list for the tenant, never input.
 */
export function projectBlobsIn(b: Backend, projectId: string): TenantBlobs {
  if (!b.scope?.tenantId) throw new Error('no tenant in this request or job');
  const config = b.platform.config;
  return new TenantBlobs(() => stageBlobStore(config), { tenantId: b.scope.tenantId, env: b.scope.env, projectId });
}
