import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
// A pinned clock keeps all requests in one rate-limit window whatever the wall time does.
let clock = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
const P = { 'X-Project-Id': 'p_demo' };

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
});
afterAll(async () => {
  await t.stop();
});

describe('per-tier rate limits (counted in DynamoDB)', () => {
  it('the 31st observer request in a minute → 429 with Retry-After; the next minute is open again', async () => {
    const tok = await t.token('u_observer', 't_demo');
    for (let i = 1; i <= 30; i++) {
      const r = await t.call('GET', '/v1/portfolios', { token: tok, headers: P });
      expect(r.status, `request ${i}`).toBe(200);
      expect(r.headers.get('ratelimit-limit')).toBe('30');
      expect(r.headers.get('ratelimit-remaining')).toBe(String(30 - i));
    }
    const r31 = await t.call('GET', '/v1/portfolios', { token: tok, headers: P });
    expect(r31.status).toBe(429);
    expect(r31.body.code).toBe('RATE_LIMITED');
    expect(Number(r31.headers.get('retry-after'))).toBe(59);
    expect(r31.headers.get('ratelimit-remaining')).toBe('0');

    // Another principal of the same tenant has its own budget.
    expect(
      (await t.call('GET', '/v1/portfolios', { token: await t.token('u_navigator', 't_demo'), headers: P })).status,
    ).toBe(200);

    clock += 60_000;
    expect((await t.call('GET', '/v1/portfolios', { token: tok, headers: P })).status).toBe(200);
  });

  it('limits follow the tier in the membership record and the configuration data', async () => {
    const r = await t.call('GET', '/v1/me', { token: await t.token('u_sovereign', 't_demo'), headers: P });
    expect(r.headers.get('ratelimit-limit')).toBe('240');
    const n = await t.call('GET', '/v1/me', { token: await t.token('u_navigator', 't_demo'), headers: P });
    expect(n.headers.get('ratelimit-limit')).toBe('60');
  });
});
