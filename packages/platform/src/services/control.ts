import type * as z from 'zod/mini';
import { newApiKey } from '../auth/api-keys.js';
import { MODES, SYSTEM_TENANT } from '../context/types.js';
import type { ApiKeyRecord, MemberRecord, ProjectRecord, TenantRecord } from '../data/control.js';
import { BEGINS, k } from '../data/keys.js';
import { badRequest, conflict, notFound, preconditionFailed } from '../errors.js';
import type { RouteHandler } from '../http/types.js';
import type * as s from '../routes/schemas.js';
import { audit, ctxOf, etag, ifMatch, iso } from './common.js';

type Params = Record<string, string>;

// ---- modes -----------------------------------------------------------------------------------

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
          ...(before ? { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': before.version } } : {}),
        },
      },
      audit(h, { action: 'mode.put', resource: `mode/${mode}`, before: before ?? null, after, tenantId: SYSTEM_TENANT }),
    ],
    () => conflict('WRITE_CONFLICT', 'The mode changed concurrently; retry'),
  );
  return { body: after, headers: { ETag: etag(after.version) } };
};

// ---- tenants ---------------------------------------------------------------------------------

export const createTenant: RouteHandler = async (i, h) => {
  const body = i.body as z.infer<typeof s.createTenantBody>;
  const c = h.platform.control;
  const at = iso(h.now);
  const tenant: TenantRecord = { tenantId: body.tenantId, name: body.name, mode: body.mode, createdAt: at, updatedAt: at, version: 1 };
  await c.transact(
    [
      { Put: { TableName: c.table, Item: { ...k.tenant(body.tenantId), ...tenant }, ConditionExpression: 'attribute_not_exists(PK)' } },
      audit(h, { action: 'tenant.create', resource: `tenant/${body.tenantId}`, after: tenant, tenantId: body.tenantId }),
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
  if (expected !== undefined && expected !== before.version) throw preconditionFailed(`Tenant is at version ${before.version}`);
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

// ---- projects --------------------------------------------------------------------------------

export const listProjects: RouteHandler = async (i, h) => {
  const { tenantId } = i.params as Params;
  const q = i.query as z.infer<typeof s.listQuery>;
  return { body: await h.platform.control.queryPrefix<ProjectRecord>(k.tenant(tenantId).PK, BEGINS.project, q.limit, q.cursor) };
};

export const createProject: RouteHandler = async (i, h) => {
  const { tenantId } = i.params as Params;
  const body = i.body as z.infer<typeof s.createProjectBody>;
  const c = h.platform.control;
  if (!(await c.getTenant(tenantId))) throw notFound('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`);
  const project: ProjectRecord = { tenantId, projectId: body.projectId, name: body.name, surface: body.surface, app: body.app, createdAt: iso(h.now) };
  await c.transact(
    [
      { Put: { TableName: c.table, Item: { ...k.project(tenantId, body.projectId), ...project }, ConditionExpression: 'attribute_not_exists(PK)' } },
      audit(h, { action: 'project.create', resource: `project/${body.projectId}`, after: project, tenantId }),
    ],
    () => conflict('PROJECT_EXISTS', `Project ${body.projectId} already exists`),
  );
  return { status: 201, body: project };
};

// ---- members ---------------------------------------------------------------------------------

export const listMembers: RouteHandler = async (i, h) => {
  const { tenantId } = i.params as Params;
  const q = i.query as z.infer<typeof s.listQuery>;
  return { body: await h.platform.control.queryPrefix<MemberRecord>(k.tenant(tenantId).PK, BEGINS.member, q.limit, q.cursor) };
};

export const putMember: RouteHandler = async (i, h) => {
  const { tenantId, userId } = i.params as Params;
  const body = i.body as z.infer<typeof s.putMemberBody>;
  const c = h.platform.control;
  if (!(await c.getTenant(tenantId))) throw notFound('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`);
  const before = await c.getMember(tenantId, userId);
  const after: MemberRecord = { tenantId, userId, roles: [...new Set(body.roles)], tier: body.tier, updatedAt: iso(h.now) };
  await c.transact(
    [
      { Put: { TableName: c.table, Item: { ...k.member(tenantId, userId), ...after, GSI1PK: `USER#${userId}`, GSI1SK: `TENANT#${tenantId}` } } },
      audit(h, { action: before ? 'member.update' : 'member.add', resource: `member/${userId}`, before: before ?? null, after, tenantId }),
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

// ---- routing ---------------------------------------------------------------------------------

export const getRouting: RouteHandler = async (i, h) => {
  const { tenantId, env, kind } = i.params as Params;
  const item = await h.platform.control.getRaw(k.routing(tenantId, env, kind), true);
  if (!item) throw notFound('ROUTING_NOT_FOUND', `No '${kind}' routing entry for ${tenantId}/${env}`);
  return { body: { tenantId, env, kind, config: item.config, version: item.version, updatedAt: item.updatedAt }, headers: { ETag: etag(Number(item.version)) } };
};

export const putRouting: RouteHandler = async (i, h) => {
  const { tenantId, env, kind } = i.params as Params;
  const config = i.body as z.infer<typeof s.routingConfig>;
  if (config.kind !== kind) {
    throw badRequest('CONTEXT_MISMATCH', `body.kind '${config.kind}' does not match the path kind '${kind}'`, [{ path: 'body.kind', message: 'must match the path' }]);
  }
  const c = h.platform.control;
  const before = await c.getRaw(k.routing(tenantId, env, kind), true);
  const expected = ifMatch(i.headers, false);
  if (expected !== undefined && expected !== Number(before?.version ?? 0)) throw preconditionFailed('Routing entry changed');
  const after = { tenantId, env, kind, config, version: Number(before?.version ?? 0) + 1, updatedAt: iso(h.now) };
  await c.transact(
    [
      {
        Put: {
          TableName: c.table,
          Item: { ...k.routing(tenantId, env, kind), ...after },
          ConditionExpression: before ? '#v = :v' : 'attribute_not_exists(PK)',
          ...(before ? { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': before.version } } : {}),
        },
      },
      audit(h, { action: 'routing.put', resource: `routing/${tenantId}/${env}/${kind}`, before: before?.config ?? null, after: config, tenantId }),
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
      { Delete: { TableName: c.table, Key: k.routing(tenantId, env, kind), ConditionExpression: 'attribute_exists(PK)' } },
      audit(h, { action: 'routing.delete', resource: `routing/${tenantId}/${env}/${kind}`, before: before.config, after: null, tenantId }),
    ],
    () => notFound('ROUTING_NOT_FOUND', 'Routing entry already removed'),
  );
  h.platform.registry.invalidate();
  return { status: 204 };
};

// ---- API keys --------------------------------------------------------------------------------

export const createApiKey: RouteHandler = async (i, h) => {
  const ctx = ctxOf(h);
  const body = i.body as z.infer<typeof s.createApiKeyBody>;
  const projectId = body.projectId ?? ctx.projectId;
  if (!projectId) throw badRequest('PROJECT_REQUIRED', 'An API key is scoped to a project');
  if (body.expiresAt && Date.parse(body.expiresAt) <= h.now) {
    throw badRequest('VALIDATION_FAILED', 'expiresAt must be in the future', [{ path: 'body.expiresAt', message: 'must be in the future' }]);
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
      { Put: { TableName: c.table, Item: { ...k.apiKey(keyId), GSI1PK: k.apiKeyIndex(ctx.tenantId), GSI1SK: `KEY#${rec.createdAt}#${keyId}`, ...rec }, ConditionExpression: 'attribute_not_exists(PK)' } },
      audit(h, { action: 'apiKey.create', resource: `apiKey/${keyId}`, after: publicRec }),
    ],
    () => conflict('WRITE_CONFLICT', 'Key id collision; retry'),
  );
  return { status: 201, body: { ...publicRec, secret } };
};

export const listApiKeys: RouteHandler = async (i, h) => {
  const ctx = ctxOf(h);
  const q = i.query as z.infer<typeof s.listQuery>;
  return { body: await h.platform.control.queryPrefix<ApiKeyRecord>(k.apiKeyIndex(ctx.tenantId), 'KEY#', q.limit, q.cursor, { index: 'GSI1', forward: false }) };
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
      audit(h, { action: 'apiKey.revoke', resource: `apiKey/${keyId}`, before: { revokedAt: null }, after: { revokedAt: at } }),
    ],
    () => notFound('API_KEY_NOT_FOUND', `No API key ${keyId}`),
  );
  return { status: 204 };
};

// ---- identity ---------------------------------------------------------------------------------

export const logout: RouteHandler = async (_i, h) => {
  const ctx = ctxOf(h);
  const p = ctx.principal;
  if (p.kind !== 'user' || !p.jti || !p.exp) throw badRequest('NOT_A_TOKEN', 'Logout revokes bearer tokens; revoke API keys with DELETE /v1/api-keys/{keyId}');
  const c = h.platform.control;
  await c.revoke(p.jti, p.exp, p.id, h.now);
  await c.transact([audit(h, { action: 'token.revoke', resource: `token/${p.jti}`, after: { until: iso(p.exp * 1000) } })], () => conflict('WRITE_CONFLICT', 'retry'));
  return { status: 204 };
};

export const me: RouteHandler = async (_i, h) => {
  const ctx = ctxOf(h);
  return {
    body: {
      tenantId: ctx.tenantId,
      env: ctx.env,
      projectId: ctx.projectId,
      user: ctx.principal.kind === 'user' ? ctx.principal.id : undefined,
      apiKeyId: ctx.principal.keyId,
      principal: ctx.principal.id,
      tier: ctx.tier,
      roles: ctx.roles,
      mode: ctx.mode,
      systemAdmin: ctx.systemAdmin,
      requestId: ctx.requestId,
    },
  };
};

export const listAudit: RouteHandler = async (i, h) => {
  const ctx = ctxOf(h);
  const q = i.query as z.infer<typeof s.listQuery>;
  return { body: await h.platform.control.queryPrefix(k.auditPk(ctx.tenantId), '', q.limit, q.cursor, { forward: false }) };
};
