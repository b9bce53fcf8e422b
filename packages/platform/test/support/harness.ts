import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { LOCAL_CLIENT_ID, LocalIssuer } from '../../../local/src/issuer.js';
import { newApiKey } from '../../src/auth/api-keys.js';
import type { BootstrapConfig } from '../../src/config/bootstrap.js';
import { ENVS, type Env, type Role, SYSTEM_TENANT, type Tier } from '../../src/context/types.js';
import { createDocumentClient } from '../../src/data/client.js';
import { ensureTable } from '../../src/data/tables.js';
import type { UnitOfWork } from '../../src/data/unit-of-work.js';
import type { RouteDef, RouteSpec } from '../../src/http/define-route.js';
import type { PortsFactory, RouteHandler } from '../../src/http/handler.js';
import type { LambdaEvent, LambdaResult } from '../../src/http/pipeline.js';
import { buildHandler } from '../../src/http/route.js';
import { AppError } from '../../src/errors.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createPlatform, type Platform, type PlatformOverrides } from '../../src/platform.js';
import type { RoutingConfig } from '../../src/routing/schemas.js';

/**
 * Shared test bed for the platform's middleware and store tests: a control table of the test
 * file's own on the run's DynamoDB Local, a platform over it with an injected clock, and helpers
 * that seed tenancy records through the stores (never by spelling keys).
 */

/** 2030-01-15T13:30:00Z: a minute boundary, far from any wall clock the tests run at. */
export const T0 = Date.UTC(2030, 0, 15, 13, 30, 0);
export const BOOTSTRAP_REF = 'ballast/test/bootstrap-key';

export function rawDynamo(): DynamoDBClient {
  return new DynamoDBClient({
    region: 'local',
    endpoint: inject('dynamoEndpoint'),
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** A fresh table (random name) and a document client for it. */
export async function createTestTable(prefix: string): Promise<{ table: string; db: DynamoDBDocumentClient }> {
  const dynamo = rawDynamo();
  const table = `${prefix}-${randomBytes(5).toString('hex')}`;
  await ensureTable(dynamo, table);
  return { table, db: createDocumentClient(dynamo) };
}

export function testConfig(controlTable: string, extra: Partial<BootstrapConfig> = {}): BootstrapConfig {
  return {
    controlTable,
    region: 'local',
    dynamoEndpoint: inject('dynamoEndpoint'),
    bootstrapSecretRef: BOOTSTRAP_REF,
    defaultEnv: 'dev',
    secretsBackend: 'local',
    localSecretsDir: '/nonexistent',
    stage: 'test',
    logLevel: 'ERROR',
    ...extra,
  };
}

/** The one clock of a test: moved by hand, never read from the wall. */
export class TestClock {
  constructor(public now: number = T0) {}
  set(ms: number): void {
    this.now = ms;
  }
  advance(ms: number): void {
    this.now += ms;
  }
  /** the start of the next minute plus `offsetMs`: a rate-limit window nobody has used yet */
  nextMinute(offsetMs = 1000): number {
    this.now = (Math.floor(this.now / 60_000) + 1) * 60_000 + offsetMs;
    return this.now;
  }
}

export interface SeededKey {
  keyId: string;
  secret: string;
  principalId: string;
}

export interface TestBed {
  platform: Platform;
  table: string;
  db: DynamoDBDocumentClient;
  clock: TestClock;
  /** commits one system unit of work */
  write(stage: (uow: UnitOfWork) => void): Promise<void>;
  tenant(tenantId: string, mode?: string): Promise<void>;
  project(tenantId: string, projectId: string): Promise<void>;
  member(tenantId: string, userId: string, tier: Tier, roles: Role[]): Promise<void>;
  apiKey(o: {
    tenantId: string;
    projectId: string;
    tier: Tier;
    roles: Role[];
    expiresAt?: string;
    revoked?: boolean;
  }): Promise<SeededKey>;
  routing(tenantId: string, env: Env, config: RoutingConfig): Promise<void>;
}

export const silentLogger = () => new Logger({ serviceName: 'ballast-test', logLevel: 'SILENT' });

export async function createTestBed(
  o: { prefix?: string; config?: Partial<BootstrapConfig>; overrides?: PlatformOverrides } = {},
): Promise<TestBed> {
  const { table, db } = await createTestTable(o.prefix ?? 'bed');
  const clock = new TestClock();
  const platform = createPlatform(testConfig(table, o.config), {
    db,
    logger: silentLogger(),
    metrics: createMetrics('test', () => undefined),
    now: () => clock.now,
    ...o.overrides,
  });
  const at = new Date(T0).toISOString();
  const write = async (stage: (uow: UnitOfWork) => void) => {
    const uow = platform.unitOfWork({ kind: 'system', tenantId: SYSTEM_TENANT, requestId: 'seed' }, clock.now);
    stage(uow);
    await uow.commit();
  };
  return {
    platform,
    table,
    db,
    clock,
    write,
    tenant: (tenantId, mode = 'saas') =>
      write((uow) =>
        platform.tenancy.createTenant(uow, {
          tenantId,
          name: tenantId,
          mode,
          createdAt: at,
          updatedAt: at,
          version: 1,
        }),
      ),
    project: (tenantId, projectId) =>
      write((uow) =>
        platform.tenancy.createProject(uow, { tenantId, projectId, name: projectId, surface: 'web', createdAt: at }),
      ),
    member: (tenantId, userId, tier, roles) =>
      write((uow) => platform.tenancy.putMember(uow, { tenantId, userId, tier, roles, updatedAt: at })),
    apiKey: async (k) => {
      const { keyId, secret, hash } = newApiKey();
      await write((uow) =>
        platform.tenancy.createApiKey(uow, {
          keyId,
          tenantId: k.tenantId,
          projectId: k.projectId,
          name: `key of ${k.tenantId}`,
          tier: k.tier,
          roles: k.roles,
          hash,
          createdAt: at,
          createdBy: 'seed',
          ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}),
        }),
      );
      if (k.revoked) await write((uow) => platform.tenancy.revokeApiKey(uow, keyId, k.tenantId, at));
      return { keyId, secret, principalId: `apikey:${keyId}` };
    },
    routing: async (tenantId, env, config) => {
      const current = await platform.routing.get(tenantId, env, config.kind);
      await write((uow) =>
        platform.routing.put(uow, { tenantId, env, kind: config.kind, config, updatedAt: at }, current?.version),
      );
      platform.registry.invalidate();
    },
  };
}

/** A local token issuer trusted by the platform: an `identity` entry of t_system in every env. */
export async function trustIssuer(bed: TestBed, issuerUrl = 'https://issuer.ballast.test/pool'): Promise<LocalIssuer> {
  const issuer = await LocalIssuer.create(issuerUrl);
  for (const env of ENVS) {
    await bed.routing(SYSTEM_TENANT, env, {
      kind: 'identity',
      issuer: issuer.issuer,
      clientIds: [LOCAL_CLIENT_ID],
      jwks: issuer.jwks() as { keys: Record<string, unknown>[] },
    });
  }
  return issuer;
}

export interface EventInput {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
  /** serialised as JSON with Content-Type: application/json unless a content type is given */
  body?: unknown;
  /** sent as is */
  rawBody?: string;
  isBase64Encoded?: boolean;
  requestId?: string;
}

/** An API Gateway (payload 2.0) event as the HTTP API hands it to a route's Lambda. */
export function httpEvent(o: EventInput = {}): LambdaEvent {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  let body = o.rawBody;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
  }
  return {
    version: '2.0',
    routeKey: `${o.method ?? 'GET'} ${o.path ?? '/v1/probe'}`,
    rawPath: o.path ?? '/v1/probe',
    rawQueryString: '',
    headers,
    queryStringParameters: o.query,
    pathParameters: o.params,
    body,
    isBase64Encoded: o.isBase64Encoded ?? false,
    requestContext: { requestId: o.requestId ?? `gw-${randomBytes(6).toString('hex')}` },
  } as unknown as LambdaEvent;
}

