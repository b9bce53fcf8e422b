import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RouteUses } from '../packages/platform/src/http/define-route.js';

/**
 * Least-privilege IAM for one route's Lambda, derived from the route table's `uses`.
 * No `*` actions, no `*` resources (but sns:Publish for SMS, SMS_STATEMENT_SID): tables by ARN
 * (+ their indexes), silo tables by the stage's name pattern, secrets by ARN or the stage's
 * tenant-secret prefix.
 */

export const DDB_READ = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
] as const;
/**
 * TransactWriteItems has no action of its own: IAM authorises each item of the transaction with
 * the action it performs (PutItem, UpdateItem, DeleteItem, ConditionCheckItem). BatchWriteItem has
 * one (bulk candle and ledger writes, a profile's erasure use it through platform/data/batch.ts).
 */
export const DDB_WRITE = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;
/** Indexes are only ever queried. */
export const DDB_INDEX_READ = ['dynamodb:Query'] as const;
/**
 * Every function counts its caller's requests in the control table's rate-limit items before it
 * does anything else (UpdateItem ADD with a TTL), so even a `control: 'read'` route needs
 * UpdateItem on the control table. It gets no PutItem/DeleteItem.
 */
export const RATE_LIMIT_COUNTER = ['dynamodb:UpdateItem'] as const;
/**
 * The readiness probe (health.ready) describes the control table; DescribeTable reads metadata
 * only, so every function may do it on the control table (and on nothing else).
 */
export const CONTROL_DESCRIBE = ['dynamodb:DescribeTable'] as const;
export const SECRET_READ = ['secretsmanager:GetSecretValue'] as const;
/** assuming the tenant data role with the tenant as session tag (TagSession is its own action) */
export const TENANT_SESSION = ['sts:AssumeRole', 'sts:TagSession'] as const;
/** Objects only, never the bucket: no listing (a record names its blobs), no ACL or policy actions. */
export const BLOB_READ = ['s3:GetObject'] as const;
export const BLOB_WRITE = ['s3:PutObject', 's3:DeleteObject'] as const;
/** The part of the blob bucket functions may touch: the tenants' prefixes (packages/platform/src/data/blobs.ts). */
export const TENANT_BLOBS = 'tenants/*';
/** wrapping and unwrapping a field data key (packages/adapters/src/keys/kms.ts): no GenerateDataKey, no admin */
export const KEY_WRAP = ['kms:Encrypt', 'kms:Decrypt'] as const;
/** a push to a mobile endpoint, an SMS to a phone number (packages/adapters/src/notifications/sns.ts) */
export const NOTIFY_SEND = ['sns:Publish'] as const;
/** an e-mail from the stage's sender (packages/adapters/src/notifications/ses.ts) */
export const EMAIL_SEND = ['ses:SendEmail'] as const;
/** a user's verified e-mail address (packages/adapters/src/notifications/cloud-addresses.ts) */
export const USER_READ = ['cognito-idp:AdminGetUser'] as const;
/**
 * The one statement with a `*` resource: SNS authorises a Publish to a phone number (an SMS) on
 * `*` only, as a phone number is no resource with an ARN. It is sns:Publish alone; every other
 * grant names its resources.
 */
export const SMS_STATEMENT_SID = 'SmsToPhoneNumbers';

export interface PermissionTargets {
  controlTableArn: string;
  pooledTableArn: string;
  /** `arn:…:table/ballast-<stage>-silo-*` */
  siloTableArnPattern: string;
  bootstrapSecretArn: string;
  /** the key that signs list cursors */
  cursorSecretArn: string;
  /** `arn:…:secret:ballast/<stage>/tenants/*` */
  tenantSecretArnPattern: string;
  /** the stage's blob bucket (its objects under `tenants/` are granted, never the bucket itself) */
  blobBucketArn: string;
  /** `arn:…:kms:<region>:<account>:key/*`: the tenants' field keys, named by their routing entries */
  tenantKeyArnPattern: string;
  /** `arn:…:sns:<region>:<account>:endpoint/*`: the account's mobile push endpoints */
  pushEndpointArnPattern: string;
  /** the role data requests assume per tenant (stacks/tenant-data-role.ts) */
  tenantDataRoleArn: string;
  /** the stage's Cognito user pool (the Auth stack's): users' verified e-mail addresses */
  userPoolArn: string;
  /** `arn:…:ses:<region>:<account>:identity/<identity>`: the stage's e-mail sender; absent: it sends no e-mail */
  emailIdentityArn?: string;
}

export interface RoutePermissionInput {
  uses: RouteUses;
  /** honours Idempotency-Key: its records live in the control table and need put/delete */
  idempotent?: boolean;
}

const indexes = (tableArn: string) => `${tableArn}/index/*`;

