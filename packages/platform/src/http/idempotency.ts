import type { MiddlewareObj } from '@middy/core';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { k } from '../data/keys.js';
import { AppError, badRequest, conflict } from '../errors.js';
import { stateOf } from './responder.js';
import type { BallastContext, LambdaEvent, LambdaResult } from './types.js';

const KEY = /^[A-Za-z0-9_.:-]{8,128}$/;
/** Keys expire after 24 h (SPEC §3). */
const TTL_SECONDS = 24 * 3600;
/** An in-progress claim older than this is considered abandoned (crashed invocation). */
const LOCK_SECONDS = 60;

/**
 * `Idempotency-Key` on routes that declare it: the first request claims (tenant, principal,
 * route, key) with a conditional put; a replay returns the stored response with
 * `Idempotent-Replayed: true`; the same key with another body → 422; a replay while the first is
 * still running → 409. Failed requests release the claim so the client may retry.
 */
export function idempotency(): MiddlewareObj<LambdaEvent, LambdaResult, Error, BallastContext> {
  return {
    before: async (request) => {
      const s = stateOf(request);
      if (!s.route.idempotent || !s.ctx) return;
      const key = s.headers['idempotency-key'];
      if (key === undefined) return;
      if (!KEY.test(key)) {
        throw badRequest('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 _ . : -', [
          { path: 'headers.idempotency-key', message: 'is malformed' },
        ]);
      }
      const p = s.platform;
      const { PK, SK } = k.idem(s.ctx.tenantId, s.ctx.principal.id, s.route.id, key);
      const hash = createHash('sha256')
        .update(JSON.stringify({ body: s.rawBody ?? null, params: s.params, project: s.ctx.projectId ?? null }))
        .digest('hex');
      const nowSec = Math.floor(s.startedAt / 1000);
      try {
        await p.db.send(
          new PutCommand({
            TableName: p.config.controlTable,
            Item: { PK, SK, hash, state: 'IN_PROGRESS', lockedUntil: nowSec + LOCK_SECONDS, ttl: nowSec + TTL_SECONDS },
            ConditionExpression: 'attribute_not_exists(PK) OR #ttl < :now OR (#state = :inp AND lockedUntil < :now)',
            ExpressionAttributeNames: { '#ttl': 'ttl', '#state': 'state' },
            ExpressionAttributeValues: { ':now': nowSec, ':inp': 'IN_PROGRESS' },
          }),
        );
        s.idempotency = { pk: PK, sk: SK, hash };
        return;
      } catch (e) {
        if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
      }
      const existing = (
        await p.db.send(new GetCommand({ TableName: p.config.controlTable, Key: { PK, SK }, ConsistentRead: true }))
      ).Item;
      if (!existing)
        throw conflict(
          'IDEMPOTENCY_IN_PROGRESS',
          'A request with this Idempotency-Key is being processed; retry shortly',
        );
      if (existing.hash !== hash) {
        throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request');
      }
      if (existing.state !== 'COMPLETED') {
        throw conflict(
          'IDEMPOTENCY_IN_PROGRESS',
          'A request with this Idempotency-Key is being processed; retry shortly',
        );
      }
      // The handler wrapper answers with this instead of running the route again.
      s.replayed = true;
      const stored = existing.response as LambdaResult;
      s.replay = { statusCode: stored.statusCode, headers: { ...(stored.headers ?? {}) }, body: stored.body };
    },
    after: async (request) => {
      const s = stateOf(request);
      if (!s.idempotency || s.replayed || !request.response) return;
      const res = request.response;
      const p = s.platform;
      const { pk, sk } = s.idempotency;
      await p.db.send(
        new UpdateCommand({
          TableName: p.config.controlTable,
          Key: { PK: pk, SK: sk },
          UpdateExpression: 'SET #state = :done, #response = :res REMOVE lockedUntil',
          ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
          ExpressionAttributeValues: {
            ':done': 'COMPLETED',
            ':res': { statusCode: res.statusCode, headers: res.headers ?? {}, body: res.body ?? '' },
          },
        }),
      );
    },
    onError: async (request) => {
      const s = request.context.ballast;
      if (!s?.idempotency) return;
      await s.platform.db
        .send(
          new DeleteCommand({
            TableName: s.platform.config.controlTable,
            Key: { PK: s.idempotency.pk, SK: s.idempotency.sk },
          }),
        )
        .catch(() => undefined);
    },
  };
}
