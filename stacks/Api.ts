import { ArnFormat, CfnOutput, Duration, Tags } from 'aws-cdk-lib';
import { CfnRoute, CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Api as SstApi, Function as SstFunction, use, type ApiRouteProps, type StackContext } from 'sst/constructs';
import { ALL_ROUTES as ROUTES } from '../packages/app/src/routes.js';
import type { RouteDef } from '../packages/platform/src/http/define-route.js';
import { NODEJS_BUNDLING, sstHandler } from './bundling.js';
import { OUTPUTS, stageEnv, stageNames, stageSettings } from './config.js';
import { Data } from './Data.js';
import { authorizerStatements, routeStatements, type PermissionTargets } from './permissions.js';

/** The edge authorizer's handler module (HTTP API Lambda REQUEST authorizer, simple responses). */
export const AUTHORIZER_HANDLER = 'functions/authorizer.ts';
export const AUTHORIZER_KEY = 'Edge';
/** Tag on every Ballast function: the route id, or `authorizer`. Tests and operators find functions by it. */
export const ROUTE_TAG = 'ballast:route';
export const GROUP_TAG = 'ballast:group';

export type FunctionGroup = RouteDef['context'] | 'edge';

/**
 * Which routes the edge authorizer guards. `public` (health) needs nothing. `bootstrapKey` (the
 * one-time t_system bootstrap) has no authorizer either: it runs before any user, tenant or API key
 * exists, so there is no bearer credential to check; its handler compares X-Bootstrap-Key with the
 * Secrets Manager secret, and the stage throttles the route to ~1 request/s. Giving the authorizer
 * the bootstrap secret instead would put that secret in a function that runs on every request.
 */
export function needsAuthorizer(route: Pick<RouteDef, 'access'>): boolean {
  return route.access !== 'public' && route.access !== 'bootstrapKey';
}

export const routeKey = (r: Pick<RouteDef, 'method' | 'path'>) => `${r.method} ${r.path}`;

const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integration.error',
  authorizerStatus: '$context.authorizer.status',
  authorizerLatency: '$context.authorizer.latency',
  authorizerError: '$context.authorizer.error',
  errorMessage: '$context.error.message',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
});

const CORS_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-API-Key',
  'X-Tenant-Id',
  'X-Env',
  'X-Project-Id',
  'X-Request-Id',
  'Idempotency-Key',
  'If-Match',
];
const CORS_EXPOSE = [
  'ETag',
  'X-Request-Id',
  'Idempotent-Replayed',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
];

