import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { edgeAuthorizer } from '../../packages/platform/src/auth/edge.js';
import { Logger } from '@aws-lambda-powertools/logger';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
const lines: string[] = [];

beforeAll(async () => {
  t = await startRuntime();
  // Capture the platform logger's JSON lines at INFO (the runtime logs at WARN by default).
  const logger = new Logger({ serviceName: 'ballast', logLevel: 'INFO' });
  t.rt.platform.logger = logger;
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    if (s.includes('"service":"ballast"')) {
      lines.push(s);
      return true;
    }
    return write(chunk, ...(rest as []));
  });
  vi.spyOn(console, 'info').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await t.stop();
});

describe('structured logs', () => {
  // Every line carries request id, tenant and user; the token, API key and body secrets never appear;
  // the per-request log keys are cleared between invocations.
  it('carry request id, tenant, user; never token, key or body secrets; keys cleared per invocation', async () => {
    const tok = await t.token('u_operator', 't_demo');
    const r1 = await t.call('GET', '/v1/portfolios', { token: tok, headers: { 'X-Project-Id': 'p_demo' } });
    const r2 = await t.call('GET', '/v1/health');
    const json = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const first = json.find((j) => j.requestId === r1.headers.get('x-request-id'));
    expect(first).toMatchObject({ tenant: 't_demo', user: 'u_operator', route: 'portfolios.list', status: 200 });
    // the Lambda context rides along: which function, which invocation, whether it was a cold start
    expect(first).toMatchObject({ function_name: 'ballast-local-portfolios.list' });
    expect(typeof first?.cold_start).toBe('boolean');
    expect(typeof first?.function_request_id).toBe('string');
    const second = json.find((j) => j.requestId === r2.headers.get('x-request-id'));
    expect(second).toBeDefined();
    expect(second?.tenant).toBeUndefined();
    expect(second?.user).toBeUndefined();
    const all = lines.join('\n');
    expect(all).not.toContain(tok.split('.')[2]);
    expect(all).not.toContain(t.rt.bootstrapKey);
  });
});

describe('edge authorizer', () => {
  const auth = () => edgeAuthorizer(() => t.rt.platform);
  const ev = (headers: Record<string, string>) =>
    ({ headers }) as unknown as Parameters<ReturnType<typeof edgeAuthorizer>>[0];

  it('allows verified tokens and API keys, refuses everything else', async () => {
    const ok = await auth()(ev({ Authorization: `Bearer ${await t.token('u_operator', 't_demo')}` }));
    expect(ok).toEqual({ isAuthorized: true, context: { principal: 'u_operator', kind: 'user' } });
    expect((await auth()(ev({ Authorization: 'Bearer nope' }))).isAuthorized).toBe(false);
    expect((await auth()(ev({}))).isAuthorized).toBe(false);
    const admin = await t.token('u_admin', 't_demo');
    const key = await t.call('POST', '/v1/api-keys', {
      token: admin,
      headers: { 'X-Project-Id': 'p_demo' },
      body: { name: 'edge', tier: 'observer', roles: ['viewer'] },
    });
    expect((await auth()(ev({ 'x-api-key': String(key.body.secret) }))).isAuthorized).toBe(true);
    expect((await auth()(ev({ 'x-api-key': 'bk_k_AAAAAAAAAAAAAAAA_' + 'A'.repeat(43) }))).isAuthorized).toBe(false);
    // a revoked token is stopped at the edge too
    const tok = await t.token('u_operator', 't_demo');
    await t.call('POST', '/v1/auth/logout', { token: tok });
    expect((await auth()(ev({ authorization: `Bearer ${tok}` }))).isAuthorized).toBe(false);
  });
});
