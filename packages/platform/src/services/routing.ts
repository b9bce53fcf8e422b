import type * as z from 'zod/mini';
import { k } from '../data/keys.js';
import { badRequest, notFound, preconditionFailed } from '../errors.js';
import type { RouteHandler } from '../http/types.js';
import type * as s from '../routes/schemas.js';
import { audit, etag, ifMatch, iso } from './common.js';

type Params = Record<string, string>;

export const getRouting: RouteHandler = async (i, h) => {
  const { tenantId, env, kind } = i.params as Params;
  const item = await h.platform.control.getRaw(k.routing(tenantId, env, kind), true);
  if (!item) throw notFound('ROUTING_NOT_FOUND', `No '${kind}' routing entry for ${tenantId}/${env}`);
  return {
    body: { tenantId, env, kind, config: item.config, version: item.version, updatedAt: item.updatedAt },
    headers: { ETag: etag(Number(item.version)) },
  };
};

export const putRouting: RouteHandler = async (i, h) => {
  const { tenantId, env, kind } = i.params as Params;
  const config = i.body as z.infer<typeof s.routingConfig>;
  if (config.kind !== kind) {
    throw badRequest('CONTEXT_MISMATCH', `body.kind '${config.kind}' does not match the path kind '${kind}'`, [
      { path: 'body.kind', message: 'must match the path' },
    ]);
  }
  const c = h.platform.control;
  const before = await c.getRaw(k.routing(tenantId, env, kind), true);
  const expected = ifMatch(i.headers, false);
  if (expected !== undefined && expected !== Number(before?.version ?? 0))
    throw preconditionFailed('Routing entry changed');
  const after = { tenantId, env, kind, config, version: Number(before?.version ?? 0) + 1, updatedAt: iso(h.now) };
  await c.transact(
    [
      {
        Put: {
          TableName: c.table,
          Item: { ...k.routing(tenantId, env, kind), ...after },
          ConditionExpression: before ? '#v = :v' : 'attribute_not_exists(PK)',
          ...(before
            ? { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': before.version } }
            : {}),
        },
      },
      audit(h, {
        action: 'routing.put',
        resource: `routing/${tenantId}/${env}/${kind}`,
        before: before?.config ?? null,
        after: config,
        tenantId,
      }),
    ],
    () => preconditionFailed('Routing entry changed concurrently'),
  );
  h.platform.registry.invalidate();
  return { body: after, headers: { ETag: etag(after.version) } };
};

export const deleteRouting: RouteHandler = async (i, h) => {
  const { tenantId, env, kind } = i.params as Params;
  const c = h.platform.control;
  const before = await c.getRaw(k.routing(tenantId, env, kind), true);
  if (!before) throw notFound('ROUTING_NOT_FOUND', `No '${kind}' routing entry for ${tenantId}/${env}`);
  await c.transact(
    [
      {
        Delete: {
          TableName: c.table,
          Key: k.routing(tenantId, env, kind),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      audit(h, {
        action: 'routing.delete',
        resource: `routing/${tenantId}/${env}/${kind}`,
        before: before.config,
        after: null,
        tenantId,
      }),
    ],
    () => notFound('ROUTING_NOT_FOUND', 'Routing entry already removed'),
  );
  h.platform.registry.invalidate();
  return { status: 204 };
};
