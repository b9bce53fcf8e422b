import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable, silentLogger, T0, testConfig, unitsOfWork } from '../../test/support/harness.js';
import { SYSTEM_TENANT } from '../context/types.js';
import { createPlatform, type Platform } from '../platform.js';
import type { MemberRecord, ProjectRecord, TenantRecord } from './store.js';
import { DynamoTenancyStore } from './store.dynamo.js';

// Behaviours of the tenancy adapter the contract tests (store.test.ts) leave open, found by
// mutation testing: items written before versions, ceilings and key scopes existed; reads that
// must follow DynamoDB's pagination; which keys a context read asks for; prefixes that keep a
// tenant's partition apart.

const AT = new Date(T0).toISOString();
let db: DynamoDBDocumentClient;
let table: string;
let store: DynamoTenancyStore;
let platform: Platform;

beforeAll(async () => {
  const made = await createTestTable('tenancy-mut');
  db = made.db;
  table = made.table;
  store = new DynamoTenancyStore(db, table);
  platform = createPlatform(testConfig(table), { db, logger: silentLogger(), now: () => T0 });
});

const { commit, refusal } = unitsOfWork(() => platform);

/** an item as an older release wrote it, straight into the table */
const legacy = (item: Record<string, unknown>) => db.send(new PutCommand({ TableName: table, Item: item }));
const raw = async (PK: string, SK: string) =>
  (await db.send(new GetCommand({ TableName: table, Key: { PK, SK } }))).Item;

/** the same client, but every Query reads at most `limit` items: DynamoDB's paging, without a megabyte of data */
function pagingClient(limit: number): DynamoDBDocumentClient {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        if (command instanceof QueryCommand) command.input.Limit = limit;
        return target.send(command);
      };
    },
  });
}

/** the same client, recording the keys of every BatchGet */
function recordingClient(seen: unknown[][]): DynamoDBDocumentClient {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
        if (command instanceof BatchGetCommand) seen.push(command.input.RequestItems?.[table]?.Keys ?? []);
        return target.send(command);
      };
    },
  });
}

const tenant = (tenantId: string): TenantRecord => ({
  tenantId,
  name: `Tenant ${tenantId}`,
  mode: 'saas',
  tierCeiling: 'sovereign',
  createdAt: AT,
  updatedAt: AT,
  version: 1,
});
const project = (tenantId: string, projectId: string): ProjectRecord => ({
  tenantId,
  projectId,
  name: projectId,
  surface: 'web',
  createdAt: AT,
  version: 1,
});
const member = (tenantId: string, userId: string) => ({
  tenantId,
  userId,
  tier: 'operator' as const,
  roles: ['viewer' as const],
  updatedAt: AT,
});

