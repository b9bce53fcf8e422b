import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stageCorsOrigins } from '../packages/platform/src/http/cors.js';

/**
 * Stage-level settings for the cloud stacks. Pure data and functions: the stacks, the synth script,
 * the seed script and the infra tests all read the same names from here, so a table or secret name
 * is spelled once.
 */

export type BallastEnv = 'dev' | 'staging' | 'prod';

/** The app name SST prefixes stack names with (`<stage>-ballast-<Stack>`). */
export const APP_NAME = 'ballast';

/** Default region when neither `--region` nor AWS_REGION says otherwise. */
export const DEFAULT_REGION = 'eu-central-1';

/**
 * The commit the stacks are synthesised from, given to every function (detailed health reports
 * it): what is running is always traceable to the code. Outside a git checkout: `unversioned`.
 */
export const BUILD_VERSION: string = (() => {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
    return /^[0-9a-f]{7,40}$/.test(sha) ? sha : 'unversioned';
  } catch {
    return 'unversioned';
  }
})();

/** The runtime env a stage serves by default (BALLAST_ENV): prod→prod, staging→staging, else dev. */
export function stageEnv(stage: string): BallastEnv {
  if (stage === 'prod') return 'prod';
  if (stage === 'staging') return 'staging';
  return 'dev';
}

/**
 * Stages whose data must survive a mistaken `sst remove` or a replaced resource: tables, the user
 * pool and the bootstrap secret get deletion protection and RETAIN there. Everything else is a
 * throw-away stage whose resources are destroyed with it.
 */
export function isProdLike(stage: string): boolean {
  return stage === 'prod' || stage === 'staging';
}

const STAGE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,29}$/;

export function assertStageName(stage: string): void {
  if (!STAGE_NAME.test(stage)) {
    throw new Error(
      `Stage name '${stage}' is not usable: letters, digits and '-', starting with a letter, at most 30 characters`,
    );
  }
}

/** Same rule as the route table's tenant id schema (packages/platform/src/routes/schemas.ts). */
const TENANT_ID = /^[a-z][a-z0-9_]{1,62}$/;

/** Every physical name a stage uses. Silo tables share the `ballast-<stage>-silo-` prefix. */
export function stageNames(stage: string) {
  return {
    controlTable: `ballast-${stage}-control`,
    pooledTable: `ballast-${stage}-pooled`,
    siloTablePrefix: `ballast-${stage}-silo-`,
    siloTable: (tenantId: string) => `ballast-${stage}-silo-${tenantId}`,
    bootstrapSecret: `ballast/${stage}/bootstrap-key`,
    /** the key that signs list cursors (HMAC), read by the list routes only */
    cursorSecret: `ballast/${stage}/cursor-key`,
    tenantSecretPrefix: `ballast/${stage}/tenants/`,
    userPool: `ballast-${stage}-users`,
    /**
     * Every Ballast function's physical name: `ballast-<stage>-<slug>` (the route's entry name,
     * `authorizer`, `job-dispatcher`, `job-<queue>`). Fixed names let the Observability stack name
     * functions and queues as plain strings instead of importing them, so removing a route or a job
     * never meets an export that another stack still imports.
     */
    functionName: (slug: string) => lambdaName(`ballast-${stage}-${slug}`),
    /** every Ballast function logs here: `<id>` is the route id, `authorizer`, `jobs/dispatcher` or `jobs/<job id>` */
    functionLogGroup: (id: string) => `/ballast/${stage}/functions/${id}`,
    /** Powertools idempotency records of job runs (its default layout: `id`, TTL on `expiration`) */
    jobsIdempotencyTable: `ballast-${stage}-jobs-idempotency`,
    jobQueue: (queue: string) => sqsName(`ballast-${stage}-job-${queue}`),
    jobDeadLetterQueue: (queue: string) => sqsName(`ballast-${stage}-job-${queue}-dlq`),
    dashboard: `ballast-${stage}`,
  };
}

