import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { SYSTEM_TENANT, type Tier, TIERS, tierRank } from '../context/types.js';
import { putIfAbsent, versionedPut, withoutKeys } from '../data/items.js';
import { type Page, type PageRequest, queryPage } from '../data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '../data/unit-of-work.js';
import { conflict, forbidden, notFound, preconditionFailed } from '../errors.js';
import type {
  ApiKeyRecord,
  ApiKeyStore,
  ApiKeyView,
  ConfigStore,
  ContextRecords,
  MemberRecord,
  MemberStore,
  MemberWrite,
  ModeRecord,
  ModeStore,
  NewProject,
  NewTenant,
  ProjectRecord,
  ProjectStore,
  RevocationStore,
  StoredApiKey,
  TenantRecord,
  TenantStore,
} from './store.js';

/** A tenant's partition of the control table: its record, projects, members and routing entries. */
export const tenantPartition = (tenantId: string) => `TENANT#${tenantId}`;

/** The control table's tenancy keys, spelled here and nowhere else. */
const keys = {
  tenant: (tenantId: string) => ({ PK: tenantPartition(tenantId), SK: 'META' }),
  project: (tenantId: string, projectId: string) => ({ PK: tenantPartition(tenantId), SK: `PROJECT#${projectId}` }),
  member: (tenantId: string, userId: string) => ({ PK: tenantPartition(tenantId), SK: `MEMBER#${userId}` }),
  /** memberships by user (GSI1): which tenants a user belongs to */
  memberIndex: (tenantId: string, userId: string) => ({ GSI1PK: `USER#${userId}`, GSI1SK: `TENANT#${tenantId}` }),
  mode: (mode: string) => ({ PK: tenantPartition(SYSTEM_TENANT), SK: `MODE#${mode}` }),
  apiKey: (keyId: string) => ({ PK: `APIKEY#${keyId}`, SK: 'META' }),
  /** a tenant's keys, newest first (GSI1) */
  apiKeyIndex: (tenantId: string, createdAt: string, keyId: string) => ({
    GSI1PK: `TENANT#${tenantId}#APIKEYS`,
    GSI1SK: `KEY#${createdAt}#${keyId}`,
  }),
  revoked: (jti: string) => ({ PK: `REVOKED#${jti}`, SK: 'META' }),
  config: (name: string) => ({ PK: 'CONFIG', SK: name }),
};

const PREFIX = { project: 'PROJECT#', member: 'MEMBER#', mode: 'MODE#', apiKey: 'KEY#' };

type Item = Record<string, unknown>;

// Items written before versions, ceilings and key scopes existed read as their first version, the
// top tier and a project-scoped key (every such key names a project).
const tenantOf = (item: Item): TenantRecord => {
  const tenant = withoutKeys<TenantRecord>(item) as TenantRecord;
  return { ...tenant, tierCeiling: tenant.tierCeiling ?? 'sovereign' };
};
const projectOf = (item: Item): ProjectRecord => {
  const project = withoutKeys<ProjectRecord>(item) as ProjectRecord;
  return { ...project, version: project.version ?? 1 };
};
const memberOf = (item: Item): MemberRecord => {
  const member = withoutKeys<MemberRecord>(item) as MemberRecord;
  return { ...member, version: member.version ?? 1, keysCreated: member.keysCreated ?? 0 };
};
const apiKeyOf = (item: Item): StoredApiKey => {
  const key = withoutKeys<ApiKeyRecord>(item) as ApiKeyRecord;
  return {
    ...key,
    scope: key.scope ?? (key.projectId ? 'project' : 'tenant'),
    version: key.version ?? (key.revokedAt ? 2 : 1),
  };
};
const withoutHash = ({ hash: _hash, ...view }: StoredApiKey): ApiKeyView => view;

const lowerTier = (a: Tier, b: Tier): Tier => TIERS[Math.min(tierRank(a), tierRank(b))];

/**
 * The condition that a stored attribute still holds `value`; an item written before the
 * attribute existed counts as having `absentAs`.
 */
function stillAt(name: string, value: number, absentAs: number): string {
  return value === absentAs
    ? `(attribute_not_exists(${name}) OR ${name} = :${name.slice(1)})`
    : `${name} = :${name.slice(1)}`;
}

