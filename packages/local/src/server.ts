import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { RouteDef } from '@ballast/platform/http/define-route.js';
import { AppError, toProblem } from '@ballast/platform/errors.js';
import { SECURITY_HEADERS } from '@ballast/platform/http/middlewares/responder/index.js';
import { localCors } from './cors.js';
import { serveLocalDocs } from './docs.js';
import { serveConsole } from './console.js';
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

/** How long a client may take; short in tests, generous enough for a person with curl otherwise. */
export interface LocalTimeouts {
  /** the request line and headers must have arrived within this (default 10 s) → 408 */
  headersMs?: number;
  /** once the headers are in, the whole body must have arrived within this (default 10 s) → 408 */
  bodyMs?: number;
}

const DEFAULT_TIMEOUTS: Required<LocalTimeouts> = { headersMs: 10_000, bodyMs: 10_000 };
const MAX_BODY = 1024 * 1024;
/** read beyond a route's `maxBodyBytes`, so the pipeline (not this server) answers its 413 */
const ROUTE_BODY_SLACK = 64 * 1024;

/** What the local routes need once the runtime is up. */
export interface LocalServerParts {
  jobs: LocalJobs;
  queues: LocalQueues;
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, max = MAX_BODY): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new BodyTooLarge('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The same rule as the platform's request id (platform/http/invoke.ts): the client's when sane, else a new one. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/**
 * Headers every response of the local runtime carries, whoever answers (the local router, the
 * `/_local/*` routes, a timeout): the platform's security headers and the request id.
 */
function baseHeaders(requestId: string): Record<string, string> {
  return { ...SECURITY_HEADERS, 'X-Request-Id': requestId };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  // A timeout may have answered already; a late answer must not throw ERR_HTTP_HEADERS_SENT.
  if (res.headersSent || res.writableEnded) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers });
  res.end(text);
}