/** Lambda function names: at most 64 letters, digits, `-` and `_`; a longer one is cut and given a hash. */
function lambdaName(name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`'${name}' is not a usable Lambda function name`);
  if (name.length <= 64) return name;
  return `${name.slice(0, 55)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}

/** SQS queue names: at most 80 letters, digits, `-` and `_`. */
function sqsName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new Error(`'${name}' is not a usable SQS queue name (max 80 chars)`);
  return name;
}

/** Names of the CloudFormation outputs the seed script and operators read. */
export const OUTPUTS = {
  controlTable: 'ControlTableName',
  pooledTable: 'PooledTableName',
  blobBucket: 'BlobBucketName',
  bootstrapSecretArn: 'BootstrapSecretArn',
  userPoolId: 'UserPoolId',
  userPoolClientId: 'UserPoolClientId',
  issuer: 'CognitoIssuer',
  apiUrl: 'ApiUrl',
  env: 'BallastEnv',
  alarmTopic: 'AlarmTopicArn',
  dashboard: 'DashboardName',
  consoleUrl: 'ConsoleUrl',
  consoleClientId: 'ConsoleClientId',
} as const;

/**
 * How job queues and workers behave (the Jobs stack and its alarms). A job's own `timeoutSeconds`
 * and `maxReceiveCount` (packages/platform/src/jobs/define-job.ts) set the rest.
 */
export const JOB_SETTINGS = {
  /** AWS's guidance for Lambda event sources: visibility timeout ≥ 6 × the function's timeout */
  visibilityTimeoutFactor: 6,
  queueRetentionDays: 4,
  deadLetterRetentionDays: 14,
  /** records per worker invocation: one Powertools batch, each record its own idempotent run */
  batchSize: 10,
  /** how long the event source waits to fill a batch */
  maxBatchingWindowSeconds: 2,
  /** the dispatcher's timeout: it must finish well inside its one-minute tick */
  dispatcherTimeoutSeconds: 50,
  /** alarm when a queue's oldest message is older than this (work is not being picked up) */
  queueAgeAlarmSeconds: 15 * 60,
} as const;

export interface StageSettings {
  /** HTTP API stage throttling (all routes, per account-region-stage) */
  throttle: { rate: number; burst: number };
  /** tighter throttle on the bootstrap route: it is guarded by a shared key, not a user */
  bootstrapThrottle: { rate: number; burst: number };
  /** retention of function logs and API access logs, in CloudWatch `RetentionDays` names */
  logRetention: 'one_week' | 'one_month' | 'three_months' | 'six_months' | 'one_year';
  /** Lambda memory (MB) for route handlers and the authorizer */
  memorySize: number;
  /** seconds; API Gateway gives up after 30 s anyway */
  timeout: number;
  /** alarm when 5xx exceeds this percentage of requests over 5 minutes… */
  api5xxPercent: number;
  /** …but only once there were at least this many requests in the window */
  api5xxMinRequests: number;
  /** browser origins allowed by CORS, from stacks/cors-origins.json; empty disables CORS */
  corsOrigins: string[];
}

export function stageSettings(stage: string): StageSettings {
  const prodLike = isProdLike(stage);
  return {
    throttle: prodLike ? { rate: 500, burst: 1000 } : { rate: 50, burst: 100 },
    bootstrapThrottle: { rate: 1, burst: 2 },
    logRetention: prodLike ? 'three_months' : 'one_week',
    memorySize: 512,
    timeout: 10,
    api5xxPercent: 1,
    api5xxMinRequests: 20,
    corsOrigins: corsOrigins(stage),
  };
}

/** Where each stage's allowed browser origins are listed (resolved from the repo root, like silo-tenants.json). */
export const CORS_ORIGINS_FILE = () => path.resolve('stacks', 'cors-origins.json');

/**
 * The browser origins a stage allows, from stacks/cors-origins.json: `{ "stages": { "prod":
 * ["https://app.example.com"] } }`. A stage not listed allows none. The `local` entry is the local
 * runtime's, which may use any-port patterns (`http://localhost:*`); a cloud stage lists exact origins.
 */
export function corsOrigins(stage: string, file: string | URL = CORS_ORIGINS_FILE()): string[] {
  return stageCorsOrigins(JSON.parse(readFileSync(file, 'utf8')), stage);
}

/**
 * SST bundles sst.config.ts (with these modules inlined) into the repo root before running it, so
 * `import.meta.url` is not this file's location: resolve from the working directory, which SST
 * requires to be the repo root.
 */
export const SILO_TENANTS_FILE = () => path.resolve('stacks', 'silo-tenants.json');

/**
 * Silo tables for enterprise tenants, per stage, from stacks/silo-tenants.json:
 * `{ "stages": { "prod": ["t_acme"] } }`. Each id becomes a table `ballast-<stage>-silo-<id>`
 * which the tenant's `data` routing entry can then name.
 */
