import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS as JOBS } from '../../packages/app/src/jobs.js';
import { ALL_ROUTES as ROUTES, ROUTES_BY_CONTEXT } from '../../packages/app/src/routes.js';
import { AUTHORIZER_HANDLER, needsAuthorizer, routeKey } from '../../stacks/Api.js';
import { TOKEN_VALIDITY } from '../../stacks/Auth.js';
import { EMAIL_SENDER_CONTEXT, OUTPUTS, stageNames, stageSettings } from '../../stacks/config.js';
import { GROUP_TAG, JOB_TAG, ROUTE_TAG } from '../../stacks/functions.js';
import { DISPATCHER_HANDLER } from '../../stacks/Jobs.js';
import { SMS_STATEMENT_SID } from '../../stacks/permissions.js';
import { EDGE_GROUP, JOBS_GROUP, STACK_RESOURCE_BUDGET, planRouteStacks, stackIds } from '../../stacks/layout.js';
import { expectedDispatcherGrants, expectedGrants, expectedWorkerGrants, grantsOf, sorted } from './iam.js';
import {
  allStatements,
  asArray,
  getAttOf,
  pointsAt,
  printCounts,
  refOf,
  resourceCounts,
  resourcesAcross,
  resourcesOf,
  synthForTest,
  tagValue,
  type Located,
  type TestSynth,
} from './synth.js';

/**
 * The real app, synthesised as `sst deploy` would (every function really bundled): routes across
 * the Api stack and the route stacks, the jobs spine, the alarms. Queue, DLQ and alarm details of
 * the Jobs and Observability stacks are in jobs.test.ts.
 */
const STAGE = 'infratest';
const names = stageNames(STAGE);
/** the stage's e-mail sender, as `--context ballast:emailSender=…` sets it */
const SENDER = { identity: 'ballast.example', from: 'Ballast <alerts@ballast.example>' };
let s: TestSynth;

beforeAll(async () => {
  s = await synthForTest({ stage: STAGE, context: { [EMAIL_SENDER_CONTEXT]: JSON.stringify(SENDER) } });
  printCounts(`stage ${STAGE} (real route and job tables)`, s);
}, 300_000);

afterAll(async () => {
  await s?.cleanup();
});

const api = () => s.json.Api;
const lambdas = () => resourcesAcross(s, 'AWS::Lambda::Function');
/** Route functions and the authorizer: tagged with their route id (or `authorizer`). */
const routeFunctions = () => lambdas().filter((f) => tagValue(f.resource, ROUTE_TAG) !== undefined);
/** The dispatcher and the workers: tagged with `dispatcher` or their job id. */
const jobFunctions = () => lambdas().filter((f) => tagValue(f.resource, JOB_TAG) !== undefined);
const ballastFunctions = () => [...routeFunctions(), ...jobFunctions()];
const fnByRoute = (id: string): Located => {
  const hits = routeFunctions().filter((f) => tagValue(f.resource, ROUTE_TAG) === id);
  if (hits.length !== 1) throw new Error(`${hits.length} functions tagged ${id}`);
  return hits[0];
};
const fnByJob = (id: string): Located => {
  const hits = jobFunctions().filter((f) => tagValue(f.resource, JOB_TAG) === id);
  if (hits.length !== 1) throw new Error(`${hits.length} functions tagged ${id}`);
  return hits[0];
};
const where = (f: Located) => `${f.stack}/${f.id}`;
const plan = planRouteStacks(ROUTES_BY_CONTEXT);

describe('stacks', () => {
  it('composes Data, Auth, Api, one route stack per context, Jobs and Observability', () => {
    expect([...s.stacks].sort()).toEqual(stackIds(plan).sort());
    expect(plan.routeStacks.map((p) => p.context).sort()).toEqual(Object.keys(ROUTES_BY_CONTEXT).sort());
    // the Api stack holds only the bootstrap route; every other route lives in its context's stack
    expect(plan.apiRoutes.map((r) => r.access)).toEqual(['bootstrapKey']);
    for (const p of plan.routeStacks) {
      for (const route of p.routes) expect(fnByRoute(route.id).stack, route.id).toBe(p.id);
    }
    for (const route of plan.apiRoutes) expect(fnByRoute(route.id).stack).toBe('Api');
  });

  it('deploys route stacks after the Api stack, and Observability after everything it watches', () => {
    const dependencies = (id: string) =>
      s.synth.assembly
        .getStackByName(`${STAGE}-ballast-${id}`)
        .dependencies.map((d) => d.id.replace(`${STAGE}-ballast-`, ''));
    for (const p of plan.routeStacks) expect(dependencies(p.id)).toEqual(expect.arrayContaining(['Api', 'Data']));
    expect(dependencies('Observability')).toEqual(
      expect.arrayContaining(['Api', 'Jobs', ...plan.routeStacks.map((p) => p.id)]),
    );
  });

  it(`keeps every stack at or below ${STACK_RESOURCE_BUDGET} resources`, () => {
    const counts = resourceCounts(s);
    for (const [id, n] of Object.entries(counts)) expect(n, id).toBeLessThanOrEqual(STACK_RESOURCE_BUDGET);
  });

  it('tags every Ballast function with its group: its context, edge or jobs', () => {
    for (const route of ROUTES) expect(tagValue(fnByRoute(route.id).resource, GROUP_TAG), route.id).toBe(route.context);
    expect(tagValue(fnByRoute('authorizer').resource, GROUP_TAG)).toBe(EDGE_GROUP);
    for (const f of jobFunctions()) expect(tagValue(f.resource, GROUP_TAG), where(f)).toBe(JOBS_GROUP);
  });
});

