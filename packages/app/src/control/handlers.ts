import { newApiKey } from '@ballast/platform/auth/api-keys.js';
import { MODES, type RequestContext, SYSTEM_TENANT } from '@ballast/platform/context/types.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, badRequest, conflict, forbidden, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import type { ReplyOf, RouteSpec } from '@ballast/platform/http/define-route.js';
import {
  evaluateFlag,
  type FlagContext,
  type FlagDefinition,
  type FlagRule,
  type FlagSetting,
} from '@ballast/platform/flags/flags.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import type {
  ApiKeyView,
  MemberRecord,
  MemberWrite,
  ModeRecord,
  ProjectRecord,
  StoredApiKey,
  TenantRecord,
} from '@ballast/platform/tenancy/store.js';
import { ALL_FLAGS } from '../flags.js';
import type { ControlHandler, ControlPorts } from './ports.js';
import type { ProjectKeyRule, routes } from './routes.js';
import { type Rights, refuseEscalation, systemRecords, within } from './service.js';
import { scheduleArchiveRuns } from '../ops/index.js';

type R = typeof routes;
const iso = (ms: number) => new Date(ms).toISOString();

/** What the helpers below need of a handler's context. */
interface Use {
  ports: ControlPorts;
  now: number;
  unitOfWork(): UnitOfWork;
}

// ---- who may act where

/**
 * The project a caller is confined to: a project-scoped API key's. Users and tenant-scoped keys
 * are confined to none (their membership or key decides what they may do in the tenant).
 */
async function confinedProject(ctx: RequestContext | undefined, ports: ControlPorts): Promise<string | undefined> {
  if (!ctx || ctx.principal.kind !== 'apiKey' || !ctx.principal.keyId) return undefined;
  const key = await ports.tenancy.getApiKey(ctx.principal.keyId);
  if (!key) throw forbidden('API_KEY_SCOPE', 'The API key is no longer known');
  // A project-scoped key always names its project; '' (none) would match no project at all.
  return key.scope === 'project' ? (key.projectId ?? '') : undefined;
}

/**
 * Every control handler is wrapped by this: it holds the route's `projectKeys` rule (routes.ts).
 * `refused` routes act on the whole tenant and turn a project-scoped key away; `ownProject`
 * handlers narrow what they show and touch to the key's project themselves.
 */
function scoped<D extends RouteSpec & { projectKeys: ProjectKeyRule }>(handler: ControlHandler<D>): ControlHandler<D> {
  const guarded: ControlHandler<D> = async (input, h) => {
    if (h.route.projectKeys === 'refused' && (await confinedProject(h.ctx, h.ports)) !== undefined) {
      throw forbidden(
        'API_KEY_SCOPE',
        `${h.route.id} acts on the whole tenant: a project-scoped API key cannot; use a tenant-scoped key`,
      );
    }
    return handler(input, h);
  };
  SCOPED.add(guarded);
  return guarded;
}

const SCOPED = new WeakSet<object>();

/** Whether a handler holds its route's `projectKeys` rule (a test checks every control handler does). */
export const holdsKeyScope = (handler: object): boolean => SCOPED.has(handler);

const isSelf = (ctx: RequestContext, userId: string) =>
  ctx.principal.kind === 'user' && ctx.principal.userId === userId;

// ---- versions (DESIGN "HTTP conventions": strong ETags, If-Match on every change)

function requireVersion(what: string, current: number, ifMatch: number): void {
  if (ifMatch !== current) throw preconditionFailed(`${what} is at version ${current}`);
}

/**
 * A PUT that creates or replaces. Absent: created (If-Match on it is stale, 412). Present: it
 * needs If-Match at its version (428 without, 412 stale); If-None-Match: * insists on creating.
 */
function upsertPrecondition(
  what: string,
  current: number | undefined,
  ifMatch: number | undefined,
  headers: Readonly<Record<string, string>>,
): void {
  if (current === undefined) {
    if (ifMatch !== undefined) throw preconditionFailed(`${what} does not exist`);
    return;
  }
  if (headers['if-none-match']?.trim() === '*') throw preconditionFailed(`${what} exists already`);
  if (ifMatch === undefined) {
    throw new AppError(428, 'IF_MATCH_REQUIRED', `${what} exists: send If-Match with the ETag you last read`);
  }
  requireVersion(what, current, ifMatch);
}