describe('items written before versions, ceilings and key scopes', () => {
  it('a tenant without a ceiling reads as the top tier, and caps no membership', async () => {
    const { tierCeiling: _c, ...old } = tenant('t_old');
    await legacy({ PK: 'TENANT#t_old', SK: 'META', ...old });
    await commit((u) => store.putMember(u, member('t_old', 'u_op')));
    expect(await store.getTenant('t_old')).toEqual({ ...old, tierCeiling: 'sovereign' });
    const records = await store.contextRecords('t_old', 'u_op', undefined);
    expect(records.tenant?.tierCeiling).toBe('sovereign');
    expect(records.member?.tier).toBe('operator');
  });

  it('a project without a version reads as version 1, by get, list and context read', async () => {
    const { version: _v, ...old } = project('t_oldproj', 'p_old');
    await legacy({ PK: 'TENANT#t_oldproj', SK: 'PROJECT#p_old', ...old });
    expect(await store.getProject('t_oldproj', 'p_old')).toEqual({ ...old, version: 1 });
    expect((await store.listProjects('t_oldproj', { limit: 5 })).items).toEqual([{ ...old, version: 1 }]);
    expect((await store.contextRecords('t_oldproj', undefined, 'p_old')).project).toEqual({ ...old, version: 1 });
    // a version that is there is kept
    await legacy({ PK: 'TENANT#t_oldproj', SK: 'PROJECT#p_v3', ...old, projectId: 'p_v3', version: 3 });
    expect((await store.getProject('t_oldproj', 'p_v3'))?.version).toBe(3);
  });

  it('a membership without version and key count reads as version 1 with no keys', async () => {
    const old = member('t_oldmem', 'u_old');
    await legacy({ PK: 'TENANT#t_oldmem', SK: 'MEMBER#u_old', ...old });
    const expected = { ...old, version: 1, keysCreated: 0 };
    expect(await store.getMember('t_oldmem', 'u_old')).toEqual(expected);
    expect((await store.listMembers('t_oldmem', { limit: 5 })).items).toEqual([expected]);
    expect((await store.contextRecords('t_oldmem', 'u_old', undefined)).member).toEqual(expected);
  });

  it('such a membership can be updated and deleted at the version it was read at, and only at that one', async () => {
    const old = member('t_oldmem2', 'u_old');
    await legacy({ PK: 'TENANT#t_oldmem2', SK: 'MEMBER#u_old', ...old });
    const read = (await store.getMember('t_oldmem2', 'u_old')) as MemberRecord;
    // a writer that claims to have read a later version, or keys created, is refused
    const later = { ...read, version: 2 };
    expect(await refusal((u) => store.updateMember(u, { ...later, version: 3 }, later))).toMatchObject({ status: 412 });
    const withKey = { ...read, keysCreated: 1 };
    expect(await refusal((u) => store.updateMember(u, { ...withKey, version: 2 }, withKey))).toMatchObject({
      status: 412,
    });
    expect(await refusal((u) => store.deleteMember(u, later))).toMatchObject({ status: 412 });
    // the read itself holds
    await commit((u) => store.updateMember(u, { ...read, tier: 'observer', version: 2 }, read));
    expect(await store.getMember('t_oldmem2', 'u_old')).toEqual({ ...read, tier: 'observer', version: 2 });

    await legacy({ PK: 'TENANT#t_oldmem2', SK: 'MEMBER#u_gone', ...member('t_oldmem2', 'u_gone') });
    const gone = (await store.getMember('t_oldmem2', 'u_gone')) as MemberRecord;
    await commit((u) => store.deleteMember(u, gone));
    expect(await store.getMember('t_oldmem2', 'u_gone')).toBeUndefined();
  });

  it('a key without scope or version: project-scoped when it names a project, tenant-scoped otherwise', async () => {
    const base = {
      tenantId: 't_oldkeys',
      name: 'old',
      tier: 'operator',
      roles: ['trader'],
      hash: 'h',
      createdBy: 'u_admin',
    };
    const index = (createdAt: string, keyId: string) => ({
      GSI1PK: 'TENANT#t_oldkeys#APIKEYS',
      GSI1SK: `KEY#${createdAt}#${keyId}`,
    });
    const inProject = { ...base, keyId: 'k_oldproj', projectId: 'p_main', createdAt: '2030-01-01T00:00Z' };
    const inTenant = { ...base, keyId: 'k_oldtenant', createdAt: '2030-01-02T00:00Z' };
    const revoked = {
      ...base,
      keyId: 'k_oldrevoked',
      projectId: 'p_main',
      createdAt: '2030-01-03T00:00Z',
      revokedAt: AT,
    };
    for (const k of [inProject, inTenant, revoked]) {
      await legacy({ PK: `APIKEY#${k.keyId}`, SK: 'META', ...index(k.createdAt, k.keyId), ...k });
    }
    expect(await store.getApiKey('k_oldproj')).toEqual({ ...inProject, scope: 'project', version: 1 });
    expect(await store.getApiKey('k_oldtenant')).toEqual({ ...inTenant, scope: 'tenant', version: 1 });
    // a key revoked before versions existed has moved once
    expect(await store.getApiKey('k_oldrevoked')).toEqual({ ...revoked, scope: 'project', version: 2 });
    // a version that is there is kept, revoked or not
    await legacy({ PK: 'APIKEY#k_v3', SK: 'META', ...inProject, keyId: 'k_v3', version: 3 });
    expect((await store.getApiKey('k_v3'))?.version).toBe(3);
    const { hash: _h, ...view } = inTenant;
    const listed = await store.listApiKeys('t_oldkeys', { limit: 5 });
    expect(listed.items.map((k) => [k.keyId, k.scope, k.version])).toEqual([
      ['k_oldrevoked', 'project', 2],
      ['k_oldtenant', 'tenant', 1],
      ['k_oldproj', 'project', 1],
    ]);
    expect(await store.activeKeysCreatedBy('t_oldkeys', 'u_admin')).toEqual(
      expect.arrayContaining([{ ...view, scope: 'tenant', version: 1 }]),
    );
  });

  it('such a key is revoked at version 1, and moves to version 2; a later version is refused', async () => {
    const k = {
      keyId: 'k_oldrev',
      tenantId: 't_oldkeys',
      projectId: 'p_main',
      name: 'old',
      tier: 'operator',
      roles: ['trader'],
      hash: 'h',
      createdAt: AT,
      createdBy: 'u_admin',
    };
    await legacy({ PK: 'APIKEY#k_oldrev', SK: 'META', ...k });
    expect((await refusal((u) => store.revokeApiKey(u, 'k_oldrev', 't_oldkeys', AT, 2))).status).toBe(412);
    await commit((u) => store.revokeApiKey(u, 'k_oldrev', 't_oldkeys', AT, 1));
    expect(await store.getApiKey('k_oldrev')).toMatchObject({ revokedAt: AT, version: 2 });
  });
});

