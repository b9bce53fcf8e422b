import { configureBootstrap, type BootstrapConfig } from '@ballast/platform/config/bootstrap.js';
import { ALL_JOBS } from '@ballast/app/jobs.js';
import { ensureIdempotencyTable, ensureTable } from '@ballast/platform/data/tables.js';
import { createMetrics, type MetricsSink } from '@ballast/platform/observability/metrics.js';
import { createPlatform, setPlatform, type Platform } from '@ballast/platform/platform.js';
import { LocalSecretResolver } from '@ballast/platform/secrets/resolver.js';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalClock } from './clock.js';
import { startDynamoLocal, type DynamoExit, type DynamoLocal } from './dynamodb-local.js';
import { FAKE_ALPACA_KEY_ID, FAKE_ALPACA_SECRET, type FakeAlpaca, startFakeAlpaca } from './fakes/alpaca.js';
import { startFakePolygon, FAKE_POLYGON_KEY } from './fakes/polygon.js';
import { startFakeTwelveData, FAKE_TWELVE_DATA_KEY } from './fakes/twelvedata.js';
import type { FakeVendorServer } from './fakes/fake-server.js';
import { LocalJobs } from './jobs.js';
import { startLocalQueues } from './queues.js';
import { LOCAL_CLIENT_ID, LocalIssuer } from './issuer.js';
import { seed } from './seed.js';
import { createLocalServer, type LocalServerParts, type LocalTimeouts } from './server.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const BOOTSTRAP_SECRET_REF = 'ballast/local/bootstrap-key';
export const CURSOR_SECRET_REF = 'ballast/local/cursor-key';
/** The fake vendors' API keys in the local secret store, named by the tenants' market-data routing entries. */
export const MARKET_DATA_SECRET_REFS = {
  twelvedata: 'local/t_demo/twelvedata-api-key',
  polygon: 'local/t_acme/polygon-api-key',
} as const;
/** The fake Alpaca's key pair (JSON `{keyId, secretKey}`) for t_demo's paper and live endpoints. */
export const BROKER_SECRET_REFS = { paper: 'local/t_demo/alpaca-paper', live: 'local/t_demo/alpaca-live' } as const;
/**
 * The seeded tenants' field-encryption keys (256-bit, the profile context's personal fields): the
 * `<prefix>field-key` of each tenant's `secrets` routing entry, made once and kept in the local store.
 */
export const FIELD_KEY_SECRET_REFS = ['local/t_demo/field-key', 'local/t_acme/field-key'] as const;

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
  /** how long a client may take to send its headers and its body (defaults in server.ts; tests make them short) */
  timeouts?: LocalTimeouts;
  /**
   * Called once if the DynamoDB Local this runtime started exits without being asked to (crash,
   * OOM, killed). The runtime then answers 503 DYNAMODB_LOCAL_EXITED; `npm start` says so on
   * stderr and exits non-zero. Default: a line on stderr.
   */
  onDynamoExit?: (exit: DynamoExit) => void;
}

