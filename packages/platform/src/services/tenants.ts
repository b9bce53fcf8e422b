import type * as z from 'zod/mini';
import { MODES } from '../context/types.js';
import type { TenantRecord } from '../data/control.js';
import { k } from '../data/keys.js';
import { badRequest, conflict, notFound, preconditionFailed } from '../errors.js';
import type { RouteHandler } from '../http/types.js';
import type * as s from '../routes/schemas.js';
import { audit, etag, ifMatch, iso } from './common.js';

type Params = Record<string, string>;

export const createTenant: RouteHandler = async (i, h) => {
  const body = i.body as z.infer<typeof s.createTenantBody>;
  const c = h.platform.control;
  const at = iso(h.now);
  const tenant: TenantRecord = {
    tenantId: body.tenantId,
    name: body.name,
    mode: body.mode,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await c.transact(
    [
      {
        Put: {
          TableName: c.table,
          Item: { ...k.tenant(body.tenantId), ...tenant },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      audit(h, {
        action: 'tenant.create',
        resource: `tenant/${body.tenantId}`,
        after: tenant,
        tenantId: body.tenantId,
      }),
    ],
    () => conflict('TENANT_EXISTS', `Tenant ${body.tenantId} already exists`),
  );
  return { status: 201, body: tenant, headers: { ETag: etag(1), Location: `/v1/tenants/${body.tenantId}` } };
};

export const getTenant: RouteHandler = async (i, h) => {
  const { tenantId } = i.params as Params;
  const t = await h.platform.control.getTenant(tenantId);
  if (!t) throw notFound('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`);
  return { body: t, headers: { ETag: etag(t.version) } };
};

export const patchTenant: RouteHandler = async (i, h) => {
  const { tenantId } = i.params as Params;
  const body = i.body as z.infer<typeof s.patchTenantBody>;
  const c = h.platform.control;
  const expected = ifMatch(i.headers, false);
  const before = await c.getTenant(tenantId);
  if (!before) throw notFound('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`);
  if (expected !== undefined && expected !== before.version)
    throw preconditionFailed(`Tenant is at version ${before.version}`);
  if (body.mode && !(MODES as readonly string[]).includes(body.mode)) throw badRequest('UNKNOWN_MODE', 'Unknown mode');
  const after: TenantRecord = { ...before, ...body, updatedAt: iso(h.now), version: before.version + 1 };
  await c.transact(
    [
      {
        Put: {
          TableName: c.table,
          Item: { ...k.tenant(tenantId), ...after },
          ConditionExpression: '#v = :v',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': before.version },
        },
      },
      audit(h, { action: 'tenant.update', resource: `tenant/${tenantId}`, before, after, tenantId }),
    ],
    () => preconditionFailed('Tenant changed concurrently'),
  );
  return { body: after, headers: { ETag: etag(after.version) } };
};
