import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditRecord } from './audit/entry.js';
import type { AuditActor } from './audit/record.js';
import type { AuditStore } from './audit/store.js';
import { DynamoAuditStore } from './audit/store.dynamo.js';
import type { TokenVerifier } from './auth/tokens.js';
import { type BasePlatform, createBasePlatform, setBasePlatform } from './base-platform.js';
import { type BootstrapConfig, bootstrapConfig } from './config/bootstrap.js';
import { type CommitGuard, DynamoUnitOfWork, type UnitOfWork } from './data/unit-of-work.js';
import { type DataAccess, stsTenantClients, type TenantScopedClients } from './data/tenant-credentials.js';
import { FlagEvaluator } from './flags/evaluator.js';
import { DynamoFlagStore } from './flags/store.dynamo.js';
import type { IdempotencyStore } from './http/middlewares/idempotency/store.js';
import { DynamoIdempotencyStore } from './http/middlewares/idempotency/store.dynamo.js';
import type { RateCounterStore } from './http/middlewares/limits/store.js';
import { DynamoRateCounterStore } from './http/middlewares/limits/store.dynamo.js';
import type { DueWorkStore } from './jobs/due/store.js';
import { DynamoDueWorkStore } from './jobs/due/store.dynamo.js';
import { RoutingRegistry } from './routing/registry.js';
import type { RoutingStore } from './routing/store.js';
import { DynamoRoutingStore } from './routing/store.dynamo.js';
import {
  AwsSecretResolver,
  LocalSecretResolver,
  linkedSecretFetcher,
  type SecretResolver,
} from './secrets/resolver.js';
import type { TenancyStores } from './tenancy/store.js';
import { DynamoTenancyStore } from './tenancy/store.dynamo.js';

/** Everything the pipeline and the jobs need from the world, built once per process. */
export interface Platform extends BasePlatform {
  /** the control table's tenancy records (tenants, projects, members, modes, keys, revocations, config) */
  tenancy: TenancyStores;
  routing: RoutingStore;
  registry: RoutingRegistry;
  audit: AuditStore;
  rateCounters: RateCounterStore;
  idempotency: IdempotencyStore;
  due: DueWorkStore;
  secrets: SecretResolver;
  /** feature flags: settings in the control table, evaluated for a request's or job's context */
  flags: FlagEvaluator;
  /** verifies bearer tokens; built on first use by the routes that authenticate (workers never do) */
  verifier?: TokenVerifier;
  /**
   * The client for a tenant's data-table requests: in the cloud one whose credentials reach only
   * the tenant's own partition keys (STS session tagged with the tenant); locally the process's.
   */
  dataClientFor(tenantId: string, access: DataAccess): Promise<DynamoDBDocumentClient>;
  /**
   * a unit of work whose audit records name `actor`, sent with `db` (default: the process's
   * client); with `guard`, each commit also leaves a marker that keeps a retry from applying it twice
   */
  unitOfWork(actor: AuditActor, nowMs: number, db?: DynamoDBDocumentClient, guard?: CommitGuard): UnitOfWork;
}

export type PlatformOverrides = Partial<Omit<Platform, 'config' | 'unitOfWork' | 'dataClientFor'>> & {
  tenantClients?: TenantScopedClients;
};

export function createPlatform(config: BootstrapConfig, overrides: PlatformOverrides = {}): Platform {
  const base = createBasePlatform(config, overrides);
  const { db, now } = base;
  const secrets =
    overrides.secrets ??
    (config.secretsBackend === 'local'
      ? new LocalSecretResolver(config.localSecretsDir ?? '.data')
      : new AwsSecretResolver(linkedSecretFetcher, now));
  const routing = overrides.routing ?? new DynamoRoutingStore(db, config.controlTable);
  const tenantClients =
    overrides.tenantClients ??
    (config.tenantDataRoleArn
      ? stsTenantClients({ roleArn: config.tenantDataRoleArn, region: config.region, stage: config.stage, now })
      : undefined);
  const audit = overrides.audit ?? new DynamoAuditStore(db, config.controlTable);
  return {
    ...base,
    tenancy: overrides.tenancy ?? new DynamoTenancyStore(db, config.controlTable),
    routing,
    registry: overrides.registry ?? new RoutingRegistry(routing, now),
    audit,
    rateCounters: overrides.rateCounters ?? new DynamoRateCounterStore(db, config.controlTable),
    idempotency: overrides.idempotency ?? new DynamoIdempotencyStore(db, config.controlTable),
    due: overrides.due ?? new DynamoDueWorkStore(db, config.controlTable),
    secrets,
    flags: overrides.flags ?? new FlagEvaluator(new DynamoFlagStore(db, config.controlTable), now),
    verifier: overrides.verifier,
    dataClientFor: async (tenantId, access) => (tenantClients ? tenantClients.clientFor(tenantId, access) : db),
    unitOfWork: (actor, nowMs, client = db, guard) =>
      new DynamoUnitOfWork(client, (uow, entry) => audit.stage(uow, auditRecord(entry, actor, nowMs)), guard),
  };
}

let current: Platform | undefined;

/** The process's platform, built lazily from the bootstrap settings on first use. */
export function platform(): Platform {
  if (!current) {
    current = createPlatform(bootstrapConfig());
    setBasePlatform(current);
  }
  return current;
}

/** Local runtime and tests install a platform built with their own settings. */
export function setPlatform(p: Platform | undefined): void {
  current = p;
  setBasePlatform(p);
}
