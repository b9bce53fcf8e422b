import { CfnOutput } from 'aws-cdk-lib';
import { CfnRoute, CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import {
  Api as SstApi,
  Function as SstFunction,
  use,
  type ApiLambdaAuthorizer,
  type ApiRouteProps,
  type StackContext,
} from 'sst/constructs';
import {
  CORS_ALLOW_HEADERS,
  CORS_ALLOW_METHODS,
  CORS_EXPOSE_HEADERS,
  CORS_MAX_AGE_SECONDS,
} from '../packages/platform/src/http/cors.js';
import { entryName, type RouteDef } from '../packages/platform/src/http/define-route.js';
import { sstHandler } from './bundling.js';
import { OUTPUTS, stageNames, stageSettings } from './config.js';
import { Auth } from './Auth.js';
import { Data } from './Data.js';
import {
  ROUTE_TAG,
  blobsEnvironment,
  bootstrapEnvironment,
  dataEnvironment,
  functionLogGroup,
  notifyEnvironment,
  permissionTargets,
  stageEmailSender,
  track,
  type TrackedFunction,
} from './functions.js';
import { EDGE_GROUP, type StackPlan } from './layout.js';
import { authorizerStatements, routeStatements, type PermissionTargets } from './permissions.js';

/** The edge authorizer's handler module (HTTP API Lambda REQUEST authorizer, simple responses). */
export const AUTHORIZER_HANDLER = 'functions/authorizer.ts';
export const AUTHORIZER_KEY = 'Edge';

/** The HTTP API, typed by its one authorizer. */
export type BallastApi = SstApi<Record<typeof AUTHORIZER_KEY, ApiLambdaAuthorizer>>;

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

/** What a route's function is built from, in whichever stack it lives. */
export interface RouteFunctionContext {
  stage: string;
  environment: Record<string, string>;
  /** added for the routes whose `uses` name blobs */
  blobsEnvironment: Record<string, string>;
  /** added for the routes whose `uses` name data */
  dataEnvironment: Record<string, string>;
  /** added for the routes whose `uses` name notify (the e-mail sender, when the stage has one) */
  notifyEnvironment: Record<string, string>;
  targets: PermissionTargets;
}

/** The route function context of `stack` (it reads the Data stack: call it inside a stack function). */
export function routeFunctionContext(stack: StackContext['stack']): RouteFunctionContext {
  const data = use(Data);
  const auth = use(Auth);
  const sender = stageEmailSender(stack);
  return {
    stage: stack.stage,
    environment: bootstrapEnvironment(stack.stage, data),
    blobsEnvironment: blobsEnvironment({ blobs: 'read' }, data),
    dataEnvironment: dataEnvironment({ data: 'read' }, data),
    notifyEnvironment: notifyEnvironment({ notify: 'send' }, sender),
    targets: permissionTargets(stack, data, auth, sender),
  };
}

/** One route of the table as SST's Api takes it: its function, its least-privilege role, its log group. */
export function routeProps(
  scope: Construct,
  route: RouteDef,
  ctx: RouteFunctionContext,
): ApiRouteProps<typeof AUTHORIZER_KEY> {
  return {
    authorizer: needsAuthorizer(route) ? AUTHORIZER_KEY : 'none',
    function: {
      functionName: stageNames(ctx.stage).functionName(entryName(route.id)),
      handler: sstHandler(route.handler),
      description: `${route.id}: ${route.method} ${route.path}`.slice(0, 256),
      environment: {
        ...ctx.environment,
        ...(route.uses.blobs ? ctx.blobsEnvironment : {}),
        ...(route.uses.data ? ctx.dataEnvironment : {}),
        ...(route.uses.notify ? ctx.notifyEnvironment : {}),
      },
      permissions: routeStatements(route, ctx.targets),
      logGroup: functionLogGroup(scope, ctx.stage, route.id),
      ...(route.timeoutSeconds ? { timeout: routeTimeout(route) } : {}),
      // files the route reads at run time, shipped beside its bundle (the docs page's script)
      ...(route.files?.length ? { copyFiles: route.files.map((f) => ({ from: f.from, to: f.to })) } : {}),
    },
  };
}

/** API Gateway's HTTP API gives up on an integration after 30 s: a longer Lambda would only run on unseen. */
export const MAX_ROUTE_TIMEOUT_SECONDS = 29;

function routeTimeout(route: RouteDef): number {
  const seconds = route.timeoutSeconds ?? 0;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_ROUTE_TIMEOUT_SECONDS) {
    throw new Error(`${route.id}: timeoutSeconds must be a whole number of seconds, 1–${MAX_ROUTE_TIMEOUT_SECONDS}`);
  }
  return seconds;
}