describe('functions from the route and job tables', () => {
  it('has exactly one function per route, plus the authorizer (and SST’s own custom-resource handlers)', () => {
    const tagged = routeFunctions().map((f) => tagValue(f.resource, ROUTE_TAG));
    expect(tagged.sort()).toEqual([...ROUTES.map((r) => r.id), 'authorizer'].sort());
    const untagged = lambdas().filter(
      (f) => tagValue(f.resource, ROUTE_TAG) === undefined && tagValue(f.resource, JOB_TAG) === undefined,
    );
    // SST creates one custom-resource handler per stack; it serves no route and has no grants. On
    // a throw-away stage its default removal policy also empties the blob bucket on `sst remove`,
    // with CDK's auto-delete handler in the Data stack.
    // The Console stack has the same auto-delete handler for the site's bucket, and CDK's
    // BucketDeployment handler, which writes console-config.json.
    const sstOwn = (f: Located) =>
      f.id.startsWith('CustomResourceHandler') ||
      (['Data', 'Console'].includes(f.stack) && f.id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProvider')) ||
      (f.stack === 'Console' && f.id.startsWith('CustomCDKBucketDeployment'));
    expect(untagged.filter((f) => !sstOwn(f)).map((f) => `${f.stack}/${f.id}`)).toEqual([]);
    for (const stack of s.stacks) {
      const handlers = untagged.filter((f) => f.stack === stack && f.id.startsWith('CustomResourceHandler'));
      expect(handlers.length).toBeLessThanOrEqual(1);
    }
  });

  it('has exactly one worker per job, plus the dispatcher', () => {
    const tagged = jobFunctions().map((f) => tagValue(f.resource, JOB_TAG));
    expect(tagged.sort()).toEqual([...JOBS.map((j) => j.id), 'dispatcher'].sort());
    for (const f of jobFunctions()) expect(f.stack).toBe('Jobs');
  });

  it('routes every route key to the function tagged with that route, and has no route without one', () => {
    const routes = resourcesAcross(s, 'AWS::ApiGatewayV2::Route');
    expect(routes.map((r) => r.resource.Properties?.RouteKey).sort()).toEqual(ROUTES.map(routeKey).sort());
    const [httpApiId] = resourcesOf(api(), 'AWS::ApiGatewayV2::Api')[0];
    for (const r of routes) {
      const def = ROUTES.find((x) => routeKey(x) === r.resource.Properties?.RouteKey)!;
      // every route is on the one HTTP API of the Api stack
      expect(pointsAt(s, r.stack, r.resource.Properties?.ApiId), def.id).toBe(`Api/${httpApiId}`);
      const target = JSON.stringify(r.resource.Properties?.Target);
      const integrationId = /"Ref":"([^"]+)"/.exec(target)?.[1];
      const integration = s.json[r.stack].Resources[integrationId!];
      expect(integration.Type).toBe('AWS::ApiGatewayV2::Integration');
      expect(integration.Properties?.PayloadFormatVersion).toBe('2.0');
      const fn = fnByRoute(def.id);
      expect(fn.stack, def.id).toBe(r.stack);
      expect(getAttOf(integration.Properties?.IntegrationUri)).toBe(fn.id);
      // API Gateway may invoke it, from this API only
      const perms = resourcesOf(s.json[r.stack], 'AWS::Lambda::Permission').filter(
        ([, p]) => getAttOf(p.Properties?.FunctionName) === fn.id,
      );
      expect(
        perms.map(([, p]) => p.Properties?.Principal),
        def.id,
      ).toEqual(['apigateway.amazonaws.com']);
      expect(JSON.stringify(perms[0][1].Properties?.SourceArn)).toContain(
        JSON.stringify(r.resource.Properties?.ApiId).slice(1, -1),
      );
    }
  });

  it('points each function at its route’s or job’s handler module', () => {
    const handlerOf = (module: string) => `${module.replace(/\.ts$/, '')}.handler`;
    for (const route of ROUTES) {
      expect(fnByRoute(route.id).resource.Properties?.Handler, route.id).toBe(handlerOf(route.handler));
    }
    expect(fnByRoute('authorizer').resource.Properties?.Handler).toBe(handlerOf(AUTHORIZER_HANDLER));
    for (const job of JOBS) expect(fnByJob(job.id).resource.Properties?.Handler, job.id).toBe(handlerOf(job.handler));
    expect(fnByJob('dispatcher').resource.Properties?.Handler).toBe(handlerOf(DISPATCHER_HANDLER));
  });

  it('gives every Ballast function a fixed name of its stage', () => {
    const fixed = ballastFunctions().map((f) => f.resource.Properties?.FunctionName);
    for (const name of fixed) expect(name).toMatch(new RegExp(`^ballast-${STAGE}-[a-z0-9-]+$`));
    expect(new Set(fixed).size).toBe(fixed.length);
    expect(fnByRoute('portfolios.create').resource.Properties?.FunctionName).toBe(
      names.functionName('portfolios-create'),
    );
    expect(fnByJob('dispatcher').resource.Properties?.FunctionName).toBe(names.functionName('job-dispatcher'));
  });

  it('runs every Ballast function on nodejs22.x and arm64', () => {
    expect(ballastFunctions()).toHaveLength(ROUTES.length + 1 + JOBS.length + 1);
    for (const f of ballastFunctions()) {
      expect(f.resource.Properties?.Runtime, where(f)).toBe('nodejs22.x');
      expect(f.resource.Properties?.Architectures, where(f)).toEqual(['arm64']);
    }
  });

  it('ships a real esbuild bundle for every function (ESM, minified), not placeholder code', () => {
    for (const f of ballastFunctions()) {
      const code = f.resource.Properties?.Code as { S3Key?: unknown; ZipFile?: unknown };
      expect(code.ZipFile, where(f)).toBeUndefined();
      expect(code.S3Key, where(f)).toBeDefined();
    }
    const bundles = s.synth.artifactDirs.flatMap((dir) => {
      const files: string[] = [];
      const walk = (d: string) => {
        for (const f of readdirSync(d)) {
          const p = path.join(d, f);
          if (statSync(p).isDirectory()) walk(p);
          else files.push(p);
        }
      };
      if (existsSync(dir)) walk(dir);
      return files;
    });
    const mjs = bundles.filter((f) => f.endsWith('.mjs'));
    expect(mjs.length).toBe(ballastFunctions().length);
    // no sourcemaps shipped
    expect(bundles.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('gives functions only the bootstrap settings as environment (no issuer, client id or secret values)', () => {
    const base = [
      'BALLAST_BOOTSTRAP_SECRET',
      'BALLAST_BUILD_VERSION',
      'BALLAST_CONTROL_TABLE',
      'BALLAST_CURSOR_SECRET',
      'BALLAST_ENV',
      'BALLAST_LOG_LEVEL',
      'BALLAST_SECRETS_BACKEND',
      'BALLAST_STAGE',
    ];
    // the blob bucket's name only where `uses` names blobs
    const blobs = (f: Located) => {
      const id = tagValue(f.resource, JOB_TAG) ?? tagValue(f.resource, ROUTE_TAG);
      const uses = (JOBS.find((j) => j.id === id) ?? ROUTES.find((r) => r.id === id))?.uses;
      return uses?.blobs ? ['BALLAST_BLOB_BUCKET'] : [];
    };
    // the tenant data role's ARN only where `uses` names data
    const dataRole = (f: Located) => {
      const id = tagValue(f.resource, JOB_TAG) ?? tagValue(f.resource, ROUTE_TAG);
      const uses = (JOBS.find((j) => j.id === id) ?? ROUTES.find((r) => r.id === id))?.uses;
      return uses?.data ? ['BALLAST_TENANT_DATA_ROLE'] : [];
    };
    // the e-mail sender only where `uses` names notify
    const sender = (f: Located) => {
      const id = tagValue(f.resource, JOB_TAG) ?? tagValue(f.resource, ROUTE_TAG);
      const uses = (JOBS.find((j) => j.id === id) ?? ROUTES.find((r) => r.id === id))?.uses;
      return uses?.notify ? ['BALLAST_EMAIL_FROM'] : [];
    };
    const extra = (f: Located) => {
      const job = tagValue(f.resource, JOB_TAG);
      if (job === 'dispatcher') return ['BALLAST_JOB_QUEUES'];
      // a fan-out worker is told the URLs of the queues it sends to
      const sends = JOBS.find((j) => j.id === job)?.sends?.length ? ['BALLAST_JOB_QUEUES'] : [];
      return [...(job ? ['BALLAST_JOBS_IDEMPOTENCY_TABLE', ...sends] : []), ...blobs(f), ...dataRole(f), ...sender(f)];
    };
    for (const f of ballastFunctions()) {
      const vars = (f.resource.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      const ours = Object.keys(vars).filter(
        (k) => !k.startsWith('SST_') && k !== 'AWS_NODEJS_CONNECTION_REUSE_ENABLED',
      );
      expect(ours.sort(), where(f)).toEqual([...base, ...extra(f)].sort());
      expect(vars.BALLAST_ENV).toBe('dev');
      expect(vars.BALLAST_STAGE).toBe(STAGE);
      expect(vars.BALLAST_SECRETS_BACKEND).toBe('aws');
      expect(JSON.stringify(vars.BALLAST_CONTROL_TABLE)).toContain('ControlTable');
      expect(JSON.stringify(vars.BALLAST_BOOTSTRAP_SECRET)).toContain('BootstrapSecret');
      expect(JSON.stringify(vars.BALLAST_CURSOR_SECRET)).toContain('CursorSecret');
      expect(JSON.stringify(vars)).not.toMatch(/UserPool|cognito/i);
      if (blobs(f).length) expect(JSON.stringify(vars.BALLAST_BLOB_BUCKET), where(f)).toContain('BlobBucket');
      if (dataRole(f).length)
        expect(JSON.stringify(vars.BALLAST_TENANT_DATA_ROLE), where(f)).toContain('TenantDataRole');
      if (sender(f).length) expect(vars.BALLAST_EMAIL_FROM, where(f)).toBe(SENDER.from);
    }
    expect(ballastFunctions().filter((f) => sender(f).length).length, 'some functions notify').toBeGreaterThan(0);
    expect(ballastFunctions().filter((f) => blobs(f).length).length, 'some functions use blobs').toBeGreaterThan(0);
    const workerVars = (id: string) =>
      (fnByJob(id).resource.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    const [tableId] = resourcesOf(s.json.Jobs, 'AWS::DynamoDB::Table')[0];
    for (const job of JOBS) expect(refOf(workerVars(job.id).BALLAST_JOBS_IDEMPOTENCY_TABLE)).toBe(tableId);
  });

  it('tells the dispatcher every job’s queue URL as JSON, job id → URL', () => {
    const vars = (fnByJob('dispatcher').resource.Properties?.Environment as { Variables: Record<string, unknown> })
      .Variables;
    // Fn::Join of literal JSON text and each queue's Ref (its URL)
    const join = (vars.BALLAST_JOB_QUEUES as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const queues = resourcesOf(s.json.Jobs, 'AWS::SQS::Queue');
    const urlOf = new Map(queues.map(([id, q]) => [id, `https://${String(q.Properties?.QueueName)}`]));
    const text = join[1].map((part) => (typeof part === 'string' ? part : urlOf.get(refOf(part)!))).join(join[0]);
    expect(JSON.parse(text)).toEqual(Object.fromEntries(JOBS.map((j) => [j.id, `https://${names.jobQueue(j.queue)}`])));
  });

  it('logs every function to its own log group with a retention', () => {
    const groups = new Set<string>();
    for (const f of ballastFunctions()) {
      const lg = refOf((f.resource.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
      expect(lg, where(f)).toBeDefined();
      const group = s.json[f.stack].Resources[lg!];
      expect(group.Type).toBe('AWS::Logs::LogGroup');
      expect(group.Properties?.RetentionInDays).toBe(7);
      groups.add(String(group.Properties?.LogGroupName));
    }
    expect(groups.size).toBe(ballastFunctions().length);
    expect(groups).toContain(names.functionLogGroup('jobs/dispatcher'));
  });
});

describe('edge authorization', () => {
  const authorizers = () => resourcesAcross(s, 'AWS::ApiGatewayV2::Authorizer');

  it('has one Lambda REQUEST authorizer in the Api stack (payload 2.0, simple responses, no sources, no cache)', () => {
    expect(authorizers()).toHaveLength(1);
    const [a] = authorizers();
    expect(a.stack).toBe('Api');
    expect(a.resource.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: [],
      AuthorizerResultTtlInSeconds: 0,
    });
    const fn = fnByRoute('authorizer');
    expect(fn.stack).toBe('Api');
    expect(JSON.stringify(a.resource.Properties?.AuthorizerUri)).toContain(fn.id);
    // API Gateway may invoke it
    const perms = resourcesOf(api(), 'AWS::Lambda::Permission').filter(
      ([, p]) => getAttOf(p.Properties?.FunctionName) === fn.id,
    );
    expect(perms.map(([, p]) => p.Properties?.Principal)).toEqual(['apigateway.amazonaws.com']);
  });

  it('guards every route but health and the bootstrap call with it, in every route stack', () => {
    const [authorizer] = authorizers();
    for (const r of resourcesAcross(s, 'AWS::ApiGatewayV2::Route')) {
      const def = ROUTES.find((x) => routeKey(x) === r.resource.Properties?.RouteKey)!;
      if (needsAuthorizer(def)) {
        expect(r.resource.Properties?.AuthorizationType, def.id).toBe('CUSTOM');
        expect(pointsAt(s, r.stack, r.resource.Properties?.AuthorizerId), def.id).toBe(`Api/${authorizer.id}`);
      } else {
        expect(['public', 'bootstrapKey']).toContain(def.access);
        expect(r.resource.Properties?.AuthorizationType, def.id).toBe('NONE');
      }
    }
    expect(
      ROUTES.filter((r) => !needsAuthorizer(r)).every((r) => r.context === 'ops' || r.access === 'bootstrapKey'),
    ).toBe(true);
  });

  // What it reads there: identity routing entries, API key hashes and revocations.
  it('lets the authorizer read the control table and nothing else', () => {
    expect(sorted(grantsOf(s, fnByRoute('authorizer'), JOBS))).toEqual({
      'dynamodb:BatchGetItem': ['control'],
      'dynamodb:ConditionCheckItem': ['control'],
      'dynamodb:GetItem': ['control'],
      'dynamodb:Query': ['control', 'control/index'],
    });
  });

  it('throttles the key-guarded bootstrap route hard at the stage, which the Api stack holds', () => {
    const [stageId, stage] = resourcesOf(api(), 'AWS::ApiGatewayV2::Stage')[0];
    const settings = stageSettings(STAGE);
    const boot = ROUTES.find((r) => r.access === 'bootstrapKey')!;
    expect((stage.Properties?.RouteSettings as Record<string, unknown>)[routeKey(boot)]).toEqual({
      ThrottlingRateLimit: settings.bootstrapThrottle.rate,
      ThrottlingBurstLimit: settings.bootstrapThrottle.burst,
    });
    // the route it names is created before the stage, in the same stack
    const [routeId] = resourcesOf(api(), 'AWS::ApiGatewayV2::Route').find(
      ([, r]) => r.Properties?.RouteKey === routeKey(boot),
    )!;
    expect(asArray(api().Resources[stageId].DependsOn)).toContain(routeId);
  });
});

describe('least privilege', () => {
  it('has no IAM statement with a * action or a data/secret action on *', () => {
    const statements = allStatements(Object.values(s.json));
    expect(statements.length).toBeGreaterThan(ROUTES.length);
    for (const { where, statement } of statements) {
      const actions = asArray(statement.Action as string | string[]);
      const resources = asArray(statement.Resource).map((r) => JSON.stringify(r));
      if (statement.Effect === 'Deny') {
        // the queues' enforce-SSL policies: a deny of everything over plain HTTP, which grants nothing
        expect(statement.Condition, where).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
        continue;
      }
      for (const a of actions) expect(a === '*' || a.endsWith(':*'), `${where}: ${a}`).toBe(false);
      expect(statement.NotAction, where).toBeUndefined();
      expect(statement.NotResource, where).toBeUndefined();
      if (statement.Sid === SMS_STATEMENT_SID) {
        // the one `*` resource: SMS to a phone number, which SNS authorises on `*` only
        expect([actions, resources], where).toEqual([['sns:Publish'], ['"*"']]);
        continue;
      }
      if (resources.includes('"*"')) {
        expect(
          actions.filter((a) => /^(dynamodb|secretsmanager|kms|s3|ssm|sqs|sns):/.test(a)),
          where,
        ).toEqual([]);
      }
    }
  });

  it('gives each route’s function exactly what its `uses` declares', () => {
    for (const route of ROUTES) {
      expect(sorted(grantsOf(s, fnByRoute(route.id), JOBS)), route.id).toEqual(
        sorted(expectedGrants(route, { emailIdentity: SENDER.identity })),
      );
    }
  });

  it('gives each worker what its job’s `uses` declares, its run records and its own queue, and nothing more', () => {
    for (const job of JOBS) {
      expect(sorted(grantsOf(s, fnByJob(job.id), JOBS)), job.id).toEqual(
        sorted(expectedWorkerGrants(job, { emailIdentity: SENDER.identity })),
      );
    }
  });

  it('lets the dispatcher query and clear the due-work index and send to the job queues only', () => {
    expect(sorted(grantsOf(s, fnByJob('dispatcher'), JOBS))).toEqual(sorted(expectedDispatcherGrants(JOBS)));
  });

  it('keeps read routes to read actions on data tables and scopes silo access to this stage', () => {
    const reader = ROUTES.find((r) => r.uses.data === 'read')!;
    const grants = grantsOf(s, fnByRoute(reader.id), JOBS);
    for (const [action, res] of grants) {
      if (res.has('pooled') || res.has('silo'))
        expect([
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:BatchGetItem',
          'dynamodb:ConditionCheckItem',
        ]).toContain(action);
    }
    const text = JSON.stringify(s.json);
    expect(text).toContain(`:table/ballast-${STAGE}-silo-*`);
    expect(text).not.toMatch(/:table\/\*/);
  });

  it('attaches only the basic execution managed policy to function roles', () => {
    for (const f of ballastFunctions()) {
      const role = s.json[f.stack].Resources[getAttOf(f.resource.Properties?.Role)!];
      const managed = JSON.stringify(role.Properties?.ManagedPolicyArns);
      expect(managed, where(f)).toContain('service-role/AWSLambdaBasicExecutionRole');
      expect(asArray(role.Properties?.ManagedPolicyArns as unknown[])).toHaveLength(1);
    }
  });
});
describe('data stack', () => {
  const tables = () => resourcesOf(s.json.Data, 'AWS::DynamoDB::Table');

  it('creates the control and pooled tables with the shared key schema and GSI1', () => {
    expect(
      tables()
        .map(([, t]) => t.Properties?.TableName)
        .sort(),
    ).toEqual([names.controlTable, names.pooledTable].sort());
    for (const [, t] of tables()) {
      expect(t.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'GSI1',
            KeySchema: [
              { AttributeName: 'GSI1PK', KeyType: 'HASH' },
              { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      });
    }
  });

  it('turns on point-in-time recovery, server-side encryption and TTL on `ttl`', () => {
    expect(tables().length).toBeGreaterThanOrEqual(2);
    for (const [id, t] of tables()) {
      expect(t.Properties?.PointInTimeRecoverySpecification, id).toEqual({ PointInTimeRecoveryEnabled: true });
      // SSEEnabled with no key id = KMS with the AWS-managed aws/dynamodb key
      expect(t.Properties?.SSESpecification, id).toEqual({ SSEEnabled: true });
      expect(t.Properties?.TimeToLiveSpecification, id).toEqual({ AttributeName: 'ttl', Enabled: true });
    }
  });

  it('destroys tables with a throw-away stage (no deletion protection)', () => {
    for (const [id, t] of tables()) {
      expect(t.DeletionPolicy, id).toBe('Delete');
      expect(t.Properties?.DeletionProtectionEnabled, id).toBe(false);
    }
  });

  it('generates the bootstrap key and the cursor-signing key in Secrets Manager, never in the template', () => {
    const secrets = new Map(
      resourcesOf(s.json.Data, 'AWS::SecretsManager::Secret').map(([, r]) => [r.Properties?.Name, r]),
    );
    expect([...secrets.keys()].sort()).toEqual([names.bootstrapSecret, names.cursorSecret].sort());
    expect(secrets.get(names.bootstrapSecret)?.Properties?.GenerateSecretString).toMatchObject({
      PasswordLength: 48,
      ExcludePunctuation: true,
    });
    expect(secrets.get(names.cursorSecret)?.Properties?.GenerateSecretString).toMatchObject({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    for (const secret of secrets.values()) expect(secret.Properties?.SecretString).toBeUndefined();
  });

  it('creates one private blob bucket: public access blocked, ACLs off, SSE-S3, TLS only, unversioned', () => {
    const buckets = resourcesOf(s.json.Data, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(1);
    const [bucketId, bucket] = buckets[0];
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(bucket.Properties?.VersioningConfiguration).toBeUndefined();
    expect(bucket.DeletionPolicy).toBe('Delete');
    const policies = resourcesOf(s.json.Data, 'AWS::S3::BucketPolicy');
    expect(policies.map(([, p]) => refOf(p.Properties?.Bucket))).toEqual([bucketId]);
    const statements = (policies[0][1].Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> })
      .Statement;
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
      // a throw-away stage (SST's default removal policy): CDK's auto-delete provider may empty it
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^CustomS3AutoDeleteObjects/), 'Arn'] } },
      }),
    ]);
  });

  it('exports what the seed script and operators need', () => {
    expect(Object.keys(s.json.Data.Outputs ?? {})).toEqual(
      expect.arrayContaining([
        OUTPUTS.controlTable,
        OUTPUTS.pooledTable,
        OUTPUTS.bootstrapSecretArn,
        OUTPUTS.env,
        OUTPUTS.blobBucket,
      ]),
    );
    expect(Object.keys(s.json.Auth.Outputs ?? {})).toEqual(
      expect.arrayContaining([OUTPUTS.userPoolId, OUTPUTS.userPoolClientId, OUTPUTS.issuer]),
    );
    expect(Object.keys(s.json.Api.Outputs ?? {})).toEqual(expect.arrayContaining([OUTPUTS.apiUrl]));
    expect(Object.keys(s.json.Observability.Outputs ?? {})).toEqual(expect.arrayContaining([OUTPUTS.alarmTopic]));
  });
});

describe('auth stack', () => {
  const client = () => resourcesOf(s.json.Auth, 'AWS::Cognito::UserPoolClient')[0][1];
  const pool = () => resourcesOf(s.json.Auth, 'AWS::Cognito::UserPool')[0];

  it('issues access tokens for 30 minutes and refresh tokens for 14 days, with revocation on', () => {
    expect(resourcesOf(s.json.Auth, 'AWS::Cognito::UserPoolClient')).toHaveLength(1);
    expect(client().Properties).toMatchObject({
      AccessTokenValidity: TOKEN_VALIDITY.accessMinutes,
      RefreshTokenValidity: 20160, // 14 days, in minutes
      TokenValidityUnits: { AccessToken: 'minutes', RefreshToken: 'minutes' },
      EnableTokenRevocation: true,
      PreventUserExistenceErrors: 'ENABLED',
      GenerateSecret: false,
    });
    expect(TOKEN_VALIDITY.accessMinutes).toBe(30);
    expect(TOKEN_VALIDITY.refreshDays).toBe(14);
  });

  it('signs in by email with a strong password policy, optional TOTP MFA and the tenant_id attribute', () => {
    const [, p] = pool();
    expect(p.Properties).toMatchObject({
      UsernameAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    });
    const schema = p.Properties?.Schema as Array<{ Name: string }>;
    expect(schema.map((a) => a.Name)).toContain('tenant_id');
  });

  it('does not let users write their own tenant_id', () => {
    const c = client().Properties!;
    expect(c.ReadAttributes).toContain('custom:tenant_id');
    expect(c.WriteAttributes).not.toContain('custom:tenant_id');
  });

  it('publishes the issuer of the pool the identity routing entry must name', () => {
    const issuer = JSON.stringify(s.json.Auth.Outputs?.[OUTPUTS.issuer].Value);
    expect(issuer).toContain('https://cognito-idp.');
    expect(issuer).toContain('.amazonaws.com/');
    expect(issuer).toContain(pool()[0]);
    expect(JSON.stringify(s.json.Auth.Outputs?.[OUTPUTS.userPoolClientId].Value)).toContain(
      resourcesOf(s.json.Auth, 'AWS::Cognito::UserPoolClient')[0][0],
    );
  });
});

describe('api operations', () => {
  const stage = () => resourcesOf(api(), 'AWS::ApiGatewayV2::Stage')[0][1];

  it('throttles the stage', () => {
    const t = stageSettings(STAGE).throttle;
    expect(stage().Properties?.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: t.rate,
      ThrottlingBurstLimit: t.burst,
    });
  });

  it('writes JSON access logs to a log group with a retention', () => {
    const settings = stage().Properties?.AccessLogSettings as { Format: string; DestinationArn: unknown };
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      authorizerError: '$context.authorizer.error',
    });
    const lg = getAttOf(settings.DestinationArn)!;
    expect(api().Resources[lg].Type).toBe('AWS::Logs::LogGroup');
    expect(api().Resources[lg].Properties?.RetentionInDays).toBe(7);
  });

  it('alarms on the API 5xx rate (in the Observability stack)', () => {
    const alarms = resourcesOf(s.json.Observability, 'AWS::CloudWatch::Alarm').map(([, a]) => a);
    const rate = alarms.find((a) => JSON.stringify(a.Properties?.Metrics).includes('"5xx"'));
    expect(rate).toBeDefined();
    const text = JSON.stringify(rate!.Properties?.Metrics);
    expect(text).toContain('"Count"');
    expect(text).toContain('AWS/ApiGateway');
    expect(text).toContain('100 * errors / requests');
    expect(asArray(rate!.Properties?.AlarmActions as unknown[])).toHaveLength(1);
    const [httpApiId] = resourcesOf(api(), 'AWS::ApiGatewayV2::Api')[0];
    const metrics = rate!.Properties?.Metrics as Array<{
      MetricStat?: { Metric: { Dimensions: Array<{ Value: unknown }> } };
    }>;
    for (const m of metrics.filter((x) => x.MetricStat)) {
      expect(pointsAt(s, 'Observability', m.MetricStat!.Metric.Dimensions[0].Value)).toBe(`Api/${httpApiId}`);
    }
  });

  it('alarms on Lambda errors and throttles for every function group, covering every function', () => {
    const alarms = resourcesOf(s.json.Observability, 'AWS::CloudWatch::Alarm').map(([, a]) => a);
    const groups = [...new Set([...ROUTES.map((r) => r.context), EDGE_GROUP, JOBS_GROUP])];
    for (const metric of ['Errors', 'Throttles']) {
      const covered: string[] = [];
      for (const group of groups) {
        const mine = alarms.filter((a) =>
          new RegExp(`-lambda-${metric.toLowerCase()}-${group}(-\\d+)?$`).test(String(a.Properties?.AlarmName)),
        );
        expect(mine.length, `${metric} ${group}`).toBeGreaterThan(0);
        for (const a of mine) {
          const metrics = a.Properties?.Metrics as Array<{
            MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Name: string; Value: unknown }> } };
          }>;
          expect(metrics.filter((m) => m.MetricStat).length).toBeLessThanOrEqual(10);
          for (const m of metrics) {
            if (!m.MetricStat) continue;
            expect(m.MetricStat.Metric.MetricName).toBe(metric);
            expect(m.MetricStat.Metric.Dimensions.map((d) => d.Name)).toEqual(['FunctionName']);
            covered.push(String(m.MetricStat.Metric.Dimensions[0].Value));
          }
        }
      }
      expect(covered.sort()).toEqual(
        ballastFunctions()
          .map((f) => f.resource.Properties?.FunctionName)
          .sort(),
      );
    }
  });

  it('names functions and queues as plain strings, importing nothing from the route or Jobs stacks', () => {
    // Removing a route or a job must not meet an export the Observability stack still imports.
    const imports = [...JSON.stringify(s.json.Observability).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const name of imports) expect(name.startsWith(`${STAGE}-ballast-Api:`), name).toBe(true);
  });
});

