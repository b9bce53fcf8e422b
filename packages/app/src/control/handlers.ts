import { newApiKey } from '@ballast/platform/auth/api-keys.js';
import { MODES, SYSTEM_TENANT } from '@ballast/platform/context/types.js';
import { AppError, badRequest, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import type {
  ApiKeyRecord,
  MemberRecord,
  ModeRecord,
  ProjectRecord,
  TenantRecord,
} from '@ballast/platform/tenancy/store.js';
import type { ControlHandler } from './ports.js';
import type { routes } from './routes.js';
import { systemRecords } from './service.js';

type R = typeof routes;
const iso = (ms: number) => new Date(ms).toISOString();

/** Creates t_system and the modes, nothing else. Safe to call again: existing records are kept. */
export const bootstrap: ControlHandler<R['bootstrap']> = async (_input, h) => {
  const { tenancy } = h.ports;
  const { tenant, modes } = systemRecords(iso(h.now));
  const created: string[] = [];
  const createOnce = async (resource: string, stage: (uow: UnitOfWork) => void, after: unknown) => {
    const uow = h.unitOfWork();
    stage(uow);
    uow.audit({ action: 'create', resource, after, tenantId: SYSTEM_TENANT, source: 'system' });
    try {
      await uow.commit();
      created.push(resource);
    } catch (e) {
      // It exists already: bootstrap is idempotent.
      if (!(e instanceof AppError && e.status === 409)) throw e;
    }
  };
  await createOnce(`tenant/${SYSTEM_TENANT}`, (uow) => tenancy.createTenant(uow, tenant), tenant);
  for (const mode of modes) {
    await createOnce(`mode/${mode.mode}`, (uow) => tenancy.putMode(uow, mode, undefined), mode);
  }
  return { status: 200, body: { tenantId: SYSTEM_TENANT, modes: [...MODES], created } };
};

export const listModes: ControlHandler<R['listModes']> = async (_input, h) => ({
  status: 200,
  body: { items: await h.ports.tenancy.listModes(), nextCursor: null },
});

export const putMode: ControlHandler<R['putMode']> = async ({ params, body }, h) => {
  const before = await h.ports.tenancy.getMode(params.mode);
  const after: ModeRecord = {
    mode: params.mode,
    description: body.description ?? before?.description ?? '',
    defaults: body.defaults ?? before?.defaults ?? {},
    ownerTenantId: SYSTEM_TENANT,
    updatedAt: iso(h.now),
    version: (before?.version ?? 0) + 1,
  };
  const uow = h.unitOfWork();
  h.ports.tenancy.putMode(uow, after, before?.version);
  uow.audit({
    action: 'mode.put',
    resource: `mode/${params.mode}`,
    before: before ?? null,
    after,
    tenantId: SYSTEM_TENANT,
  });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

export const createTenant: ControlHandler<R['createTenant']> = async ({ body }, h) => {
  const at = iso(h.now);
  const tenant: TenantRecord = {
    tenantId: body.tenantId,
    name: body.name,
    mode: body.mode,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const uow = h.unitOfWork();
  h.ports.tenancy.createTenant(uow, tenant);
  uow.audit({
    action: 'tenant.create',
    resource: `tenant/${tenant.tenantId}`,
    after: tenant,
    tenantId: tenant.tenantId,
  });
  await uow.commit();
  return { status: 201, body: tenant, headers: { ETag: etag(1), Location: `/v1/tenants/${tenant.tenantId}` } };
};

async function existingTenant(
  h: { ports: { tenancy: { getTenant(id: string): Promise<TenantRecord | undefined> } } },
  tenantId: string,
) {
  const tenant = await h.ports.tenancy.getTenant(tenantId);
  if (!tenant) throw notFound('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`);
  return tenant;
}

export const getTenant: ControlHandler<R['getTenant']> = async ({ params }, h) => {
  const tenant = await existingTenant(h, params.tenantId);
  return { status: 200, body: tenant, headers: { ETag: etag(tenant.version) } };
};

export const patchTenant: ControlHandler<R['patchTenant']> = async ({ params, body, ifMatch }, h) => {
  const before = await existingTenant(h, params.tenantId);
  if (ifMatch !== undefined && ifMatch !== before.version) {
    throw preconditionFailed(`Tenant is at version ${before.version}`);
  }
  const after: TenantRecord = { ...before, ...body, updatedAt: iso(h.now), version: before.version + 1 };
  const uow = h.unitOfWork();
  h.ports.tenancy.updateTenant(uow, after, before.version);
  uow.audit({
    action: 'tenant.update',
    resource: `tenant/${params.tenantId}`,
    before,
    after,
    tenantId: params.tenantId,
  });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
};

export const listProjects: ControlHandler<R['listProjects']> = async ({ params, query }, h) => ({
  status: 200,
  body: await h.ports.tenancy.listProjects(params.tenantId, query),
});

export const createProject: ControlHandler<R['createProject']> = async ({ params, body }, h) => {
  await existingTenant(h, params.tenantId);
  const project: ProjectRecord = {
    tenantId: params.tenantId,
    projectId: body.projectId,
    name: body.name,
    surface: body.surface,
    ...(body.app ? { app: body.app } : {}),
    createdAt: iso(h.now),
  };
  const uow = h.unitOfWork();
  h.ports.tenancy.createProject(uow, project);
  uow.audit({
    action: 'project.create',
    resource: `project/${project.projectId}`,
    after: project,
    tenantId: params.tenantId,
  });
  await uow.commit();
  return { status: 201, body: project };
};

export const listMembers: ControlHandler<R['listMembers']> = async ({ params, query }, h) => ({
  status: 200,
  body: await h.ports.tenancy.listMembers(params.tenantId, query),
});

export const putMember: ControlHandler<R['putMember']> = async ({ params, body }, h) => {
  const { tenantId, userId } = params;
  await existingTenant(h, tenantId);
  const before = await h.ports.tenancy.getMember(tenantId, userId);
  const after: MemberRecord = {
    tenantId,
    userId,
    roles: [...new Set(body.roles)],
    tier: body.tier,
    updatedAt: iso(h.now),
  };
  const uow = h.unitOfWork();
  h.ports.tenancy.putMember(uow, after);
  uow.audit({
    action: before ? 'member.update' : 'member.add',
    resource: `member/${userId}`,
    before: before ?? null,
    after,
    tenantId,
  });
  await uow.commit();
  return { status: 200, body: after };
};

export const deleteMember: ControlHandler<R['deleteMember']> = async ({ params }, h) => {
  const { tenantId, userId } = params;
  const before = await h.ports.tenancy.getMember(tenantId, userId);
  if (!before) throw notFound('MEMBER_NOT_FOUND', `${userId} is not a member of ${tenantId}`);
  const uow = h.unitOfWork();
  h.ports.tenancy.deleteMember(uow, tenantId, userId);
  uow.audit({ action: 'member.remove', resource: `member/${userId}`, before, after: null, tenantId });
  await uow.commit();
  return { status: 204 };
};

export const getRouting: ControlHandler<R['getRouting']> = async ({ params }, h) => {
  const { tenantId, env, kind } = params;
  const entry = await h.ports.routing.get(tenantId, env, kind);
  if (!entry) throw notFound('ROUTING_NOT_FOUND', `No '${kind}' routing entry for ${tenantId}/${env}`);
  return { status: 200, body: entry, headers: { ETag: etag(entry.version) } };
};

export const putRouting: ControlHandler<R['putRouting']> = async ({ params, body, ifMatch }, h) => {
  const { tenantId, env, kind } = params;
  if (body.kind !== kind) {
    throw badRequest('CONTEXT_MISMATCH', `body.kind '${body.kind}' does not match the path kind '${kind}'`, [
      { path: 'body.kind', message: 'must match the path' },
    ]);
  }
  const before = await h.ports.routing.get(tenantId, env, kind);
  if (ifMatch !== undefined && ifMatch !== (before?.version ?? 0)) throw preconditionFailed('Routing entry changed');
  const uow = h.unitOfWork();
  const after = h.ports.routing.put(uow, { tenantId, env, kind, config: body, updatedAt: iso(h.now) }, before?.version);
  uow.audit({
    action: 'routing.put',
    resource: `routing/${tenantId}/${env}/${kind}`,
    before: before?.config ?? null,
    after: body,
    tenantId,
  });
  await uow.commit();
  h.ports.registry.invalidate();
  return { status: 200, body: { ...after, config: body }, headers: { ETag: etag(after.version) } };
};

export const deleteRouting: ControlHandler<R['deleteRouting']> = async ({ params }, h) => {
  const { tenantId, env, kind } = params;
  const before = await h.ports.routing.get(tenantId, env, kind);
  if (!before) throw notFound('ROUTING_NOT_FOUND', `No '${kind}' routing entry for ${tenantId}/${env}`);
  const uow = h.unitOfWork();
  h.ports.routing.delete(uow, tenantId, env, kind);
  uow.audit({
    action: 'routing.delete',
    resource: `routing/${tenantId}/${env}/${kind}`,
    before: before.config,
    after: null,
    tenantId,
  });
  await uow.commit();
  h.ports.registry.invalidate();
  return { status: 204 };
};

export const createApiKey: ControlHandler<R['createApiKey']> = async ({ body }, h) => {
  const projectId = body.projectId ?? h.ctx.projectId;
  if (!projectId) throw badRequest('PROJECT_REQUIRED', 'An API key is scoped to a project');
  if (body.expiresAt && Date.parse(body.expiresAt) <= h.now) {
    throw badRequest('VALIDATION_FAILED', 'expiresAt must be in the future', [
      { path: 'body.expiresAt', message: 'must be in the future' },
    ]);
  }
  const { keyId, secret, hash } = newApiKey();
  const record: ApiKeyRecord = {
    keyId,
    tenantId: h.ctx.tenantId,
    projectId,
    name: body.name,
    tier: body.tier,
    roles: [...new Set(body.roles)],
    hash,
    createdAt: iso(h.now),
    createdBy: h.ctx.principal.id,
    ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}),
  };
  const { hash: _hash, ...shown } = record;
  const uow = h.unitOfWork();
  h.ports.tenancy.createApiKey(uow, record);
  uow.audit({ action: 'apiKey.create', resource: `apiKey/${keyId}`, after: shown });
  await uow.commit();
  return { status: 201, body: { ...shown, secret } };
};

export const listApiKeys: ControlHandler<R['listApiKeys']> = async ({ query }, h) => ({
  status: 200,
  body: await h.ports.tenancy.listApiKeys(h.ctx.tenantId, query),
});

export const deleteApiKey: ControlHandler<R['deleteApiKey']> = async ({ params }, h) => {
  const record = await h.ports.tenancy.getApiKey(params.keyId);
  // Another tenant's key is indistinguishable from a missing one.
  if (!record || record.tenantId !== h.ctx.tenantId) throw notFound('API_KEY_NOT_FOUND', `No API key ${params.keyId}`);
  if (record.revokedAt) return { status: 204 };
  const at = iso(h.now);
  const uow = h.unitOfWork();
  h.ports.tenancy.revokeApiKey(uow, params.keyId, h.ctx.tenantId, at);
  uow.audit({
    action: 'apiKey.revoke',
    resource: `apiKey/${params.keyId}`,
    before: { revokedAt: null },
    after: { revokedAt: at },
  });
  await uow.commit();
  return { status: 204 };
};

export const logout: ControlHandler<R['logout']> = async (_input, h) => {
  const principal = h.ctx.principal;
  if (principal.kind !== 'user' || !principal.jti || !principal.exp) {
    throw badRequest('NOT_A_TOKEN', 'Logout revokes bearer tokens; revoke API keys with DELETE /v1/api-keys/{keyId}');
  }
  await h.ports.tenancy.revoke(principal.jti, principal.exp, principal.id, iso(h.now));
  const uow = h.unitOfWork();
  uow.audit({
    action: 'token.revoke',
    resource: `token/${principal.jti}`,
    after: { until: iso(principal.exp * 1000) },
  });
  await uow.commit();
  return { status: 204 };
};

export const me: ControlHandler<R['me']> = async (_input, h) => {
  const ctx = h.ctx;
  return {
    status: 200,
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

export const listAudit: ControlHandler<R['listAudit']> = async ({ query }, h) => {
  const tenant = await h.ports.tenancy.getTenant(h.ctx.tenantId);
  return {
    status: 200,
    body: await h.ports.audit.list(h.ctx.tenantId, {
      ...query,
      since: tenant?.createdAt ?? iso(h.now),
      until: iso(h.now),
    }),
  };
};