export function Api({ stack }: StackContext) {
  const stage = stack.stage;
  const settings = stageSettings(stage);
  const names = stageNames(stage);
  const data = use(Data);
  const retention = RetentionDays[settings.logRetention.toUpperCase() as keyof typeof RetentionDays];

  const targets: PermissionTargets = {
    controlTableArn: data.controlTable.tableArn,
    pooledTableArn: data.pooledTable.tableArn,
    siloTableArnPattern: stack.formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: `${names.siloTablePrefix}*`,
    }),
    bootstrapSecretArn: data.bootstrapSecret.secretArn,
    // Secrets Manager appends a random 6-character suffix to every secret ARN, hence the `*`.
    tenantSecretArnPattern: stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${names.tenantSecretPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  };

  /** The bootstrap settings packages/platform/src/config/bootstrap.ts reads, and nothing else. */
  const environment: Record<string, string> = {
    BALLAST_CONTROL_TABLE: data.controlTable.tableName,
    BALLAST_BOOTSTRAP_SECRET: data.bootstrapSecret.secretArn,
    BALLAST_ENV: stageEnv(stage),
    BALLAST_SECRETS_BACKEND: 'aws',
    BALLAST_STAGE: stage,
    BALLAST_LOG_LEVEL: 'INFO',
  };

  stack.setDefaultFunctionProps({
    runtime: 'nodejs22.x',
    architecture: 'arm_64',
    memorySize: settings.memorySize,
    timeout: settings.timeout,
    // No tracer is wired into the handlers; active tracing would only add cost and an xray:* on * grant.
    tracing: 'disabled',
    nodejs: NODEJS_BUNDLING,
  });

  const logGroup = (id: string) =>
    new LogGroup(stack, `Logs_${id.replace(/[^A-Za-z0-9]/g, '_')}`, {
      logGroupName: `/ballast/${stage}/functions/${id}`,
      retention,
    });

  const authorizer = new SstFunction(stack, 'Authorizer', {
    handler: sstHandler(AUTHORIZER_HANDLER),
    description: 'Ballast edge authorizer: Cognito access tokens and X-API-Key',
    environment,
    permissions: authorizerStatements(targets),
    logGroup: logGroup('authorizer'),
  });

  const routes: Record<string, ApiRouteProps<typeof AUTHORIZER_KEY>> = {};
  for (const route of ROUTES) {
    routes[routeKey(route)] = {
      authorizer: needsAuthorizer(route) ? AUTHORIZER_KEY : 'none',
      function: {
        handler: sstHandler(route.handler),
        description: `${route.id}: ${route.method} ${route.path}`.slice(0, 256),
        environment,
        permissions: routeStatements(route, targets),
        logGroup: logGroup(route.id),
      },
    };
  }

  const api = new SstApi(stack, 'Api', {
    authorizers: {
      [AUTHORIZER_KEY]: {
        type: 'lambda',
        function: authorizer,
        responseTypes: ['simple'],
        // A request carries either Authorization or X-API-Key. HTTP APIs demand *every* listed
        // identity source be present (else 401 before the authorizer runs), so none are listed and
        // results are not cached: the authorizer runs on every guarded request.
        identitySource: [],
        resultsCacheTtl: '0 seconds',
      },
    },
    // Fail closed: a route added without thought gets the authorizer.
    defaults: { authorizer: AUTHORIZER_KEY, throttle: settings.throttle },
    cors: settings.corsOrigins.length
      ? {
          allowOrigins: settings.corsOrigins,
          allowHeaders: CORS_HEADERS,
          exposeHeaders: CORS_EXPOSE,
          allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
          maxAge: '1 hour',
        }
      : false,
    accessLog: { format: ACCESS_LOG_FORMAT, retention: settings.logRetention },
    routes,
  });

  // The bootstrap route is guarded by a shared key: throttle it hard at the stage. (RouteSettings is
  // raw CloudFormation JSON at the L1 level, hence the PascalCase keys.)
  const cfnStage = api.cdk.httpApi.defaultStage?.node.defaultChild as CfnStage | undefined;
  if (!cfnStage) throw new Error('HTTP API has no default stage');
  const bootstrapRoutes = ROUTES.filter((r) => r.access === 'bootstrapKey');
  cfnStage.routeSettings = Object.fromEntries(
    bootstrapRoutes.map((r) => [
      routeKey(r),
      { ThrottlingRateLimit: settings.bootstrapThrottle.rate, ThrottlingBurstLimit: settings.bootstrapThrottle.burst },
    ]),
  );
  // Route settings name routes by key: the routes must exist before the stage refers to them.
  for (const child of api.node.findAll()) if (child instanceof CfnRoute) cfnStage.addDependency(child);

  // Tag every function with its route and group; collect the groups for the alarms.
  const groups = new Map<FunctionGroup, SstFunction[]>();
  const addToGroup = (group: FunctionGroup, fn: SstFunction, id: string) => {
    Tags.of(fn).add(ROUTE_TAG, id);
    Tags.of(fn).add(GROUP_TAG, group);
    groups.set(group, [...(groups.get(group) ?? []), fn]);
  };
  addToGroup('edge', authorizer, 'authorizer');
  for (const route of ROUTES) {
    const fn = api.getFunction(routeKey(route));
    if (!fn) throw new Error(`No function for route ${route.id}`);
    addToGroup(route.context, fn, route.id);
  }

  // Alarms → one SNS topic (subscribe an email or a pager to it after deploy).
  const alarmTopic = new Topic(stack, 'AlarmTopic', { displayName: `Ballast ${stage} alarms` });
  const notify = new SnsAction(alarmTopic);
  const fiveMinutes = Duration.minutes(5);

  const apiId = api.cdk.httpApi.apiId;
  const apiMetric = (metricName: string) =>
    new Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiId: apiId },
      statistic: 'Sum',
      period: fiveMinutes,
    });
  new Alarm(stack, 'Api5xxRate', {
    alarmName: `ballast-${stage}-api-5xx-rate`,
    alarmDescription:
      `More than ${settings.api5xxPercent}% of API requests answered 5xx in 5 minutes ` +
      `(with at least ${settings.api5xxMinRequests} requests). A 5xx is a bug or an outage.`,
    metric: new MathExpression({
      expression: `IF(requests >= ${settings.api5xxMinRequests}, 100 * errors / requests, 0)`,
      usingMetrics: { errors: apiMetric('5xx'), requests: apiMetric('Count') },
      period: fiveMinutes,
      label: '5xx %',
    }),
    threshold: settings.api5xxPercent,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  }).addAlarmAction(notify);

  // Lambda errors and throttles, summed per function group. A CloudWatch alarm's metric math may
  // use at most 10 metrics, so a larger group is split into several alarms.
  for (const [group, fns] of groups) {
    for (let i = 0; i < fns.length; i += 10) {
      const chunk = fns.slice(i, i + 10);
      const suffix = fns.length > 10 ? `-${i / 10 + 1}` : '';
      for (const metricName of ['Errors', 'Throttles'] as const) {
        const usingMetrics = Object.fromEntries(
          chunk.map((fn, j) => [
            `m${j}`,
            new Metric({
              namespace: 'AWS/Lambda',
              metricName,
              dimensionsMap: { FunctionName: fn.functionName },
              statistic: 'Sum',
              period: fiveMinutes,
            }),
          ]),
        );
        new Alarm(stack, `Lambda${metricName}_${group}${suffix.replace('-', '_')}`, {
          alarmName: `ballast-${stage}-lambda-${metricName.toLowerCase()}-${group}${suffix}`,
          alarmDescription: `Lambda ${metricName} in the '${group}' functions (${chunk.length}) in 5 minutes`,
          metric: new MathExpression({
            expression: 'SUM(FILL(METRICS(), 0))',
            usingMetrics,
            period: fiveMinutes,
            label: `${group} ${metricName}`,
          }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }).addAlarmAction(notify);
      }
    }
  }

  new CfnOutput(stack, OUTPUTS.apiUrl, { value: api.url });
  new CfnOutput(stack, OUTPUTS.alarmTopic, { value: alarmTopic.topicArn });

  return { api, authorizer, alarmTopic };
}
