import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocal, type LocalRuntime } from '../../packages/local/src/app.js';

// The local runtime's own HTTP edge (not the handlers): malformed targets, half-sent requests and
// the headers on every answer (where it listens: local-lifecycle.test.ts). Timeouts are short here
// and asserted by outcome (a 408 arrives, the connection closes), never by how long anything took.

let rt: LocalRuntime;

beforeAll(async () => {
  rt = await startLocal({
    port: 0,
    inMemory: true,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `t${randomBytes(5).toString('hex')}`,
    minuteTick: false,
    timeouts: { headersMs: 400, bodyMs: 400 },
  });
});
afterAll(async () => {
  await rt?.stop();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** the server closed the connection */
  closed: boolean;
}

/** A chunked body, decoded. */
function unchunk(payload: string): string {
  let out = '';
  let rest = payload;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/**
 * Writes bytes on a raw socket and reads until the server closes it or `waitMs` passes (a bound
 * on waiting for the outcome, not an assertion on time: a missing answer fails on `status`).
 */
function raw(bytes: string, waitMs = 8000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(rt.port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const payload = rest.join('\r\n\r\n');
      const body = headers['transfer-encoding'] === 'chunked' ? unchunk(payload) : payload;
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body, closed });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('error', () => undefined);
  });
}

const get = (target: string, headers = '') =>
  raw(`GET ${target} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`);

function expectLocalHeaders(answer: { status: number; header: (name: string) => string | undefined }, what: string) {
  expect(answer.header('x-content-type-options'), `${what} (${answer.status})`).toBe('nosniff');
  expect(answer.header('cache-control'), `${what} (${answer.status})`).toBe('no-store');
  expect(answer.header('x-frame-options'), `${what} (${answer.status})`).toBe('DENY');
  expect(answer.header('content-security-policy'), `${what} (${answer.status})`).toContain("default-src 'none'");
  expect(answer.header('referrer-policy'), `${what} (${answer.status})`).toBe('no-referrer');
  expect(answer.header('x-request-id'), `${what} (${answer.status})`).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
}
const ofRaw = (a: RawAnswer) => ({ status: a.status, header: (n: string) => a.headers[n] });
const ofFetch = (r: Response) => ({ status: r.status, header: (n: string) => r.headers.get(n) ?? undefined });

describe('local runtime: malformed request targets', () => {
  it('malformed % escapes and unparsable targets → 400 (never a 500 or a crash), and it keeps serving', async () => {
    for (const target of [
      '/v1/portfolios/%',
      '/v1/portfolios/%E0%A4%A',
      '/v1/tenants/%zz/projects',
      'http://%zz/v1/health',
      'http://x:99999/v1/health',
      'http://[::1/v1/health',
      '*',
    ]) {
      const answer = await get(target);
      expect(answer.status, target).toBe(400);
      expect(JSON.parse(answer.body).code, target).toMatch(/^INVALID_(PATH|URL)$/);
      expectLocalHeaders(ofRaw(answer), target);
      expect((await fetch(`${rt.url}/v1/health`)).status, `after ${target}`).toBe(200);
    }
    // A hostile Host header is not the base of the URL: the request is served as usual.
    expect((await get('/v1/health', '')).status).toBe(200);
    const badHost = await raw('GET /v1/health HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n');
    expect([200, 400]).toContain(badHost.status);
    expectLocalHeaders(ofRaw(badHost), 'bad Host');
    expect((await fetch(`${rt.url}/v1/health`)).status).toBe(200);
  });
});

describe('local runtime: a client that does not finish its request gets an answer', () => {
  it('a body shorter than its Content-Length → 408 with the usual headers, and the connection is closed', async () => {
    for (const path of ['/v1/portfolios', '/_local/tick', '/v1/system/bootstrap']) {
      const answer = await raw(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name"`,
      );
      expect(answer.status, path).toBe(408);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
      expectLocalHeaders(ofRaw(answer), path);
      expect(answer.closed, path).toBe(true);
    }
  });

  it('headers that never end → 408 with the usual headers; garbage → 400; the connection is closed', async () => {
    const stalled = await raw('GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(stalled.status).toBe(408);
    expect(JSON.parse(stalled.body).code).toBe('REQUEST_TIMEOUT');
    expectLocalHeaders(ofRaw(stalled), 'stalled headers');
    expect(stalled.closed).toBe(true);
    const garbage = await raw('HELLO THERE\r\n\r\n');
    expect(garbage.status).toBe(400);
    expectLocalHeaders(ofRaw(garbage), 'garbage');
    expect(garbage.closed).toBe(true);
    // and the server still serves
    expect((await fetch(`${rt.url}/v1/health`)).status).toBe(200);
  });
});

describe('local runtime: every response carries the security headers and an X-Request-Id', () => {
  it('the local router (404, 405, 400, 413), the /_local routes and the Lambda routes alike', async () => {
    const token = await rt.issuer.mint({ sub: 'u_operator', tenantId: 't_demo', expiresIn: '5m' });
    const cases: Array<[string, string, RequestInit?]> = [
      ['404 unknown route', '/v1/nothing-here'],
      ['405 wrong method', '/v1/health', { method: 'DELETE' }],
      ['400 malformed escape', '/v1/portfolios/%zz'],
      ['JWKS', '/_local/jwks.json'],
      ['queues', '/_local/queues'],
      ['tick, bad JSON', '/_local/tick', { method: 'POST', body: '{' }],
      ['token', '/_local/token', { method: 'POST', body: JSON.stringify({ sub: 'u_operator', tenantId: 't_demo' }) }],
      ['token, bad body', '/_local/token', { method: 'POST', body: '[' }],
      ['413 declared too large', '/v1/portfolios', { method: 'POST', headers: { 'Content-Length': '2000000' } }],
      ['health (a Lambda route)', '/v1/health'],
      ['401 (a Lambda route)', '/v1/portfolios'],
      [
        '200 (a Lambda route)',
        '/v1/portfolios',
        { headers: { Authorization: `Bearer ${token}`, 'X-Project-Id': 'p_demo' } },
      ],
    ];
    const statuses: number[] = [];
    for (const [what, path, init] of cases) {
      if (what.startsWith('413')) {
        // fetch computes Content-Length itself: declare a large body on a raw socket instead
        const answer = await raw(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n`);
        expect(answer.status, what).toBe(413);
        expectLocalHeaders(ofRaw(answer), what);
        statuses.push(answer.status);
        continue;
      }
      const res = await fetch(`${rt.url}${path}`, init);
      await res.text();
      expectLocalHeaders(ofFetch(res), what);
      statuses.push(res.status);
    }
    expect(statuses).toEqual([404, 405, 400, 200, 200, 400, 200, 400, 413, 200, 401, 200]);
  });

  it('a sane X-Request-Id from the client is the one answered, in the header and in the problem body', async () => {
    for (const path of ['/v1/nothing-here', '/v1/portfolios']) {
      const res = await fetch(`${rt.url}${path}`, { headers: { 'X-Request-Id': 'trace-0123456789' } });
      expect(res.headers.get('x-request-id'), path).toBe('trace-0123456789');
      expect(((await res.json()) as { requestId?: string }).requestId, path).toBe('trace-0123456789');
    }
    const insane = await fetch(`${rt.url}/v1/nothing-here`, { headers: { 'X-Request-Id': 'a b' } });
    expect(insane.headers.get('x-request-id')).not.toBe('a b');
  });
});
