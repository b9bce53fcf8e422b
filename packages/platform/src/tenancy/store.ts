import type { Role, Tier } from '../context/types.js';
import type { Page, PageRequest } from '../data/query.js';
import type { UnitOfWork } from '../data/unit-of-work.js';

export interface TenantRecord {
  tenantId: string;
  name: string;
  mode: string;
  /** the highest tier any member or API key of the tenant may hold; only a system admin sets it */
  tierCeiling: Tier;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** What creating a tenant takes: without a ceiling, the top tier. */
export type NewTenant = Omit<TenantRecord, 'tierCeiling'> & { tierCeiling?: Tier };

export interface ProjectRecord {
  tenantId: string;
  projectId: string;
  name: string;
  surface: string;
  app?: Record<string, string>;
  createdAt: string;
  version: number;
}

/** What creating a project takes: it starts at version 1. */
export type NewProject = Omit<ProjectRecord, 'version'>;

export interface MemberRecord {
  tenantId: string;
  userId: string;
  roles: Role[];
  tier: Tier;
  updatedAt: string;
  version: number;
  /**
   * How many API keys this member has created. Key creation counts up here, so a change of the
   * membership that revokes the member's keys conditions on it: a key made meanwhile is noticed.
   */
  keysCreated: number;
}

/** A membership as written by seeds and the unconditional put: the store keeps version and key count. */
export type MemberWrite = Omit<MemberRecord, 'version' | 'keysCreated'>;

export interface ModeRecord {
  mode: string;
  description: string;
  defaults: Record<string, unknown>;
  ownerTenantId: string;
  updatedAt: string;
  version: number;
}

/** `project`: the key acts in its one project, on every route; `tenant`: tenant-wide (project per request). */
export type ApiKeyScope = 'tenant' | 'project';

/** An API key as written: without a scope, a key naming a project is project-scoped; it starts at version 1. */
export interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  scope?: ApiKeyScope;
  /** the project of a project-scoped key; absent on a tenant-scoped one */
  projectId?: string;
  name: string;
  tier: Tier;
  roles: Role[];
  /** SHA-256 of the whole secret; never leaves the store except for the constant-time comparison */
  hash: string;
  createdAt: string;
  /** the principal id of its creator (a user id) */
  createdBy: string;
  expiresAt?: string;
  revokedAt?: string;
  /** 1 at creation, one more once revoked */
  version?: number;
}

/** An API key as read: its scope and version are always known. */
export type StoredApiKey = ApiKeyRecord & { scope: ApiKeyScope; version: number };

/** A key as listed and shown: everything but its hash. */
export type ApiKeyView = Omit<StoredApiKey, 'hash'>;

/** What the request pipeline reads to build a context: one round trip. */
export interface ContextRecords {
  tenant?: TenantRecord;
  /** the membership, its tier already capped at the tenant's ceiling */
  member?: MemberRecord;
  project?: ProjectRecord;
}

export interface TenantStore {
  getTenant(tenantId: string): Promise<TenantRecord | undefined>;
  contextRecords(tenantId: string, userId: string | undefined, projectId: string | undefined): Promise<ContextRecords>;
  /** creates; a tenant with this id → the given error */
  createTenant(uow: UnitOfWork, tenant: NewTenant): void;
  /** replaces the tenant while it is at `expectedVersion` */
  updateTenant(uow: UnitOfWork, tenant: TenantRecord, expectedVersion: number): void;
}

export interface ProjectStore {
  getProject(tenantId: string, projectId: string): Promise<ProjectRecord | undefined>;
  listProjects(tenantId: string, page: PageRequest): Promise<Page<ProjectRecord>>;
  createProject(uow: UnitOfWork, project: NewProject): void;
}

export interface MemberStore {
  getMember(tenantId: string, userId: string): Promise<MemberRecord | undefined>;
  listMembers(tenantId: string, page: PageRequest): Promise<Page<MemberRecord>>;
  /** adds or replaces a membership unconditionally (seeds), counting its version up */
  putMember(uow: UnitOfWork, member: MemberWrite): void;
  /** adds a membership only if the user has none in this tenant (409 MEMBER_EXISTS otherwise) */
  createMember(uow: UnitOfWork, member: MemberWrite): void;
  /** replaces `before` with `after` while the stored membership is still `before` (412 otherwise) */
  updateMember(uow: UnitOfWork, after: MemberRecord, before: MemberRecord): void;
  /** removes the membership while it is still `before` (412 otherwise; 404 once gone) */
  deleteMember(uow: UnitOfWork, before: MemberRecord): void;
  /** some admin of the tenant other than `userId`, if there is one */
  findOtherAdmin(tenantId: string, userId: string): Promise<string | undefined>;
  /** the commit fails with 409 LAST_ADMIN unless `userId` is still an admin of the tenant */
  requireAdmin(uow: UnitOfWork, tenantId: string, userId: string): void;
  /** counts a key the member creates (the commit fails with 403 NOT_A_MEMBER once the member is gone) */
  countKeyCreated(uow: UnitOfWork, tenantId: string, userId: string): void;
}

export interface ModeStore {
  getMode(mode: string): Promise<ModeRecord | undefined>;
  listModes(): Promise<ModeRecord[]>;
  /** creates (expectedVersion undefined; 409 MODE_EXISTS) or replaces the mode at `expectedVersion` (412) */
  putMode(uow: UnitOfWork, mode: ModeRecord, expectedVersion: number | undefined): void;
}

export interface ApiKeyStore {
  getApiKey(keyId: string): Promise<StoredApiKey | undefined>;
  /** the tenant's keys (optionally of one project only), newest first, without their hashes */
  listApiKeys(tenantId: string, page: PageRequest, only?: { projectId: string }): Promise<Page<ApiKeyView>>;
  /** the keys `createdBy` created in the tenant that are not revoked (expired ones included) */
  activeKeysCreatedBy(tenantId: string, createdBy: string): Promise<ApiKeyView[]>;
  createApiKey(uow: UnitOfWork, key: ApiKeyRecord): void;
  /**
   * marks the key revoked; fails when it is not this tenant's or already revoked (404), or, with
   * `expectedVersion`, when it is no longer at that version (412)
   */
  revokeApiKey(uow: UnitOfWork, keyId: string, tenantId: string, at: string, expectedVersion?: number): void;
}

/** Revoked token ids, each kept until the token's own expiry. */
export interface RevocationStore {
  /**
   * A record counts until TTL removes it, even past its expiry: the token's own expiry is checked
   * on the wall clock, which a travelled local clock must not be able to outrun.
   */
  isRevoked(jti: string): Promise<boolean>;
  revoke(jti: string, expiresAtSeconds: number, by: string, at: string): Promise<void>;
}

/** Named configuration items (rate limits, …), readable by every function. */
export interface ConfigStore {
  getConfig(name: string): Promise<unknown>;
  putConfig(name: string, value: unknown): Promise<void>;
}

/** Every tenancy port at once: what the platform's control-table adapter implements. */
export type TenancyStores = TenantStore &
  ProjectStore &
  MemberStore &
  ModeStore &
  ApiKeyStore &
  RevocationStore &
  ConfigStore;
