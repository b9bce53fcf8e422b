import type * as z from 'zod/mini';
import { newApiKey } from '../auth/api-keys.js';
import type { ApiKeyRecord } from '../data/control.js';
import { k } from '../data/keys.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { RouteHandler } from '../http/types.js';
import type * as s from '../routes/schemas.js';
import { audit, ctxOf, iso } from './common.js';

type Params = Record<string, string>;

export const createApiKey: RouteHandler = async (i, h) => {
  const ctx = ctxOf(h);
  const body = i.body as z.infer<typeof s.createApiKeyBody>;
  const projectId = body.projectId ?? ctx.projectId;
  if (!projectId) throw badRequest('PROJECT_REQUIRED', 'An API key is scoped to a project');
  if (body.expiresAt && Date.parse(body.expiresAt) <= h.now) {
    throw badRequest('VALIDATION_FAILED', 'expiresAt must be in the future', [
      { path: 'body.expiresAt', message: 'must be in the future' },
    ]);
  }
  const { keyId, secret, hash } = newApiKey();
  const rec: ApiKeyRecord = {
    keyId,
    tenantId: ctx.tenantId,
    projectId,
    name: body.name,
    tier: body.tier,
    roles: [...new Set(body.roles)],
    hash,
    createdAt: iso(h.now),
    createdBy: ctx.principal.id,
    ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}),
  };
  const c = h.platform.control;
  const { hash: _h, ...publicRec } = rec;
  await c.transact(
    [
      {
        Put: {
          TableName: c.table,
          Item: {
            ...k.apiKey(keyId),
            GSI1PK: k.apiKeyIndex(ctx.tenantId),
            GSI1SK: `KEY#${rec.createdAt}#${keyId}`,
            ...rec,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      audit(h, { action: 'apiKey.create', resource: `apiKey/${keyId}`, after: publicRec }),
    ],
    () => conflict('WRITE_CONFLICT', 'Key id collision; retry'),
  );
  return { status: 201, body: { ...publicRec, secret } };
};

export const listApiKeys: RouteHandler = async (i, h) => {
  const ctx = ctxOf(h);
  const q = i.query as z.infer<typeof s.listQuery>;
  return {
    body: await h.platform.control.queryPrefix<ApiKeyRecord>(k.apiKeyIndex(ctx.tenantId), 'KEY#', q.limit, q.cursor, {
      index: 'GSI1',
      forward: false,
    }),
  };
};

export const deleteApiKey: RouteHandler = async (i, h) => {
  const ctx = ctxOf(h);
  const { keyId } = i.params as Params;
  const c = h.platform.control;
  const rec = await c.getApiKey(keyId);
  // Another tenant's key is indistinguishable from a missing one.
  if (!rec || rec.tenantId !== ctx.tenantId) throw notFound('API_KEY_NOT_FOUND', `No API key ${keyId}`);
  if (rec.revokedAt) return { status: 204 };
  const at = iso(h.now);
  await c.transact(
    [
      {
        Update: {
          TableName: c.table,
          Key: k.apiKey(keyId),
          UpdateExpression: 'SET revokedAt = :at',
          ConditionExpression: 'tenantId = :t AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': at, ':t': ctx.tenantId },
        },
      },
      audit(h, {
        action: 'apiKey.revoke',
        resource: `apiKey/${keyId}`,
        before: { revokedAt: null },
        after: { revokedAt: at },
      }),
    ],
    () => notFound('API_KEY_NOT_FOUND', `No API key ${keyId}`),
  );
  return { status: 204 };
};
