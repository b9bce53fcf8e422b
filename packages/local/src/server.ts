import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { RouteDef } from '@ballast/platform/http/define-route.js';
import type { LocalIssuer } from './issuer.js';
import type { LocalJobs } from './jobs.js';
import type { LocalQueues } from './queues.js';
import { match } from './router.js';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const handlers = new Map<string, Promise<Handler>>();

/** Loads the route's Lambda entry module — the same file Lambda runs. */
function handlerFor(def: RouteDef, root: string): Promise<Handler> {
  let h = handlers.get(def.id);
  if (!h) {
    h = import(pathToFileURL(join(root, def.handler)).href).then((m: { handler: Handler }) => m.handler);
    handlers.set(def.id, h);
  }
  return h;
}

async function readBody(req: IncomingMessage, max = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers });
  res.end(text);
}

function problem(
  res: ServerResponse,
  status: number,
  code: string,
  detail: string,
  headers: Record<string, string> = {},
) {
  const requestId = randomUUID();
  send(
    res,
    status,
    {
      type: `https://ballast.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
      title: code,
      status,
      detail,
      code,
      requestId,
    },
    {
      'Content-Type': 'application/problem+json',
      'X-Request-Id': requestId,
      ...headers,
    },
  );
}

/** HTTP request → API Gateway HTTP API payload v2 event, as the cloud would deliver it. */
export function toEvent(
  req: IncomingMessage,
  url: URL,
  def: RouteDef,
  params: Record<string, string>,
  body: string,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${def.method} ${def.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(params).length ? params : undefined,
    body: body === '' ? undefined : body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: def.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${def.method} ${def.path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
  };
}

export function lambdaContext(def: RouteDef): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `ballast-local-${def.id}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:ballast-local-${def.id}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/ballast-local-${def.id}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Serves the route table through the Lambda entries, plus the local issuer's two routes. */
export function createLocalServer(opts: {
  root: string;
  issuer: () => LocalIssuer;
  jobs: LocalJobs;
  queues: LocalQueues;
}): Server {
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      const method = (req.method ?? 'GET').toUpperCase();
      try {
        if (url.pathname === '/_local/jwks.json' && method === 'GET') return send(res, 200, opts.issuer().jwks());
        if (url.pathname === '/_local/token' && method === 'POST') {
          let parsed: { sub?: unknown; tenantId?: unknown; expiresIn?: unknown; groups?: unknown };
          try {
            parsed = JSON.parse(await readBody(req)) as typeof parsed;
          } catch {
            return problem(
              res,
              400,
              'INVALID_JSON',
              'Body must be JSON like {"sub":"u_operator","tenantId":"t_demo","expiresIn":"30m"}',
            );
          }
          if (typeof parsed.sub !== 'string' || !parsed.sub)
            return problem(res, 400, 'VALIDATION_FAILED', 'sub (a user id) is required');
          if (parsed.tenantId !== undefined && typeof parsed.tenantId !== 'string')
            return problem(res, 400, 'VALIDATION_FAILED', 'tenantId must be a string');
          if (
            parsed.expiresIn !== undefined &&
            typeof parsed.expiresIn !== 'string' &&
            typeof parsed.expiresIn !== 'number'
          )
            return problem(res, 400, 'VALIDATION_FAILED', 'expiresIn must be like "30m"');
          try {
            const accessToken = await opts.issuer().mint({
              sub: parsed.sub,
              tenantId: parsed.tenantId as string | undefined,
              expiresIn: parsed.expiresIn as string | number | undefined,
              groups: Array.isArray(parsed.groups) ? parsed.groups.map(String) : undefined,
            });
            return send(res, 200, { accessToken, tokenType: 'Bearer' });
          } catch (e) {
            return problem(res, 400, 'VALIDATION_FAILED', (e as Error).message);
          }
        }
        if (url.pathname === '/_local/tick' && method === 'POST') {
          let at: number | undefined;
          const raw = await readBody(req);
          if (raw.trim()) {
            let parsed: { at?: unknown };
            try {
              parsed = JSON.parse(raw) as typeof parsed;
            } catch {
              return problem(res, 400, 'INVALID_JSON', 'Body must be JSON like {"at":"2026-03-09T13:30:00Z"}');
            }
            if (parsed.at !== undefined) {
              at = typeof parsed.at === 'string' ? Date.parse(parsed.at) : Number.NaN;
              if (!Number.isFinite(at)) return problem(res, 400, 'VALIDATION_FAILED', 'at must be an ISO 8601 instant');
            }
          }
          return send(res, 200, await opts.jobs.tick(at));
        }
        if (url.pathname === '/_local/queues' && method === 'GET') {
          const depths = Object.fromEntries(
            Object.entries(opts.queues.names).map(([job, n]) => [
              job,
              { queued: opts.queues.depth(n.queue), deadLettered: opts.queues.depth(n.deadLetter) },
            ]),
          );
          return send(res, 200, depths);
        }
        let m: ReturnType<typeof match>;
        try {
          m = match(method, url.pathname);
        } catch {
          return problem(res, 400, 'INVALID_PATH', 'The path has a malformed % escape');
        }
        if (!m) return problem(res, 404, 'ROUTE_NOT_FOUND', `No route ${method} ${url.pathname}`);
        if ('methodNotAllowed' in m)
          return problem(res, 405, 'METHOD_NOT_ALLOWED', `Use ${m.methodNotAllowed.join(', ')}`, {
            Allow: m.methodNotAllowed.join(', '),
          });
        let body: string;
        try {
          body = await readBody(req);
        } catch {
          return problem(res, 413, 'BODY_TOO_LARGE', 'Body too large');
        }
        const handler = await handlerFor(m.def, opts.root);
        const result = await handler(toEvent(req, url, m.def, m.params, body), lambdaContext(m.def));
        res.writeHead(result.statusCode ?? 200, (result.headers ?? {}) as Record<string, string>);
        res.end(result.body ?? '');
      } catch (e) {
        console.error('local server error', e);
        if (!res.headersSent) problem(res, 500, 'INTERNAL', 'Local runtime error');
        else res.end();
      }
    })();
  });
}
