import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import type { Backend, RouteHandler } from '@ballast/platform/http/handler.js';
import type { JobSpec } from '@ballast/platform/jobs/define-job.js';
import type { JobHandler } from '@ballast/platform/jobs/worker.js';
import { DynamoHealthStore } from './store.dynamo.js';

export const opsPorts = (b: Backend) => ({
  health: new DynamoHealthStore(b.platform.db, b.platform.config.controlTable, b.platform.now),
  config: b.platform.tenancy,
});

export type OpsPorts = ReturnType<typeof opsPorts>;
export type OpsHandler<D extends RouteSpec> = RouteHandler<D, OpsPorts>;
export type OpsJobHandler<D extends JobSpec> = JobHandler<D, OpsPorts>;
