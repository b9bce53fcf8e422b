import { use, type StackContext } from 'sst/constructs';
import { addRouteFunctions, routeFunctionContext, type ApiOutputs } from './Api.js';
import type { TrackedFunction } from './functions.js';
import type { RouteStackPlan } from './layout.js';

export interface RouteStackOutputs {
  context: string;
  functions: TrackedFunction[];
}

/**
 * One context's routes (or one chunk of them, see stacks/layout.ts) on the shared HTTP API. Each
 * route gets its own function with the least privilege its `uses` declares, its own log group, and
 * the edge authorizer unless it is public. The API, its stage and the authorizer stay in the Api
 * stack; this stack imports their ids.
 */
export function routeStack(plan: RouteStackPlan, Api: (ctx: StackContext) => ApiOutputs) {
  return function RouteStack({ stack }: StackContext): RouteStackOutputs {
    const { api } = use(Api);
    return {
      context: plan.context,
      functions: addRouteFunctions(api, stack, plan.routes, routeFunctionContext(stack)),
    };
  };
}
