import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig, unitsOfWork } from '../../test/support/harness.js';
import { newApiKey } from '../auth/api-keys.js';
import { SYSTEM_TENANT } from '../context/types.js';

import { AppError } from '../errors.js';
import { createPlatform, type Platform } from '../platform.js';
import type { ApiKeyRecord, ProjectRecord, TenancyStores, TenantRecord } from './store.js';
import { DynamoTenancyStore } from './store.dynamo.js';

const AT = new Date(T0).toISOString();
let store: TenancyStores;
let platform: Platform;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  const made = await createTestTable('tenancy');
  db = made.db;
  store = new DynamoTenancyStore(db, made.table);
  platform = createPlatform(testConfig(made.table), { db, logger: silentLogger(), now: () => T0 });
});

const { uow, commit, refusal } = unitsOfWork(() => platform);

const tenant = (tenantId: string, version = 1): TenantRecord => ({
  tenantId,
  name: `Tenant ${tenantId}`,
  mode: 'saas',
  tierCeiling: 'sovereign',
  createdAt: AT,
  updatedAt: AT,
  version,
});
const project = (tenantId: string, projectId: string): ProjectRecord => ({
  tenantId,
  projectId,
  name: projectId,
  surface: 'web',
  createdAt: AT,
  version: 1,
});
const apiKey = (tenantId: string, createdAt: string): ApiKeyRecord => {
  const { keyId, hash } = newApiKey();
  return {
    keyId,
    tenantId,
    projectId: 'p_main',
    name: `key ${createdAt}`,
    tier: 'operator',
    roles: ['trader'],
    hash,
    createdAt,
    createdBy: 'u_admin',
  };
};

/** every page of a list, checking each page but the last is full */
async function walk<T>(list: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>, limit: number) {
  const pages: T[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await list(cursor);
    pages.push(page.items);
    if (!page.nextCursor) break;
    expect(page.items.length, 'a page that is not the last is full').toBe(limit);
    cursor = page.nextCursor;
  }
  return pages;
}

describe('tenants', () => {
  it('round trip; a second create of the id → 409 TENANT_EXISTS', async () => {
    await commit((u) => store.createTenant(u, tenant('t_one')));
    expect(await store.getTenant('t_one')).toEqual(tenant('t_one'));
    const e = await refusal((u) => store.createTenant(u, { ...tenant('t_one'), name: 'imposter' }));
    expect(e).toMatchObject({ status: 409, code: 'TENANT_EXISTS' });
    expect((await store.getTenant('t_one'))?.name).toBe('Tenant t_one');
    expect(await store.getTenant('t_nobody')).toBeUndefined();
  });

  it('update at the current version succeeds; a stale version is refused by the database (412)', async () => {
    await commit((u) => store.createTenant(u, tenant('t_two')));
    await commit((u) => store.updateTenant(u, { ...tenant('t_two', 2), name: 'renamed' }, 1));
    expect(await store.getTenant('t_two')).toMatchObject({ name: 'renamed', version: 2 });
    // a writer that read version 1 before the rename: only the condition stands in its way
    const e = await refusal((u) => store.updateTenant(u, { ...tenant('t_two', 2), name: 'lost update' }, 1));
    expect(e).toMatchObject({ status: 412, code: 'VERSION_MISMATCH' });
    expect((await store.getTenant('t_two'))?.name).toBe('renamed');
  });

  it('updating a tenant that does not exist is refused too', async () => {
    const e = await refusal((u) => store.updateTenant(u, tenant('t_ghost', 2), 1));
    expect(e.status).toBe(412);
    expect(await store.getTenant('t_ghost')).toBeUndefined();
  });
});

