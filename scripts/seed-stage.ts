import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditRecord } from '../packages/platform/src/audit/entry.js';
import { DynamoAuditStore } from '../packages/platform/src/audit/store.dynamo.js';
import { SYSTEM_TENANT, type Env } from '../packages/platform/src/context/types.js';
import { DynamoUnitOfWork } from '../packages/platform/src/data/unit-of-work.js';
import { type RoutingConfig, routingConfig } from '../packages/platform/src/routing/schemas.js';
import { DynamoRoutingStore } from '../packages/platform/src/routing/store.dynamo.js';
import { DynamoTenancyStore } from '../packages/platform/src/tenancy/store.dynamo.js';
import { APP_NAME, OUTPUTS, stageEnv } from '../stacks/config.js';

/**
 * Operator tool for a freshly deployed stage (not a runtime module; it never runs in Lambda):
 *
 * 1. calls POST /v1/system/bootstrap with the bootstrap key (the operator reads it from Secrets
 *    Manager with the AWS CLI and pipes it in on standard input), which creates t_system
 *    and the modes;
 * 2. writes t_system's first routing entries for the stage's env straight into the control table
 *    with the AWS SDK and the operator's credentials: `identity` (the Cognito pool's issuer and app
 *    client, from the stack outputs) and `data` (the pooled table). The API's PUT /v1/routing needs a
 *    system admin token, and on a fresh stage no admin exists yet — nor can anyone sign in until the
 *    identity entry is there. Items and audit records have the same shape the routing.put route
 *    writes, in one transaction;
 * 3. optionally (`--admin-sub`) makes one Cognito user an admin of t_system, so every later change
 *    can go through the API.
 *
 * Idempotent: unchanged entries are left alone; a changed entry is only replaced with `--force`.
 */

export type StageOutputs = {
  controlTable: string;
  pooledTable: string;
  bootstrapSecretArn: string;
  userPoolId: string;
  userPoolClientId: string;
  /** the console's hosted-UI client (stacks/Console.ts): its tokens are accepted too */
  consoleClientId?: string;
  issuer: string;
  apiUrl: string;
};

/** Reads one stage's outputs from the file `sst deploy` writes (.sst/outputs.json: stack → outputs). */
export function parseStageOutputs(all: Record<string, Record<string, string>>, stage: string): StageOutputs {
  const pick = (stack: string, key: string): string => {
    const v = all[`${stage}-${APP_NAME}-${stack}`]?.[key];
    if (!v)
      throw new Error(
        `Output ${key} of stack ${stage}-${APP_NAME}-${stack} is missing: ` +
          `deploy the stage first (npm run deploy -- --stage ${stage})`,
      );
    return v;
  };
  return {
    controlTable: pick('Data', OUTPUTS.controlTable),
    pooledTable: pick('Data', OUTPUTS.pooledTable),
    bootstrapSecretArn: pick('Data', OUTPUTS.bootstrapSecretArn),
    userPoolId: pick('Auth', OUTPUTS.userPoolId),
    userPoolClientId: pick('Auth', OUTPUTS.userPoolClientId),
    issuer: pick('Auth', OUTPUTS.issuer),
    apiUrl: pick('Api', OUTPUTS.apiUrl),
    consoleClientId: all[`${stage}-${APP_NAME}-Console`]?.[OUTPUTS.consoleClientId],
  };
}

export interface SeedEntry {
  tenantId: string;
  env: Env;
  kind: RoutingConfig['kind'];
  config: RoutingConfig;
}

/** t_system's first routing entries: who issues tokens, and where its data lives. */
export function firstRoutingEntries(
  o: Pick<StageOutputs, 'issuer' | 'userPoolClientId' | 'consoleClientId' | 'userPoolId' | 'pooledTable'>,
  env: Env,
): SeedEntry[] {
  const identity = routingConfig.parse({
    kind: 'identity',
    issuer: o.issuer,
    clientIds: [o.userPoolClientId, ...(o.consoleClientId ? [o.consoleClientId] : [])],
    jwksUri: `${o.issuer}/.well-known/jwks.json`,
    userPoolId: o.userPoolId,
  });
  const data = routingConfig.parse({ kind: 'data', mode: 'pooled', tableName: o.pooledTable });
  return [
    { tenantId: SYSTEM_TENANT, env, kind: 'identity', config: identity },
    { tenantId: SYSTEM_TENANT, env, kind: 'data', config: data },
  ];
}

export type WriteOutcome = 'created' | 'updated' | 'unchanged' | 'differs';

/** The stores and a unit of work over a stage's control table, acting as the platform itself. */
function controlPlane(db: DynamoDBDocumentClient, controlTable: string) {
  const audit = new DynamoAuditStore(db, controlTable);
  return {
    routing: new DynamoRoutingStore(db, controlTable),
    tenancy: new DynamoTenancyStore(db, controlTable),
    unitOfWork: (requestId: string, now: number) =>
      new DynamoUnitOfWork(db, (uow, entry) =>
        audit.stage(uow, auditRecord(entry, { kind: 'system', tenantId: SYSTEM_TENANT, requestId }, now)),
      ),
  };
}

/** Writes one routing entry (+ its audit record) through the same store the routing.put route uses. */
export async function writeRoutingEntry(
  db: DynamoDBDocumentClient,
  controlTable: string,
  e: SeedEntry,
  opts: { force: boolean; requestId: string; now?: number },
): Promise<WriteOutcome> {
  const plane = controlPlane(db, controlTable);
  const before = await plane.routing.get(e.tenantId, e.env, e.kind);
  if (before && isDeepStrictEqual(before.config, e.config)) return 'unchanged';
  if (before && !opts.force) return 'differs';
  const now = opts.now ?? Date.now();
  const uow = plane.unitOfWork(opts.requestId, now);
  plane.routing.put(
    uow,
    { tenantId: e.tenantId, env: e.env, kind: e.kind, config: e.config, updatedAt: new Date(now).toISOString() },
    before?.version,
  );
  uow.audit({
    action: 'routing.put',
    resource: `routing/${e.tenantId}/${e.env}/${e.kind}`,
    before: before?.config ?? null,
    after: e.config,
    tenantId: e.tenantId,
    source: 'system',
  });
  await uow.commit();
  return before ? 'updated' : 'created';
}

