import { ArnFormat, Tags, Token } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { FunctionProps, Function as SstFunction, Stack } from 'sst/constructs';
import type { Construct } from 'constructs';
import { NODEJS_BUNDLING } from './bundling.js';
import {
  BUILD_VERSION,
  EMAIL_SENDER_CONTEXT,
  type EmailSender,
  emailSenderFor,
  stageEnv,
  stageNames,
  stageSettings,
} from './config.js';
import type { Auth } from './Auth.js';
import type { Data } from './Data.js';
import type { PermissionTargets } from './permissions.js';

/** Tag on every route function and the authorizer: the route id, or `authorizer`. */
export const ROUTE_TAG = 'ballast:route';
/** Tag on the dispatcher and every job worker: `dispatcher`, or the job id. */
export const JOB_TAG = 'ballast:job';
/** Tag on every Ballast function: its alarm group (the route's context, `edge` or `jobs`). */
export const GROUP_TAG = 'ballast:group';

/** A Ballast function as Observability sees it. */
export interface TrackedFunction {
  /** the route id, `authorizer`, `dispatcher` or the job id */
  id: string;
  group: string;
  fn: SstFunction;
  /** its physical name, a plain string (stageNames().functionName) */
  name: string;
}

/** Tags a function with its id and group and returns it as Observability tracks it. */
export function track(
  fn: SstFunction,
  id: string,
  group: string,
  tag: typeof ROUTE_TAG | typeof JOB_TAG,
): TrackedFunction {
  const name = (fn.node.defaultChild as CfnFunction).functionName;
  if (typeof name !== 'string' || Token.isUnresolved(name)) throw new Error(`function ${id} has no fixed name`);
  Tags.of(fn).add(tag, id);
  Tags.of(fn).add(GROUP_TAG, group);
  return { id, group, fn, name };
}

/**
 * Props every Ballast function starts from (set once on the app, so the route stacks, the Jobs
 * stack and the Api stack agree); a worker overrides the timeout with its job's.
 */
export function functionDefaults(stage: string): FunctionProps {
  const settings = stageSettings(stage);
  return {
    runtime: 'nodejs22.x',
    architecture: 'arm_64',
    memorySize: settings.memorySize,
    timeout: settings.timeout,
    // No tracer is wired into the handlers; active tracing would only add cost and an xray:* on * grant.
    tracing: 'disabled',
    nodejs: NODEJS_BUNDLING,
  };
}

type DataOutputs = Pick<
  ReturnType<typeof Data>,
  'controlTable' | 'pooledTable' | 'bootstrapSecret' | 'cursorSecret' | 'blobBucket' | 'tenantDataRole'
>;

/** The bootstrap settings packages/platform/src/config/bootstrap.ts reads, and nothing else. */
export function bootstrapEnvironment(stage: string, data: DataOutputs): Record<string, string> {
  return {
    BALLAST_CONTROL_TABLE: data.controlTable.tableName,
    BALLAST_BOOTSTRAP_SECRET: data.bootstrapSecret.secretArn,
    BALLAST_CURSOR_SECRET: data.cursorSecret.secretArn,
    BALLAST_ENV: stageEnv(stage),
    BALLAST_SECRETS_BACKEND: 'aws',
    BALLAST_STAGE: stage,
    BALLAST_LOG_LEVEL: 'INFO',
    BALLAST_BUILD_VERSION: BUILD_VERSION,
  };
}

/**
 * The blob bucket's name, for the routes and workers whose `uses` name `blobs` only (the others
 * are not told a bucket they may not touch). A bootstrap setting like the control table's name.
 */
export function blobsEnvironment(
  uses: { blobs?: 'read' | 'write' },
  data: Pick<DataOutputs, 'blobBucket'>,
): Record<string, string> {
  return uses.blobs ? { BALLAST_BLOB_BUCKET: data.blobBucket.bucketName } : {};
}

/**
 * The tenant data role's ARN, for the routes and workers whose `uses` name data: their data
 * requests run as a session of it per tenant (packages/platform/src/data/tenant-credentials.ts).
 */
export function dataEnvironment(
  uses: { data?: 'read' | 'write' },
  data: Pick<DataOutputs, 'tenantDataRole'>,
): Record<string, string> {
  return uses.data ? { BALLAST_TENANT_DATA_ROLE: data.tenantDataRole.roleArn } : {};
}

/** The stage's e-mail sender (stacks/email-senders.json, or the `ballast:emailSender` context), if it has one. */
export function stageEmailSender(stack: Stack): EmailSender | undefined {
  return emailSenderFor(stack.node.tryGetContext(EMAIL_SENDER_CONTEXT), stack.stage);
}

/**
 * The address notifications are e-mailed from, for the routes and workers whose `uses` name
 * `notify` only, and only in a stage that has a sender (without one, e-mail is not bound).
 */
export function notifyEnvironment(uses: { notify?: 'send' }, sender: EmailSender | undefined): Record<string, string> {
  return uses.notify && sender ? { BALLAST_EMAIL_FROM: sender.from } : {};
}

/** What routes' and workers' IAM statements name (stacks/permissions.ts). */
export function permissionTargets(
  stack: Stack,
  data: DataOutputs,
  auth: Pick<ReturnType<typeof Auth>, 'userPool'>,
  sender: EmailSender | undefined,
): PermissionTargets {
  const names = stageNames(stack.stage);
  return {
    controlTableArn: data.controlTable.tableArn,
    pooledTableArn: data.pooledTable.tableArn,
    siloTableArnPattern: stack.formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: `${names.siloTablePrefix}*`,
    }),
    bootstrapSecretArn: data.bootstrapSecret.secretArn,
    cursorSecretArn: data.cursorSecret.secretArn,
    blobBucketArn: data.blobBucket.bucketArn,
    tenantDataRoleArn: data.tenantDataRole.roleArn,
    tenantKeyArnPattern: stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' }),
    pushEndpointArnPattern: stack.formatArn({ service: 'sns', resource: 'endpoint', resourceName: '*' }),
    userPoolArn: auth.userPool.userPoolArn,
    ...(sender
      ? { emailIdentityArn: stack.formatArn({ service: 'ses', resource: 'identity', resourceName: sender.identity }) }
      : {}),
    // Secrets Manager appends a random 6-character suffix to every secret ARN, hence the `*`.
    tenantSecretArnPattern: stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${names.tenantSecretPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  };
}

export function logRetention(stage: string): RetentionDays {
  return RetentionDays[stageSettings(stage).logRetention.toUpperCase() as keyof typeof RetentionDays];
}

/** A function's own log group, `/ballast/<stage>/functions/<id>`, in the stack of the function. */
export function functionLogGroup(scope: Construct, stage: string, id: string): LogGroup {
  return new LogGroup(scope, `Logs_${id.replace(/[^A-Za-z0-9]/g, '_')}`, {
    logGroupName: stageNames(stage).functionLogGroup(id),
    retention: logRetention(stage),
  });
}