describe('projects', () => {
  it('create-only (409 PROJECT_EXISTS); listed in pages that are full until the last', async () => {
    await commit((u) => store.createTenant(u, tenant('t_proj')));
    const ids = Array.from({ length: 7 }, (_, i) => `p_${String(i).padStart(2, '0')}`);
    await commit((u) => ids.forEach((id) => store.createProject(u, project('t_proj', id))));
    const e = await refusal((u) => store.createProject(u, project('t_proj', 'p_03')));
    expect(e).toMatchObject({ status: 409, code: 'PROJECT_EXISTS' });
    const pages = await walk((cursor) => store.listProjects('t_proj', { limit: 3, cursor }), 3);
    expect(pages.flat().map((p) => p.projectId)).toEqual(ids);
    expect(pages.flat()[0]).toEqual(project('t_proj', 'p_00'));
  });

  it('a tenant’s list holds only its projects (not its members, routing or another tenant’s)', async () => {
    await commit((u) => {
      store.createTenant(u, tenant('t_mixed'));
      store.createProject(u, project('t_mixed', 'p_only'));
      store.putMember(u, { tenantId: 't_mixed', userId: 'u_1', tier: 'observer', roles: ['viewer'], updatedAt: AT });
      platform.routing.put(
        u,
        {
          tenantId: 't_mixed',
          env: 'dev',
          kind: 'data',
          config: { kind: 'data', mode: 'pooled', tableName: 'tbl' },
          updatedAt: AT,
        },
        undefined,
      );
    });
    expect((await store.listProjects('t_mixed', { limit: 50 })).items.map((p) => p.projectId)).toEqual(['p_only']);
    expect((await store.listProjects('t_nobody', { limit: 50 })).items).toEqual([]);
  });

  it('a cursor from another tenant’s list, or a malformed one → 400 INVALID_CURSOR', async () => {
    const page = await store.listProjects('t_proj', { limit: 2 });
    expect(page.nextCursor).not.toBeNull();
    await expect(store.listProjects('t_mixed', { limit: 2, cursor: page.nextCursor ?? '' })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_CURSOR',
    });
    for (const bad of ['%%%', 'bm90IGpzb24', Buffer.from('[1,2]').toString('base64url')]) {
      await expect(store.listProjects('t_proj', { limit: 2, cursor: bad })).rejects.toMatchObject({
        status: 400,
        code: 'INVALID_CURSOR',
      });
    }
  });

  // DESIGN: cursors are opaque and bound to their list; a client-made one must be a 400, never a 500.
  // A cursor of the right partition but a sort key outside the list's prefix (or without SK) would
  // reach DynamoDB, whose ValidationException would be a 500.
  it('a forged cursor of the right partition → 400 INVALID_CURSOR, not a DynamoDB error', async () => {
    const forge = (value: Record<string, string>) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const outcomes: string[] = [];
    for (const cursor of [forge({ PK: 'TENANT#t_proj' }), forge({ PK: 'TENANT#t_proj', SK: 'MEMBER#u_1' })]) {
      outcomes.push(
        await store.listProjects('t_proj', { limit: 2, cursor }).then(
          () => 'listed',
          (e: unknown) => (e instanceof AppError ? `${e.status} ${e.code}` : `not an AppError: ${(e as Error).name}`),
        ),
      );
    }
    expect(outcomes).toEqual(['400 INVALID_CURSOR', '400 INVALID_CURSOR']);
  });
});

