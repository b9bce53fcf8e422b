import type { App } from 'sst/constructs';
import { ALL_JOBS } from '../packages/app/src/jobs.js';
import { ROUTES_BY_CONTEXT } from '../packages/app/src/routes.js';
import { apiStack } from './Api.js';
import { Auth } from './Auth.js';
import { assertStageName, isProdLike } from './config.js';
import { consoleStack } from './Console.js';
import { Data } from './Data.js';
import { functionDefaults } from './functions.js';
import { jobsStack } from './Jobs.js';
import { planRouteStacks, stackIds, type AppTables, type StackPlan } from './layout.js';
import { observabilityStack } from './Observability.js';
import { routeStack } from './RouteStack.js';

/** The route and job tables the app deploys: the contexts' aggregates. */
export const APP_TABLES: AppTables = { routesByContext: ROUTES_BY_CONTEXT, jobs: ALL_JOBS };

export interface Composition {
  plan: StackPlan;
  /** SST stack ids in deploy order (CloudFormation names them `<stage>-ballast-<id>`) */
  stackIds: string[];
}

/**
 * Composes the Ballast stacks on an SST app: Data, Auth, Api, one route stack per context (split
 * when a context outgrows one, see stacks/layout.ts), Jobs, Observability, Console. sst.config.ts,
 * scripts/synth.ts and the infra tests all call this, so what is tested is what is deployed; the
 * tables are a parameter so the scale test can compose a generated route table.
 */
export function composeStacks(app: App, tables: AppTables = APP_TABLES): Composition {
  assertStageName(app.stage);
  // Throw-away stages leave nothing behind; prod-like stages keep what is not explicitly RETAINed
  // by the stacks too (log groups, the alarm topic).
  if (!isProdLike(app.stage)) app.setDefaultRemovalPolicy('destroy');
  // Every function in every stack starts from the same runtime, architecture and bundling.
  app.setDefaultFunctionProps(functionDefaults(app.stage));

  const plan = planRouteStacks(tables.routesByContext);
  const Api = apiStack(plan);
  const RouteStacks = plan.routeStacks.map((p) => ({ id: p.id, fn: routeStack(p, Api) }));
  const Jobs = jobsStack(tables.jobs);
  const Observability = observabilityStack({ Api, routeStacks: RouteStacks.map((r) => r.fn), Jobs });
  const Console = consoleStack(Api);

  app.stack(Data).stack(Auth).stack(Api, { id: 'Api' });
  for (const r of RouteStacks) app.stack(r.fn, { id: r.id });
  app.stack(Jobs, { id: 'Jobs' }).stack(Observability, { id: 'Observability' }).stack(Console, { id: 'Console' });
  return { plan, stackIds: stackIds(plan) };
}

export { Auth, Data };
