import type { MiddlewareObj } from '@middy/core';
import { type BallastContext, type LambdaEvent, type LambdaResult, stateOf } from '../../pipeline.js';

/**
 * Resolves the tenant's data backend from the routing registry (503 when it has none), and the
 * client its requests go through (tenant-scoped credentials in the cloud).
 */
export function tenantBackend(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      if (!state.route.uses.data || !state.ctx) return;
      const [data, db] = await Promise.all([
        state.platform.registry.require(state.ctx.tenantId, state.ctx.env, 'data'),
        state.platform.dataClientFor(state.ctx.tenantId, state.route.uses.data),
      ]);
      state.data = data;
      state.dataDb = db;
    },
  };
}
