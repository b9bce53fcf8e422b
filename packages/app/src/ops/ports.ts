import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import type { Backend, RouteHandler } from '@ballast/platform/http/handler.js';
import type { PublicBackend, PublicRouteHandler } from '@ballast/platform/http/public-route.js';
import type { JobSpec } from '@ballast/platform/jobs/define-job.js';
import type { JobHandler } from '@ballast/platform/jobs/worker.js';
import { DynamoTenancyStore } from '@ballast/platform/tenancy/store.dynamo.js';
import { fileDocsAssets } from './assets.fs.js';
import { DynamoHealthStore } from './store.dynamo.js';

/** Operations run on the base platform (its routes are public): they build the two stores they read. */
export const opsPorts = (b: PublicBackend) => ({
  health: new DynamoHealthStore(b.platform.db, b.platform.config.controlTable, b.platform.now),
  /** the heartbeat is a configuration item of the control table */
  config: new DynamoTenancyStore(b.platform.db, b.platform.config.controlTable),
  /** the docs page's script, read once per process */
  docsAssets: fileDocsAssets,
});

export type OpsPorts = ReturnType<typeof opsPorts>;
export type OpsHandler<D extends RouteSpec> = PublicRouteHandler<D, OpsPorts>;
export type OpsJobHandler<D extends JobSpec> = JobHandler<D, OpsPorts>;

/**
 * Detailed health runs the whole pipeline (a system admin's route): the caller's data table is
 * resolved as for any data route; another tenant's is looked up in the routing registry.
 */
export const detailedHealthPorts = (b: Backend) => ({
  ...opsPorts(b),
  /** the caller's (t_system's) data table, resolved by the pipeline */
  ownDataTable: b.data?.config.tableName,
  dataTableOf: async (tenantId: string, env: string) =>
    (await b.platform.registry.find(tenantId, env, 'data'))?.config.tableName,
  /** resolves the cursor-signing secret (never shown): the secret store's health */
  resolveCursorSecret: async (): Promise<void> => {
    const ref = b.platform.config.cursorSecretRef;
    if (!ref) throw new Error('no cursor secret is configured');
    await b.platform.secrets.resolve(ref);
  },
  build: { version: b.platform.config.buildVersion ?? 'unversioned', stage: b.platform.config.stage },
});

export type DetailedHealthPorts = ReturnType<typeof detailedHealthPorts>;
export type DetailedHealthHandler<D extends RouteSpec> = RouteHandler<D, DetailedHealthPorts>;
