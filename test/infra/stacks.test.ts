import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ROUTES as ROUTES } from '../../packages/app/src/routes.js';
import type { RouteDef } from '../../packages/platform/src/http/define-route.js';
import { AUTHORIZER_HANDLER, GROUP_TAG, ROUTE_TAG, needsAuthorizer, routeKey } from '../../stacks/Api.js';
import { TOKEN_VALIDITY } from '../../stacks/Auth.js';
import { OUTPUTS, stageNames, stageSettings } from '../../stacks/config.js';
import {
  allStatements,
  asArray,
  resourcesOf,
  synthForTest,
  tagValue,
  type CfnResource,
  type TestSynth,
} from './synth.js';

const STAGE = 'infratest';
const names = stageNames(STAGE);
let s: TestSynth;

beforeAll(async () => {
  s = await synthForTest({ stage: STAGE });
}, 300_000);

afterAll(async () => {
  await s?.cleanup();
});

const api = () => s.json.Api;
const lambdas = () => resourcesOf(api(), 'AWS::Lambda::Function');
/** Ballast functions: tagged with their route id (or `authorizer`). */
const ballastFunctions = () => lambdas().filter(([, r]) => tagValue(r, ROUTE_TAG) !== undefined);
const fnByRoute = (id: string): [string, CfnResource] => {
  const hit = ballastFunctions().find(([, r]) => tagValue(r, ROUTE_TAG) === id);
  if (!hit) throw new Error(`no function tagged ${id}`);
  return hit;
};
const refOf = (x: unknown): string | undefined => (x as { Ref?: string } | undefined)?.Ref;
const getAttOf = (x: unknown): string | undefined =>
  (x as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];

/** Maps an IAM resource expression to what it names, so policies can be compared with `uses`. */
function label(resource: unknown): string {
  const j = JSON.stringify(resource);
  if (j === '"*"') return '*';
  const index = j.includes('/index/*') ? '/index' : '';
  if (j.includes('ControlTable')) return `control${index}`;
  if (j.includes('PooledTable')) return `pooled${index}`;
  if (j.includes(`:table/${names.siloTablePrefix}*`) && j.includes('AWS::AccountId') && j.includes(':dynamodb:'))
    return `silo${index}`;
  if (j.includes('BootstrapSecret')) return 'bootstrapSecret';
  if (j.includes(`:secret:${names.tenantSecretPrefix}*`) && j.includes('AWS::AccountId')) return 'tenantSecrets';
  return `unknown:${j}`;
}

/** action → set of labelled resources, for one function's role (all its policies). */
function grantsOf(fnId: string): Map<string, Set<string>> {
  const fn = api().Resources[fnId];
  const roleId = getAttOf(fn.Properties?.Role);
  expect(roleId, `${fnId} role`).toBeDefined();
  const grants = new Map<string, Set<string>>();
  for (const [, pol] of resourcesOf(api(), 'AWS::IAM::Policy')) {
    const roles = asArray(pol.Properties?.Roles as unknown[]).map(refOf);
    if (!roles.includes(roleId)) continue;
    const doc = pol.Properties?.PolicyDocument as { Statement: Array<Record<string, unknown>> };
    for (const st of doc.Statement) {
      expect(st.Effect).toBe('Allow');
      for (const a of asArray(st.Action as string | string[])) {
        const set = grants.get(a) ?? new Set<string>();
        for (const r of asArray(st.Resource)) set.add(label(r));
        grants.set(a, set);
      }
    }
  }
  return grants;
}

function expectedGrants(route: Pick<RouteDef, 'uses' | 'idempotent'>): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  const add = (actions: string[], resources: string[]) => {
    for (const a of actions) g.set(a, new Set([...(g.get(a) ?? []), ...resources]));
  };
  const ddb = (...xs: string[]) => xs.map((x) => `dynamodb:${x}`);
  const read = ddb('GetItem', 'Query', 'BatchGetItem', 'ConditionCheckItem');
  add([...read, ...ddb('DescribeTable')], ['control']);
  add(ddb('Query'), ['control/index']);
  // every function counts rate limits (UpdateItem); only writers and idempotent routes put/delete
  add(
    route.uses.control === 'write' || route.idempotent ? ddb('PutItem', 'UpdateItem', 'DeleteItem') : ddb('UpdateItem'),
    ['control'],
  );
  if (route.uses.data) {
    add(read, ['pooled', 'silo']);
    add(ddb('Query'), ['pooled/index', 'silo/index']);
    if (route.uses.data === 'write') add(ddb('PutItem', 'UpdateItem', 'DeleteItem'), ['pooled', 'silo']);
  }
  const secrets = route.uses.secrets ?? [];
  if (secrets.includes('bootstrap')) add(['secretsmanager:GetSecretValue'], ['bootstrapSecret']);
  if (secrets.includes('tenant')) add(['secretsmanager:GetSecretValue'], ['tenantSecrets']);
  return g;
}