/** The HTTP port could not be taken: which one, and why, in words a person can act on. */
export class LocalPortError extends Error {
  constructor(
    readonly port: number,
    readonly reason: 'in-use' | 'forbidden' | 'unavailable',
    cause: unknown,
  ) {
    const why =
      reason === 'in-use'
        ? `port ${port} is already in use (another Ballast, or another program, listens on it)`
        : reason === 'forbidden'
          ? `port ${port} needs privileges this user does not have`
          : `port ${port} cannot be used on 127.0.0.1`;
    super(`Ballast cannot listen on 127.0.0.1:${port}: ${why}.`, { cause });
    this.name = 'LocalPortError';
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const reason = e.code === 'EADDRINUSE' ? 'in-use' : e.code === 'EACCES' ? 'forbidden' : 'unavailable';
      reject(new LocalPortError(port, reason, e));
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
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
  /** the fake market-data vendors on 127.0.0.1 (their URLs change every start), and their keys' secret refs */
  marketData: {
    twelvedata: { server: FakeVendorServer; secretRef: string };
    polygon: { server: FakeVendorServer; secretRef: string };
  };
  /** the fake Alpaca t_demo's PAPER and LIVE accounts trade on (its URL changes every start) */
  broker: FakeAlpaca;
  /** the DynamoDB Local JVM this runtime started (none when `dynamoEndpoint` was given) */
  dynamo?: { pid: number | undefined; binding: DynamoLocal['binding']; warning?: string };
  stop(): Promise<void>;
}

/**
 * `npm start`: DynamoDB Local, tables, the fake market-data vendors (Twelve Data, Polygon), seed, and
 * the route table served through the same Lambda entries the cloud runs, with a local token issuer
 * standing in for Cognito. The HTTP port is taken first, so a busy port fails at once
 * (LocalPortError) before a JVM is started for nothing; until the rest is up the server answers 503
 * LOCAL_STARTING. Whatever a failed start had started is stopped again.
 */
export async function startLocal(o: LocalOptions = {}): Promise<LocalRuntime> {
  const gate: Gate = {};
  const server = createLocalServer({
    root: REPO_ROOT,
    timeouts: o.timeouts,
    parts: () => gate.parts ?? gate.down ?? 'starting',
    issuer: () => {
      if (!gate.issuer) throw new Error('issuer not ready');
      return gate.issuer;
    },
  });
  await listen(server, o.port ?? 3000);
  const undo: Array<() => Promise<void>> = [() => closeServer(server)];
  try {
    return await startBehind(server, gate, undo, o);
  } catch (e) {
    for (const step of [...undo].reverse()) await step().catch(() => undefined);
    throw e;
  }
}

/** What the server may serve: the runtime's parts once they are up, or why not (a 503's detail). */
interface Gate {
  parts?: LocalServerParts;
  issuer?: LocalIssuer;
  down?: string;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

function reportDynamoExit(exit: DynamoExit): void {
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  console.error(`DynamoDB Local exited unexpectedly (${how}); the local runtime answers 503 until restarted.`);
}

async function startBehind(server: Server, gate: Gate, undo: Array<() => Promise<void>>, o: LocalOptions) {
  const inMemory = o.inMemory ?? false;
  const dataDir = inMemory ? await mkdtemp(join(tmpdir(), 'ballast-')) : resolve(o.dataDir ?? join(REPO_ROOT, '.data'));
  await mkdir(dataDir, { recursive: true });
  if (inMemory) undo.push(() => rm(dataDir, { recursive: true, force: true }));
  let dynamo: DynamoLocal | undefined;
  let endpoint = o.dynamoEndpoint;
  if (!endpoint) {
    const dbPath = inMemory ? undefined : join(dataDir, 'dynamodb');
    if (dbPath) await mkdir(dbPath, { recursive: true });
    const started = await startDynamoLocal({ dbPath });
    dynamo = started;
    undo.push(() => started.stop());
    endpoint = started.endpoint;
    // Watch the child: without it every data route would answer 503 forever, and nobody would know why.
    void started.exited.then((exit) => {
      if (exit.expected) return;
      gate.down = `DynamoDB Local (pid ${started.pid}) exited; restart Ballast`;
      (o.onDynamoExit ?? reportDynamoExit)(exit);
    });
  }
  const prefix = o.tablePrefix ?? 'ballast-local';
  const tables = {
    control: `${prefix}-control`,
    pooled: `${prefix}-data`,
    silo: `${prefix}-silo-t_acme`,
    jobsIdempotency: `${prefix}-jobs-idempotency`,
  };
  const queues = await startLocalQueues(ALL_JOBS, prefix);
  undo.push(() => queues.stop());
  const clock = new LocalClock();
  const now = o.now ?? (() => clock.now());
  // The fake vendors read the runtime's clock: a tick into the future is the future for them too.
  const twelvedata = await startFakeTwelveData({ now });
  undo.push(() => twelvedata.close());
  const polygon = await startFakePolygon({ now });
  undo.push(() => polygon.close());
  const alpaca = await startFakeAlpaca({ now });
  undo.push(() => alpaca.close());

  const secrets = new LocalSecretResolver(dataDir);
  let bootstrapKey = (await secrets.all())[BOOTSTRAP_SECRET_REF];
  if (!bootstrapKey) {
    bootstrapKey = randomBytes(24).toString('base64url');
    await secrets.put(BOOTSTRAP_SECRET_REF, bootstrapKey);
  }
  // the key that signs list cursors: generated once, kept in the local secret store
  if (!(await secrets.all())[CURSOR_SECRET_REF]) {
    await secrets.put(CURSOR_SECRET_REF, randomBytes(32).toString('base64url'));
  }
  const stored = await secrets.all();
  for (const ref of FIELD_KEY_SECRET_REFS) {
    if (!stored[ref]) await secrets.put(ref, randomBytes(32).toString('base64url'));
  }
  if (stored[MARKET_DATA_SECRET_REFS.twelvedata] !== FAKE_TWELVE_DATA_KEY) {
    await secrets.put(MARKET_DATA_SECRET_REFS.twelvedata, FAKE_TWELVE_DATA_KEY);
  }
  if (stored[MARKET_DATA_SECRET_REFS.polygon] !== FAKE_POLYGON_KEY) {
    await secrets.put(MARKET_DATA_SECRET_REFS.polygon, FAKE_POLYGON_KEY);
  }
  const alpacaKeys = JSON.stringify({ keyId: FAKE_ALPACA_KEY_ID, secretKey: FAKE_ALPACA_SECRET });
  for (const ref of Object.values(BROKER_SECRET_REFS)) {
    if (stored[ref] !== alpacaKeys) await secrets.put(ref, alpacaKeys);
  }
  const config: BootstrapConfig = {
    controlTable: tables.control,
    region: 'local',
    dynamoEndpoint: endpoint,
    bootstrapSecretRef: BOOTSTRAP_SECRET_REF,
    cursorSecretRef: CURSOR_SECRET_REF,
    defaultEnv: 'dev',
    secretsBackend: 'local',
    localSecretsDir: dataDir,
    stage: 'local',
    logLevel: 'WARN',
    jobQueues: queues.urls,
    sqsEndpoint: queues.endpoint,
    jobsIdempotencyTable: tables.jobsIdempotency,
    // the same emulator serves S3: the blob bucket it created
    blobBucket: queues.blobBucket,
    s3Endpoint: queues.endpoint,
    buildVersion: 'local',
  };
  configureBootstrap(config);
  const platform = createPlatform(config, {
    secrets,
    now,
    metrics: createMetrics('local', o.metricsSink ?? (() => undefined)),
  });
  setPlatform(platform);
  for (const t of [tables.control, tables.pooled, tables.silo]) await ensureTable(platform.dynamo, t);
  await ensureIdempotencyTable(platform.dynamo, tables.jobsIdempotency);
  const jobs = new LocalJobs(REPO_ROOT, ALL_JOBS, queues, clock, () => platform);
  undo.push(() => jobs.stop());

  // The issuer's URL carries the port, known once the server listens (it does, before all this).
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  const issuer = await LocalIssuer.create(`${url}/_local`, inMemory ? undefined : join(dataDir, 'issuer-key.json'));
  gate.issuer = issuer;
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
    marketData: {
      twelvedata: { baseUrl: twelvedata.url, secretRef: MARKET_DATA_SECRET_REFS.twelvedata },
      polygon: { baseUrl: polygon.url, secretRef: MARKET_DATA_SECRET_REFS.polygon },
    },
    broker: { baseUrl: alpaca.url, secretRef: BROKER_SECRET_REFS.paper, liveSecretRef: BROKER_SECRET_REFS.live },
  });
  if (o.minuteTick ?? true) jobs.startMinuteTick();
  gate.parts = { jobs, queues };

  let stopping: Promise<void> | undefined;
  const runtime: LocalRuntime = {
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
    marketData: {
      twelvedata: { server: twelvedata, secretRef: MARKET_DATA_SECRET_REFS.twelvedata },
      polygon: { server: polygon, secretRef: MARKET_DATA_SECRET_REFS.polygon },
    },
    broker: alpaca,
    ...(dynamo ? { dynamo: { pid: dynamo.pid, binding: dynamo.binding, warning: dynamo.warning } } : {}),
    stop() {
      gate.parts = undefined;
      gate.down = 'Ballast is stopping';
      // Once: the server first (no new requests), then the rest in reverse order of start.
      stopping ??= (async () => {
        const [closeHttp, ...rest] = undo;
        await closeHttp();
        for (const step of rest.reverse()) await step();
      })();
      return stopping;
    },
  };
  return runtime;
}
