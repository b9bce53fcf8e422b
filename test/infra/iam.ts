import { expect } from 'vitest';
import type { RouteDef } from '../../packages/platform/src/http/define-route.js';
import type { JobDef } from '../../packages/platform/src/jobs/define-job.js';
import { stageNames } from '../../stacks/config.js';
import { asArray, getAttOf, refOf, resourcesOf, type Located, type TestSynth } from './synth.js';

export type Grants = Map<string, Set<string>>;

/**
 * Maps an IAM resource expression to what it names, so policies can be compared with `uses`:
 * `control`, `pooled`, `silo` (+ `/index`), `bootstrapSecret`, `cursorSecret`, `tenantSecrets`, `blobs/tenants`,
 * `userPool`, `emailIdentity:<identity>`, `jobsIdempotency`, `queue:<job id>`, `dlq:<job id>`, `*`.
 */
export function label(s: Pick<TestSynth, 'json' | 'stage'>, stack: string, resource: unknown, jobs: readonly JobDef[]) {
  const names = stageNames(s.stage);
  const j = JSON.stringify(resource);
  if (j === '"*"') return '*';
  const index = j.includes('/index/*') ? '/index' : '';
  if (j.includes('BlobBucket')) return j.includes('/tenants/*') ? 'blobs/tenants' : `unknown:${j}`;
  if (j.includes('ControlTable')) return `control${index}`;
  if (j.includes('PooledTable')) return `pooled${index}`;
  if (j.includes(`:table/${names.siloTablePrefix}*`) && j.includes('AWS::AccountId') && j.includes(':dynamodb:'))
    return `silo${index}`;
  if (j.includes('TenantDataRole')) return 'tenantDataRole';
  if (j.includes('BootstrapSecret')) return 'bootstrapSecret';
  if (j.includes('CursorSecret')) return 'cursorSecret';
  if (j.includes(`:secret:${names.tenantSecretPrefix}*`) && j.includes('AWS::AccountId')) return 'tenantSecrets';
  if (j.includes(':kms:') && j.includes(':key/*') && j.includes('AWS::AccountId')) return 'tenantKeys';
  if (j.includes(':sns:') && j.includes(':endpoint/*') && j.includes('AWS::AccountId')) return 'pushEndpoints';
  if (j.includes(':ses:') && j.includes(':identity/') && j.includes('AWS::AccountId'))
    return `emailIdentity:${/:identity\/([^"]+)"/.exec(j)?.[1] ?? '?'}`;
  // the Auth stack's pool, imported by the route and job stacks
  if (j.includes('UserPool') && j.includes('Arn')) return 'userPool';
  const target = getAttOf(resource) ?? refOf(resource);
  const local = target ? s.json[stack].Resources[target] : undefined;
  if (local?.Type === 'AWS::DynamoDB::Table' && local.Properties?.TableName === names.jobsIdempotencyTable)
    return 'jobsIdempotency';
  if (local?.Type === 'AWS::SQS::Queue') {
    const name = local.Properties?.QueueName;
    for (const job of jobs) {
      if (name === names.jobQueue(job.queue)) return `queue:${job.id}`;
      if (name === names.jobDeadLetterQueue(job.queue)) return `dlq:${job.id}`;
    }
  }
  return `unknown:${j}`;
}

/** what a writer may do to a table's items (BatchWriteItem is an action of its own; transactions are not) */
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'] as const;
const TENANT_KEY_CONDITION = { StringLike: { 'kms:EncryptionContext:tenant': '?*' } };

/** action → set of labelled resources, for one function's role (all its policies, in its stack). */
export function grantsOf(s: Pick<TestSynth, 'json' | 'stage'>, fn: Located, jobs: readonly JobDef[]): Grants {
  const roleId = getAttOf(fn.resource.Properties?.Role);
  expect(roleId, `${fn.id} role`).toBeDefined();
  const grants: Grants = new Map();
  for (const [, pol] of resourcesOf(s.json[fn.stack], 'AWS::IAM::Policy')) {
    const roles = asArray(pol.Properties?.Roles as unknown[]).map(refOf);
    if (!roles.includes(roleId)) continue;
    const doc = pol.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> };
    for (const st of doc.Statement) {
      expect(st.Effect).toBe('Allow');
      // the one conditional grant: tenants' field keys, only with a tenant in the encryption context
      const onlyForATenant = JSON.stringify(st.Condition) === JSON.stringify(TENANT_KEY_CONDITION);
      if (!onlyForATenant) expect(st.Condition, `${fn.id}: unconditional grants only`).toBeUndefined();
      for (const a of asArray(st.Action as string | string[])) {
        const set = grants.get(a) ?? new Set<string>();
        for (const r of asArray(st.Resource))
          set.add(`${label(s, fn.stack, r, jobs)}${onlyForATenant ? '?tenant' : ''}`);
        grants.set(a, set);
      }
    }
  }
  return grants;
}