describe('members', () => {
  const member = (userId: string, tier: 'observer' | 'operator' = 'observer') => ({
    tenantId: 't_members',
    userId,
    tier,
    roles: ['viewer' as const],
    updatedAt: AT,
  });

  it('createMember is create-only (409 MEMBER_EXISTS), at version 1; putMember replaces, counting up', async () => {
    await commit((u) => store.createMember(u, member('u_ann')));
    const e = await refusal((u) => store.createMember(u, member('u_ann', 'operator')));
    expect(e).toMatchObject({ status: 409, code: 'MEMBER_EXISTS' });
    expect(await store.getMember('t_members', 'u_ann')).toEqual({ ...member('u_ann'), version: 1, keysCreated: 0 });
    await commit((u) => store.putMember(u, member('u_ann', 'operator')));
    expect(await store.getMember('t_members', 'u_ann')).toEqual({
      ...member('u_ann', 'operator'),
      version: 2,
      keysCreated: 0,
    });
  });

  it('lists members only, in pages', async () => {
    await commit((u) => ['u_bea', 'u_cid', 'u_dan'].forEach((id) => store.createMember(u, member(id))));
    const pages = await walk((cursor) => store.listMembers('t_members', { limit: 2, cursor }), 2);
    expect(pages.flat().map((m) => m.userId)).toEqual(['u_ann', 'u_bea', 'u_cid', 'u_dan']);
  });

  it('a delete notices a concurrent delete (412: the membership read is gone)', async () => {
    await commit((u) => store.createMember(u, member('u_eve')));
    const read = await store.getMember('t_members', 'u_eve');
    if (!read) throw new Error('seeded member missing');
    const first = uow();
    const second = uow();
    store.deleteMember(first, read);
    store.deleteMember(second, read);
    await first.commit();
    await expect(second.commit()).rejects.toMatchObject({ status: 412, code: 'VERSION_MISMATCH' });
    expect(await store.getMember('t_members', 'u_eve')).toBeUndefined();
  });

  it('update and delete hold while neither the version nor the count of created keys moved', async () => {
    await commit((u) => store.createMember(u, member('u_fay')));
    const read = await store.getMember('t_members', 'u_fay');
    if (!read) throw new Error('seeded member missing');
    // a key created by the member meanwhile: the change read before it is refused
    await commit((u) => store.countKeyCreated(u, 't_members', 'u_fay'));
    const moved = await store.getMember('t_members', 'u_fay');
    expect(moved).toMatchObject({ version: 1, keysCreated: 1 });
    const raised = { ...read, tier: 'operator' as const, version: 2 };
    expect(await refusal((u) => store.updateMember(u, raised, read))).toMatchObject({ status: 412 });
    expect(await refusal((u) => store.deleteMember(u, read))).toMatchObject({ status: 412 });
    if (!moved) throw new Error('member missing');
    await commit((u) => store.updateMember(u, { ...moved, tier: 'operator', version: 2 }, moved));
    const updated = await store.getMember('t_members', 'u_fay');
    expect(updated).toMatchObject({ tier: 'operator', version: 2, keysCreated: 1 });
    // a stale version (another admin's change in between) is refused the same way
    expect(await refusal((u) => store.updateMember(u, { ...moved, version: 2 }, moved))).toMatchObject({ status: 412 });
    if (!updated) throw new Error('member missing');
    await commit((u) => store.deleteMember(u, updated));
    expect(await store.getMember('t_members', 'u_fay')).toBeUndefined();
    // counting a key for someone who is no member (any more) fails the creation
    expect(await refusal((u) => store.countKeyCreated(u, 't_members', 'u_fay'))).toMatchObject({
      status: 403,
      code: 'NOT_A_MEMBER',
    });
  });

  it('another admin is found (never the one asked about); requireAdmin fails once that admin is not one', async () => {
    const admin = (userId: string) => ({ ...member(userId), tenantId: 't_admins', roles: ['admin' as const] });
    await commit((u) => {
      store.createMember(u, admin('u_a1'));
      for (let i = 0; i < 30; i++) store.createMember(u, { ...member(`u_b${i}`), tenantId: 't_admins' });
    });
    expect(await store.findOtherAdmin('t_admins', 'u_a1')).toBeUndefined();
    expect(await store.findOtherAdmin('t_admins', 'u_b1')).toBe('u_a1');
    await commit((u) => store.createMember(u, admin('u_z9')));
    expect(await store.findOtherAdmin('t_admins', 'u_a1')).toBe('u_z9');
    // two admins demoting each other at once: the one whose check comes second fails with LAST_ADMIN
    const [a1, z9] = [await store.getMember('t_admins', 'u_a1'), await store.getMember('t_admins', 'u_z9')];
    if (!a1 || !z9) throw new Error('admins missing');
    const first = uow();
    const second = uow();
    store.updateMember(first, { ...z9, roles: ['viewer'], version: 2 }, z9);
    store.requireAdmin(first, 't_admins', 'u_a1');
    store.updateMember(second, { ...a1, roles: ['viewer'], version: 2 }, a1);
    store.requireAdmin(second, 't_admins', 'u_z9');
    await first.commit();
    await expect(second.commit()).rejects.toMatchObject({ status: 409, code: 'LAST_ADMIN' });
    expect((await store.getMember('t_admins', 'u_a1'))?.roles).toEqual(['admin']);
  });

  it('contextRecords reads tenant, membership and project in one call; absent ones are undefined', async () => {
    await commit((u) => {
      store.createTenant(u, tenant('t_ctx'));
      store.createProject(u, project('t_ctx', 'p_ctx'));
      store.putMember(u, { ...member('u_ctx'), tenantId: 't_ctx' });
    });
    const all = await store.contextRecords('t_ctx', 'u_ctx', 'p_ctx');
    expect(all.tenant?.tenantId).toBe('t_ctx');
    expect(all.member?.userId).toBe('u_ctx');
    expect(all.project?.projectId).toBe('p_ctx');
    const others = await store.contextRecords('t_ctx', 'u_stranger', 'p_proj_of_someone_else');
    expect(others.tenant).toBeDefined();
    expect(others.member).toBeUndefined();
    expect(others.project).toBeUndefined();
    // a project id of another tenant is not found under this tenant
    expect((await store.contextRecords('t_ctx', undefined, 'p_00')).project).toBeUndefined();
    expect(await store.contextRecords('t_none', undefined, undefined)).toEqual({ tenant: undefined });
  });

  it('contextRecords caps a membership’s tier at the tenant’s ceiling, one granted before it too', async () => {
    await commit((u) => {
      store.createTenant(u, { ...tenant('t_capped'), tierCeiling: 'navigator' });
      store.putMember(u, { ...member('u_high', 'operator'), tenantId: 't_capped' });
      store.putMember(u, { ...member('u_low'), tenantId: 't_capped' });
    });
    expect((await store.contextRecords('t_capped', 'u_high', undefined)).member?.tier).toBe('navigator');
    expect((await store.contextRecords('t_capped', 'u_low', undefined)).member?.tier).toBe('observer');
    // the stored membership is kept: raising the ceiling gives the tier back
    expect((await store.getMember('t_capped', 'u_high'))?.tier).toBe('operator');
    // a tenant created without a ceiling has the top one
    await commit((u) => store.createTenant(u, { ...tenant('t_uncapped'), tierCeiling: undefined }));
    expect((await store.getTenant('t_uncapped'))?.tierCeiling).toBe('sovereign');
  });
});