// ---- records as shown

const memberView = ({ keysCreated: _keysCreated, ...view }: MemberRecord) => view;
const keyView = ({ hash: _hash, ...view }: StoredApiKey): ApiKeyView => view;

async function existingTenant(h: Use, tenantId: string): Promise<TenantRecord> {
  const tenant = await h.ports.tenancy.getTenant(tenantId);
  if (!tenant) throw notFound('TENANT_NOT_FOUND', `Tenant ${tenantId} does not exist`);
  return tenant;
}

// ---- memberships and the keys their members made

/** The commit fails with 409 LAST_ADMIN unless another admin stays (a concurrent demotion included). */
async function keepAnotherAdmin(h: Use, uow: UnitOfWork, tenantId: string, userId: string): Promise<void> {
  const other = await h.ports.tenancy.findOtherAdmin(tenantId, userId);
  if (!other) {
    throw conflict('LAST_ADMIN', `${userId} is the last admin of ${tenantId}: make another member admin first`);
  }
  h.ports.tenancy.requireAdmin(uow, tenantId, other);
}

/** Keys revoked in the commit of a membership change; a member with more has the rest revoked first. */
const KEYS_PER_COMMIT = 25;

/**
 * A key never holds more than its creator does (README "The API"): when a membership goes
 * (`rights` undefined) every key the member created in the tenant is revoked; when it is lowered,
 * the keys above what it now holds. The last batch is staged into `uow`, whose membership change
 * conditions on the member's count of created keys, so a key made meanwhile fails the change (412)
 * instead of surviving it. Earlier batches commit first: if the change is then refused, those keys
 * stay revoked — the safe side.
 */
async function revokeKeysBeyond(
  h: Use,
  uow: UnitOfWork,
  member: MemberRecord,
  rights: Rights | undefined,
  reason: string,
): Promise<void> {
  const { tenantId } = member;
  const keys = (await h.ports.tenancy.activeKeysCreatedBy(tenantId, member.userId)).filter(
    (key) => !rights || !within(key, rights),
  );
  const at = iso(h.now);
  const stage = (into: UnitOfWork, key: ApiKeyView) => {
    h.ports.tenancy.revokeApiKey(into, key.keyId, tenantId, at, key.version);
    into.audit({
      action: 'apiKey.revoke',
      resource: `apiKey/${key.keyId}`,
      before: { revokedAt: null },
      after: { revokedAt: at, reason },
      tenantId,
    });
  };
  const batches: ApiKeyView[][] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_COMMIT) batches.push(keys.slice(i, i + KEYS_PER_COMMIT));
  const last = batches.pop() ?? [];
  for (const batch of batches) {
    const own = h.unitOfWork();
    for (const key of batch) stage(own, key);
    await own.commit();
  }
  for (const key of last) stage(uow, key);
}

// ---- system and modes

/** Creates t_system and the modes, nothing else. Safe to call again: existing records are kept. */
export const bootstrap: ControlHandler<R['bootstrap']> = scoped(async (_input, h) => {
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
});

export const listModes: ControlHandler<R['listModes']> = scoped(async (_input, h) => ({
  status: 200,
  body: { items: await h.ports.tenancy.listModes(), nextCursor: null },
}));

/** Replaces the mode's description and defaults (a PUT: what is left out is reset). */
export const putMode: ControlHandler<R['putMode']> = scoped(async ({ params, body, ifMatch }, h) => {
  const before = await h.ports.tenancy.getMode(params.mode);
  if (!before) throw notFound('MODE_NOT_FOUND', `Mode ${params.mode} does not exist (bootstrap creates the modes)`);
  requireVersion(`Mode ${params.mode}`, before.version, ifMatch);
  const after: ModeRecord = {
    ...before,
    description: body.description,
    defaults: body.defaults,
    updatedAt: iso(h.now),
    version: before.version + 1,
  };
  const uow = h.unitOfWork();
  h.ports.tenancy.putMode(uow, after, before.version);
  uow.audit({ action: 'mode.put', resource: `mode/${params.mode}`, before, after, tenantId: SYSTEM_TENANT });
  await uow.commit();
  return { status: 200, body: after, headers: { ETag: etag(after.version) } };
});

// ---- tenants

