import { unavailable } from '../errors.js';
import { ID_PATTERN } from '../schemas/common.js';

/**
 * Object storage (DESIGN "Data": blobs): large things a record points to — curves, logs, import
 * files, exports. One pooled bucket a stage; every key of a tenant lies under its prefix
 * (`tenantPrefix`). This interface is the whole bucket: only `TenantBlobs` below hands it to
 * application code, bound to a verified scope, so a caller cannot name another tenant's key.
 */
export interface BlobStore {
  put(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
  /** the object's bytes as written, or undefined when there is none */
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * deletes these keys (absent ones are no error). There is no listing: a record names the blobs
   * it wrote, so functions need no s3:ListBucket (whose prefix scoping would need a condition).
   */
  delete(keys: readonly string[]): Promise<void>;
}

/** Whose blobs: a request's verified context or a job's verified envelope, never input. */
export interface BlobScope {
  tenantId: string;
  env: string;
  projectId: string;
}

/** A tenant's own blobs, of no env or project (its audit archive): `tenants/<tenant>/tenant/`. */
export interface TenantWideScope {
  tenantId: string;
}

/**
 * The one spelling of a scope's prefix: `tenants/<tenant>/<env>/projects/<project>/`, or
 * `tenants/<tenant>/tenant/` for a tenant-wide scope (no env is named `tenant`). The parts
 * come from the verified context and are ids of a fixed shape (no `/`); a part that is not one is
 * refused rather than let into a key.
 */
export function tenantPrefix(scope: BlobScope | TenantWideScope): string {
  for (const [name, value] of Object.entries(scope)) {
    if (!ID_PATTERN.test(value)) throw new Error(`blob scope ${name} '${value}' is not an id`);
  }
  if (!('projectId' in scope)) return `tenants/${scope.tenantId}/tenant/`;
  return `tenants/${scope.tenantId}/${scope.env}/projects/${scope.projectId}/`;
}

/**
 * A name inside a scope: path segments of letters, digits, `_`, `-` and `.`, no empty, `.` or
 * `..` segment, no leading `/`. Names are made by code (`<record id>/curve.bin`), not taken from
 * a request, but even a careless caller cannot climb out of its prefix with one.
 */
const NAME = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;
export const MAX_BLOB_NAME = 512;

function checkedName(name: string): string {
  if (name.length > MAX_BLOB_NAME || !NAME.test(name)) throw new Error(`'${name}' is not a blob name`);
  return name;
}

/**
 * One project's blobs: every key is its prefix plus a checked name, so reads, writes and deletes
 * stay inside `tenants/<tenant>/<env>/projects/<project>/` by construction.
 */
export class TenantBlobs {
  readonly prefix: string;

  /** `store` is asked for on first use: a function that never touches a blob never needs a bucket */
  constructor(
    private readonly bucket: () => BlobStore,
    scope: BlobScope | TenantWideScope,
  ) {
    this.prefix = tenantPrefix(scope);
  }

  private get store(): BlobStore {
    return this.bucket();
  }

  /** the full key of a name (for logs and tests; callers use names) */
  keyOf(name: string): string {
    return this.prefix + checkedName(name);
  }

  // every key is checked before the bucket is reached
  async put(name: string, body: string | Uint8Array, contentType: string): Promise<void> {
    const key = this.keyOf(name);
    return this.store.put(key, body, contentType);
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    const key = this.keyOf(name);
    return this.store.get(key);
  }

  async getText(name: string): Promise<string | undefined> {
    const bytes = await this.get(name);
    return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
  }

  async delete(names: readonly string[]): Promise<void> {
    const keys = names.map((n) => this.keyOf(n));
    return this.store.delete(keys);
  }
}

/** What a deployment without a blob bucket answers a route that needs one. */
export const blobsNotConfigured = () =>
  unavailable('BLOBS_NOT_CONFIGURED', 'This deployment has no blob bucket (BALLAST_BLOB_BUCKET is not set)');
