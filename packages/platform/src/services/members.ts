import type * as z from 'zod/mini';
import type { MemberRecord } from '../data/control.js';
import { BEGINS, k } from '../data/keys.js';
import { conflict, notFound } from '../errors.js';
import type { RouteHandler } from '../http/types.js';
import type * as s from '../routes/schemas.js';
import { audit, iso } from './common.js';

type Params = Record<string, string>;

export const listMembers: RouteHandler = async (i, h) => {
  const { tenantId } = i.params as Params;
  const q = i.query as z.infer<typeof s.listQuery>;
  return {
    body: await h.platform.control.queryPrefix<MemberRecord>(k.tenant(tenantId).PK, BEGINS.member, q.limit, q.cursor),
  };
};

export const putMember: RouteHandler = async (i, h) => {
  const { tenantId, userId } = i.params as Params;
  const body = i.body as z.infer<typeof s.putMemberBody>;
  const c = h.platform.control;
  if (!(await c.getTenant(tenantId))) throw notFound('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`);
  const before = await c.getMember(tenantId, userId);
  const after: MemberRecord = {
    tenantId,
    userId,
    roles: [...new Set(body.roles)],
    tier: body.tier,
    updatedAt: iso(h.now),
  };
  await c.transact(
    [
      {
        Put: {
          TableName: c.table,
          Item: { ...k.member(tenantId, userId), ...after, GSI1PK: `USER#${userId}`, GSI1SK: `TENANT#${tenantId}` },
        },
      },
      audit(h, {
        action: before ? 'member.update' : 'member.add',
        resource: `member/${userId}`,
        before: before ?? null,
        after,
        tenantId,
      }),
    ],
    () => conflict('WRITE_CONFLICT', 'Concurrent change; retry'),
  );
  return { body: after };
};

export const deleteMember: RouteHandler = async (i, h) => {
  const { tenantId, userId } = i.params as Params;
  const c = h.platform.control;
  const before = await c.getMember(tenantId, userId);
  if (!before) throw notFound('MEMBER_NOT_FOUND', `${userId} is not a member of ${tenantId}`);
  await c.transact(
    [
      { Delete: { TableName: c.table, Key: k.member(tenantId, userId), ConditionExpression: 'attribute_exists(PK)' } },
      audit(h, { action: 'member.remove', resource: `member/${userId}`, before, after: null, tenantId }),
    ],
    () => notFound('MEMBER_NOT_FOUND', `${userId} is not a member of ${tenantId}`),
  );
  return { status: 204 };
};