export function siloTenants(stage: string, file: string | URL = SILO_TENANTS_FILE()): string[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { stages?: Record<string, unknown> };
  const list = parsed.stages?.[stage] ?? [];
  if (!Array.isArray(list)) throw new Error(`silo-tenants.json: stages.${stage} must be a list of tenant ids`);
  const ids = list.map((x: unknown) => {
    if (typeof x !== 'string' || !TENANT_ID.test(x))
      throw new Error(`silo-tenants.json: '${String(x)}' is not a tenant id`);
    return x;
  });
  if (new Set(ids).size !== ids.length) throw new Error(`silo-tenants.json: duplicate tenant id in stages.${stage}`);
  return ids;
}

/**
 * CDK context key that overrides silo-tenants.json for one synthesis: `npm run synth -- --stage
 * prod --silo t_acme,t_globex`, or a `"ballast:siloTenants"` entry in cdk.context.json (which
 * `sst deploy` reads). A comma-separated list or a JSON array. The file is the normal way.
 */
export const SILO_CONTEXT = 'ballast:siloTenants';

export function siloTenantsFor(context: unknown, stage: string): string[] {
  if (context === undefined || context === null) return siloTenants(stage);
  const list = Array.isArray(context)
    ? context
    : String(context)
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
  const ids = list.map((x: unknown) => {
    if (typeof x !== 'string' || !TENANT_ID.test(x))
      throw new Error(`${SILO_CONTEXT}: '${String(x)}' is not a tenant id`);
    return x;
  });
  if (new Set(ids).size !== ids.length) throw new Error(`${SILO_CONTEXT}: duplicate tenant id`);
  return ids;
}

/**
 * Who notifications are e-mailed from in a stage: `from` (the From header, `alerts@example.com` or
 * `Ballast <alerts@example.com>`) and `identity`, the Amazon SES identity verified for it (that
 * address, or its domain), on which alone the notifying functions may `ses:SendEmail`.
 */
export interface EmailSender {
  identity: string;
  from: string;
}

/** Where each stage's e-mail sender is set (resolved from the repo root, like silo-tenants.json). */
export const EMAIL_SENDERS_FILE = () => path.resolve('stacks', 'email-senders.json');

/**
 * CDK context key that sets a stage's sender for one synthesis, instead of stacks/email-senders.json:
 * `{"identity":"example.com","from":"alerts@example.com"}`, or just the address (its own identity).
 */
export const EMAIL_SENDER_CONTEXT = 'ballast:emailSender';

const EMAIL_ADDRESS = /^[A-Za-z0-9._%+-]{1,64}@([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$/;

function parseEmailSender(value: unknown, where: string): EmailSender {
  const raw = typeof value === 'string' ? { identity: value.trim(), from: value.trim() } : value;
  const { identity, from } = (raw ?? {}) as Partial<Record<keyof EmailSender, unknown>>;
  if (typeof identity !== 'string' || typeof from !== 'string')
    throw new Error(`${where}: an e-mail sender is {"identity": …, "from": …} or an address`);
  const address = /<([^<>]+)>$/.exec(from)?.[1] ?? from;
  if (!EMAIL_ADDRESS.test(address)) throw new Error(`${where}: '${from}' is not an e-mail address`);
  const domain = address.slice(address.indexOf('@') + 1);
  if (identity.toLowerCase() !== address.toLowerCase() && identity.toLowerCase() !== domain.toLowerCase())
    throw new Error(`${where}: the identity '${identity}' must be the sender's address or its domain`);
  return { identity, from };
}

/**
 * A stage's e-mail sender: the context value when given, else stacks/email-senders.json
 * (`{ "stages": { "prod": { "identity": "example.com", "from": "alerts@example.com" } } }`).
 * A stage with none sends no e-mail: its functions are given no sender and no SES grant.
 */
export function emailSenderFor(
  context: unknown,
  stage: string,
  file: string | URL = EMAIL_SENDERS_FILE(),
): EmailSender | undefined {
  if (context !== undefined && context !== null && context !== '') {
    const value: unknown =
      typeof context === 'string' && context.trim().startsWith('{') ? JSON.parse(context) : context;
    return parseEmailSender(value, EMAIL_SENDER_CONTEXT);
  }
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { stages?: Record<string, unknown> };
  const entry = parsed.stages?.[stage];
  return entry === undefined || entry === null ? undefined : parseEmailSender(entry, `email-senders.json: ${stage}`);
}