describe('writes the contract tests do not pin', () => {
  it('a key created without a scope or project is tenant-scoped', async () => {
    const key = {
      keyId: 'k_noscope',
      tenantId: 't_newkeys',
      name: 'n',
      tier: 'operator' as const,
      roles: ['trader' as const],
      hash: 'h',
      createdAt: AT,
      createdBy: 'u_admin',
    };
    await commit((u) => store.createApiKey(u, key));
    expect(await store.getApiKey('k_noscope')).toEqual({ ...key, scope: 'tenant', version: 1 });
    // the same id again: a conflict the caller retries with a new id
    expect(await refusal((u) => store.createApiKey(u, key))).toMatchObject({ status: 409, code: 'WRITE_CONFLICT' });
    // a key created at a given version keeps it
    await commit((u) => store.createApiKey(u, { ...key, keyId: 'k_v2', version: 2 }));
    expect((await store.getApiKey('k_v2'))?.version).toBe(2);
  });

  it('a project is read back under its tenant only', async () => {
    await commit((u) => store.createProject(u, project('t_getp', 'p_here')));
    expect(await store.getProject('t_getp', 'p_here')).toEqual(project('t_getp', 'p_here'));
    expect(await store.getProject('t_getp_other', 'p_here')).toBeUndefined();
    expect(await store.getProject('t_getp', 'p_elsewhere')).toBeUndefined();
  });

  it('a revoked token id is kept until the token would have expired (ttl)', async () => {
    await store.revoke('jti-ttl', 1_900_000_123, 'u_admin', AT);
    expect(await raw('REVOKED#jti-ttl', 'META')).toMatchObject({
      jti: 'jti-ttl',
      revokedBy: 'u_admin',
      revokedAt: AT,
      ttl: 1_900_000_123,
    });
  });
});

