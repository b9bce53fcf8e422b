import type { RouteSpec } from '@ballast/platform/http/define-route.js';
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