export const createTenant: ControlHandler<R['createTenant']> = scoped(async ({ body }, h) => {
  const at = iso(h.now);
  const tenant: TenantRecord = {
    tenantId: body.tenantId,
    name: body.name,
    mode: body.mode,
    tierCeiling: body.tierCeiling ?? 'sovereign',
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
});

export const getTenant: ControlHandler<R['getTenant']> = scoped(async ({ params }, h) => {
  const tenant = await existingTenant(h, params.tenantId);
  return { status: 200, body: tenant, headers: { ETag: etag(tenant.version) } };
});

export const patchTenant: ControlHandler<R['patchTenant']> = scoped(async ({ params, body, ifMatch }, h) => {
  const before = await existingTenant(h, params.tenantId);
  if (body.tierCeiling !== undefined && body.tierCeiling !== before.tierCeiling && !h.ctx.systemAdmin) {
    throw forbidden('TIER_CEILING_SYSTEM_ONLY', 'Only a system admin sets a tenant’s tier ceiling');
  }
  requireVersion('Tenant', before.version, ifMatch);
  const after: TenantRecord = {
    ...before,
    name: body.name ?? before.name,
    mode: body.mode ?? before.mode,
    tierCeiling: body.tierCeiling ?? before.tierCeiling,
    updatedAt: iso(h.now),
    version: before.version + 1,
  };
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
});

// ---- projects

export const listProjects: ControlHandler<R['listProjects']> = scoped(async ({ params, query }, h) => ({
  status: 200,
  body: await h.ports.tenancy.listProjects(params.tenantId, query),
}));

export const createProject: ControlHandler<R['createProject']> = scoped(async ({ params, body }, h) => {
  await existingTenant(h, params.tenantId);
  const project: ProjectRecord = {
    tenantId: params.tenantId,
    projectId: body.projectId,
    name: body.name,
    surface: body.surface,
    ...(body.app ? { app: body.app } : {}),
    createdAt: iso(h.now),
    version: 1,
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
  return {
    status: 201,
    body: project,
    headers: { ETag: etag(1), Location: `/v1/tenants/${project.tenantId}/projects/${project.projectId}` },
  };
});

export const getProject: ControlHandler<R['getProject']> = scoped(async ({ params }, h) => {
  const only = await confinedProject(h.ctx, h.ports);
  const visible = only === undefined || only === params.projectId;
  const project = visible ? await h.ports.tenancy.getProject(params.tenantId, params.projectId) : undefined;
  if (!project) throw notFound('PROJECT_NOT_FOUND', `No project ${params.projectId} in ${params.tenantId}`);
  return { status: 200, body: project, headers: { ETag: etag(project.version) } };
});

// ---- members

export const listMembers: ControlHandler<R['listMembers']> = scoped(async ({ params, query }, h) => {
  const page = await h.ports.tenancy.listMembers(params.tenantId, query);
  return { status: 200, body: { ...page, items: page.items.map(memberView) } };
});

export const getMember: ControlHandler<R['getMember']> = scoped(async ({ params }, h) => {
  const member = await h.ports.tenancy.getMember(params.tenantId, params.userId);
  if (!member) throw notFound('MEMBER_NOT_FOUND', `${params.userId} is not a member of ${params.tenantId}`);
  return { status: 200, body: memberView(member), headers: { ETag: etag(member.version) } };
});

/**
 * Adds a member, or changes one at its version. Nobody changes their own membership, grants above
 * their own rights or the tenant's ceiling, or changes someone who holds more than they do; the
 * last admin stays an admin; keys the member made above its new rights are revoked with the change.
 */
export const putMember: ControlHandler<R['putMember']> = scoped(
  async ({ params, body, ifMatch, headers }, h): Promise<ReplyOf<R['putMember']>> => {
    const { tenantId, userId } = params;
    const ctx = h.ctx;
    const tenant = await existingTenant(h, tenantId);
    const before = await h.ports.tenancy.getMember(tenantId, userId);
    upsertPrecondition(`The membership of ${userId}`, before?.version, ifMatch, headers);
    const granted: Rights & MemberWrite = {
      tenantId,
      userId,
      roles: [...new Set(body.roles)],
      tier: body.tier,
      updatedAt: iso(h.now),
    };
    const uow = h.unitOfWork();
    // Said first when it holds: the last admin demoting itself is refused for that reason.
    if (before?.roles.includes('admin') && !granted.roles.includes('admin')) {
      await keepAnotherAdmin(h, uow, tenantId, userId);
    }
    if (isSelf(ctx, userId)) throw forbidden('OWN_MEMBERSHIP', 'Nobody may change their own tier or roles');
    if (before && !within(before, ctx)) {
      throw forbidden('MEMBER_ABOVE_OWN', `${userId} holds more than you do: only someone at or above may change it`);
    }
    refuseEscalation(ctx, granted, tenant.tierCeiling);
    if (!before) {
      h.ports.tenancy.createMember(uow, granted);
      const added = { ...granted, version: 1 };
      uow.audit({ action: 'member.add', resource: `member/${userId}`, before: null, after: added, tenantId });
      await uow.commit();
      return {
        status: 201,
        body: added,
        headers: { ETag: etag(1), Location: `/v1/tenants/${tenantId}/members/${userId}` },
      };
    }
    const after: MemberRecord = { ...before, ...granted, version: before.version + 1 };
    await revokeKeysBeyond(h, uow, before, granted, `its creator ${userId} now holds less`);
    h.ports.tenancy.updateMember(uow, after, before);
    uow.audit({
      action: 'member.update',
      resource: `member/${userId}`,
      before: memberView(before),
      after: memberView(after),
      tenantId,
    });
    await uow.commit();
    return { status: 200, body: memberView(after), headers: { ETag: etag(after.version) } };
  },
);

/** Removes a member (leaving is allowed, the last admin excepted) and revokes every key it made. */
export const deleteMember: ControlHandler<R['deleteMember']> = scoped(async ({ params, ifMatch }, h) => {
  const { tenantId, userId } = params;
  const before = await h.ports.tenancy.getMember(tenantId, userId);
  if (!before) throw notFound('MEMBER_NOT_FOUND', `${userId} is not a member of ${tenantId}`);
  requireVersion(`The membership of ${userId}`, before.version, ifMatch);
  const uow = h.unitOfWork();
  if (before.roles.includes('admin')) await keepAnotherAdmin(h, uow, tenantId, userId);
  if (!isSelf(h.ctx, userId) && !within(before, h.ctx)) {
    throw forbidden('MEMBER_ABOVE_OWN', `${userId} holds more than you do: only someone at or above may remove it`);
  }
  await revokeKeysBeyond(h, uow, before, undefined, `its creator ${userId} was removed`);
  h.ports.tenancy.deleteMember(uow, before);
  uow.audit({
    action: 'member.remove',
    resource: `member/${userId}`,
    before: memberView(before),
    after: null,
    tenantId,
  });
  await uow.commit();
  return { status: 204 };
});

// ---- routing

export const getRouting: ControlHandler<R['getRouting']> = scoped(async ({ params }, h) => {
  const { tenantId, env, kind } = params;
  const entry = await h.ports.routing.get(tenantId, env, kind);
  if (!entry) throw notFound('ROUTING_NOT_FOUND', `No '${kind}' routing entry for ${tenantId}/${env}`);
  return { status: 200, body: entry, headers: { ETag: etag(entry.version) } };
});

export const putRouting: ControlHandler<R['putRouting']> = scoped(
  async ({ params, body, ifMatch, headers }, h): Promise<ReplyOf<R['putRouting']>> => {
    const { tenantId, env, kind } = params;
    if (body.kind !== kind) {
      throw badRequest('CONTEXT_MISMATCH', `body.kind '${body.kind}' does not match the path kind '${kind}'`, [
        { path: 'body.kind', message: 'must match the path' },
      ]);
    }
    const before = await h.ports.routing.get(tenantId, env, kind);
    upsertPrecondition(`The '${kind}' routing entry of ${tenantId}/${env}`, before?.version, ifMatch, headers);
    // An entry naming a table that is not there would break every data route of the tenant.
    if (body.kind === 'data' && !(await h.ports.routing.tableExists(body.tableName))) {
      throw new AppError(422, 'DATA_TABLE_NOT_FOUND', `There is no table named ${body.tableName}`, {
        errors: [{ path: 'body.tableName', message: `no table named ${body.tableName} exists` }],
      });
    }
    const uow = h.unitOfWork();
    const after = h.ports.routing.put(
      uow,
      { tenantId, env, kind, config: body, updatedAt: iso(h.now) },
      before?.version,
    );
    uow.audit({
      action: 'routing.put',
      resource: `routing/${tenantId}/${env}/${kind}`,
      before: before?.config ?? null,
      after: body,
      tenantId,
    });
    // a tenant's first data entry in an env starts its daily archive runs (docs/operations.md)
    if (!before && body.kind === 'data') scheduleArchiveRuns(h.ports.due, uow, { tenantId, env, atMs: h.now });
    await uow.commit();
    h.ports.registry.invalidate();
    const stored = { ...after, config: body };
    if (before) return { status: 200, body: stored, headers: { ETag: etag(after.version) } };
    return {
      status: 201,
      body: stored,
      headers: { ETag: etag(after.version), Location: `/v1/routing/${tenantId}/${env}/${kind}` },
    };
  },
);

export const deleteRouting: ControlHandler<R['deleteRouting']> = scoped(async ({ params, ifMatch }, h) => {
  const { tenantId, env, kind } = params;
  const before = await h.ports.routing.get(tenantId, env, kind);
  if (!before) throw notFound('ROUTING_NOT_FOUND', `No '${kind}' routing entry for ${tenantId}/${env}`);
  requireVersion(`The '${kind}' routing entry of ${tenantId}/${env}`, before.version, ifMatch);
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
});

// ---- API keys

/** The project a new key is scoped to: none for a tenant-scoped key; else the body's or X-Project-Id's. */
async function projectOfNewKey(
  h: Use,
  ctx: RequestContext,
  body: { scope: 'tenant' | 'project'; projectId?: string },
): Promise<string | undefined> {
  if (body.scope === 'tenant') {
    if (body.projectId === undefined) return undefined;
    throw badRequest('VALIDATION_FAILED', 'A tenant-scoped key names no project', [
      { path: 'body.projectId', message: 'must be absent when scope is tenant' },
    ]);
  }
  if (body.projectId !== undefined && ctx.projectId !== undefined && body.projectId !== ctx.projectId) {
    throw badRequest('CONTEXT_MISMATCH', 'body.projectId names another project than X-Project-Id', [
      { path: 'body.projectId', message: 'does not match X-Project-Id' },
    ]);
  }
  const projectId = body.projectId ?? ctx.projectId;
  if (projectId === undefined) {
    throw badRequest('PROJECT_REQUIRED', 'A project-scoped key needs a project: send X-Project-Id or projectId', [
      { path: 'body.projectId', message: 'is required for a project-scoped key' },
    ]);
  }
  // X-Project-Id was checked by the pipeline; a project named only in the body is checked here.
  if (projectId !== ctx.projectId && !(await h.ports.tenancy.getProject(ctx.tenantId, projectId))) {
    throw badRequest('PROJECT_UNKNOWN', `Project ${projectId} is not a project of tenant ${ctx.tenantId}`, [
      { path: 'body.projectId', message: 'is not a project of this tenant' },
    ]);
  }
  return projectId;
}

/** Only a signed-in user (fresh login) creates keys, and never above its own rights or the ceiling. */
export const createApiKey: ControlHandler<R['createApiKey']> = scoped(async ({ body }, h) => {
  const ctx = h.ctx;
  const creator = ctx.principal;
  if (creator.kind !== 'user' || !creator.userId) {
    throw forbidden('USER_REQUIRED', 'API keys are created by a signed-in user, never by another key');
  }
  const tenant = await existingTenant(h, ctx.tenantId);
  const projectId = await projectOfNewKey(h, ctx, body);
  if (body.expiresAt && Date.parse(body.expiresAt) <= h.now) {
    throw badRequest('VALIDATION_FAILED', 'expiresAt must be in the future', [
      { path: 'body.expiresAt', message: 'must be in the future' },
    ]);
  }
  const granted: Rights = { tier: body.tier, roles: [...new Set(body.roles)] };
  refuseEscalation(ctx, granted, tenant.tierCeiling);
  const { keyId, secret, hash } = newApiKey();
  const record: StoredApiKey = {
    keyId,
    tenantId: ctx.tenantId,
    scope: body.scope,
    ...(projectId === undefined ? {} : { projectId }),
    name: body.name,
    tier: granted.tier,
    roles: [...granted.roles],
    hash,
    createdAt: iso(h.now),
    createdBy: creator.userId,
    ...(body.expiresAt ? { expiresAt: body.expiresAt } : {}),
    version: 1,
  };
  const shown = keyView(record);
  const uow = h.unitOfWork();
  h.ports.tenancy.createApiKey(uow, record);
  // Counted on the creator's membership: a removal racing this creation then notices the key.
  h.ports.tenancy.countKeyCreated(uow, ctx.tenantId, creator.userId);
  uow.audit({ action: 'apiKey.create', resource: `apiKey/${keyId}`, after: shown });
  await uow.commit();
  return {
    status: 201,
    body: { ...shown, secret },
    headers: { ETag: etag(record.version), Location: `/v1/api-keys/${keyId}` },
  };
});

export const listApiKeys: ControlHandler<R['listApiKeys']> = scoped(async ({ query }, h) => {
  const only = await confinedProject(h.ctx, h.ports);
  return {
    status: 200,
    body: await h.ports.tenancy.listApiKeys(
      h.ctx.tenantId,
      query,
      only === undefined ? undefined : { projectId: only },
    ),
  };
});

/** A key the caller may see: its tenant's, and for a project-scoped caller its project's; else 404. */
async function visibleKey(h: Use, ctx: RequestContext, keyId: string): Promise<StoredApiKey> {
  const record = await h.ports.tenancy.getApiKey(keyId);
  const only = await confinedProject(ctx, h.ports);
  // Another tenant's (or project's) key is indistinguishable from a missing one.
  if (!record || record.tenantId !== ctx.tenantId || (only !== undefined && record.projectId !== only)) {
    throw notFound('API_KEY_NOT_FOUND', `No API key ${keyId}`);
  }
  return record;
}

export const getApiKey: ControlHandler<R['getApiKey']> = scoped(async ({ params }, h) => {
  const record = await visibleKey(h, h.ctx, params.keyId);
  return { status: 200, body: keyView(record), headers: { ETag: etag(record.version) } };
});

export const deleteApiKey: ControlHandler<R['deleteApiKey']> = scoped(async ({ params, ifMatch }, h) => {
  const record = await visibleKey(h, h.ctx, params.keyId);
  requireVersion(`API key ${params.keyId}`, record.version, ifMatch);
  if (record.revokedAt) return { status: 204 };
  const at = iso(h.now);
  const uow = h.unitOfWork();
  h.ports.tenancy.revokeApiKey(uow, params.keyId, h.ctx.tenantId, at, record.version);
  uow.audit({
    action: 'apiKey.revoke',
    resource: `apiKey/${params.keyId}`,
    before: { revokedAt: null },
    after: { revokedAt: at },
  });
  await uow.commit();
  return { status: 204 };
});

// ---- identity and audit

export const logout: ControlHandler<R['logout']> = scoped(async (_input, h) => {
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
});

/** The resolved context. X-Project-Id is optional here: t_system has no project, and a caller may ask. */
export const me: ControlHandler<R['me']> = scoped(async (_input, h) => {
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
});

export const listAudit: ControlHandler<R['listAudit']> = scoped(async ({ query }, h) => {
  const tenant = await h.ports.tenancy.getTenant(h.ctx.tenantId);
  return {
    status: 200,
    body: await h.ports.audit.list(h.ctx.tenantId, {
      ...query,
      since: tenant?.createdAt ?? iso(h.now),
      until: iso(h.now),
    }),
  };
});

// ---- feature flags (definitions in code, ALL_FLAGS; settings in the control table)

function flagDefinition(key: string): FlagDefinition {
  const def = ALL_FLAGS.find((f) => f.key === key);
  if (!def) throw notFound('FLAG_NOT_FOUND', `There is no feature flag ${key}`);
  return def;
}

const flagContextOf = (ctx: RequestContext): FlagContext => ({
  tenantId: ctx.tenantId,
  env: ctx.env,
  ...(ctx.projectId ? { projectId: ctx.projectId } : {}),
  tier: ctx.tier,
});

export const listFlags: ControlHandler<R['listFlags']> = scoped(async (_input, h) => {
  const store = h.ports.flags.store;
  const [globals, overrides] = await Promise.all([store.globals(), store.overrides(h.ctx.tenantId)]);
  const items = ALL_FLAGS.map((def) => {
    const global = globals.find((g) => g.key === def.key);
    const override = overrides.find((o) => o.key === def.key);
    const { enabled, source } = evaluateFlag(def, global, override, flagContextOf(h.ctx));
    return { ...def, global: global ?? null, override: override ?? null, effective: { enabled, source } };
  });
  return { status: 200, body: { items } };
});

/** Writes a flag's setting (global or a tenant's), audited; this process sees it at once, others within 4 s. */
async function putFlagSetting(
  h: Use & { ctx: RequestContext },
  def: FlagDefinition,
  scope: string,
  body: { enabled: boolean; rules: FlagRule[] },
  before: FlagSetting | undefined,
) {
  const after: FlagSetting = {
    key: def.key,
    scope,
    enabled: body.enabled,
    rules: body.rules,
    version: (before?.version ?? 0) + 1,
    updatedAt: iso(h.now),
    updatedBy: h.ctx.principal.id,
  };
  const uow = h.unitOfWork();
  h.ports.flags.store.put(uow, after, before?.version);
  uow.audit({
    action: before ? 'flag.change' : 'flag.set',
    resource: `flag/${scope}/${def.key}`,
    before: before ?? null,
    after,
    ...(scope === 'global' ? {} : { tenantId: scope }),
  });
  await uow.commit();
  h.ports.flags.forget();
  return after;
}

export const putFlag: ControlHandler<R['putFlag']> = scoped(
  async ({ params, body, ifMatch, headers }, h): Promise<ReplyOf<R['putFlag']>> => {
    const def = flagDefinition(params.flag);
    const before = await h.ports.flags.store.global(def.key);
    upsertPrecondition(`The global setting of ${def.key}`, before?.version, ifMatch, headers);
    const after = await putFlagSetting(h, def, 'global', body, before);
    if (before) return { status: 200, body: after, headers: { ETag: etag(after.version) } };
    return { status: 201, body: after, headers: { ETag: etag(after.version), Location: `/v1/flags/${def.key}` } };
  },
);

/** A flag tenants may not override is a system admin's alone (LIVE trading, say). */
function overridableBy(ctx: RequestContext, def: FlagDefinition): void {
  if (def.tenantOverridable || ctx.systemAdmin) return;
  throw forbidden('FLAG_NOT_OVERRIDABLE', `${def.key} is set by a system administrator, not by a tenant`);
}

export const putFlagOverride: ControlHandler<R['putFlagOverride']> = scoped(
  async ({ params, body, ifMatch, headers }, h): Promise<ReplyOf<R['putFlagOverride']>> => {
    const def = flagDefinition(params.flag);
    overridableBy(h.ctx, def);
    await existingTenant(h, params.tenantId);
    const before = await h.ports.flags.store.override(params.tenantId, def.key);
    upsertPrecondition(`The override of ${def.key} for ${params.tenantId}`, before?.version, ifMatch, headers);
    const after = await putFlagSetting(h, def, params.tenantId, body, before);
    if (before) return { status: 200, body: after, headers: { ETag: etag(after.version) } };
    const location = `/v1/tenants/${params.tenantId}/flags/${def.key}`;
    return { status: 201, body: after, headers: { ETag: etag(after.version), Location: location } };
  },
);

export const deleteFlagOverride: ControlHandler<R['deleteFlagOverride']> = scoped(async ({ params, ifMatch }, h) => {
  const def = flagDefinition(params.flag);
  overridableBy(h.ctx, def);
  const before = await h.ports.flags.store.override(params.tenantId, def.key);
  if (!before) throw notFound('FLAG_OVERRIDE_NOT_FOUND', `Tenant ${params.tenantId} has no override of ${def.key}`);
  requireVersion(`The override of ${def.key} for ${params.tenantId}`, before.version, ifMatch);
  const uow = h.unitOfWork();
  h.ports.flags.store.remove(uow, params.tenantId, def.key);
  uow.audit({
    action: 'flag.remove',
    resource: `flag/${params.tenantId}/${def.key}`,
    before,
    after: null,
    tenantId: params.tenantId,
  });
  await uow.commit();
  h.ports.flags.forget();
  return { status: 204 };
});
