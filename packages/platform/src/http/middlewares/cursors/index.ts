import type { MiddlewareObj } from '@middy/core';
import { principalKey } from '../../../context/types.js';
import { invalidCursor } from '../../../data/cursor.js';
import { unavailable } from '../../../errors.js';
import type { Platform } from '../../../platform.js';
import type { RouteDef } from '../../define-route.js';
import {
  type BallastContext,
  type LambdaEvent,
  type LambdaResult,
  type PipelineState,
  stateOf,
} from '../../pipeline.js';
import { type CursorBinding, cursorKeyFrom, openCursorSeal, sealCursor } from './seal.js';

export { CURSOR_TTL_SECONDS } from './seal.js';

/** Routes whose lists page: they declare the key that signs their cursors. */
export function signsCursors(route: Pick<RouteDef, 'uses'>): boolean {
  return route.uses.secrets?.includes('cursor') ?? false;
}

async function cursorKey(p: Platform): Promise<Buffer> {
  const ref = p.config.cursorSecretRef;
  if (!ref) throw unavailable('CURSOR_KEY_NOT_CONFIGURED', 'This deployment has no key to sign list cursors with');
  return cursorKeyFrom(await p.secrets.resolve(ref));
}

function bindingOf(state: PipelineState): CursorBinding {
  const ctx = state.ctx;
  const input = state.input;
  if (!ctx || !input) throw new Error('signed cursors need the request context and validated input');
  const { cursor: _cursor, ...query } = input.query;
  return {
    tenantId: ctx.tenantId,
    env: ctx.env,
    projectId: ctx.projectId,
    principal: principalKey(ctx.principal),
    routeId: state.route.id,
    params: input.params,
    query,
  };
}

/**
 * Signed pagination cursors, for every list route at once (DESIGN "HTTP conventions"): a
 * `?cursor=` is opened after validation — its HMAC checked against this request's tenant, env,
 * project, principal, route, path and query (every parameter but the cursor) and its expiry —
 * and the handler and its store receive the raw resume point; the reply's `nextCursor` is
 * sealed the same way before it leaves. Stores keep checking raw resume points too (defence in depth).
 * A route that answers a cursor without declaring `uses.secrets: ['cursor']` is a bug: it fails
 * closed rather than hand out an unsigned resume point.
 */
export function signedCursors(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      const sent = state.input?.query.cursor;
      if (sent === undefined || !signsCursors(state.route)) return;
      if (typeof sent !== 'string') throw invalidCursor('is malformed');
      const key = await cursorKey(state.platform);
      const raw = openCursorSeal(key, bindingOf(state), sent, Math.floor(state.startedAt / 1000));
      if (state.input) state.input.query.cursor = raw;
    },
    after: async (request) => {
      const state = stateOf(request);
      const res = request.response;
      if (state.replayed || !res?.body || !res.body.includes('"nextCursor"')) return;
      let body: unknown;
      try {
        body = JSON.parse(res.body);
      } catch {
        return;
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
      const page = body as Record<string, unknown>;
      if (typeof page.nextCursor !== 'string') return;
      if (!signsCursors(state.route)) {
        throw new Error(`${state.route.id} answers a nextCursor but does not declare uses.secrets: ['cursor']`);
      }
      const key = await cursorKey(state.platform);
      page.nextCursor = sealCursor(key, bindingOf(state), page.nextCursor, Math.floor(state.startedAt / 1000));
      res.body = JSON.stringify(page);
    },
  };
}
