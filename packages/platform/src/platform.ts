import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { TokenVerifier } from './auth/tokens.js';
import { bootstrapConfig, type BootstrapConfig } from './config/bootstrap.js';
import { createDocumentClient } from './data/client.js';
import { ControlStore } from './data/control.js';
import { RoutingRegistry } from './routing/registry.js';
import {
  AwsSecretResolver,
  LocalSecretResolver,
  linkedSecretFetcher,
  type SecretResolver,
} from './secrets/resolver.js';

/** Everything a handler's pipeline needs from the world, built once per process. */
export interface Platform {
  config: BootstrapConfig;
  db: DynamoDBDocumentClient;
  control: ControlStore;
  registry: RoutingRegistry;
  secrets: SecretResolver;
  verifier: TokenVerifier;
  logger: Logger;
  /** epoch ms; injectable so tests can pin rate-limit windows and expiry */
  now: () => number;
}

export function createPlatform(config: BootstrapConfig, overrides: Partial<Omit<Platform, 'config'>> = {}): Platform {
  const now = overrides.now ?? (() => Date.now());
  const db = overrides.db ?? createDocumentClient({ region: config.region, endpoint: config.dynamoEndpoint });
  const secrets =
    overrides.secrets ??
    (config.secretsBackend === 'local'
      ? new LocalSecretResolver(config.localSecretsDir ?? '.data')
      : new AwsSecretResolver(linkedSecretFetcher, now));
  return {
    config,
    db,
    control: overrides.control ?? new ControlStore(db, config.controlTable),
    registry: overrides.registry ?? new RoutingRegistry(db, config.controlTable, now),
    secrets,
    verifier: overrides.verifier ?? new TokenVerifier(),
    logger:
      overrides.logger ??
      new Logger({ serviceName: 'ballast', logLevel: config.logLevel, persistentKeys: { stage: config.stage } }),
    now,
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
