import type { MiddlewareObj } from '@middy/core';
import { authenticateHeaders, safeEqual } from '../../../auth/credentials.js';
import { unauthorized } from '../../../errors.js';
import { type BallastContext, type LambdaEvent, type LambdaResult, stateOf } from '../../pipeline.js';

/**
 * Who is calling: nobody on public routes; the holder of the bootstrap key on the bootstrap
 * route (compared in constant time with the secret); otherwise a verified bearer token or API key.
 * X-Env is checked first (400); an X-Tenant-Id of the wrong shape is no hint for finding the
 * token's issuer (it is refused with 400 once the credentials are known, see context/).
 */
export function authenticate(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      const p = state.platform;
      if (state.route.access === 'public') return;
      if (state.route.access === 'bootstrapKey') {
        const presented = state.headers['x-bootstrap-key'];
        if (!presented) throw unauthorized('BOOTSTRAP_KEY_REQUIRED', 'X-Bootstrap-Key is required');
        const expected = await p.secrets.resolve(p.config.bootstrapSecretRef);
        if (!safeEqual(presented, expected)) throw unauthorized('BOOTSTRAP_KEY_INVALID', 'Bootstrap key is not valid');
        return;
      }
      state.auth = await authenticateHeaders(p, state.headers, state.startedAt, { deferRevocation: true });
      p.logger.appendKeys({ user: state.auth.principal.id });
    },
  };
}