export interface ProblemBody {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  requestId?: string;
  errors?: Array<{ path: string; message: string }>;
  [member: string]: unknown;
}

export interface Answer<B = ProblemBody> {
  status: number;
  headers: Record<string, string>;
  body: B;
  text: string;
  raw: LambdaResult;
}

export type Invoke = <B = ProblemBody>(o?: EventInput) => Promise<Answer<B>>;

/** A handler over `platform` for `def`, called with event inputs and answering parsed responses. */
export function probe<R extends RouteDef, P = undefined>(
  platform: Platform,
  def: R,
  fn: RouteHandler<R, P>,
  ports?: PortsFactory<P>,
): Invoke {
  const handler = buildHandler<R, P>(def as RouteDef<R>, fn, ports, () => platform);
  return async <B>(o: EventInput = {}) => {
    const raw = await handler(httpEvent({ method: def.method, path: def.path, ...o }));
    const text = raw.body ?? '';
    let body = {} as B;
    if (text) {
      try {
        body = JSON.parse(text) as B;
      } catch {
        body = {} as B;
      }
    }
    return { status: raw.statusCode ?? 0, headers: (raw.headers ?? {}) as Record<string, string>, body, text, raw };
  };
}

/** What an echo handler answers: the validated input and the caller's context. */
export interface Echo {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  headers: Record<string, string>;
  ifMatch?: number;
  ctx?: {
    tenantId: string;
    env: string;
    projectId?: string;
    tier: string;
    roles: string[];
    mode: string;
    systemAdmin: boolean;
    principal: { kind: string; id: string };
  };
}

/** A handler that answers 200 with its input and context (routes declare `200: { body: z.unknown() }`). */
export function echo<D extends RouteSpec>(): RouteHandler<D, undefined> {
  const fn = async (input: unknown, h: { ctx: unknown }) => ({
    status: 200,
    body: { ...(input as object), ctx: h.ctx },
  });
  return fn as unknown as RouteHandler<D, undefined>;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
export const withKey = (key: SeededKey) => ({ 'X-API-Key': key.secret });

/**
 * Units of work acting as the platform itself, for store contract tests: `commit` stages and
 * commits; `refusal` expects the commit to fail and returns the AppError it failed with.
 */
export function unitsOfWork(platformOf: () => Platform, nowMs = T0) {
  const uow = () => platformOf().unitOfWork({ kind: 'system', tenantId: 't_system', requestId: 'test' }, nowMs);
  const commit = async (stage: (u: UnitOfWork) => void): Promise<void> => {
    const u = uow();
    stage(u);
    await u.commit();
  };
  const refusal = async (stage: (u: UnitOfWork) => void): Promise<AppError> => {
    try {
      await commit(stage);
    } catch (e) {
      if (e instanceof AppError) return e;
      throw e;
    }
    throw new Error('the commit was expected to fail');
  };
  return { uow, commit, refusal };
}