export function routeStatements(route: RoutePermissionInput, t: PermissionTargets): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  const allow = (sid: string, actions: readonly string[], resources: string[]) =>
    out.push(new PolicyStatement({ sid, effect: Effect.ALLOW, actions: [...actions], resources }));

  const controlWrites = route.uses.control === 'write' || route.idempotent === true;
  allow('ControlTableRead', [...DDB_READ, ...CONTROL_DESCRIBE], [t.controlTableArn]);
  allow('ControlTableIndexRead', DDB_INDEX_READ, [indexes(t.controlTableArn)]);
  allow('ControlTableWrite', controlWrites ? DDB_WRITE : RATE_LIMIT_COUNTER, [t.controlTableArn]);

  if (route.uses.data) {
    const tables = [t.pooledTableArn, t.siloTableArnPattern];
    allow('DataTablesRead', DDB_READ, tables);
    allow('DataTablesIndexRead', DDB_INDEX_READ, tables.map(indexes));
    if (route.uses.data === 'write') allow('DataTablesWrite', DDB_WRITE, tables);
    // tenant-scoped credentials: a session of the tenant data role, tagged with the tenant
    allow('TenantDataSession', TENANT_SESSION, [t.tenantDataRoleArn]);
  }

  if (route.uses.blobs) {
    const objects = [`${t.blobBucketArn}/${TENANT_BLOBS}`];
    allow('TenantBlobsRead', BLOB_READ, objects);
    if (route.uses.blobs === 'write') allow('TenantBlobsWrite', BLOB_WRITE, objects);
  }

  if (route.uses.keys) {
    // a key is only used for a tenant's field data (the adapter always names the tenant)
    out.push(
      new PolicyStatement({
        sid: 'TenantFieldKeys',
        effect: Effect.ALLOW,
        actions: [...KEY_WRAP],
        resources: [t.tenantKeyArnPattern],
        conditions: { StringLike: { 'kms:EncryptionContext:tenant': '?*' } },
      }),
    );
  }
  if (route.uses.notify) {
    allow('PushNotifications', NOTIFY_SEND, [t.pushEndpointArnPattern]);
    // SMS to a phone number is authorised on `*` only (a number has no ARN): this one statement,
    // sns:Publish alone, is the only `*` resource any function gets
    allow(SMS_STATEMENT_SID, NOTIFY_SEND, ['*']);
    // the recipient's verified e-mail address, from the stage's user pool only
    allow('UserEmailRead', USER_READ, [t.userPoolArn]);
    if (t.emailIdentityArn) allow('EmailFromSender', EMAIL_SEND, [t.emailIdentityArn]);
    // the phone is sealed with the user's data key: notifying routes declare `keys` and tenant secrets too
  }

  const secrets = new Set(route.uses.secrets ?? []);
  if (secrets.has('bootstrap')) allow('BootstrapSecretRead', SECRET_READ, [t.bootstrapSecretArn]);
  if (secrets.has('tenant')) allow('TenantSecretsRead', SECRET_READ, [t.tenantSecretArnPattern]);
  if (secrets.has('cursor')) allow('CursorSecretRead', SECRET_READ, [t.cursorSecretArn]);
  return out;
}

/**
 * The edge authorizer verifies Cognito tokens against the `identity` routing entry and looks up
 * hashed API keys: control-table reads only. It neither counts nor writes (the route's own
 * function does that), and it never sees a data table or a secret.
 */
export function authorizerStatements(t: Pick<PermissionTargets, 'controlTableArn'>): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'ControlTableRead',
      effect: Effect.ALLOW,
      actions: [...DDB_READ],
      resources: [t.controlTableArn],
    }),
    new PolicyStatement({
      sid: 'ControlTableIndexRead',
      effect: Effect.ALLOW,
      actions: [...DDB_INDEX_READ],
      resources: [indexes(t.controlTableArn)],
    }),
  ];
}

/**
 * The dispatcher reads the due-work index in the control table (Query on the slot markers and on
 * each slot, consistent reads on the table itself, no index) and deletes a slot's marker once the
 * slot is sent (packages/platform/src/jobs/due/store.dynamo.ts); it sends with SendMessageBatch,
 * which IAM authorises as sqs:SendMessage, to the job queues and to no other queue.
 */
export const DISPATCHER_CONTROL = ['dynamodb:Query', 'dynamodb:DeleteItem'] as const;
export const QUEUE_SEND = ['sqs:SendMessage'] as const;

export function dispatcherStatements(t: { controlTableArn: string; queueArns: readonly string[] }): PolicyStatement[] {
  const out = [
    new PolicyStatement({
      sid: 'DueWorkIndex',
      effect: Effect.ALLOW,
      actions: [...DISPATCHER_CONTROL],
      resources: [t.controlTableArn],
    }),
  ];
  if (t.queueArns.length) {
    out.push(
      new PolicyStatement({
        sid: 'JobQueuesSend',
        effect: Effect.ALLOW,
        actions: [...QUEUE_SEND],
        resources: [...t.queueArns],
      }),
    );
  }
  return out;
}

/** What Powertools idempotency does on its table: get, conditional put, update on completion, delete on failure. */
export const IDEMPOTENCY_RECORDS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const;

/**
 * A job worker: what its job's `uses` declares, exactly as a route with the same `uses` (tenant and
 * routing reads, audit writes in the control table, data tables, tenant secrets), plus its run
 * records in the jobs idempotency table. Receiving and deleting its queue's messages is granted by its SQS event
 * source, on that queue only. A worker whose job `sends` to other jobs may send to those queues and to no other.
 */
export function workerStatements(
  job: { uses: Pick<RouteUses, 'control' | 'data' | 'secrets' | 'blobs' | 'keys' | 'notify'> },
  t: PermissionTargets,
  idempotencyTableArn: string,
  sendQueueArns: readonly string[] = [],
): PolicyStatement[] {
  return [
    ...routeStatements({ uses: job.uses }, t),
    new PolicyStatement({
      sid: 'JobRunRecords',
      effect: Effect.ALLOW,
      actions: [...IDEMPOTENCY_RECORDS],
      resources: [idempotencyTableArn],
    }),
    ...(sendQueueArns.length
      ? [
          new PolicyStatement({
            sid: 'FanOutQueuesSend',
            effect: Effect.ALLOW,
            actions: [...QUEUE_SEND],
            resources: [...sendQueueArns],
          }),
        ]
      : []),
  ];
}
