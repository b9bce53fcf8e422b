import type { MiddlewareObj } from '@middy/core';
import { stateOf } from '../http/responder.js';
import type { BallastContext, LambdaEvent, LambdaResult } from '../http/types.js';

/** Resolves the tenant's data backend from the routing registry (503 when it has none). */
export function tenantBackend(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const s = stateOf(request);
      if (!s.route.uses.data || !s.ctx) return;
      s.data = await s.platform.registry.require(s.ctx.tenantId, s.ctx.env, 'data');
    },
  };
}
