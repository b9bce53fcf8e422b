import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What every fake vendor server shares: a node:http server on 127.0.0.1 (port 0: the system picks
 * a free one), a count of hits by path, a log of recent requests, and scripted answers that take
 * precedence over the vendor's own behaviour: "the next 3 requests get a 429", "500 forever",
 * "answer after 2 s", "drop the connection". Request bodies are read before the handler runs
 * (`body`, and `json` when it parses), so fakes of write APIs (POST/PATCH/DELETE) see them; a
 * handler holding its answer can watch `signal`, aborted when the client leaves or the server closes.
 */

export interface FakeResponse {
  status: number;
  /** sent as JSON unless it is a string */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ScriptedResponse extends FakeResponse {
  /** wait this long before answering (for timeout tests) */
  delayMs?: number;
  /** close the socket without an answer (a network failure, as the client sees it) */
  dropConnection?: boolean;
}

/** a path, which also matches the paths below it ('/v2/aggs' matches '/v2/aggs/ticker/…'), or a pattern */
export type PathMatcher = string | RegExp;

export interface Script {
  /** any path when absent */
  path?: PathMatcher;
  /** how many matching requests get this answer (Infinity for all of them) */
  times: number;
  respond: ScriptedResponse;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** the request body as text, when it had one */
  body?: string;
  /** the body parsed as JSON, when it is JSON */
  json?: unknown;
  /** aborted when the client goes away before its answer, or the server closes */
  signal?: AbortSignal;
}

export interface FakeVendorServer {
  /** e.g. http://127.0.0.1:40123 (no trailing slash) */
  readonly url: string;
  /** queues a scripted answer; scripts are tried in the order they were added */
  script(script: Script): void;
  /** drops every script not used up yet */
  clearScripts(): void;
  /** requests received (scripted ones too) whose path matches, or all of them */
  hits(path?: PathMatcher): number;
  /** the most recent requests, oldest first (a bounded log) */
  readonly requests: readonly FakeRequest[];
  close(): Promise<void>;
}

export type FakeHandler = (request: FakeRequest, baseUrl: string) => FakeResponse | Promise<FakeResponse>;

export interface FakeServerOptions {
  /** sees every request as it arrives, before any script answers it */
  onRequest?: (request: FakeRequest) => void;
}

const MAX_LOGGED_REQUESTS = 1000;
/** bodies past this are refused with a 413: a fake has no business buffering more */
const MAX_BODY_BYTES = 1_000_000;
const MAX_COUNTED_PATHS = 10_000;

export function pathMatches(matcher: PathMatcher | undefined, path: string): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher !== 'string') return matcher.test(path);
  return path === matcher || path.startsWith(matcher.endsWith('/') ? matcher : `${matcher}/`);
}

function send(res: ServerResponse, answer: FakeResponse): void {
  if (res.destroyed || res.writableEnded) return; // the client gave up (a timeout) or we closed
  const text =
    typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body);
  const type = typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  if (answer.status === 204 || answer.status === 304) {
    res.writeHead(answer.status, { ...answer.headers }); // no body, so no type
    res.end();
    return;
  }
  res.writeHead(answer.status, { 'Content-Type': type, ...answer.headers });
  res.end(text);
}

export async function startFakeServer(
  handler: FakeHandler,
  options: FakeServerOptions = {},
): Promise<FakeVendorServer> {
  const scripts: Script[] = [];
  /** one per request still waiting for its answer: aborted when the server closes */
  const pending = new Set<AbortController>();
  const counts = new Map<string, number>();
  const requests: FakeRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';

  const takeScript = (path: string): ScriptedResponse | undefined => {
    const index = scripts.findIndex((s) => s.times > 0 && pathMatches(s.path, path));
    if (index < 0) return undefined;
    const found = scripts[index];
    found.times -= 1;
    if (found.times <= 0) scripts.splice(index, 1);
    return found.respond;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => req.socket.destroy());
    req.on('end', () => {
      if (tooLarge) {
        send(res, { status: 413, body: { error: 'request body too large' } });
        return;
      }
      const body = chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined;
      const gone = new AbortController();
      pending.add(gone);
      res.on('close', () => {
        pending.delete(gone);
        // the client went away before its answer was written (a timeout, as the client sees it)
        if (!res.writableFinished) gone.abort();
      });
      handle(req, res, body, gone.signal);
    });
  });

  const handle = (req: IncomingMessage, res: ServerResponse, body: string | undefined, signal: AbortSignal) => {
    const url = new URL(req.url ?? '/', baseUrl);
    let json: unknown;
    if (body !== undefined) {
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
    }
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      ...(body === undefined ? {} : { body, json }),
      signal,
    };
    options.onRequest?.(request);
    counts.set(request.path, (counts.get(request.path) ?? 0) + 1);
    if (counts.size > MAX_COUNTED_PATHS) counts.delete(counts.keys().next().value as string);
    requests.push(request);
    if (requests.length > MAX_LOGGED_REQUESTS) requests.shift();

    const scripted = takeScript(request.path);
    if (scripted?.dropConnection) {
      req.socket.destroy();
      return;
    }
    const answer = async (): Promise<FakeResponse> => {
      if (scripted) return scripted;
      try {
        return await handler(request, baseUrl);
      } catch (e) {
        return { status: 500, body: { error: `the fake failed: ${(e as Error).message}` } };
      }
    };
    const respond = () => {
      answer().then(
        (a) => send(res, a),
        () => send(res, { status: 500, body: { error: 'the fake failed' } }),
      );
    };
    if (scripted?.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, scripted.delayMs);
      timers.add(timer);
    } else {
      respond();
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    script: (script) => {
      if (!(script.times > 0)) throw new RangeError('a script answers at least once');
      scripts.push({ ...script });
    },
    clearScripts: () => {
      scripts.length = 0;
    },
    hits: (path) => {
      let total = 0;
      for (const [seen, count] of counts) if (pathMatches(path, seen)) total += count;
      return total;
    },
    requests,
    close: async () => {
      for (const controller of pending) controller.abort();
      pending.clear();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The API key a request carries: an `Authorization: <scheme> <key>` header or a query parameter. */
export function keyOf(request: FakeRequest, scheme: string, queryName: string): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const [given, ...rest] = header.trim().split(/\s+/);
    if (given?.toLowerCase() === scheme.toLowerCase() && rest.length === 1) return rest[0];
  }
  return request.query.get(queryName) ?? undefined;
}

/**
 * A per-key allowance each minute of `now` (epoch ms): spends `cost` when the minute has room,
 * else says how much was asked in all. Minutes past are forgotten, so it stays small.
 */
export function minuteAllowance(perMinute: number | undefined, now: () => number) {
  const spent = new Map<string, { minute: number; used: number }>();
  return (key: string, cost: number): { ok: true } | { ok: false; wanted: number; limit: number } => {
    if (perMinute === undefined) return { ok: true };
    const minute = Math.floor(now() / 60_000);
    const current = spent.get(key);
    const used = current && current.minute === minute ? current.used : 0;
    if (used + cost > perMinute) return { ok: false, wanted: used + cost, limit: perMinute };
    spent.set(key, { minute, used: used + cost });
    return { ok: true };
  };
}
