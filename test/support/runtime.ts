import { randomBytes } from 'node:crypto';
import { inject, expect } from 'vitest';
import { startLocal, type LocalRuntime } from '../../packages/local/src/app.js';
import { match } from '../../packages/local/src/router.js';
import { resolveSchema } from '../../packages/platform/src/schemas/lazy.js';
import {
  type BallastClient,
  type BallastClientOptions,
  createBallastClient,
  type Middleware,
} from '../../packages/client/src/index.js';

export interface CallResult {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & {
    items?: Array<Record<string, unknown>>;
    code?: string;
    errors?: Array<{ path: string; message: string }>;
  };
  text: string;
}

export interface CallOptions {
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
}

export interface TestRuntime {
  rt: LocalRuntime;
  /** a token minted on the runtime's clock; `authTime` (epoch s) simulates an older login */
  token(sub: string, tenantId?: string, expiresIn?: string, o?: { authTime?: number }): Promise<string>;
  call(method: string, path: string, o?: CallOptions): Promise<CallResult>;
  /**
   * The typed client (packages/client) on this runtime: a call the contract does not allow is a type
   * error; every answer is checked like `call`'s (never a 500, a success as its route declares it).
   */
  client(o?: Omit<BallastClientOptions, 'baseUrl'>): BallastClient;
  stop(): Promise<void>;
}

/**
 * A success response must be one its route declares: a declared status, a body its schema
 * accepts, and the headers it promises. (Handlers are typed against the same schemas; this
 * catches what types cannot, such as a stored item with an extra or missing field.)
 */
function expectDeclaredResponse(method: string, path: string, status: number, headers: Headers, text: string) {
  if (status < 200 || status >= 300) return;
  const found = match(method, new URL(path, 'http://x').pathname);
  if (!found || !('def' in found)) return;
  const spec = found.def.responses[status];
  expect(spec, `${found.def.id} answered ${status}, which it does not declare`).toBeDefined();
  for (const name of spec.headers ?? []) expect(headers.get(name), `${found.def.id}: header ${name}`).toBeTruthy();
  if (!spec.body) {
    expect(text, `${found.def.id} declares no body for ${status}`).toBe('');
    return;
  }
  // a text response (the docs page) is its string; JSON otherwise
  const parsed = resolveSchema(spec.body).safeParse(spec.contentType ? text : JSON.parse(text));
  expect(
    parsed.success,
    `${found.def.id} ${status} body does not match its schema: ${JSON.stringify(parsed.error?.issues)}`,
  ).toBe(true);
}

/**
 * The local runtime on a random port, over the run's shared DynamoDB Local, with tables of this
 * test file's own. Every call asserts the API never answered 500 (a 500 is a bug).
 */
export async function startRuntime(
  opts: { now?: () => number; metricsSink?: (line: string) => void; tablePrefix?: string } = {},
): Promise<TestRuntime> {
  const rt = await startLocal({
    port: 0,
    inMemory: true,
    dynamoEndpoint: inject('dynamoEndpoint'),
    // the same prefix again is a restart on the data the last runtime left
    tablePrefix: opts.tablePrefix ?? `t${randomBytes(5).toString('hex')}`,
    now: opts.now,
    minuteTick: false,
    metricsSink: opts.metricsSink,
  });
  const call = async (method: string, path: string, o: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.Authorization = `Bearer ${o.token}`;
    if (o.apiKey) headers['X-API-Key'] = o.apiKey;
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(`${rt.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: CallResult['body'] = {};
    if (text) {
      try {
        parsed = JSON.parse(text) as CallResult['body'];
      } catch {
        parsed = {};
      }
    }
    expect(res.status, `${method} ${path} answered 500: ${text}`).not.toBe(500);
    expectDeclaredResponse(method, path, res.status, res.headers, text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
  const checked: Middleware = {
    async onResponse({ request, response }) {
      const text = await response.clone().text();
      const url = new URL(request.url);
      expect(response.status, `${request.method} ${url.pathname} answered 500: ${text}`).not.toBe(500);
      expectDeclaredResponse(request.method, url.pathname, response.status, response.headers, text);
    },
  };
  const client = (o: Omit<BallastClientOptions, 'baseUrl'> = {}) => {
    const c = createBallastClient({ baseUrl: rt.url, ...o });
    c.use(checked);
    return c;
  };
  return {
    rt,
    token: (sub, tenantId, expiresIn, o) =>
      rt.issuer.mint({ sub, tenantId, expiresIn, authTime: o?.authTime }, rt.platform.now()),
    call,
    client,
    stop: () => rt.stop(),
  };
}
