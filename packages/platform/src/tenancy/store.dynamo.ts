import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { SYSTEM_TENANT } from '../context/types.js';
import { deleteExisting, putIfAbsent, versionedPut, withoutKeys } from '../data/items.js';
import { type Page, type PageRequest, queryPage } from '../data/query.js';
import { dynamoUnitOfWork, type UnitOfWork } from '../data/unit-of-work.js';
import { conflict, notFound, preconditionFailed } from '../errors.js';
import type {
  ApiKeyRecord,
  ApiKeyStore,
  ConfigStore,
  ContextRecords,
  MemberRecord,
  MemberStore,
  ModeRecord,
  ModeStore,
  ProjectRecord,
  ProjectStore,
  RevocationStore,
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

  private async getItem<T>(key: { PK: string; SK: string }, consistent = true): Promise<T | undefined> {
    const res = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: consistent }));
    return withoutKeys<T>(res.Item);
  }

  getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    return this.getItem<TenantRecord>(keys.tenant(tenantId), false);
  }

  async contextRecords(tenantId: string, userId: string | undefined, projectId: string | undefined) {
    const wanted = [keys.tenant(tenantId)];
    if (userId) wanted.push(keys.member(tenantId, userId));
    if (projectId) wanted.push(keys.project(tenantId, projectId));
    const res = await this.db.send(
      new BatchGetCommand({ RequestItems: { [this.table]: { Keys: wanted, ConsistentRead: true } } }),
    );
    const items = res.Responses?.[this.table] ?? [];
    const find = <T>(k: { PK: string; SK: string }) =>
      withoutKeys<T>(items.find((item) => item.PK === k.PK && item.SK === k.SK));
    const records: ContextRecords = { tenant: find<TenantRecord>(keys.tenant(tenantId)) };
    if (userId) records.member = find<MemberRecord>(keys.member(tenantId, userId));
    if (projectId) records.project = find<ProjectRecord>(keys.project(tenantId, projectId));
    return records;
  }

  createTenant(uow: UnitOfWork, tenant: TenantRecord): void {
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, keys.tenant(tenant.tenantId), { ...tenant }), () =>
      conflict('TENANT_EXISTS', `Tenant ${tenant.tenantId} already exists`),
    );
  }

  updateTenant(uow: UnitOfWork, tenant: TenantRecord, expectedVersion: number): void {
    dynamoUnitOfWork(uow).stage(
      versionedPut(this.table, keys.tenant(tenant.tenantId), { ...tenant }, expectedVersion),
      () => preconditionFailed('Tenant changed concurrently'),
    );
  }

  listProjects(tenantId: string, page: PageRequest): Promise<Page<ProjectRecord>> {
    return queryPage(this.db, { table: this.table, pk: keys.tenant(tenantId).PK, prefix: PREFIX.project, ...page });
  }

  createProject(uow: UnitOfWork, project: ProjectRecord): void {
    dynamoUnitOfWork(uow).stage(
      putIfAbsent(this.table, keys.project(project.tenantId, project.projectId), { ...project }),
      () => conflict('PROJECT_EXISTS', `Project ${project.projectId} already exists`),
    );
  }

  getMember(tenantId: string, userId: string): Promise<MemberRecord | undefined> {
    return this.getItem<MemberRecord>(keys.member(tenantId, userId));
  }

  listMembers(tenantId: string, page: PageRequest): Promise<Page<MemberRecord>> {
    return queryPage(this.db, { table: this.table, pk: keys.tenant(tenantId).PK, prefix: PREFIX.member, ...page });
  }

  putMember(uow: UnitOfWork, member: MemberRecord): void {
    const item = {
      ...member,
      ...keys.member(member.tenantId, member.userId),
      ...keys.memberIndex(member.tenantId, member.userId),
    };
    dynamoUnitOfWork(uow).stage({ Put: { TableName: this.table, Item: item } });
  }

  createMember(uow: UnitOfWork, member: MemberRecord): void {
    const attributes = { ...member, ...keys.memberIndex(member.tenantId, member.userId) };
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, keys.member(member.tenantId, member.userId), attributes), () =>
      conflict('MEMBER_EXISTS', `${member.userId} is already a member of ${member.tenantId}`),
    );
  }

  deleteMember(uow: UnitOfWork, tenantId: string, userId: string): void {
    dynamoUnitOfWork(uow).stage(deleteExisting(this.table, keys.member(tenantId, userId)), () =>
      notFound('MEMBER_NOT_FOUND', `${userId} is not a member of ${tenantId}`),
    );
  }

  getMode(mode: string): Promise<ModeRecord | undefined> {
    return this.getItem<ModeRecord>(keys.mode(mode));
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
      conflict('WRITE_CONFLICT', 'The mode changed concurrently; retry'),
    );
  }

  async getApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    return this.getItem<ApiKeyRecord>(keys.apiKey(keyId));
  }

  async listApiKeys(tenantId: string, page: PageRequest) {
    const listed = await queryPage<ApiKeyRecord>(this.db, {
      table: this.table,
      index: 'GSI1',
      pk: keys.apiKeyIndex(tenantId, '', '').GSI1PK,
      prefix: PREFIX.apiKey,
      forward: false,
      ...page,
    });
    return { ...listed, items: listed.items.map(({ hash: _hash, ...rest }) => rest) };
  }

  createApiKey(uow: UnitOfWork, key: ApiKeyRecord): void {
    const attributes = { ...key, ...keys.apiKeyIndex(key.tenantId, key.createdAt, key.keyId) };
    dynamoUnitOfWork(uow).stage(putIfAbsent(this.table, keys.apiKey(key.keyId), attributes), () =>
      conflict('WRITE_CONFLICT', 'Key id collision; retry'),
    );
  }

  revokeApiKey(uow: UnitOfWork, keyId: string, tenantId: string, at: string): void {
    dynamoUnitOfWork(uow).stage(
      {
        Update: {
          TableName: this.table,
          Key: keys.apiKey(keyId),
          UpdateExpression: 'SET revokedAt = :at',
          ConditionExpression: 'tenantId = :tenant AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': at, ':tenant': tenantId },
        },
      },
      () => notFound('API_KEY_NOT_FOUND', `No API key ${keyId}`),
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
