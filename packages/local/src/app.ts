import { configureBootstrap, type BootstrapConfig } from '@ballast/platform/config/bootstrap.js';
import { ALL_JOBS } from '@ballast/app/jobs.js';
import { ensureIdempotencyTable, ensureTable } from '@ballast/platform/data/tables.js';
import { createMetrics, type MetricsSink } from '@ballast/platform/observability/metrics.js';
import { createPlatform, setPlatform, type Platform } from '@ballast/platform/platform.js';
import { LocalSecretResolver } from '@ballast/platform/secrets/resolver.js';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalClock } from './clock.js';
import { startDynamoLocal, type DynamoLocal } from './dynamodb-local.js';
import { LocalJobs } from './jobs.js';
import { startLocalQueues } from './queues.js';
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
  /** clock override (tests); otherwise the local clock, which /_local/tick can move */
  now?: () => number;
  /** run a job tick at every minute boundary (default true; tests tick by hand) */
  minuteTick?: boolean;
  /** where EMF metric lines go (default: dropped, so the terminal stays readable) */
  metricsSink?: MetricsSink;
}

export interface LocalRuntime {
  url: string;
  port: number;
  issuer: LocalIssuer;
  platform: Platform;
  tables: { control: string; pooled: string; silo: string; jobsIdempotency: string };
  clock: LocalClock;
  jobs: LocalJobs;
  queues: Awaited<ReturnType<typeof startLocalQueues>>;
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
  const tables = {
    control: `${prefix}-control`,
    pooled: `${prefix}-data`,
    silo: `${prefix}-silo-t_acme`,
    jobsIdempotency: `${prefix}-jobs-idempotency`,
  };
  const queues = await startLocalQueues(ALL_JOBS, prefix);
  const clock = new LocalClock();

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
    jobQueues: queues.urls,
    sqsEndpoint: queues.endpoint,
    jobsIdempotencyTable: tables.jobsIdempotency,
  };
  configureBootstrap(config);
  const platform = createPlatform(config, {
    secrets,
    now: o.now ?? (() => clock.now()),
    metrics: createMetrics('local', o.metricsSink ?? (() => undefined)),
  });
  setPlatform(platform);
  for (const t of [tables.control, tables.pooled, tables.silo]) await ensureTable(platform.dynamo, t);
  await ensureIdempotencyTable(platform.dynamo, tables.jobsIdempotency);
  const jobs = new LocalJobs(REPO_ROOT, ALL_JOBS, queues, clock, () => platform);

  // The issuer's URL carries the port, known only once the server listens.
  const ready: { issuer?: LocalIssuer } = {};
  const server = createLocalServer({
    root: REPO_ROOT,
    jobs,
    queues,
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
  if (o.minuteTick ?? true) jobs.startMinuteTick();

  return {
    url,
    port,
    issuer,
    platform,
    tables,
    clock,
    jobs,
    queues,
    bootstrapKey,
    dynamoEndpoint: endpoint,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await jobs.stop();
      await queues.stop();
      await dynamo?.stop();
      if (inMemory) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