describe('modes', () => {
  const mode = (name: string, version: number, description = 'd') => ({
    mode: name,
    description,
    defaults: { dataMode: 'pooled' },
    ownerTenantId: SYSTEM_TENANT,
    updatedAt: AT,
    version,
  });

  it('create, replace at the version; a repeated create → 409 MODE_EXISTS, a stale replace → 412', async () => {
    await commit((u) => store.putMode(u, mode('lab', 1), undefined));
    const again = await refusal((u) => store.putMode(u, mode('lab', 1, 'again'), undefined));
    expect(again).toMatchObject({ status: 409, code: 'MODE_EXISTS' });
    await commit((u) => store.putMode(u, mode('lab', 2, 'edited'), 1));
    const stale = await refusal((u) => store.putMode(u, mode('lab', 2, 'lost'), 1));
    expect(stale).toMatchObject({ status: 412, code: 'VERSION_MISMATCH' });
    expect(await store.getMode('lab')).toEqual(mode('lab', 2, 'edited'));
    await commit((u) => store.putMode(u, mode('saas', 1), undefined));
    expect((await store.listModes()).map((m) => m.mode).sort()).toEqual(['lab', 'saas']);
  });
});

describe('API keys', () => {
  it('round trip with the hash, project-scoped at version 1; a key id collision → 409', async () => {
    const key = apiKey('t_keys', '2030-01-01T00:00:00.000Z');
    await commit((u) => store.createApiKey(u, key));
    expect(await store.getApiKey(key.keyId)).toEqual({ ...key, scope: 'project', version: 1 });
    expect((await refusal((u) => store.createApiKey(u, key))).status).toBe(409);
  });

  it('a tenant-scoped key names no project; a scope that disagrees with the project is a bug', async () => {
    const { projectId: _p, ...rest } = apiKey('t_scoped', AT);
    await commit((u) => store.createApiKey(u, { ...rest, scope: 'tenant' }));
    expect(await store.getApiKey(rest.keyId)).toMatchObject({ scope: 'tenant', version: 1 });
    expect((await store.getApiKey(rest.keyId))?.projectId).toBeUndefined();
    expect(() => store.createApiKey(uow(), { ...apiKey('t_scoped', AT), scope: 'tenant' })).toThrow();
    expect(() => store.createApiKey(uow(), { ...rest, keyId: 'k_other', scope: 'project' })).toThrow();
  });

  it('keys listed by project, and a creator’s keys that are not revoked', async () => {
    const mine = apiKey('t_by', '2030-01-02T00:00Z');
    const mineElsewhere = { ...apiKey('t_by', '2030-01-03T00:00Z'), projectId: 'p_other' };
    const revoked = apiKey('t_by', '2030-01-04T00:00Z');
    const others = { ...apiKey('t_by', '2030-01-05T00:00Z'), createdBy: 'u_else' };
    await commit((u) => [mine, mineElsewhere, revoked, others].forEach((k) => store.createApiKey(u, k)));
    await commit((u) => store.revokeApiKey(u, revoked.keyId, 't_by', AT));
    const byCreator = await store.activeKeysCreatedBy('t_by', 'u_admin');
    expect(byCreator.map((k) => k.keyId).sort()).toEqual([mine.keyId, mineElsewhere.keyId].sort());
    for (const k of byCreator) expect(k).not.toHaveProperty('hash');
    const inMain = await store.listApiKeys('t_by', { limit: 2 }, { projectId: 'p_main' });
    expect(inMain.items.map((k) => k.keyId)).toEqual([others.keyId, revoked.keyId]);
    const next = await store.listApiKeys(
      't_by',
      { limit: 2, cursor: inMain.nextCursor ?? '' },
      { projectId: 'p_main' },
    );
    expect(next.items.map((k) => k.keyId)).toEqual([mine.keyId]);
  });

  it('a tenant’s keys are listed newest first, in pages, without their hashes', async () => {
    const keys = ['2030-01-02', '2030-01-05', '2030-01-03', '2030-01-04'].map((d) => apiKey('t_keys', `${d}T00:00Z`));
    await commit((u) => keys.forEach((k) => store.createApiKey(u, k)));
    await commit((u) => store.createApiKey(u, apiKey('t_other_keys', '2030-01-09T00:00Z')));
    const pages = await walk((cursor) => store.listApiKeys('t_keys', { limit: 2, cursor }), 2);
    const listed = pages.flat();
    expect(listed.map((k) => k.createdAt.slice(0, 10))).toEqual([
      '2030-01-05',
      '2030-01-04',
      '2030-01-03',
      '2030-01-02',
      '2030-01-01',
    ]);
    for (const k of listed) expect(k).not.toHaveProperty('hash');
    const firstPage = await store.listApiKeys('t_keys', { limit: 2 });
    await expect(
      store.listApiKeys('t_other_keys', { limit: 2, cursor: firstPage.nextCursor ?? '' }),
    ).rejects.toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
  });

  it('revoke marks the key; another tenant’s key, an unknown one or a second revoke → 404', async () => {
    const key = apiKey('t_revoke', AT);
    await commit((u) => store.createApiKey(u, key));
    expect((await refusal((u) => store.revokeApiKey(u, key.keyId, 't_other', AT))).status).toBe(404);
    expect((await store.getApiKey(key.keyId))?.revokedAt).toBeUndefined();
    await commit((u) => store.revokeApiKey(u, key.keyId, 't_revoke', AT));
    expect((await store.getApiKey(key.keyId))?.revokedAt).toBe(AT);
    const again = await refusal((u) => store.revokeApiKey(u, key.keyId, 't_revoke', AT));
    expect(again).toMatchObject({ status: 404, code: 'API_KEY_NOT_FOUND' });
    expect((await refusal((u) => store.revokeApiKey(u, 'k_unknown', 't_revoke', AT))).status).toBe(404);
    expect((await store.getApiKey(key.keyId))?.version).toBe(2);
  });

  it('a revoke at an expected version: 412 when the key moved on', async () => {
    const key = apiKey('t_revoke', AT);
    await commit((u) => store.createApiKey(u, key));
    expect((await refusal((u) => store.revokeApiKey(u, key.keyId, 't_revoke', AT, 2))).status).toBe(412);
    await commit((u) => store.revokeApiKey(u, key.keyId, 't_revoke', AT, 1));
    expect((await refusal((u) => store.revokeApiKey(u, key.keyId, 't_revoke', AT, 1))).status).toBe(412);
    expect(await store.getApiKey(key.keyId)).toMatchObject({ revokedAt: AT, version: 2 });
  });
});

