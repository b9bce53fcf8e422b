import type * as z from 'zod/mini';
import { SYSTEM_TENANT } from '../context/types.js';
import { BEGINS, k } from '../data/keys.js';
import { conflict } from '../errors.js';
import type { RouteHandler } from '../http/types.js';
import type * as s from '../routes/schemas.js';
import { audit, etag, iso } from './common.js';

type Params = Record<string, string>;

export const listModes: RouteHandler = async (_i, h) => {
  const page = await h.platform.control.queryPrefix<Record<string, unknown>>(k.mode('').PK, BEGINS.mode, 50, undefined);
  return { body: { items: page.items, nextCursor: null } };
};

export const putMode: RouteHandler = async (i, h) => {
  const { mode } = i.params as Params;
  const body = i.body as z.infer<typeof s.modeBody>;
  const c = h.platform.control;
  const before = await c.getRaw(k.mode(mode), true);
  const after = {
    mode,
    description: body.description ?? before?.description ?? '',
    defaults: body.defaults ?? before?.defaults ?? {},
    ownerTenantId: SYSTEM_TENANT,
    updatedAt: iso(h.now),
    version: Number(before?.version ?? 0) + 1,
  };
  await c.transact(
    [
      {
        Put: {
          TableName: c.table,
          Item: { ...k.mode(mode), ...after },
          ConditionExpression: before ? '#v = :v' : 'attribute_not_exists(PK)',
          ...(before
            ? { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': before.version } }
            : {}),
        },
      },
      audit(h, {
        action: 'mode.put',
        resource: `mode/${mode}`,
        before: before ?? null,
        after,
        tenantId: SYSTEM_TENANT,
      }),
    ],
    () => conflict('WRITE_CONFLICT', 'The mode changed concurrently; retry'),
  );
  return { body: after, headers: { ETag: etag(after.version) } };
};
