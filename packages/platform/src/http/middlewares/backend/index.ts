import type { MiddlewareObj } from '@middy/core';
import { type BallastContext, type LambdaEvent, type LambdaResult, stateOf } from '../../pipeline.js';

/** Resolves the tenant's data backend from the routing registry (503 when it has none). */
export function tenantBackend(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      if (!state.route.uses.data || !state.ctx) return;
      state.data = await state.platform.registry.require(state.ctx.tenantId, state.ctx.env, 'data');
    },
  };
}