export function addGrants(g: Grants, actions: string[], resources: string[]): Grants {
  for (const a of actions) g.set(a, new Set([...(g.get(a) ?? []), ...resources]));
  return g;
}

const ddb = (...xs: string[]) => xs.map((x) => `dynamodb:${x}`);
const DDB_READ = ddb('GetItem', 'Query', 'BatchGetItem', 'ConditionCheckItem');

/** What the stage is synthesised with that changes grants: its e-mail sender's SES identity, if any. */
export interface StageGrants {
  emailIdentity?: string;
}

/** What a route with these `uses` may do, written out independently of stacks/permissions.ts. */
export function expectedGrants(route: Pick<RouteDef, 'uses' | 'idempotent'>, stage: StageGrants = {}): Grants {
  const g: Grants = new Map();
  addGrants(g, [...DDB_READ, ...ddb('DescribeTable')], ['control']);
  addGrants(g, ddb('Query'), ['control/index']);
  // every function counts rate limits (UpdateItem); only writers and idempotent routes put/delete
  addGrants(g, route.uses.control === 'write' || route.idempotent ? ddb(...WRITES) : ddb('UpdateItem'), ['control']);
  if (route.uses.data) {
    addGrants(g, DDB_READ, ['pooled', 'silo']);
    addGrants(g, ddb('Query'), ['pooled/index', 'silo/index']);
    if (route.uses.data === 'write') addGrants(g, ddb(...WRITES), ['pooled', 'silo']);
    addGrants(g, ['sts:AssumeRole', 'sts:TagSession'], ['tenantDataRole']);
  }
  if (route.uses.blobs) {
    addGrants(g, ['s3:GetObject'], ['blobs/tenants']);
    if (route.uses.blobs === 'write') addGrants(g, ['s3:PutObject', 's3:DeleteObject'], ['blobs/tenants']);
  }
  const secrets = route.uses.secrets ?? [];
  if (secrets.includes('bootstrap')) addGrants(g, ['secretsmanager:GetSecretValue'], ['bootstrapSecret']);
  if (secrets.includes('tenant')) addGrants(g, ['secretsmanager:GetSecretValue'], ['tenantSecrets']);
  if (secrets.includes('cursor')) addGrants(g, ['secretsmanager:GetSecretValue'], ['cursorSecret']);
  if (route.uses.keys) addGrants(g, ['kms:Encrypt', 'kms:Decrypt'], ['tenantKeys?tenant']);
  if (route.uses.notify) {
    // push to the account's endpoints; SMS to a phone number, which SNS authorises on * only
    addGrants(g, ['sns:Publish'], ['pushEndpoints', '*']);
    addGrants(g, ['cognito-idp:AdminGetUser'], ['userPool']);
    if (stage.emailIdentity) addGrants(g, ['ses:SendEmail'], [`emailIdentity:${stage.emailIdentity}`]);
  }
  return g;
}

/** A worker: its job's `uses` as for a route, its run records, consuming its own queue, sending to its `sends`. */
export function expectedWorkerGrants(job: JobDef, stage: StageGrants = {}): Grants {
  const g = expectedGrants({ uses: job.uses }, stage);
  addGrants(g, ddb('GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'), ['jobsIdempotency']);
  addGrants(
    g,
    [
      'sqs:ReceiveMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:GetQueueUrl',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
    ],
    [`queue:${job.id}`],
  );
  // a fan-out worker sends to the queues of the jobs it declares, and to no other
  if (job.sends?.length)
    addGrants(
      g,
      ['sqs:SendMessage'],
      job.sends.map((id) => `queue:${id}`),
    );
  return g;
}

/** The dispatcher: the due-work index (query, clear a slot) and sending to every job queue. */
export function expectedDispatcherGrants(jobs: readonly JobDef[]): Grants {
  const g: Grants = new Map();
  addGrants(g, ddb('Query', 'DeleteItem'), ['control']);
  if (jobs.length)
    addGrants(
      g,
      ['sqs:SendMessage'],
      jobs.map((j) => `queue:${j.id}`),
    );
  return g;
}

export const sorted = (m: Grants) =>
  Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]).sort(([a], [b]) => String(a).localeCompare(String(b))));