/** Titles the platform's Problem Details do not name, for statuses only the local server answers. */
const LOCAL_TITLES: Record<number, string> = { 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

function problemBody(status: number, code: string, detail: string, requestId: string) {
  const body = toProblem(new AppError(status, code, detail), requestId);
  return { ...body, title: LOCAL_TITLES[status] ?? body.title };
}

function problem(
  res: ServerResponse,
  status: number,
  code: string,
  detail: string,
  headers: Record<string, string> = {},
) {
  const sent = res.getHeader('X-Request-Id');
  const requestId = typeof sent === 'string' ? sent : randomUUID();
  send(res, status, problemBody(status, code, detail, requestId), {
    'Content-Type': 'application/problem+json',
    'X-Request-Id': requestId,
    ...headers,
  });
}

/**
 * The request target as a URL, or undefined when it cannot be one (a malformed `%` escape in an
 * absolute-form target, a bad port, `*`). Origin-form targets are read against a fixed base, never
 * the Host header, so a hostile Host cannot break parsing or change the path.
 */
export function parseTarget(target: string | undefined): URL | undefined {
  const raw = target ?? '/';
  try {
    if (raw.startsWith('/')) return new URL(`http://localhost${raw}`);
    if (/^https?:\/\//i.test(raw)) return new URL(raw);
  } catch {
    return undefined;
  }
  return undefined;
}

const SANE_HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

/** HTTP request → API Gateway HTTP API payload v2 event, as the cloud would deliver it. */
export function toEvent(
  req: IncomingMessage,
  url: URL,
  def: RouteDef,
  params: Record<string, string>,
  body: string,
  requestId: string = randomUUID(),
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const now = Date.now();
  const host = headers.host && SANE_HOST.test(headers.host) ? headers.host : 'localhost';
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
      domainName: host,
      domainPrefix: 'local',
      http: {
        method: def.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
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

/** A Lambda result onto the wire, as API Gateway would write it. */
function writeResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  if (res.headersSent || res.writableEnded) return;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['Set-Cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? ''));
}

/** A whole response for a socket the HTTP parser gave up on (no request object to answer through). */
function rawProblem(status: number, code: string, detail: string): string {
  const requestId = randomUUID();
  const body = JSON.stringify(problemBody(status, code, detail, requestId));
  const reason = LOCAL_TITLES[status] ?? (status === 400 ? 'Bad Request' : 'Error');
  const headers: Record<string, string> = {
    ...baseHeaders(requestId),
    'Content-Type': 'application/problem+json',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${status} ${reason}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * Serves the route table through the Lambda entries, plus the local routes (`/_local/*`). Every
 * response carries the security headers and an `X-Request-Id`; a malformed request target is a
 * 400; a client that does not finish its headers or its body in time gets a 408 and the connection
 * is closed (timeouts from `opts.timeouts`, short in tests).
 */
export function createLocalServer(opts: {
  root: string;
  issuer: () => LocalIssuer;
  /** the runtime's parts once it is up; otherwise why not (answered as 503 with that detail) */
  parts: () => LocalServerParts | string;
  timeouts?: LocalTimeouts;
}): Server {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...(opts.timeouts ?? {}) };
  const cors = localCors(opts.root);
  /** sockets whose request reached the handler and whose response is not finished yet */
  const answering = new WeakSet<Duplex>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdOf(req);
    for (const [name, value] of Object.entries(baseHeaders(requestId))) res.setHeader(name, value);
    answering.add(req.socket);
    // The body must arrive in time, whether or not a route reads it: otherwise a half-sent body
    // (Content-Length larger than what comes, a stalled upload) holds the connection with no answer.
    const bodyTimer = setTimeout(() => {
      if (res.headersSent) return;
      res.setHeader('Connection', 'close');
      problem(res, 408, 'REQUEST_TIMEOUT', `The request body did not arrive within ${timeouts.bodyMs} ms`);
    }, timeouts.bodyMs);
    const settled = () => clearTimeout(bodyTimer);
    req.once('end', settled);
    res.once('close', () => {
      settled();
      answering.delete(req.socket);
    });
    void (async () => {
      const url = parseTarget(req.url);
      const method = (req.method ?? 'GET').toUpperCase();
      try {
        if (!url) return problem(res, 400, 'INVALID_URL', 'The request target is not a valid URL');
        const corsVerdict = cors(req, res); // ./cors.ts
        if (corsVerdict instanceof AppError)
          return problem(res, corsVerdict.status, corsVerdict.code, corsVerdict.message);
        if (corsVerdict || (await serveLocalDocs(req, res, url.pathname))) return; // ./docs.ts
        if (await serveConsole(req, res, url.pathname, join(opts.root, 'packages/web/dist'))) return; // ./console.ts
        const parts = opts.parts();
        if (typeof parts === 'string') {
          const starting = parts === 'starting';
          return problem(
            res,
            503,
            starting ? 'LOCAL_STARTING' : 'LOCAL_UNAVAILABLE',
            starting ? 'Ballast is starting; retry in a moment' : parts,
            { 'Retry-After': '1' },
          );
        }
        if (url.pathname === '/_local/jwks.json' && method === 'GET') return send(res, 200, opts.issuer().jwks());
        if (url.pathname === '/_local/token' && method === 'POST') {
          type TokenBody = Record<'sub' | 'tenantId' | 'expiresIn' | 'groups' | 'authTime', unknown>;
          let parsed: TokenBody;
          try {
            parsed = JSON.parse(await readBody(req)) as TokenBody;
            if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('no object');
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
          if (parsed.authTime !== undefined && !Number.isSafeInteger(parsed.authTime))
            return problem(res, 400, 'VALIDATION_FAILED', 'authTime must be a time in epoch seconds');
          try {
            // the runtime's clock (which /_local/tick moves), the one the API checks tokens on
            const { platform } = await import('@ballast/platform/platform.js');
            const nowMs = platform().now();
            const accessToken = await opts.issuer().mint(
              {
                sub: parsed.sub,
                tenantId: parsed.tenantId as string | undefined,
                expiresIn: parsed.expiresIn as string | number | undefined,
                groups: Array.isArray(parsed.groups) ? parsed.groups.map(String) : undefined,
                // a stale login is simulated with an old authTime; by default the login is now
                authTime: parsed.authTime as number | undefined,
              },
              nowMs,
            );
            return send(res, 200, { accessToken, tokenType: 'Bearer' });
          } catch (e) {
            return problem(res, 400, 'VALIDATION_FAILED', (e as Error).message);
          }
        }
        if (url.pathname === '/_local/tick' && method === 'POST') {
          let at: number | undefined;
          let raw: string;
          try {
            raw = await readBody(req);
          } catch (e) {
            if (e instanceof BodyTooLarge) return problem(res, 413, 'BODY_TOO_LARGE', 'Body too large');
            return;
          }
          let rounds: number | undefined;
          if (raw.trim()) {
            let parsed: { at?: unknown; rounds?: unknown };
            try {
              parsed = JSON.parse(raw) as typeof parsed;
            } catch {
              return problem(res, 400, 'INVALID_JSON', 'Body must be JSON like {"at":"2026-03-09T13:30:00Z"}');
            }
            if (parsed.at !== undefined) {
              at = typeof parsed.at === 'string' ? Date.parse(parsed.at) : Number.NaN;
              if (!Number.isFinite(at)) return problem(res, 400, 'VALIDATION_FAILED', 'at must be an ISO 8601 instant');
            }
            // delivery rounds: a test that stops the workers half-way (default: until the queues are idle)
            if (parsed.rounds !== undefined) {
              if (typeof parsed.rounds !== 'number' || !Number.isInteger(parsed.rounds) || parsed.rounds < 0) {
                return problem(res, 400, 'VALIDATION_FAILED', 'rounds must be a non-negative integer');
              }
              rounds = parsed.rounds;
            }
          }
          return send(res, 200, await parts.jobs.tick(at, rounds));
        }
        if (url.pathname === '/_local/queues' && method === 'GET') {
          const depths = Object.fromEntries(
            Object.entries(parts.queues.names).map(([job, n]) => [
              job,
              { queued: parts.queues.depth(n.queue), deadLettered: parts.queues.depth(n.deadLetter) },
            ]),
          );
          return send(res, 200, depths);
        }
        if (url.pathname === '/_local/outbox' && method === 'GET') {
          // what the notifier "sent" (e-mail, push, SMS) in this process, oldest first; ?tenantId=&userId= narrow it
          const { localOutbox } = await import('@ballast/adapters/notifications/outbox.js');
          const tenantId = url.searchParams.get('tenantId') ?? undefined;
          const userId = url.searchParams.get('userId') ?? undefined;
          return send(res, 200, { items: localOutbox.list({ tenantId, userId }) });
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
        // Past the route's own limit (the pipeline answers that one, naming it) the server stops reading.
        const max = Math.max(MAX_BODY, (m.def.maxBodyBytes ?? 0) + ROUTE_BODY_SLACK);
        const declared = Number(req.headers['content-length'] ?? 0);
        if (declared > max) return problem(res, 413, 'BODY_TOO_LARGE', 'Body too large');
        let body: string;
        try {
          body = await readBody(req, max);
        } catch (e) {
          if (e instanceof BodyTooLarge) return problem(res, 413, 'BODY_TOO_LARGE', 'Body too large');
          return; // the client went away, or the body timer has answered already
        }
        if (res.headersSent) return;
        const handler = await handlerFor(m.def, opts.root);
        const result = await handler(toEvent(req, url, m.def, m.params, body, requestId), lambdaContext(m.def));
        writeResult(res, result);
      } catch (e) {
        console.error('local server error', e);
        if (!res.headersSent) problem(res, 500, 'INTERNAL', 'Local runtime error');
        else res.end();
      }
    })();
  };
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      // A backstop behind the body timer in onRequest, which answers first (with the headers above).
      requestTimeout: timeouts.headersMs + timeouts.bodyMs + 1000,
      // Node checks both timeouts on this interval (30 s by default: far too coarse for short timeouts).
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(timeouts.headersMs / 4))),
    },
    onRequest,
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser gave up before a request existed (or a timeout hit one still being read).
    if (err.code === 'ECONNRESET' || !socket.writable || answering.has(socket)) {
      socket.destroy();
      return;
    }
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.end(rawProblem(408, 'REQUEST_TIMEOUT', `The request did not arrive within ${timeouts.headersMs} ms`));
    } else if (err.code === 'HPE_HEADER_OVERFLOW') {
      socket.end(rawProblem(431, 'HEADERS_TOO_LARGE', 'The request headers are too large'));
    } else {
      socket.end(rawProblem(400, 'MALFORMED_REQUEST', 'The request is not valid HTTP/1.1'));
    }
  });

  return server;
}
