import { configureBootstrap, type BootstrapConfig } from '@ballast/platform/config/bootstrap.js';
import { ensureTable } from '@ballast/platform/data/tables.js';
import { createPlatform, setPlatform, type Platform } from '@ballast/platform/platform.js';
import { LocalSecretResolver } from '@ballast/platform/secrets/resolver.js';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoLocal, type DynamoLocal } from './dynamodb-local.js';
import { LOCAL_CLIENT_ID, LocalIssuer } from './issuer.js';
import { seed } from './seed.js';
import { createLocalServer } from './server.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BOOTSTRAP_SECRET_REF = 'ballast/local/bootstrap-key';

export interface LocalOptions {
  /** HTTP port; 0 picks a free one. Default 3000. */
  port?: number;
  /** keep nothing: DynamoDB Local in memory, secrets and issuer key in a temp dir */
  inMemory?: boolean;
  /** where persistent data lives; default <repo>/.data */
  dataDir?: string;
  /** use an already running DynamoDB (tests) instead of starting one */
  dynamoEndpoint?: string;
  /** table name prefix; default 'ballast-local' */
  tablePrefix?: string;
  /** clock override (tests) */
  now?: () => number;
}

export interface LocalRuntime {
  url: string;
  port: number;
  issuer: LocalIssuer;
  platform: Platform;
  tables: { control: string; pooled: string; silo: string };
  bootstrapKey: string;
  dynamoEndpoint: string;
  stop(): Promise<void>;
}

/**
 * `npm start`: DynamoDB Local, tables, seed, and the route table served through the same Lambda
 * entries the cloud runs, with a local token issuer standing in for Cognito.
 */
export async function startLocal(o: LocalOptions = {}): Promise<LocalRuntime> {
  const inMemory = o.inMemory ?? false;
  const dataDir = inMemory ? await mkdtemp(join(tmpdir(), 'ballast-')) : resolve(o.dataDir ?? join(REPO_ROOT, '.data'));
  await mkdir(dataDir, { recursive: true });
  let dynamo: DynamoLocal | undefined;
  let endpoint = o.dynamoEndpoint;
  if (!endpoint) {
    const dbPath = inMemory ? undefined : join(dataDir, 'dynamodb');
    if (dbPath) await mkdir(dbPath, { recursive: true });
    dynamo = await startDynamoLocal({ dbPath });
    endpoint = dynamo.endpoint;
  }
  const prefix = o.tablePrefix ?? 'ballast-local';
  const tables = { control: `${prefix}-control`, pooled: `${prefix}-data`, silo: `${prefix}-silo-t_acme` };

  const secrets = new LocalSecretResolver(dataDir);
  let bootstrapKey = (await secrets.all())[BOOTSTRAP_SECRET_REF];
  if (!bootstrapKey) {
    bootstrapKey = randomBytes(24).toString('base64url');
    await secrets.put(BOOTSTRAP_SECRET_REF, bootstrapKey);
  }
  const config: BootstrapConfig = {
    controlTable: tables.control,
    region: 'local',
    dynamoEndpoint: endpoint,
    bootstrapSecretRef: BOOTSTRAP_SECRET_REF,
    defaultEnv: 'dev',
    secretsBackend: 'local',
    localSecretsDir: dataDir,
    stage: 'local',
    logLevel: 'WARN',
  };
  configureBootstrap(config);
  const platform = createPlatform(config, { secrets, ...(o.now ? { now: o.now } : {}) });
  setPlatform(platform);
  const raw = platform.db as unknown as Parameters<typeof ensureTable>[0];
  for (const t of Object.values(tables)) await ensureTable(raw, t);

  // The issuer's URL carries the port, known only once the server listens.
  const ready: { issuer?: LocalIssuer } = {};
  const server = createLocalServer({
    root: REPO_ROOT,
    issuer: () => {
      if (!ready.issuer) throw new Error('issuer not ready');
      return ready.issuer;
    },
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(o.port ?? 3000, '127.0.0.1', () => res());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  const issuer = await LocalIssuer.create(`${url}/_local`, inMemory ? undefined : join(dataDir, 'issuer-key.json'));
  ready.issuer = issuer;
  await seed(platform, {
    pooledTable: tables.pooled,
    siloTable: tables.silo,
    identity: {
      kind: 'identity',
      issuer: issuer.issuer,
      clientIds: [LOCAL_CLIENT_ID],
      jwks: issuer.jwks() as { keys: Record<string, unknown>[] },
    },
    nowMs: platform.now(),
  });

  return {
    url,
    port,
    issuer,
    platform,
    tables,
    bootstrapKey,
    dynamoEndpoint: endpoint,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await dynamo?.stop();
      if (inMemory) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