/**
 * Adds routes to the HTTP API from `stack`: SST's `addRoutes(scope, …)` creates each route's
 * function, integration, route and invoke permission in that scope's stack, not in the Api stack.
 */
export function addRouteFunctions(
  api: BallastApi,
  stack: StackContext['stack'],
  routes: readonly RouteDef[],
  ctx: RouteFunctionContext,
): TrackedFunction[] {
  if (!routes.length) return [];
  api.addRoutes(stack, Object.fromEntries(routes.map((route) => [routeKey(route), routeProps(stack, route, ctx)])));
  return routes.map((route) => {
    const fn = api.getFunction(routeKey(route));
    if (!fn) throw new Error(`No function for route ${route.id}`);
    return track(fn, route.id, route.context, ROUTE_TAG);
  });
}

export interface ApiOutputs {
  api: BallastApi;
  authorizer: SstFunction;
  /** the authorizer and the functions of the routes this stack holds */
  functions: TrackedFunction[];
}

/**
 * The HTTP API, its `$default` stage (throttling, JSON access logs), the edge authorizer and the
 * routes the stage itself names. The other routes are added by the route stacks (RouteStack.ts).
 */
export function apiStack(plan: StackPlan) {
  return function Api({ stack }: StackContext): ApiOutputs {
    const stage = stack.stage;
    const settings = stageSettings(stage);
    const ctx = routeFunctionContext(stack);

    const authorizer = new SstFunction(stack, 'Authorizer', {
      functionName: stageNames(stage).functionName('authorizer'),
      handler: sstHandler(AUTHORIZER_HANDLER),
      description: 'Ballast edge authorizer: Cognito access tokens and X-API-Key',
      environment: ctx.environment,
      permissions: authorizerStatements(ctx.targets),
      logGroup: functionLogGroup(stack, stage, 'authorizer'),
    });

    const authorizers: Record<typeof AUTHORIZER_KEY, ApiLambdaAuthorizer> = {
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
    };
    const api: BallastApi = new SstApi(stack, 'Api', {
      authorizers,
      // Fail closed: a route added without thought gets the authorizer (in every route stack too:
      // addRoutes applies these defaults).
      defaults: { authorizer: AUTHORIZER_KEY, throttle: settings.throttle },
      // Allowed origins are data (stacks/cors-origins.json); the header lists are the API's own.
      cors: settings.corsOrigins.length
        ? {
            allowOrigins: settings.corsOrigins,
            allowHeaders: [...CORS_ALLOW_HEADERS],
            exposeHeaders: [...CORS_EXPOSE_HEADERS],
            allowMethods: [...CORS_ALLOW_METHODS],
            maxAge: `${CORS_MAX_AGE_SECONDS} seconds`,
          }
        : false,
      accessLog: { format: ACCESS_LOG_FORMAT, retention: settings.logRetention },
    });
    // The authorizer's API Gateway resource is created under the HTTP API (here) by the first
    // guarded route that binds it, whichever stack that route lives in.

    // The bootstrap route lives here, not in the control route stack: the stage throttles it hard
    // through RouteSettings, which name the route by key, and CloudFormation rejects route settings
    // for a route that does not exist yet. The stage is created in this stack, before any route
    // stack is deployed, so a route in a later stack would not exist when the stage needs it.
    const functions = [
      track(authorizer, 'authorizer', EDGE_GROUP, ROUTE_TAG),
      ...addRouteFunctions(api, stack, plan.apiRoutes, ctx),
    ];

    // (RouteSettings is raw CloudFormation JSON at the L1 level, hence the PascalCase keys.)
    const cfnStage = api.cdk.httpApi.defaultStage?.node.defaultChild as CfnStage | undefined;
    if (!cfnStage) throw new Error('HTTP API has no default stage');
    cfnStage.routeSettings = Object.fromEntries(
      plan.apiRoutes.map((r) => [
        routeKey(r),
        {
          ThrottlingRateLimit: settings.bootstrapThrottle.rate,
          ThrottlingBurstLimit: settings.bootstrapThrottle.burst,
        },
      ]),
    );
    for (const child of stack.node.findAll()) if (child instanceof CfnRoute) cfnStage.addDependency(child);

    new CfnOutput(stack, OUTPUTS.apiUrl, { value: api.url });

    return { api, authorizer, functions };
  };
}