/** A membership is unchanged while neither its version nor its count of created keys moved. */
function memberUnchanged(before: MemberRecord) {
  return {
    ConditionExpression: [
      'attribute_exists(PK)',
      stillAt('#version', before.version, 1),
      stillAt('#keysCreated', before.keysCreated, 0),
    ].join(' AND '),
    ExpressionAttributeNames: { '#version': 'version', '#keysCreated': 'keysCreated' },
    ExpressionAttributeValues: { ':version': before.version, ':keysCreated': before.keysCreated },
  };
}

const memberChanged = () => preconditionFailed('The membership changed or was removed concurrently; read it again');

/**
 * Tenants, projects, memberships, modes, API keys, revoked tokens and configuration in the
 * control table: the records the request pipeline reads on every call, and the control-plane use
 * cases write.
 */
export class DynamoTenancyStore
  implements TenantStore, ProjectStore, MemberStore, ModeStore, ApiKeyStore, RevocationStore, ConfigStore
{
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async getItem(key: { PK: string; SK: string }, consistent = true): Promise<Item | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: consistent }));
    return res.Item;
  }

  /** every item a query matches, page after page (internal reads that must see them all) */
  private async queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
    const found: Item[] = [];
    let start: Item | undefined;
    do {
      const res = await this.db.send(new QueryCommand({ ...input, TableName: this.table, ExclusiveStartKey: start }));
      found.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    return found;
  }

  async getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    const item = await this.getItem(keys.tenant(tenantId), false);
    return item ? tenantOf(item) : undefined;
  }

  async contextRecords(tenantId: string, userId: string | undefined, projectId: string | undefined) {
    const wanted = [keys.tenant(tenantId)];
    if (userId) wanted.push(keys.member(tenantId, userId));
    if (projectId) wanted.push(keys.project(tenantId, projectId));
    const res = await this.db.send(
      new BatchGetCommand({ RequestItems: { [this.table]: { Keys: wanted, ConsistentRead: true } } }),
    );
    const items = res.Responses?.[this.table] ?? [];
    const find = (k: { PK: string; SK: string }) => items.find((item) => item.PK === k.PK && item.SK === k.SK);
    const tenantItem = find(keys.tenant(tenantId));
    const tenant = tenantItem ? tenantOf(tenantItem) : undefined;
    const records: ContextRecords = { tenant };
    if (userId) {
      const memberItem = find(keys.member(tenantId, userId));
      const member = memberItem ? memberOf(memberItem) : undefined;
      // The tenant's ceiling caps every membership, also one granted before the ceiling was lowered.
      records.member = member && tenant ? { ...member, tier: lowerTier(member.tier, tenant.tierCeiling) } : member;
    }
    if (projectId) {
      const projectItem = find(keys.project(tenantId, projectId));
      records.project = projectItem ? projectOf(projectItem) : undefined;
    }
    return records;
  }

  createTenant(uow: UnitOfWork, tenant: NewTenant): void {
    const record: TenantRecord = { ...tenant, tierCeiling: tenant.tierCeiling ?? 'sovereign' };
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, keys.tenant(tenant.tenantId), { ...record }), () =>
      conflict('TENANT_EXISTS', `Tenant ${tenant.tenantId} already exists`),
    );
  }

  updateTenant(uow: UnitOfWork, tenant: TenantRecord, expectedVersion: number): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, keys.tenant(tenant.tenantId), { ...tenant }, expectedVersion),
      () => preconditionFailed('Tenant changed concurrently'),
    );
  }

  async getProject(tenantId: string, projectId: string): Promise<ProjectRecord | undefined> {
    const item = await this.getItem(keys.project(tenantId, projectId));
    return item ? projectOf(item) : undefined;
  }

  async listProjects(tenantId: string, page: PageRequest): Promise<Page<ProjectRecord>> {
    const listed = await queryPage<Item>(this.db, {
      table: this.table,
      pk: keys.tenant(tenantId).PK,
      prefix: PREFIX.project,
      ...page,
    });
    return { ...listed, items: listed.items.map(projectOf) };
  }

  createProject(uow: UnitOfWork, project: NewProject): void {
    const record: ProjectRecord = { ...project, version: 1 };
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, keys.project(project.tenantId, project.projectId), { ...record }),
      () => conflict('PROJECT_EXISTS', `Project ${project.projectId} already exists`),
    );
  }

  async getMember(tenantId: string, userId: string): Promise<MemberRecord | undefined> {
    const item = await this.getItem(keys.member(tenantId, userId));
    return item ? memberOf(item) : undefined;
  }

  async listMembers(tenantId: string, page: PageRequest): Promise<Page<MemberRecord>> {
    const listed = await queryPage<Item>(this.db, {
      table: this.table,
      pk: keys.tenant(tenantId).PK,
      prefix: PREFIX.member,
      ...page,
    });
    return { ...listed, items: listed.items.map(memberOf) };
  }

  putMember(uow: UnitOfWork, member: MemberWrite): void {
    const index = keys.memberIndex(member.tenantId, member.userId);
    dynamoUnitOfWork(uow).stage({
      Update: {
        TableName: this.table,
        Key: keys.member(member.tenantId, member.userId),
        UpdateExpression:
          'SET tenantId = :tenant, userId = :user, #roles = :roles, #tier = :tier, updatedAt = :at, ' +
          'GSI1PK = :gsi1pk, GSI1SK = :gsi1sk, #version = if_not_exists(#version, :zero) + :one',
        ExpressionAttributeNames: { '#roles': 'roles', '#tier': 'tier', '#version': 'version' },
        ExpressionAttributeValues: {
          ':tenant': member.tenantId,
          ':user': member.userId,
          ':roles': member.roles,
          ':tier': member.tier,
          ':at': member.updatedAt,
          ':gsi1pk': index.GSI1PK,
          ':gsi1sk': index.GSI1SK,
          ':zero': 0,
          ':one': 1,
        },
      },
    });
  }

  createMember(uow: UnitOfWork, member: MemberWrite): void {
    const record: MemberRecord = { ...member, version: 1, keysCreated: 0 };
    const attributes = { ...record, ...keys.memberIndex(member.tenantId, member.userId) };
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, keys.member(member.tenantId, member.userId), attributes), () =>
      conflict('MEMBER_EXISTS', `${member.userId} is already a member of ${member.tenantId}`),
    );
  }

  updateMember(uow: UnitOfWork, after: MemberRecord, before: MemberRecord): void {
    const item = {
      ...after,
      ...keys.member(after.tenantId, after.userId),
      ...keys.memberIndex(after.tenantId, after.userId),
    };
    dynamoUnitOfWork(uow).stage(
      { Put: { TableName: this.table, Item: item, ...memberUnchanged(before) } },
      memberChanged,
    );
  }

  deleteMember(uow: UnitOfWork, before: MemberRecord): void {
    dynamoUnitOfWork(uow).stage(
      {
        Delete: { TableName: this.table, Key: keys.member(before.tenantId, before.userId), ...memberUnchanged(before) },
      },
      memberChanged,
    );
  }

  async findOtherAdmin(tenantId: string, userId: string): Promise<string | undefined> {
    let start: Item | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :member)',
          FilterExpression: 'contains(#roles, :admin) AND userId <> :user',
          ExpressionAttributeNames: { '#roles': 'roles' },
          ExpressionAttributeValues: {
            ':pk': keys.tenant(tenantId).PK,
            ':member': PREFIX.member,
            ':admin': 'admin',
            ':user': userId,
          },
          ProjectionExpression: 'userId',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      const found = res.Items?.[0]?.userId;
      if (typeof found === 'string') return found;
      start = res.LastEvaluatedKey;
    } while (start);
    return undefined;
  }

  requireAdmin(uow: UnitOfWork, tenantId: string, userId: string): void {
    dynamoUnitOfWork(uow).stage(
      {
        ConditionCheck: {
          TableName: this.table,
          Key: keys.member(tenantId, userId),
          ConditionExpression: 'contains(#roles, :admin)',
          ExpressionAttributeNames: { '#roles': 'roles' },
          ExpressionAttributeValues: { ':admin': 'admin' },
        },
      },
      () => conflict('LAST_ADMIN', `This would leave tenant ${tenantId} without an admin`),
    );
  }

  countKeyCreated(uow: UnitOfWork, tenantId: string, userId: string): void {
    dynamoUnitOfWork(uow).stage(
      {
        Update: {
          TableName: this.table,
          Key: keys.member(tenantId, userId),
          UpdateExpression: 'ADD keysCreated :one',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
      () => forbidden('NOT_A_MEMBER', 'Not a member of this tenant'),
    );
  }

  async getMode(mode: string): Promise<ModeRecord | undefined> {
    return withoutKeys<ModeRecord>(await this.getItem(keys.mode(mode)));
  }

  async listModes(): Promise<ModeRecord[]> {
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :mode)',
        ExpressionAttributeValues: { ':pk': keys.mode('').PK, ':mode': PREFIX.mode },
      }),
    );
    return (res.Items ?? []).map((item) => withoutKeys<ModeRecord>(item) as ModeRecord);
  }

  putMode(uow: UnitOfWork, mode: ModeRecord, expectedVersion: number | undefined): void {
    dynamoUnitOfWork(uow).stage(versionedPut(this.table, keys.mode(mode.mode), { ...mode }, expectedVersion), () =>
      expectedVersion === undefined
        ? conflict('MODE_EXISTS', `Mode ${mode.mode} already exists`)
        : preconditionFailed('The mode changed concurrently; read it again'),
    );
  }

  async getApiKey(keyId: string): Promise<StoredApiKey | undefined> {
    const item = await this.getItem(keys.apiKey(keyId));
    return item ? apiKeyOf(item) : undefined;
  }

  async listApiKeys(tenantId: string, page: PageRequest, only?: { projectId: string }) {
    const listed = await queryPage<Item>(this.db, {
      table: this.table,
      index: 'GSI1',
      pk: keys.apiKeyIndex(tenantId, '', '').GSI1PK,
      prefix: PREFIX.apiKey,
      forward: false,
      ...(only
        ? {
            filter: {
              expression: '#project = :project',
              names: { '#project': 'projectId' },
              values: { ':project': only.projectId },
            },
          }
        : {}),
      ...page,
    });
    return { ...listed, items: listed.items.map((item) => withoutHash(apiKeyOf(item))) };
  }

  async activeKeysCreatedBy(tenantId: string, createdBy: string): Promise<ApiKeyView[]> {
    const items = await this.queryAll({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :key)',
      FilterExpression: 'createdBy = :by AND attribute_not_exists(revokedAt)',
      ExpressionAttributeValues: {
        ':pk': keys.apiKeyIndex(tenantId, '', '').GSI1PK,
        ':key': PREFIX.apiKey,
        ':by': createdBy,
      },
    });
    return items.map((item) => withoutHash(apiKeyOf(item)));
  }

  createApiKey(uow: UnitOfWork, key: ApiKeyRecord): void {
    const scope = key.scope ?? (key.projectId ? 'project' : 'tenant');
    if ((scope === 'project') !== Boolean(key.projectId)) {
      throw new Error('a project-scoped key names its project, a tenant-scoped one none');
    }
    const record: StoredApiKey = { ...key, scope, version: key.version ?? 1 };
    const attributes = { ...record, ...keys.apiKeyIndex(key.tenantId, key.createdAt, key.keyId) };
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, keys.apiKey(key.keyId), attributes), () =>
      conflict('WRITE_CONFLICT', 'Key id collision; retry'),
    );
  }

  revokeApiKey(uow: UnitOfWork, keyId: string, tenantId: string, at: string, expectedVersion?: number): void {
    const versioned = expectedVersion !== undefined;
    dynamoUnitOfWork(uow).stage(
      {
        Update: {
          TableName: this.table,
          Key: keys.apiKey(keyId),
          UpdateExpression: 'SET revokedAt = :at, #version = if_not_exists(#version, :one) + :one',
          ConditionExpression: `tenantId = :tenant AND attribute_not_exists(revokedAt)${
            versioned ? ` AND ${stillAt('#version', expectedVersion, 1)}` : ''
          }`,
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: {
            ':at': at,
            ':tenant': tenantId,
            ':one': 1,
            ...(versioned ? { ':version': expectedVersion } : {}),
          },
        },
      },
      () =>
        versioned
          ? preconditionFailed('The API key changed concurrently; read it again')
          : notFound('API_KEY_NOT_FOUND', `No API key ${keyId}`),
    );
  }

  async isRevoked(jti: string): Promise<boolean> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.revoked(jti), ConsistentRead: true }),
    );
    return Boolean(res.Item);
  }

  async revoke(jti: string, expiresAtSeconds: number, by: string, at: string): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.revoked(jti), jti, revokedBy: by, revokedAt: at, ttl: expiresAtSeconds },
      }),
    );
  }

  async getConfig(name: string): Promise<unknown> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.config(name) }));
    return res.Item?.value;
  }

  async putConfig(name: string, value: unknown): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...keys.config(name), value } }));
  }
}
