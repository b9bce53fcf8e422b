import type { RouteDef } from '../packages/platform/src/http/define-route.js';
import type { JobDef } from '../packages/platform/src/jobs/define-job.js';

/**
 * Which stack holds which route. CloudFormation allows 500 resources a stack; Ballast keeps every
 * stack at or below STACK_RESOURCE_BUDGET so a stack can always take a few more resources (an
 * alarm, a queue, a route added in a hurry) without a deploy failing at the limit.
 */
export const STACK_RESOURCE_BUDGET = 400;

/**
 * What one route costs in its route stack: the function, its role, the role's policy, its log
 * group, the API integration, the route and the permission that lets API Gateway invoke it.
 */
export const RESOURCES_PER_ROUTE = 7;

/** Resources of a route stack before its first route: SST's custom-resource handler and its role. */
export const ROUTE_STACK_OVERHEAD = 2;

/**
 * At most this many routes a route stack: 50 × 7 + 2 = 352 resources, 48 below the budget.
 * Raising it is a one-line change, but moves routes between stacks (see planRouteStacks).
 */
export const ROUTES_PER_STACK = 50;

/** Function groups that are not contexts: the edge authorizer and the job machinery. */
export const EDGE_GROUP = 'edge';
export const JOBS_GROUP = 'jobs';

export interface RouteStackPlan {
  /** the SST stack id: `ControlRoutes`, then `ControlRoutes2`, `ControlRoutes3`… when split */
  id: string;
  context: string;
  routes: readonly RouteDef[];
}

export interface StackPlan {
  /** routes the Api stack holds itself (the bootstrap route: see Api.ts) */
  apiRoutes: readonly RouteDef[];
  routeStacks: readonly RouteStackPlan[];
}

export interface AppTables {
  routesByContext: Readonly<Record<string, readonly RouteDef[]>>;
  jobs: readonly JobDef[];
}

/** `market-data` → `MarketData` */
const pascal = (context: string) =>
  context
    .split('-')
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');

export function routeStackId(context: string, part: number): string {
  return `${pascal(context)}Routes${part > 1 ? part : ''}`;
}

/** Routes the Api stack must hold: its stage's RouteSettings name them (see Api.ts). */
export const heldByApi = (route: Pick<RouteDef, 'access'>) => route.access === 'bootstrapKey';

/**
 * One route stack per context, in the table's order; a context with more than `perStack` routes
 * (besides those the Api stack holds) is cut into chunks of `perStack`. The first chunk keeps the
 * context's plain name, so a context that outgrows one stack keeps its first `perStack` routes
 * where they were: only the routes past the cut move, to `…Routes2`. Add new routes at the end of
 * a context's table: a route that moves between stacks is deleted in one and created in the other
 * in the same deploy, and API Gateway refuses the second route with the same key while the first
 * still exists — such a move needs two deploys (remove, then add).
 */
export function planRouteStacks(
  routesByContext: AppTables['routesByContext'],
  perStack: number = ROUTES_PER_STACK,
): StackPlan {
  if (!Number.isInteger(perStack) || perStack < 1) throw new Error(`routes per stack must be ≥ 1, not ${perStack}`);
  const ids = new Set<string>();
  const keys = new Set<string>();
  const apiRoutes: RouteDef[] = [];
  const routeStacks: RouteStackPlan[] = [];
  for (const [context, routes] of Object.entries(routesByContext)) {
    if (context === EDGE_GROUP || context === JOBS_GROUP) {
      throw new Error(`context name '${context}' is reserved for a function group of its own`);
    }
    const own: RouteDef[] = [];
    for (const route of routes) {
      if (route.context !== context)
        throw new Error(`route ${route.id} says context '${route.context}', not '${context}'`);
      const key = `${route.method} ${route.path}`;
      if (ids.has(route.id)) throw new Error(`duplicate route id ${route.id}`);
      if (keys.has(key)) throw new Error(`duplicate route ${key}`);
      ids.add(route.id);
      keys.add(key);
      (heldByApi(route) ? apiRoutes : own).push(route);
    }
    for (let i = 0; i < own.length; i += perStack) {
      routeStacks.push({ id: routeStackId(context, i / perStack + 1), context, routes: own.slice(i, i + perStack) });
    }
  }
  const stackIds = routeStacks.map((s) => s.id);
  if (new Set(stackIds).size !== stackIds.length) throw new Error(`route stack ids collide: ${stackIds.join(', ')}`);
  return { apiRoutes, routeStacks };
}

/** Every stack the app composes, in deploy order (stacks/index.ts). */
export function stackIds(plan: StackPlan): string[] {
  return ['Data', 'Auth', 'Api', ...plan.routeStacks.map((s) => s.id), 'Jobs', 'Observability', 'Console'];
}
