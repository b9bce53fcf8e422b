import type { Role, Tier } from '../context/types.js';
import type { Page, PageRequest } from '../data/query.js';
import type { UnitOfWork } from '../data/unit-of-work.js';

export interface TenantRecord {
  tenantId: string;
  name: string;
  mode: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ProjectRecord {
  tenantId: string;
  projectId: string;
  name: string;
  surface: string;
  app?: Record<string, string>;
  createdAt: string;
}

export interface MemberRecord {
  tenantId: string;
  userId: string;
  roles: Role[];
  tier: Tier;
  updatedAt: string;
}

export interface ModeRecord {
  mode: string;
  description: string;
  defaults: Record<string, unknown>;
  ownerTenantId: string;
  updatedAt: string;
  version: number;
}

export interface ApiKeyRecord {
  keyId: string;
  tenantId: string;
  projectId: string;
  name: string;
  tier: Tier;
  roles: Role[];
  /** SHA-256 of the whole secret; never leaves the store except for the constant-time comparison */
  hash: string;
  createdAt: string;
  createdBy: string;
  expiresAt?: string;
  revokedAt?: string;
}

/** What the request pipeline reads to build a context: one round trip. */
export interface ContextRecords {
  tenant?: TenantRecord;
  member?: MemberRecord;
  project?: ProjectRecord;
}

export interface TenantStore {
  getTenant(tenantId: string): Promise<TenantRecord | undefined>;
  contextRecords(tenantId: string, userId: string | undefined, projectId: string | undefined): Promise<ContextRecords>;
  /** creates; a tenant with this id → the given error */
  createTenant(uow: UnitOfWork, tenant: TenantRecord): void;
  /** replaces the tenant while it is at `expectedVersion` */
  updateTenant(uow: UnitOfWork, tenant: TenantRecord, expectedVersion: number): void;
}

export interface ProjectStore {
  listProjects(tenantId: string, page: PageRequest): Promise<Page<ProjectRecord>>;
  createProject(uow: UnitOfWork, project: ProjectRecord): void;
}

export interface MemberStore {
  getMember(tenantId: string, userId: string): Promise<MemberRecord | undefined>;
  listMembers(tenantId: string, page: PageRequest): Promise<Page<MemberRecord>>;
  putMember(uow: UnitOfWork, member: MemberRecord): void;
  /** adds a membership only if the user has none in this tenant (409 MEMBER_EXISTS otherwise) */
  createMember(uow: UnitOfWork, member: MemberRecord): void;
  deleteMember(uow: UnitOfWork, tenantId: string, userId: string): void;
}

export interface ModeStore {
  getMode(mode: string): Promise<ModeRecord | undefined>;
  listModes(): Promise<ModeRecord[]>;
  /** creates (expectedVersion undefined) or replaces the mode at `expectedVersion` */
  putMode(uow: UnitOfWork, mode: ModeRecord, expectedVersion: number | undefined): void;
}

export interface ApiKeyStore {
  getApiKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** the tenant's keys, newest first, without their hashes */
  listApiKeys(tenantId: string, page: PageRequest): Promise<Page<Omit<ApiKeyRecord, 'hash'>>>;
  createApiKey(uow: UnitOfWork, key: ApiKeyRecord): void;
  /** marks the key revoked; fails when it is not this tenant's or already revoked */
  revokeApiKey(uow: UnitOfWork, keyId: string, tenantId: string, at: string): void;
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
