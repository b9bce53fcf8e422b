import type { Metrics } from '@aws-lambda-powertools/metrics';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditRecord } from './audit/entry.js';
import type { AuditActor } from './audit/record.js';
import type { AuditStore } from './audit/store.js';
import { DynamoAuditStore } from './audit/store.dynamo.js';
import { TokenVerifier } from './auth/tokens.js';
import { type BootstrapConfig, bootstrapConfig } from './config/bootstrap.js';
import { createDocumentClient, createDynamoClient } from './data/client.js';
import { DynamoUnitOfWork, type UnitOfWork } from './data/unit-of-work.js';
import type { IdempotencyStore } from './http/middlewares/idempotency/store.js';
import { DynamoIdempotencyStore } from './http/middlewares/idempotency/store.dynamo.js';
import type { RateCounterStore } from './http/middlewares/limits/store.js';
import { DynamoRateCounterStore } from './http/middlewares/limits/store.dynamo.js';
import type { DueWorkStore } from './jobs/due/store.js';
import { DynamoDueWorkStore } from './jobs/due/store.dynamo.js';
import { createMetrics } from './observability/metrics.js';
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
export interface Platform {
  config: BootstrapConfig;
  /** the raw client (Powertools idempotency, table administration) */
  dynamo: DynamoDBClient;
  /** the document client every store uses */
  db: DynamoDBDocumentClient;
  /** the control table's tenancy records (tenants, projects, members, modes, keys, revocations, config) */
  tenancy: TenancyStores;
  routing: RoutingStore;
  registry: RoutingRegistry;
  audit: AuditStore;
  rateCounters: RateCounterStore;
  idempotency: IdempotencyStore;
  due: DueWorkStore;
  secrets: SecretResolver;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Metrics;
  /** epoch ms: the one clock handlers, TTLs, schedules and the tick read (the local runtime can move it) */
  now: () => number;
  /** a unit of work whose audit records name `actor` */
  unitOfWork(actor: AuditActor, nowMs: number): UnitOfWork;
}

export type PlatformOverrides = Partial<Omit<Platform, 'config' | 'unitOfWork'>>;

export function createPlatform(config: BootstrapConfig, overrides: PlatformOverrides = {}): Platform {
  const now = overrides.now ?? (() => Date.now());
  const dynamo = overrides.dynamo ?? createDynamoClient({ region: config.region, endpoint: config.dynamoEndpoint });
  const db = overrides.db ?? createDocumentClient(dynamo);
  const secrets =
    overrides.secrets ??
    (config.secretsBackend === 'local'
      ? new LocalSecretResolver(config.localSecretsDir ?? '.data')
      : new AwsSecretResolver(linkedSecretFetcher, now));
  const routing = overrides.routing ?? new DynamoRoutingStore(db, config.controlTable);
  const audit = overrides.audit ?? new DynamoAuditStore(db, config.controlTable);
  return {
    config,
    dynamo,
    db,
    tenancy: overrides.tenancy ?? new DynamoTenancyStore(db, config.controlTable),
    routing,
    registry: overrides.registry ?? new RoutingRegistry(routing, now),
    audit,
    rateCounters: overrides.rateCounters ?? new DynamoRateCounterStore(db, config.controlTable),
    idempotency: overrides.idempotency ?? new DynamoIdempotencyStore(db, config.controlTable),
    due: overrides.due ?? new DynamoDueWorkStore(db, config.controlTable),
    secrets,
    verifier: overrides.verifier ?? new TokenVerifier(),
    logger:
      overrides.logger ??
      new Logger({ serviceName: 'ballast', logLevel: config.logLevel, persistentKeys: { stage: config.stage } }),
    metrics: overrides.metrics ?? createMetrics(config.stage),
    now,
    unitOfWork: (actor, nowMs) =>
      new DynamoUnitOfWork(db, (uow, entry) => audit.stage(uow, auditRecord(entry, actor, nowMs))),
  };
}

let current: Platform | undefined;

/** The process's platform, built lazily from the bootstrap settings on first use. */
export function platform(): Platform {
  current ??= createPlatform(bootstrapConfig());
  return current;
}

/** Local runtime and tests install a platform built with their own settings. */
export function setPlatform(p: Platform | undefined): void {
  current = p;
}