/** Makes a Cognito user (`sub`) an admin of t_system, through the store the members.put route uses. */
export async function writeSystemAdmin(
  db: DynamoDBDocumentClient,
  controlTable: string,
  userId: string,
  opts: { requestId: string; now?: number },
): Promise<WriteOutcome> {
  const plane = controlPlane(db, controlTable);
  const before = await plane.tenancy.getMember(SYSTEM_TENANT, userId);
  if (before?.roles.includes('admin')) return 'unchanged';
  const now = opts.now ?? Date.now();
  const after = {
    tenantId: SYSTEM_TENANT,
    userId,
    roles: ['admin' as const],
    tier: 'sovereign' as const,
    updatedAt: new Date(now).toISOString(),
  };
  const uow = plane.unitOfWork(opts.requestId, now);
  plane.tenancy.putMember(uow, after);
  uow.audit({
    action: before ? 'member.update' : 'member.add',
    resource: `member/${userId}`,
    before: before ?? null,
    after,
    tenantId: SYSTEM_TENANT,
    source: 'system',
  });
  await uow.commit();
  return before ? 'updated' : 'created';
}

/** POST /v1/system/bootstrap with the key; returns the response body (t_system, modes, what was created). */
export async function callBootstrap(apiUrl: string, key: string, fetchImpl: typeof fetch = fetch): Promise<unknown> {
  const url = `${apiUrl.replace(/\/+$/, '')}/v1/system/bootstrap`;
  const res = await fetchImpl(url, {
    method: 'POST',
    headers: { 'X-Bootstrap-Key': key, 'Content-Type': 'application/json' },
    body: '{}',
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return text ? (JSON.parse(text) as unknown) : null;
}

/** The region a stage runs in, from the Cognito issuer (https://cognito-idp.<region>.amazonaws.com/…). */
export function regionOfIssuer(issuer: string): string | undefined {
  return /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com\//.exec(issuer)?.[1];
}

const USAGE = `usage: aws secretsmanager get-secret-value … | npx tsx scripts/seed-stage.ts --stage NAME [options]

  --stage NAME        the deployed stage (required)
  --outputs FILE      stack outputs written by sst deploy (default .sst/outputs.json)
  --env ENV           routing env to seed (default: the stage's env, prod→prod, staging→staging, else dev)
  --region REGION     AWS region (default: the region in the Cognito issuer)
  --admin-sub SUB     also make this Cognito user (sub) an admin of t_system
  --skip-bootstrap    only write routing entries (t_system already bootstrapped)
  --force             replace routing entries that differ from the stack outputs
  --dry-run           print what would be done; call and write nothing

The bootstrap key is read from standard input (piped from the AWS CLI), never from an argument or
the environment, so it stays out of shell history, process listings and child environments.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      outputs: { type: 'string', default: '.sst/outputs.json' },
      env: { type: 'string' },
      region: { type: 'string' },
      'admin-sub': { type: 'string' },
      'skip-bootstrap': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || !values.stage) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const stage = values.stage;
  const env = (values.env ?? stageEnv(stage)) as Env;
  if (!['dev', 'staging', 'prod'].includes(env)) throw new Error(`--env must be dev|staging|prod`);
  const outputs = parseStageOutputs(
    JSON.parse(readFileSync(values.outputs, 'utf8')) as Record<string, Record<string, string>>,
    stage,
  );
  const region = values.region ?? regionOfIssuer(outputs.issuer);
  if (!region) throw new Error('Cannot tell the region: pass --region');
  const requestId = `seed-${randomUUID()}`;
  const dry = values['dry-run'];

  if (!values['skip-bootstrap']) {
    const key = process.stdin.isTTY ? '' : (await readStdin()).trim();
    if (!key) {
      throw new Error(
        'No bootstrap key on standard input. Pipe it in:\n' +
          `  aws secretsmanager get-secret-value --region ${region} --secret-id ${outputs.bootstrapSecretArn}` +
          ` --query SecretString --output text | npx tsx scripts/seed-stage.ts --stage ${stage}`,
      );
    }
    if (dry) console.log(`[dry-run] would POST ${outputs.apiUrl}/v1/system/bootstrap`);
    else console.log('bootstrap:', JSON.stringify(await callBootstrap(outputs.apiUrl, key)));
  }

  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  for (const entry of firstRoutingEntries(outputs, env)) {
    const label = `routing ${entry.tenantId}/${entry.env}/${entry.kind}`;
    if (dry) {
      console.log(`[dry-run] would write ${label} = ${JSON.stringify(entry.config)}`);
      continue;
    }
    const outcome = await writeRoutingEntry(db, outputs.controlTable, entry, { force: values.force, requestId });
    console.log(`${label}: ${outcome}${outcome === 'differs' ? ' (left as is; --force replaces it)' : ''}`);
  }
  const admin = values['admin-sub'];
  if (admin) {
    if (dry) console.log(`[dry-run] would make ${admin} an admin of ${SYSTEM_TENANT}`);
    else
      console.log(
        `member ${SYSTEM_TENANT}/${admin}: ${await writeSystemAdmin(db, outputs.controlTable, admin, { requestId })}`,
      );
  }
  db.destroy();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
