import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_JOBS as JOBS } from '../../packages/app/src/jobs.js';
import { ALL_ROUTES as ROUTES } from '../../packages/app/src/routes.js';
import { needsAuthorizer } from '../../stacks/Api.js';
import { sstHandler } from '../../stacks/bundling.js';
import {
  assertStageName,
  emailSenderFor,
  isProdLike,
  siloTenants,
  siloTenantsFor,
  stageEnv,
  stageNames,
} from '../../stacks/config.js';
import { ROUTES_BY_CONTEXT } from '../../packages/app/src/routes.js';
import {
  RESOURCES_PER_ROUTE,
  ROUTES_PER_STACK,
  ROUTE_STACK_OVERHEAD,
  STACK_RESOURCE_BUDGET,
  planRouteStacks,
  routeStackId,
  stackIds,
} from '../../stacks/layout.js';
import {
  dispatcherStatements,
  routeStatements,
  SMS_STATEMENT_SID,
  workerStatements,
  type PermissionTargets,
} from '../../stacks/permissions.js';

const targets: PermissionTargets = {
  controlTableArn: 'arn:aws:dynamodb:r:1:table/ballast-s-control',
  pooledTableArn: 'arn:aws:dynamodb:r:1:table/ballast-s-pooled',
  siloTableArnPattern: 'arn:aws:dynamodb:r:1:table/ballast-s-silo-*',
  bootstrapSecretArn: 'arn:aws:secretsmanager:r:1:secret:ballast/s/bootstrap-key-AbCdEf',
  tenantSecretArnPattern: 'arn:aws:secretsmanager:r:1:secret:ballast/s/tenants/*',
  cursorSecretArn: 'arn:aws:secretsmanager:r:1:secret:ballast/s/cursor-key-AbCdEf',
  blobBucketArn: 'arn:aws:s3:::ballast-s-data-blobbucket-abc123',
  tenantDataRoleArn: 'arn:aws:iam::1:role/ballast-s-tenant-data',
  tenantKeyArnPattern: 'arn:aws:kms:r:1:key/*',
  pushEndpointArnPattern: 'arn:aws:sns:r:1:endpoint/*',
  userPoolArn: 'arn:aws:cognito-idp:r:1:userpool/r_AbCdEf123',
  emailIdentityArn: 'arn:aws:ses:r:1:identity/ballast.example',
};
const json = (x: { toStatementJson(): unknown }) =>
  x.toStatementJson() as { Action: string | string[]; Resource: string | string[]; Sid: string };
const arr = <T>(x: T | T[]) => (Array.isArray(x) ? x : [x]);

