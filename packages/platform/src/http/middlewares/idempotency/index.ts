import type { MiddlewareObj } from '@middy/core';
import { createHash } from 'node:crypto';
import { AppError, badRequest, conflict } from '../../../errors.js';
import {
  type BallastContext,
  type IdempotencyClaim,
  type LambdaEvent,
  type LambdaResult,
  stateOf,
} from '../../pipeline.js';

const KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** What makes two requests "the same" under one key: body, path parameters and project. */
export function requestFingerprint(body: unknown, params: Record<string, string>, projectId: string | undefined) {
  return createHash('sha256')
    .update(JSON.stringify({ body: body ?? null, params, project: projectId ?? null }))
    .digest('hex');
}

/**
 * `Idempotency-Key` on routes that declare it: the first request claims (tenant, principal,
 * route, key); a replay returns the stored response with `Idempotent-Replayed: true`; the same
 * key with another request → 422; a replay while the first is still running → 409. Failed
 * requests release the claim so the client may retry.
 */
export function idempotency(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      if (!state.route.idempotent || !state.ctx) return;
      const key = state.headers['idempotency-key'];
      if (key === undefined) return;
      if (!KEY.test(key)) {
        throw badRequest('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 _ . : -', [
          { path: 'headers.idempotency-key', message: 'is malformed' },
        ]);
      }
      const claim: IdempotencyClaim = {
        tenantId: state.ctx.tenantId,
        env: state.ctx.env,
        principalId: state.ctx.principal.id,
        routeId: state.route.id,
        key,
      };
      const hash = requestFingerprint(state.rawBody, state.params, state.ctx.projectId);
      const outcome = await state.platform.idempotency.claim(claim, hash, Math.floor(state.startedAt / 1000));
      if (outcome.claimed) {
        state.idempotency = { key: claim, owner: outcome.owner };
        return;
      }
      const existing = outcome.existing;
      if (!existing) throw inProgress();
      if (existing.hash !== hash) {
        throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request');
      }
      if (existing.state !== 'COMPLETED' || !existing.response) throw inProgress();
      // The handler wrapper answers with this instead of running the route again.
      state.replayed = true;
      state.replay = { ...existing.response, headers: { ...(existing.response.headers ?? {}) } };
    },
    after: async (request) => {
      const state = stateOf(request);
      if (!state.idempotency || state.replayed || !request.response) return;
      const stored = await state.platform.idempotency.complete(
        state.idempotency.key,
        state.idempotency.owner,
        request.response,
      );
      if (!stored) state.platform.logger.warn('idempotency claim was taken over; response not stored');
    },
    onError: async (request) => {
      const state = request.context.ballast;
      if (!state?.idempotency) return;
      await state.platform.idempotency.release(state.idempotency.key, state.idempotency.owner).catch(() => undefined);
    },
  };
}

function inProgress() {
  return conflict('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is being processed; retry shortly');
}