const sorted = (m: Map<string, Set<string>>) =>
  Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]).sort(([a], [b]) => String(a).localeCompare(String(b))));

describe('functions from the route table', () => {
  it('has exactly one function per route, plus the authorizer (and SST’s own custom-resource handler)', () => {
    const tagged = ballastFunctions().map(([, r]) => tagValue(r, ROUTE_TAG));
    expect(tagged.sort()).toEqual([...ROUTES.map((r) => r.id), 'authorizer'].sort());
    const untagged = lambdas()
      .filter(([, r]) => tagValue(r, ROUTE_TAG) === undefined)
      .map(([id]) => id);
    // SST creates one custom-resource handler per stack; it serves no route and has no grants.
    expect(untagged.every((id) => id.startsWith('CustomResourceHandler'))).toBe(true);
    expect(untagged.length).toBeLessThanOrEqual(1);
  });

  it('routes every route key to the function tagged with that route, and has no route without one', () => {
    const routes = resourcesOf(api(), 'AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual(ROUTES.map(routeKey).sort());
    for (const [, r] of routes) {
      const def = ROUTES.find((x) => routeKey(x) === r.Properties?.RouteKey)!;
      const target = JSON.stringify(r.Properties?.Target);
      const integrationId = /"Ref":"([^"]+)"/.exec(target)?.[1];
      const integration = api().Resources[integrationId!];
      expect(integration.Type).toBe('AWS::ApiGatewayV2::Integration');
      expect(integration.Properties?.PayloadFormatVersion).toBe('2.0');
      const [fnId] = fnByRoute(def.id);
      expect(getAttOf(integration.Properties?.IntegrationUri)).toBe(fnId);
    }
  });

  it('points each function at its route’s handler module', () => {
    for (const route of ROUTES) {
      const [, fn] = fnByRoute(route.id);
      expect(fn.Properties?.Handler).toBe(`${route.handler.replace(/\.ts$/, '')}.handler`);
      expect(tagValue(fn, GROUP_TAG)).toBe(route.context);
    }
    expect(fnByRoute('authorizer')[1].Properties?.Handler).toBe(`${AUTHORIZER_HANDLER.replace(/\.ts$/, '')}.handler`);
  });

  it('runs every Ballast function on nodejs22.x and arm64', () => {
    expect(ballastFunctions()).toHaveLength(ROUTES.length + 1);
    for (const [id, fn] of ballastFunctions()) {
      expect(fn.Properties?.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties?.Architectures, id).toEqual(['arm64']);
    }
  });

  it('ships a real esbuild bundle for every function (ESM, minified), not placeholder code', () => {
    for (const [id, fn] of ballastFunctions()) {
      const code = fn.Properties?.Code as { S3Key?: unknown; ZipFile?: unknown };
      expect(code.ZipFile, id).toBeUndefined();
      expect(code.S3Key, id).toBeDefined();
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
    expect(mjs.length).toBe(ROUTES.length + 1);
    // no sourcemaps shipped
    expect(bundles.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('gives functions only the bootstrap settings as environment (no issuer, client id or secret values)', () => {
    const expected = [
      'BALLAST_BOOTSTRAP_SECRET',
      'BALLAST_CONTROL_TABLE',
      'BALLAST_ENV',
      'BALLAST_LOG_LEVEL',
      'BALLAST_SECRETS_BACKEND',
      'BALLAST_STAGE',
    ];
    for (const [id, fn] of ballastFunctions()) {
      const vars = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      const ours = Object.keys(vars).filter(
        (k) => !k.startsWith('SST_') && k !== 'AWS_NODEJS_CONNECTION_REUSE_ENABLED',
      );
      expect(ours.sort(), id).toEqual(expected);
      expect(vars.BALLAST_ENV).toBe('dev');
      expect(vars.BALLAST_STAGE).toBe(STAGE);
      expect(vars.BALLAST_SECRETS_BACKEND).toBe('aws');
      expect(JSON.stringify(vars.BALLAST_CONTROL_TABLE)).toContain('ControlTable');
      expect(JSON.stringify(vars.BALLAST_BOOTSTRAP_SECRET)).toContain('BootstrapSecret');
      expect(JSON.stringify(vars)).not.toMatch(/UserPool|cognito/i);
    }
  });

  it('logs every function to its own log group with a retention', () => {
    const days = s.json.Api.Resources;
    for (const [id, fn] of ballastFunctions()) {
      const lg = refOf((fn.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
      expect(lg, id).toBeDefined();
      expect(days[lg!].Type).toBe('AWS::Logs::LogGroup');
      expect(days[lg!].Properties?.RetentionInDays).toBe(7);
    }
  });
});

describe('edge authorization', () => {
  const authorizers = () => resourcesOf(api(), 'AWS::ApiGatewayV2::Authorizer');

  it('has one Lambda REQUEST authorizer (payload 2.0, simple responses, no identity sources, no caching)', () => {
    expect(authorizers()).toHaveLength(1);
    const [, a] = authorizers()[0];
    expect(a.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: [],
      AuthorizerResultTtlInSeconds: 0,
    });
    expect(JSON.stringify(a.Properties?.AuthorizerUri)).toContain(fnByRoute('authorizer')[0]);
    // API Gateway may invoke it
    const perms = resourcesOf(api(), 'AWS::Lambda::Permission').filter(
      ([, p]) => getAttOf(p.Properties?.FunctionName) === fnByRoute('authorizer')[0],
    );
    expect(perms.map(([, p]) => p.Properties?.Principal)).toEqual(['apigateway.amazonaws.com']);
  });

  it('guards every route but health and the bootstrap call with it', () => {
    const [authorizerId] = authorizers()[0];
    for (const [, r] of resourcesOf(api(), 'AWS::ApiGatewayV2::Route')) {
      const def = ROUTES.find((x) => routeKey(x) === r.Properties?.RouteKey)!;
      if (needsAuthorizer(def)) {
        expect(r.Properties?.AuthorizationType, def.id).toBe('CUSTOM');
        expect(refOf(r.Properties?.AuthorizerId), def.id).toBe(authorizerId);
      } else {
        expect(['public', 'bootstrapKey']).toContain(def.access);
        expect(r.Properties?.AuthorizationType, def.id).toBe('NONE');
      }
    }
    expect(
      ROUTES.filter((r) => !needsAuthorizer(r)).every((r) => r.context === 'ops' || r.access === 'bootstrapKey'),
    ).toBe(true);
  });

  // What it reads there: identity routing entries, API key hashes and revocations.
  it('lets the authorizer read the control table and nothing else', () => {
    const grants = grantsOf(fnByRoute('authorizer')[0]);
    expect(sorted(grants)).toEqual({
      'dynamodb:BatchGetItem': ['control'],
      'dynamodb:ConditionCheckItem': ['control'],
      'dynamodb:GetItem': ['control'],
      'dynamodb:Query': ['control', 'control/index'],
    });
  });

  it('throttles the key-guarded bootstrap route hard at the stage', () => {
    const [, stage] = resourcesOf(api(), 'AWS::ApiGatewayV2::Stage')[0];
    const settings = stageSettings(STAGE);
    const boot = ROUTES.find((r) => r.access === 'bootstrapKey')!;
    expect((stage.Properties?.RouteSettings as Record<string, unknown>)[routeKey(boot)]).toEqual({
      ThrottlingRateLimit: settings.bootstrapThrottle.rate,
      ThrottlingBurstLimit: settings.bootstrapThrottle.burst,
    });
  });
});

describe('least privilege', () => {
  it('has no IAM statement with a * action or a data/secret action on *', () => {
    const statements = allStatements([s.json.Data, s.json.Auth, s.json.Api]);
    expect(statements.length).toBeGreaterThan(ROUTES.length);
    for (const { where, statement } of statements) {
      const actions = asArray(statement.Action as string | string[]);
      for (const a of actions) expect(a === '*' || a.endsWith(':*'), `${where}: ${a}`).toBe(false);
      expect(statement.NotAction, where).toBeUndefined();
      expect(statement.NotResource, where).toBeUndefined();
      const resources = asArray(statement.Resource).map((r) => JSON.stringify(r));
      if (resources.includes('"*"')) {
        expect(
          actions.filter((a) => /^(dynamodb|secretsmanager|kms|s3|ssm):/.test(a)),
          where,
        ).toEqual([]);
      }
    }
  });

  it('gives each route’s function exactly what its `uses` declares', () => {
    for (const route of ROUTES) {
      const [fnId] = fnByRoute(route.id);
      expect(sorted(grantsOf(fnId)), route.id).toEqual(sorted(expectedGrants(route)));
    }
  });

  it('keeps read routes to read actions on data tables and scopes silo access to this stage', () => {
    const reader = ROUTES.find((r) => r.uses.data === 'read')!;
    const grants = grantsOf(fnByRoute(reader.id)[0]);
    for (const [action, res] of grants) {
      if (res.has('pooled') || res.has('silo'))
        expect([
          'dynamodb:GetItem',
          'dynamodb:Query',
          'dynamodb:BatchGetItem',
          'dynamodb:ConditionCheckItem',
        ]).toContain(action);
    }
    const text = JSON.stringify(api());
    expect(text).toContain(`:table/ballast-${STAGE}-silo-*`);
    expect(text).not.toMatch(/:table\/\*/);
  });

  it('attaches only the basic execution managed policy to function roles', () => {
    for (const [id, fn] of ballastFunctions()) {
      const role = api().Resources[getAttOf(fn.Properties?.Role)!];
      const managed = JSON.stringify(role.Properties?.ManagedPolicyArns);
      expect(managed, id).toContain('service-role/AWSLambdaBasicExecutionRole');
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

  it('generates the bootstrap key in Secrets Manager under ballast/<stage>/bootstrap-key', () => {
    const secrets = resourcesOf(s.json.Data, 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(1);
    const [, secret] = secrets[0];
    expect(secret.Properties?.Name).toBe(names.bootstrapSecret);
    expect(secret.Properties?.GenerateSecretString).toMatchObject({ PasswordLength: 48, ExcludePunctuation: true });
    expect(secret.Properties?.SecretString).toBeUndefined();
  });

  it('exports what the seed script and operators need', () => {
    expect(Object.keys(s.json.Data.Outputs ?? {})).toEqual(
      expect.arrayContaining([OUTPUTS.controlTable, OUTPUTS.pooledTable, OUTPUTS.bootstrapSecretArn, OUTPUTS.env]),
    );
    expect(Object.keys(s.json.Auth.Outputs ?? {})).toEqual(
      expect.arrayContaining([OUTPUTS.userPoolId, OUTPUTS.userPoolClientId, OUTPUTS.issuer]),
    );
    expect(Object.keys(s.json.Api.Outputs ?? {})).toEqual(expect.arrayContaining([OUTPUTS.apiUrl, OUTPUTS.alarmTopic]));
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

  it('alarms on the API 5xx rate', () => {
    const alarms = resourcesOf(api(), 'AWS::CloudWatch::Alarm').map(([, a]) => a);
    const rate = alarms.find((a) => JSON.stringify(a.Properties?.Metrics).includes('"5xx"'));
    expect(rate).toBeDefined();
    const text = JSON.stringify(rate!.Properties?.Metrics);
    expect(text).toContain('"Count"');
    expect(text).toContain('AWS/ApiGateway');
    expect(text).toContain('100 * errors / requests');
    expect(asArray(rate!.Properties?.AlarmActions as unknown[])).toHaveLength(1);
  });

  it('alarms on Lambda errors and throttles for every function group, covering every function', () => {
    const alarms = resourcesOf(api(), 'AWS::CloudWatch::Alarm').map(([, a]) => a);
    const groups = [...new Set([...ROUTES.map((r) => r.context), 'edge'])];
    for (const metric of ['Errors', 'Throttles']) {
      const covered = new Set<string>();
      for (const group of groups) {
        const mine = alarms.filter((a) =>
          String(a.Properties?.AlarmName).includes(`-lambda-${metric.toLowerCase()}-${group}`),
        );
        expect(mine.length, `${metric} ${group}`).toBeGreaterThan(0);
        for (const a of mine) {
          for (const m of a.Properties?.Metrics as Array<{
            MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Value: unknown }> } };
          }>) {
            if (!m.MetricStat) continue;
            expect(m.MetricStat.Metric.MetricName).toBe(metric);
            covered.add(refOf(m.MetricStat.Metric.Dimensions[0].Value)!);
          }
        }
      }
      expect([...covered].sort()).toEqual(
        ballastFunctions()
          .map(([id]) => id)
          .sort(),
      );
    }
  });
});