describe('a tenant partition holds more than one kind of item', () => {
  beforeAll(async () => {
    await commit((u) => {
      store.createTenant(u, tenant('t_full'));
      store.createProject(u, project('t_full', 'p_1'));
      store.createMember(u, member('t_full', 'u_1'));
      store.createMember(u, member('t_full', 'u_2'));
      platform.routing.put(
        u,
        {
          tenantId: 't_full',
          env: 'dev',
          kind: 'data',
          config: { kind: 'data', mode: 'pooled', tableName: 'tbl' },
          updatedAt: AT,
        },
        undefined,
      );
    });
  });

  it('members are listed without the tenant record, its projects or its routing entries', async () => {
    const listed = await store.listMembers('t_full', { limit: 10 });
    expect(listed.items.map((m) => m.userId)).toEqual(['u_1', 'u_2']);
    expect(listed.nextCursor).toBeNull();
  });

  it('modes are listed without the other records of the system tenant', async () => {
    await commit((u) => {
      store.createTenant(u, tenant(SYSTEM_TENANT));
      store.createProject(u, project(SYSTEM_TENANT, 'p_sys'));
      store.createMember(u, member(SYSTEM_TENANT, 'u_sys'));
      store.putMode(
        u,
        {
          mode: 'only',
          description: 'd',
          defaults: {},
          ownerTenantId: SYSTEM_TENANT,
          updatedAt: AT,
          version: 1,
        },
        undefined,
      );
    });
    expect((await store.listModes()).map((m) => m.mode)).toEqual(['only']);
  });
});

describe('reads that follow DynamoDB’s pagination', () => {
  it('another admin is found however many pages of non-admins come first', async () => {
    await commit((u) => {
      for (let i = 0; i < 6; i++) store.createMember(u, member('t_paged', `u_a${i}`));
      store.createMember(u, { ...member('t_paged', 'u_z_admin'), roles: ['admin'] });
    });
    const paged = new DynamoTenancyStore(pagingClient(1), table);
    expect(await paged.findOtherAdmin('t_paged', 'u_a0')).toBe('u_z_admin');
    expect(await paged.findOtherAdmin('t_paged', 'u_z_admin')).toBeUndefined();
  });

  it('every active key of a creator is found across pages', async () => {
    const key = (n: number, createdBy: string) => ({
      keyId: `k_paged${n}`,
      tenantId: 't_pagedkeys',
      projectId: 'p_main',
      name: `k${n}`,
      tier: 'operator' as const,
      roles: ['trader' as const],
      hash: 'h',
      createdAt: `2030-01-0${n}T00:00Z`,
      createdBy,
    });
    await commit((u) => {
      for (let n = 1; n <= 5; n++) store.createApiKey(u, key(n, n % 2 ? 'u_me' : 'u_else'));
    });
    const paged = new DynamoTenancyStore(pagingClient(1), table);
    const mine = await paged.activeKeysCreatedBy('t_pagedkeys', 'u_me');
    expect(mine.map((k) => k.keyId).sort()).toEqual(['k_paged1', 'k_paged3', 'k_paged5']);
  });
});

describe('the context read', () => {
  it('asks for the tenant only when there is no user or project, and hands back no other record', async () => {
    await commit((u) => store.createTenant(u, tenant('t_ctxonly')));
    const seen: unknown[][] = [];
    const recording = new DynamoTenancyStore(recordingClient(seen), table);
    const records = await recording.contextRecords('t_ctxonly', undefined, undefined);
    expect(records).toStrictEqual({ tenant: tenant('t_ctxonly') });
    expect(seen).toEqual([[{ PK: 'TENANT#t_ctxonly', SK: 'META' }]]);
  });

  it('a membership without its tenant is handed back as stored', async () => {
    await commit((u) => store.createMember(u, member('t_ctxnotenant', 'u_1')));
    const records = await store.contextRecords('t_ctxnotenant', 'u_1', undefined);
    expect(records.tenant).toBeUndefined();
    expect(records.member).toEqual({ ...member('t_ctxnotenant', 'u_1'), version: 1, keysCreated: 0 });
  });
});