describe('revocations and configuration', () => {
  it('a revoked token id is remembered', async () => {
    expect(await store.isRevoked('jti-1')).toBe(false);
    await store.revoke('jti-1', Math.floor(T0 / 1000) + 1800, 'u_1', AT);
    expect(await store.isRevoked('jti-1')).toBe(true);
    expect(await store.isRevoked('jti-2')).toBe(false);
  });

  it('configuration items round-trip any JSON value; a missing one is undefined', async () => {
    expect(await store.getConfig('NOTHING')).toBeUndefined();
    const value = { observer: 30, nested: { list: [1, 'two'] } };
    await store.putConfig('SOME_CONFIG', value);
    expect(await store.getConfig('SOME_CONFIG')).toEqual(value);
    await store.putConfig('SOME_CONFIG', 'replaced');
    expect(await store.getConfig('SOME_CONFIG')).toBe('replaced');
  });
});

describe('unit of work atomicity', () => {
  it('one failing condition means none of the writes landed, and its own error is raised', async () => {
    await commit((u) => store.createTenant(u, tenant('t_atomic')));
    const e = await refusal((u) => {
      store.createTenant(u, tenant('t_atomic_new'));
      store.createProject(u, project('t_atomic_new', 'p_new'));
      store.createApiKey(u, apiKey('t_atomic_new', AT));
      u.audit({ action: 'tenant.create', resource: 'tenant/t_atomic_new', tenantId: 't_atomic_new' });
      store.createTenant(u, tenant('t_atomic')); // exists
    });
    expect(e).toMatchObject({ status: 409, code: 'TENANT_EXISTS' });
    expect(await store.getTenant('t_atomic_new')).toBeUndefined();
    expect((await store.listProjects('t_atomic_new', { limit: 10 })).items).toEqual([]);
    expect((await store.listApiKeys('t_atomic_new', { limit: 10 })).items).toEqual([]);
    const audit = await platform.audit.list('t_atomic_new', { limit: 10, since: AT, until: AT });
    expect(audit.items).toEqual([]);
  });

  it('the failing write is named even when it is not the first', async () => {
    await commit((u) =>
      store.createMember(u, { tenantId: 't_atomic', userId: 'u_x', tier: 'observer', roles: [], updatedAt: AT }),
    );
    const e = await refusal((u) => {
      store.createProject(u, project('t_atomic', 'p_fresh'));
      store.createMember(u, { tenantId: 't_atomic', userId: 'u_x', tier: 'observer', roles: [], updatedAt: AT });
    });
    expect(e.code).toBe('MEMBER_EXISTS');
    expect((await store.listProjects('t_atomic', { limit: 10 })).items).toEqual([]);
  });
});
