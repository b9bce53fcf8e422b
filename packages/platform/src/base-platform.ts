import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { type BootstrapConfig, bootstrapConfig } from './config/bootstrap.js';
import { createDocumentClient, createDynamoClient } from './data/client.js';
import { createMetrics } from './observability/metrics.js';

/**
 * What every function needs, public routes included: settings, DynamoDB clients, logger,
 * metrics and the one clock. The full platform (stores, registry, secrets) extends it; public
 * routes are built on this alone, so their bundles carry no token verifier and no tenancy stores.
 */
export interface BasePlatform {
  config: BootstrapConfig;
  /** the raw client (Powertools idempotency, table administration) */
  dynamo: DynamoDBClient;
  /** the document client every store uses */
  db: DynamoDBDocumentClient;
  logger: Logger;
  metrics: Metrics;
  /** epoch ms: the one clock handlers, TTLs, schedules and the tick read (the local runtime can move it) */
  now: () => number;
}

export type BasePlatformOverrides = Partial<Omit<BasePlatform, 'config'>>;

export function createBasePlatform(config: BootstrapConfig, overrides: BasePlatformOverrides = {}): BasePlatform {
  const dynamo = overrides.dynamo ?? createDynamoClient({ region: config.region, endpoint: config.dynamoEndpoint });
  return {
    config,
    dynamo,
    db: overrides.db ?? createDocumentClient(dynamo),
    logger:
      overrides.logger ??
      new Logger({ serviceName: 'ballast', logLevel: config.logLevel, persistentKeys: { stage: config.stage } }),
    metrics: overrides.metrics ?? createMetrics(config.stage),
    now: overrides.now ?? (() => Date.now()),
  };
}

let current: BasePlatform | undefined;

/** The process's base platform, built lazily from the bootstrap settings on first use. */
export function basePlatform(): BasePlatform {
  current ??= createBasePlatform(bootstrapConfig());
  return current;
}

/** The full platform installs itself here too, so one process shares one set of clients. */
export function setBasePlatform(p: BasePlatform | undefined): void {
  current = p;
}