describe('stage configuration', () => {
  it('maps stages to envs: prod→prod, staging→staging, anything else→dev', () => {
    expect(stageEnv('prod')).toBe('prod');
    expect(stageEnv('staging')).toBe('staging');
    expect(stageEnv('dev')).toBe('dev');
    expect(stageEnv('pr-42')).toBe('dev');
    expect(isProdLike('prod') && isProdLike('staging')).toBe(true);
    expect(isProdLike('dev') || isProdLike('alice')).toBe(false);
  });

  it('names everything after the stage', () => {
    const n = stageNames('dev');
    expect(n).toMatchObject({
      controlTable: 'ballast-dev-control',
      pooledTable: 'ballast-dev-pooled',
      bootstrapSecret: 'ballast/dev/bootstrap-key',
      tenantSecretPrefix: 'ballast/dev/tenants/',
    });
    expect(n.siloTable('t_acme')).toBe('ballast-dev-silo-t_acme');
    // control and pooled tables never match the silo pattern
    expect(n.controlTable.startsWith(n.siloTablePrefix) || n.pooledTable.startsWith(n.siloTablePrefix)).toBe(false);
  });

  it('names functions and job queues within the Lambda and SQS limits', () => {
    const n = stageNames('dev');
    expect(n.functionName('portfolios-create')).toBe('ballast-dev-portfolios-create');
    expect(n.jobQueue('portfolio-purge')).toBe('ballast-dev-job-portfolio-purge');
    expect(n.jobDeadLetterQueue('portfolio-purge')).toBe('ballast-dev-job-portfolio-purge-dlq');
    const long = stageNames('a-stage-name-of-thirty-chars-x');
    const a = long.functionName('research-backtests-equity-curve-get');
    const b = long.functionName('research-backtests-equity-curve-list');
    expect(a).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(long.functionName('research-backtests-equity-curve-get')).toBe(a);
    expect(() => long.jobQueue('x'.repeat(40))).toThrow(/SQS queue name/);
  });

  it('refuses unusable stage names', () => {
    expect(() => assertStageName('dev')).not.toThrow();
    expect(() => assertStageName('Bad Stage')).toThrow(/not usable/);
    expect(() => assertStageName('-x')).toThrow();
  });

  it('reads silo tenants per stage from a file or from context, validating tenant ids', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ballast-silo-'));
    try {
      const file = path.join(dir, 'silo.json');
      writeFileSync(file, JSON.stringify({ stages: { prod: ['t_acme', 't_globex'] } }));
      expect(siloTenants('prod', pathToFileURL(file))).toEqual(['t_acme', 't_globex']);
      expect(siloTenants('dev', pathToFileURL(file))).toEqual([]);
      writeFileSync(file, JSON.stringify({ stages: { prod: ['Bad-Id'] } }));
      expect(() => siloTenants('prod', pathToFileURL(file))).toThrow(/not a tenant id/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(siloTenants('prod')).toEqual([]);
    expect(siloTenantsFor('t_a, t_b', 'prod')).toEqual(['t_a', 't_b']);
    expect(siloTenantsFor(['t_a'], 'prod')).toEqual(['t_a']);
    expect(() => siloTenantsFor('t_a,t_a', 'prod')).toThrow(/duplicate/);
    expect(() => siloTenantsFor('x*', 'prod')).toThrow(/not a tenant id/);
  });

  it('reads a stage’s e-mail sender from the file or the context, and refuses one that is no address', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ballast-senders-'));
    try {
      const file = path.join(dir, 'email-senders.json');
      writeFileSync(
        file,
        JSON.stringify({
          stages: { prod: { identity: 'example.com', from: 'Ballast <alerts@example.com>' }, dev: null },
        }),
      );
      expect(emailSenderFor(undefined, 'prod', file)).toEqual({
        identity: 'example.com',
        from: 'Ballast <alerts@example.com>',
      });
      expect(emailSenderFor(undefined, 'dev', file)).toBeUndefined();
      expect(emailSenderFor(undefined, 'pr-7', file)).toBeUndefined();
      // the context wins: an address (its own identity) or the JSON of both
      expect(emailSenderFor('alerts@ballast.example', 'dev', file)).toEqual({
        identity: 'alerts@ballast.example',
        from: 'alerts@ballast.example',
      });
      expect(emailSenderFor('{"identity":"ballast.example","from":"a@ballast.example"}', 'prod', file)).toEqual({
        identity: 'ballast.example',
        from: 'a@ballast.example',
      });
      expect(() => emailSenderFor('not an address', 'dev', file)).toThrow(/not an e-mail address/);
      expect(() => emailSenderFor({ identity: 'other.example', from: 'a@ballast.example' }, 'dev', file)).toThrow(
        /address or its domain/,
      );
      // the repository's own file parses for every stage it names
      for (const stage of ['dev', 'staging', 'prod']) expect(() => emailSenderFor(undefined, stage)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns route handler modules into SST handler strings', () => {
    expect(sstHandler('functions/portfolios/create.ts')).toBe('functions/portfolios/create.handler');
    expect(() => sstHandler('packages/platform/src/x.ts')).toThrow();
    for (const r of ROUTES) expect(sstHandler(r.handler)).toMatch(/^functions\/.+\.handler$/);
  });

  it('puts the authorizer on every route but public and bootstrap-key ones', () => {
    expect(needsAuthorizer({ access: 'public' })).toBe(false);
    expect(needsAuthorizer({ access: 'bootstrapKey' })).toBe(false);
    for (const a of ['authenticated', 'tenant', 'project', 'system'] as const)
      expect(needsAuthorizer({ access: a })).toBe(true);
  });
});

describe('route permissions', () => {
  it('gives a control-read route reads plus the rate-limit UpdateItem, and nothing on data or secrets', () => {
    const st = routeStatements({ uses: { control: 'read' } }, targets).map(json);
    const actions = st.flatMap((s) => arr(s.Action));
    expect(actions).toContain('dynamodb:UpdateItem');
    expect(actions).not.toContain('dynamodb:PutItem');
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(st.flatMap((s) => arr(s.Resource)).every((r) => r.startsWith(targets.controlTableArn))).toBe(true);
  });

  it('gives an idempotent route put/delete on the control table for its idempotency records', () => {
    const st = routeStatements({ uses: { control: 'read' }, idempotent: true }, targets).map(json);
    expect(st.find((s) => s.Sid === 'ControlTableWrite')!.Action).toEqual([
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ]);
  });

  it('gives data readers read actions on the pooled table and the stage’s silo pattern only', () => {
    const st = routeStatements({ uses: { control: 'read', data: 'read' } }, targets).map(json);
    expect(st.find((s) => s.Sid === 'DataTablesWrite')).toBeUndefined();
    expect(st.find((s) => s.Sid === 'DataTablesRead')!.Resource).toEqual([
      targets.pooledTableArn,
      targets.siloTableArnPattern,
    ]);
    expect(st.find((s) => s.Sid === 'DataTablesIndexRead')!.Resource).toEqual([
      `${targets.pooledTableArn}/index/*`,
      `${targets.siloTableArnPattern}/index/*`,
    ]);
  });

  it('grants secrets only as declared', () => {
    const none = routeStatements({ uses: { control: 'write' } }, targets).map(json);
    expect(none.flatMap((s) => arr(s.Action)).some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    const both = routeStatements({ uses: { control: 'write', secrets: ['bootstrap', 'tenant'] } }, targets).map(json);
    expect(both.find((s) => s.Sid === 'BootstrapSecretRead')!.Resource).toBe(targets.bootstrapSecretArn);
    expect(both.find((s) => s.Sid === 'TenantSecretsRead')!.Resource).toBe(targets.tenantSecretArnPattern);
  });

  it('grants blob objects under the tenants/ prefix only, reads to readers, never the bucket or a listing', () => {
    const none = routeStatements({ uses: { control: 'write', data: 'write' } }, targets).map(json);
    expect(none.flatMap((s) => arr(s.Action)).some((a) => a.startsWith('s3:'))).toBe(false);
    const reader = routeStatements({ uses: { control: 'read', blobs: 'read' } }, targets).map(json);
    const read = reader.filter((s) => arr(s.Action).some((a) => a.startsWith('s3:')));
    expect(read.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ['TenantBlobsRead', 's3:GetObject', `${targets.blobBucketArn}/tenants/*`],
    ]);
    const writer = routeStatements({ uses: { control: 'read', blobs: 'write' } }, targets).map(json);
    expect(writer.find((s) => s.Sid === 'TenantBlobsWrite')).toMatchObject({
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: `${targets.blobBucketArn}/tenants/*`,
    });
    const all = writer.flatMap((s) => arr(s.Resource));
    expect(all).not.toContain(targets.blobBucketArn);
    expect(writer.flatMap((s) => arr(s.Action))).not.toContain('s3:ListBucket');
  });

  it('never grants a * action, nor a * resource but sns:Publish for SMS', () => {
    for (const r of ROUTES) {
      for (const s of routeStatements(r, targets).map(json)) {
        for (const a of arr(s.Action)) expect(a.includes('*'), `${r.id} ${a}`).toBe(false);
        if (s.Sid === SMS_STATEMENT_SID) expect([s.Action, s.Resource], r.id).toEqual(['sns:Publish', '*']);
        else for (const res of arr(s.Resource)) expect(res === '*', r.id).toBe(false);
      }
    }
  });

  it('lets a notifying route e-mail from the sender, read users of the pool, push to endpoints and SMS', () => {
    const st = routeStatements({ uses: { control: 'write', notify: 'send' } }, targets).map(json);
    const notifying = st.filter((s) => arr(s.Action).some((a) => /^(ses|sns|cognito-idp):/.test(a)));
    expect(notifying.map((s) => [s.Sid, s.Action, s.Resource])).toEqual([
      ['PushNotifications', 'sns:Publish', targets.pushEndpointArnPattern],
      [SMS_STATEMENT_SID, 'sns:Publish', '*'],
      ['UserEmailRead', 'cognito-idp:AdminGetUser', targets.userPoolArn],
      ['EmailFromSender', 'ses:SendEmail', targets.emailIdentityArn],
    ]);
    // a stage without a sender sends no e-mail: no SES grant at all
    const noSender = routeStatements(
      { uses: { control: 'write', notify: 'send' } },
      { ...targets, emailIdentityArn: undefined },
    );
    expect(noSender.map(json).flatMap((s) => arr(s.Action))).not.toContain('ses:SendEmail');
    // a route that does not notify gets none of them
    const quiet = routeStatements({ uses: { control: 'write', data: 'write' } }, targets).map(json);
    expect(quiet.flatMap((s) => arr(s.Action)).filter((a) => /^(ses|sns|cognito-idp):/.test(a))).toEqual([]);
  });

  it('has every route and job that notifies open the sealed phone: `keys` and the tenant’s secrets', () => {
    const notifying = [...ROUTES, ...JOBS].filter((x) => x.uses.notify);
    expect(notifying.length).toBeGreaterThan(0);
    for (const x of notifying) {
      expect(x.uses.keys, x.id).toBe('wrap');
      expect(x.uses.secrets ?? [], x.id).toContain('tenant');
    }
  });
});

describe('job permissions', () => {
  const queues = ['arn:aws:sqs:r:1:ballast-s-job-a', 'arn:aws:sqs:r:1:ballast-s-job-b'];

  it('lets the dispatcher query and clear the due-work index and send to the job queues, nothing else', () => {
    const st = dispatcherStatements({ controlTableArn: targets.controlTableArn, queueArns: queues }).map(json);
    expect(st).toEqual([
      {
        Sid: 'DueWorkIndex',
        Effect: 'Allow',
        Action: ['dynamodb:Query', 'dynamodb:DeleteItem'],
        Resource: targets.controlTableArn,
      },
      { Sid: 'JobQueuesSend', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queues },
    ]);
    // no queues, no send statement (an empty Resource list is not a valid policy)
    expect(dispatcherStatements({ controlTableArn: targets.controlTableArn, queueArns: [] })).toHaveLength(1);
  });

  it('gives a worker its job’s `uses` as a route would have them, plus its run records', () => {
    const uses = { control: 'write', data: 'write' } as const;
    const st = workerStatements({ uses }, targets, 'arn:aws:dynamodb:r:1:table/ballast-s-jobs-idempotency').map(json);
    expect(st.slice(0, -1)).toEqual(routeStatements({ uses }, targets).map(json));
    expect(st.at(-1)).toEqual({
      Sid: 'JobRunRecords',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      Resource: 'arn:aws:dynamodb:r:1:table/ballast-s-jobs-idempotency',
    });
  });
});

describe('route stack layout', () => {
  const route = (context: string, i: number, access: (typeof ROUTES)[number]['access'] = 'tenant') => ({
    ...ROUTES[0],
    id: `${context}.r${i}`,
    context,
    path: `/v1/${context}/${i}`,
    access,
  });
  const many = (context: string, n: number) => Array.from({ length: n }, (_, i) => route(context, i));

  it('keeps a full route stack inside the resource budget', () => {
    expect(ROUTES_PER_STACK * RESOURCES_PER_ROUTE + ROUTE_STACK_OVERHEAD).toBeLessThanOrEqual(
      STACK_RESOURCE_BUDGET - 40,
    );
  });

  it('gives each context one stack named after it, the bootstrap route to the Api stack', () => {
    const plan = planRouteStacks(ROUTES_BY_CONTEXT);
    expect(plan.apiRoutes.map((r) => r.id)).toEqual(ROUTES.filter((r) => r.access === 'bootstrapKey').map((r) => r.id));
    expect(plan.routeStacks.map((p) => p.id)).toEqual(
      // market-data → MarketDataRoutes
      Object.keys(ROUTES_BY_CONTEXT).map(
        (c) => `${c.replace(/(^|-)([a-z])/g, (_m, _d, l: string) => l.toUpperCase())}Routes`,
      ),
    );
    expect(plan.routeStacks.flatMap((p) => p.routes).length + plan.apiRoutes.length).toBe(ROUTES.length);
    expect(stackIds(plan).slice(0, 3)).toEqual(['Data', 'Auth', 'Api']);
    expect(stackIds(plan).slice(-3)).toEqual(['Jobs', 'Observability', 'Console']);
  });

  it('splits a context that outgrows one stack into numbered chunks, the first keeping the plain name', () => {
    const plan = planRouteStacks({ 'market-data': many('market-data', 7), ops: many('ops', 3) }, 3);
    expect(plan.routeStacks.map((p) => [p.id, p.routes.length])).toEqual([
      ['MarketDataRoutes', 3],
      ['MarketDataRoutes2', 3],
      ['MarketDataRoutes3', 1],
      ['OpsRoutes', 3],
    ]);
    // growing a context moves no route that was already in the first stack
    const before = planRouteStacks({ ops: many('ops', 3) }, 3).routeStacks[0].routes.map((r) => r.id);
    expect(plan.routeStacks.find((p) => p.id === 'OpsRoutes')!.routes.map((r) => r.id)).toEqual(before);
    expect(routeStackId('market-data', 1)).toBe('MarketDataRoutes');
  });

  it('refuses duplicate ids or route keys, misfiled routes and reserved context names', () => {
    expect(() => planRouteStacks({ ops: [route('ops', 1), route('ops', 1)] })).toThrow(/duplicate route id/);
    expect(() => planRouteStacks({ ops: [route('ops', 1), { ...route('ops', 1), id: 'ops.other' }] })).toThrow(
      /duplicate route/,
    );
    expect(() => planRouteStacks({ ops: [route('control', 1)] })).toThrow(/context 'control'/);
    expect(() => planRouteStacks({ edge: [route('edge', 1)] })).toThrow(/reserved/);
    expect(() => planRouteStacks({ jobs: [] })).toThrow(/reserved/);
  });
});