describe('console stack', () => {
  const template = () => s.json.Console;
  const one = (type: string) => {
    const found = resourcesOf(template(), type);
    expect(found, type).toHaveLength(1);
    return found[0][1].Properties ?? {};
  };
  type Behaviour = Record<string, unknown> & { PathPattern?: string };
  const distribution = () =>
    one('AWS::CloudFront::Distribution').DistributionConfig as {
      DefaultCacheBehavior: Behaviour;
      CacheBehaviors?: Behaviour[];
      CustomErrorResponses?: unknown[];
      DefaultRootObject?: string;
    };

  it('serves the console from a private bucket behind CloudFront, under its own CSP, with no SPA fallback', () => {
    const d = distribution();
    expect(d.DefaultRootObject).toBe('index.html');
    // hash routing needs no index.html for unknown paths, and an API 404 must stay a 404
    expect(d.CustomErrorResponses ?? []).toEqual([]);
    expect(d.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    const headers = one('AWS::CloudFront::ResponseHeadersPolicy').ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } };
    };
    const csp = JSON.stringify(headers.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(resourcesOf(template(), 'AWS::S3::Bucket').length).toBeGreaterThanOrEqual(1);
  });

  it('puts the API behind the same origin at /v1/*: every method, nothing cached, every header but Host', () => {
    const behaviours = distribution().CacheBehaviors ?? [];
    const apiBehaviour = behaviours.find((b) => b.PathPattern === '/v1/*');
    expect(apiBehaviour).toBeDefined();
    expect(apiBehaviour?.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    // the managed CachingDisabled and AllViewerExceptHostHeader policies
    expect(apiBehaviour?.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(apiBehaviour?.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    const origins = JSON.stringify(distribution());
    expect(origins).toMatch(/execute-api|ApiUrl|Api/);
  });

  it('signs in with its own hosted-UI client: code grant with no secret, called back at the distribution', () => {
    const client = one('AWS::Cognito::UserPoolClient');
    expect(client.GenerateSecret).toBe(false);
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(JSON.stringify(client.CallbackURLs)).toMatch(/DomainName/);
    expect(client.AccessTokenValidity).toBe(TOKEN_VALIDITY.accessMinutes);
    expect(one('AWS::Cognito::UserPoolDomain').Domain).toBe(`ballast-${STAGE}-console`);
    expect(Object.keys(template().Outputs ?? {})).toEqual(
      expect.arrayContaining([OUTPUTS.consoleUrl, OUTPUTS.consoleClientId]),
    );
  });

  it('writes console-config.json after the site files, naming the client and the hosted UI', () => {
    const deployments = resourcesOf(template(), 'Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(1);
    const [, config] = deployments[0];
    expect(config.Properties?.Prune).toBe(false);
    expect(asArray(config.DependsOn).some((d) => /Distribution/.test(d))).toBe(true);
  });
});
