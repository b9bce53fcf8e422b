import type { MiddlewareObj } from '@middy/core';
import { createHash } from 'node:crypto';
import { IDEMPOTENCY_KEY } from '../../../context/headers.js';
import { AppError, badRequest, conflict } from '../../../errors.js';
import {
  type BallastContext,
  type IdempotencyClaim,
  type LambdaEvent,
  type LambdaResult,
  stateOf,
} from '../../pipeline.js';
import { redactSecrets } from './secrets.js';
import type { StoredResponse } from './store.js';

/** What makes two requests "the same" under one key: body, path parameters and project. */
export function requestFingerprint(body: unknown, params: Record<string, string>, projectId: string | undefined) {
  return createHash('sha256')
    .update(JSON.stringify({ body: body ?? null, params, project: projectId ?? null }))
    .digest('hex');
}

/**
 * What is stored of a response for its replays: never a secret. A JSON body loses the fields the
 * route declares secret and anything shaped like an API key secret; the record says which.
 */
export function storableResponse(response: LambdaResult, secretFields: readonly string[] = []): StoredResponse {
  const stored: StoredResponse = {
    statusCode: response.statusCode,
    headers: response.headers,
    body: response.body,
  };
  if (!response.body) return stored;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    return stored;
  }
  const { body, fields } = redactSecrets(parsed, secretFields);
  if (!fields.length) return stored;
  return { ...stored, body: JSON.stringify(body), redacted: fields };
}

/**
 * `Idempotency-Key` on routes that declare it: the first request claims (tenant, env, principal
 * kind and id, route, key); a replay returns the stored response with `Idempotent-Replayed: true`;
 * the same key with another request → 422; a replay while the first is still running → 409.
 * Failed requests release the claim so the client may retry.
 *
 * A response that carried a secret (an API key's, shown once) is stored without it, and its
 * replay is a 409 SECRET_SHOWN_ONCE whose `resource` member is the first response without the
 * secret: the request did succeed, and what it created can be found and revoked.
 */
export function idempotency(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      if (!state.route.idempotent || !state.ctx) return;
      const key = state.headers['idempotency-key'];
      if (key === undefined) {
        if (state.route.idempotencyKey !== 'required') return;
        // 400, as the IETF Idempotency-Key draft (§2.7) and Stripe answer: the request is malformed
        // without it (If-Match, a precondition on state, stays 428)
        throw badRequest(
          'IDEMPOTENCY_KEY_REQUIRED',
          'Send an Idempotency-Key header: this route must not be applied twice by a retry',
          [{ path: 'headers.idempotency-key', message: 'is required' }],
        );
      }
      if (!IDEMPOTENCY_KEY.test(key)) {
        throw badRequest('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 _ . : -', [
          { path: 'headers.idempotency-key', message: 'is malformed' },
        ]);
      }
      const claim: IdempotencyClaim = {
        tenantId: state.ctx.tenantId,
        env: state.ctx.env,
        principalKind: state.ctx.principal.kind,
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
      state.replayed = true;
      if (existing.response.redacted?.length) throw secretShownOnce(existing.response);
      // The handler wrapper answers with this instead of running the route again.
      const { redacted: _none, ...response } = existing.response;
      state.replay = { ...response, headers: { ...(response.headers ?? {}) } };
    },
    after: async (request) => {
      const state = stateOf(request);
      if (!state.idempotency || state.replayed || !request.response) return;
      const status = request.response.statusCode ?? 200;
      const stored = await state.platform.idempotency.complete(
        state.idempotency.key,
        state.idempotency.owner,
        storableResponse(request.response, state.route.responses[status]?.secretFields),
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

function secretShownOnce(first: StoredResponse): AppError {
  let resource: unknown;
  try {
    resource = JSON.parse(first.body ?? '');
  } catch {
    resource = undefined;
  }
  return new AppError(
    409,
    'SECRET_SHOWN_ONCE',
    'This request already succeeded, but its response carried a secret, which is shown once and never stored: ' +
      'it cannot be replayed. Revoke what it created if the secret was lost, and create a new one with a new key.',
    { extra: { resource, redacted: first.redacted } },
  );
}
