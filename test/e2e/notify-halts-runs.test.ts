import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * Risk halts and failed scheduled runs tell the users who should know, through the notifications
 * port (locally the outbox, GET /_local/outbox), on the channels each chose for the kind
 * (GET|PUT /v1/me/preferences), listed at GET /v1/me/notifications: a halt its account's owner and
 * the tenant's admins, once per move into the halt; a scheduled rebalance or cycle that fails its
 * creator, once per run. The runtime's clock is the test's; tokens are minted on it.
 */

let t: TestRuntime;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `notify-test-${++keySeq}-${Date.now()}`;
/** a Tuesday, mid-morning UTC; moved forward only */
let clock = Date.UTC(2027, 4, 4, 10, 0, 1);
const DEMO = 't_demo';

type Json = Record<string, unknown>;
type Notification = Json & { kind: string; subject: string; body: string; resource?: string; deliveries: Json[] };

async function as(user: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const tenant = user === 'u_acme' ? 't_acme' : DEMO;
  const token = await t.token(user, tenant, '1h');
  const project = user === 'u_acme' ? { 'X-Project-Id': 'p_acme' } : P;
  return t.call(method, path, { token, headers: { ...project, ...headers }, body });
}

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

/** the user's notifications, newest first (GET /v1/me/notifications is tenant-wide: no project) */
async function notificationsOf(user: string, kind?: string): Promise<Notification[]> {
  const tenant = user === 'u_acme' ? 't_acme' : DEMO;
  const token = await t.token(user, tenant, '1h');
  const res = await t.call('GET', '/v1/me/notifications?limit=200', { token });
  expectStatus(res, 200);
  const items = (res.body.items ?? []) as Notification[];
  return kind ? items.filter((n) => n.kind === kind) : items;
}

/** what the outbox sent the user, oldest first */
async function outboxOf(user: string, tenantId = DEMO): Promise<Json[]> {
  const res = await t.call('GET', `/_local/outbox?tenantId=${tenantId}&userId=${user}`);
  expectStatus(res, 200);
  return (res.body.items ?? []) as Json[];
}

async function channels(user: string, kind: string, wanted: { email: boolean; push: boolean; sms: boolean }) {
  const current = await as(user, 'GET', '/v1/me/preferences');
  expectStatus(current, 200);
  const { version: _v, updatedAt: _u, ...prefs } = current.body as Json & { notifications: Json };
  const put = await as(
    user,
    'PUT',
    '/v1/me/preferences',
    { ...prefs, notifications: { ...prefs.notifications, [kind]: wanted } },
    {
      'If-Match': String(current.headers.get('etag')),
    },
  );
  expectStatus(put, 200);
}

async function simAccount(user: string, mode: 'GUIDE' | 'AUTONOMOUS') {
  const r = await as(
    user,
    'POST',
    '/v1/accounts',
    { name: `Notify ${keySeq}`, venue: 'SIMULATION', simulation: { slippageBps: 0 } },
    { 'Idempotency-Key': key() },
  );
  expectStatus(r, 201);
  const accountId = String(r.body.accountId);
  if (mode === 'AUTONOMOUS') {
    const m = await as(
      user,
      'PUT',
      `/v1/accounts/${accountId}/mode`,
      { mode, reason: 'notify' },
      { 'If-Match': '"1"' },
    );
    expectStatus(m, 200);
  }
  return { accountId, portfolioId: String(r.body.portfolioId) };
}

const halt = (user: string, body: Json) => as(user, 'POST', '/v1/risk/halt', body);
const reset = (accountId: string) =>
  as('u_admin', 'POST', '/v1/risk/emergency/reset', { accountId, reason: 'reviewed the halt' });
const haltsOf = async (user: string, accountId: string) =>
  (await notificationsOf(user, 'risk.halt')).filter((n) => n.resource === `accounts/${accountId}`);
const delivered = (n: Notification) => n.deliveries.map((d) => [d.channel, d.status]);

const tick = async () => {
  const r = await t.call('POST', '/_local/tick', { body: { at: new Date(clock).toISOString() } });
  expectStatus(r, 200);
  return r.body as Json & { failed: Record<string, number> };
};

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  // the admin wants halts by push and SMS only; the owner keeps the defaults (every channel)
  await channels('u_admin', 'risk.halt', { email: false, push: true, sms: true });
});
afterAll(async () => {
  await t.stop();
});

describe('a risk halt tells its account’s owner and the tenant’s admins, once per halt', () => {
  it('by hand: one each on their channels; again while halted none; after a reset, one more', async () => {
    const { accountId } = await simAccount('u_operator', 'GUIDE');
    const halted = await halt('u_navigator', { accountId, reason: 'earnings surprise' });
    expectStatus(halted, 200);
    expect(halted.body.halted).toEqual([{ accountId, tradingState: 'HALTED' }]);

    const [owner] = await haltsOf('u_operator', accountId);
    expect(await haltsOf('u_operator', accountId)).toHaveLength(1);
    expect(owner).toMatchObject({ kind: 'risk.halt', resource: `accounts/${accountId}` });
    expect(owner.subject).toContain('halted');
    expect(owner.body).toContain('halted by u_navigator: earnings surprise');
    expect(owner.body).toContain('POST /v1/risk/emergency/reset');
    expect(delivered(owner)).toEqual([
      ['email', 'sent'],
      ['push', 'sent'],
      ['sms', 'sent'],
    ]);
    const admin = await haltsOf('u_admin', accountId);
    expect(admin).toHaveLength(1);
    // the admin turned e-mail off for halts: push and SMS only
    expect(delivered(admin[0])).toEqual([
      ['push', 'sent'],
      ['sms', 'sent'],
    ]);
    // the trader who halted it is neither owner nor admin: told nothing
    expect(await haltsOf('u_navigator', accountId)).toEqual([]);
    const sentAdmin = (await outboxOf('u_admin')).filter((m) => m.notificationId === admin[0].notificationId);
    expect(sentAdmin.map((m) => m.channel)).toEqual(['push', 'sms']);
    const sentOwner = (await outboxOf('u_operator')).filter((m) => m.notificationId === owner.notificationId);
    expect(sentOwner.map((m) => [m.kind, m.channel])).toEqual([
      ['risk.halt', 'email'],
      ['risk.halt', 'push'],
      ['risk.halt', 'sms'],
    ]);

    // halting a halted account (or asking it to reduce) is no new halt: nobody is told again
    expectStatus(await halt('u_operator', { accountId, reason: 'again' }), 200);
    expectStatus(await halt('u_operator', { accountId, reason: 'reduce', reduceOnly: true }), 200);
    expect(await haltsOf('u_operator', accountId)).toHaveLength(1);
    expect(await haltsOf('u_admin', accountId)).toHaveLength(1);

    // reset (the resume), then halted again: one more each
    clock += 60_000;
    expectStatus(await reset(accountId), 200);
    expect(await haltsOf('u_operator', accountId)).toHaveLength(1);
    clock += 60_000;
    expectStatus(await halt('u_operator', { accountId, reason: 'second look', reduceOnly: true }), 200);
    const again = await haltsOf('u_operator', accountId);
    expect(again).toHaveLength(2);
    expect(again[0].subject).toContain('reduced to closing orders'); // newest first
    expect(again[0].body).toContain('halted by u_operator: second look');
    expect(await haltsOf('u_admin', accountId)).toHaveLength(2);
    // REDUCING → HALTED restricts further: a halt too
    clock += 60_000;
    expectStatus(await halt('u_operator', { accountId, reason: 'stop everything' }), 200);
    expect(await haltsOf('u_operator', accountId)).toHaveLength(3);
    expect(await haltsOf('u_admin', accountId)).toHaveLength(3);
  });

  it('tripped by the drawdown check: the same, with the breaker’s reason; further prices tell no one', async () => {
    const { accountId } = await simAccount('u_operator', 'AUTONOMOUS');
    const price = (value: string) =>
      as('u_operator', 'POST', `/v1/accounts/${accountId}/prices`, { prices: [{ symbol: 'BND', price: value }] });
    expectStatus(await price('100'), 200);
    expectStatus(
      await as(
        'u_operator',
        'POST',
        '/v1/orders',
        { accountId, symbol: 'BND', side: 'buy', quantity: '100' },
        { 'Idempotency-Key': key() },
      ),
      201,
    );
    expect((await price('90')).body.tradingState).toBe('ACTIVE');
    expect(await haltsOf('u_operator', accountId)).toEqual([]);
    expect((await price('85')).body.tradingState).toBe('HALTED');
    const [owner, ...more] = await haltsOf('u_operator', accountId);
    expect(more).toEqual([]);
    expect(owner.body).toMatch(/drawdown/i);
    expect(await haltsOf('u_admin', accountId)).toHaveLength(1);
    expect((await price('80')).body.tradingState).toBe('HALTED');
    const refused = await as(
      'u_operator',
      'POST',
      '/v1/orders',
      { accountId, symbol: 'BND', side: 'buy', quantity: '1' },
      { 'Idempotency-Key': key() },
    );
    expectStatus(refused, 422, 'RISK_REJECTED');
    expect(await haltsOf('u_operator', accountId)).toHaveLength(1);
    expect(await haltsOf('u_admin', accountId)).toHaveLength(1);
  });

  it('a tenant whose trading settings turn halt notices off is told nothing', async () => {
    const current = await as('u_admin', 'GET', '/v1/trading/settings');
    const off = await as(
      'u_admin',
      'PUT',
      '/v1/trading/settings',
      { notifications: { riskHalt: false } },
      { 'If-Match': String(current.headers.get('etag')) },
    );
    expectStatus(off, 200);
    try {
      const { accountId } = await simAccount('u_operator', 'GUIDE');
      expectStatus(await halt('u_operator', { accountId, reason: 'quietly' }), 200);
      expect(await haltsOf('u_operator', accountId)).toEqual([]);
      expect(await haltsOf('u_admin', accountId)).toEqual([]);
    } finally {
      const now = await as('u_admin', 'GET', '/v1/trading/settings');
      expectStatus(
        await as('u_admin', 'PUT', '/v1/trading/settings', {}, { 'If-Match': String(now.headers.get('etag')) }),
        200,
      );
    }
  });
});

describe('a failed scheduled run tells its creator, once per run', () => {
  it('a schedule whose run cannot propose tells its creator why, once; by hand, no one', async () => {
    // a portfolio with nothing in it: its proposal fails (NOTHING_TO_REBALANCE)
    const pf = await as(
      'u_navigator',
      'POST',
      '/v1/portfolios',
      { name: 'Empty', baseCurrency: 'USD', cash: '0.00' },
      { 'Idempotency-Key': key() },
    );
    expectStatus(pf, 201);
    const portfolioId = String(pf.body.portfolioId);
    const category = await as('u_navigator', 'POST', `/v1/portfolios/${portfolioId}/categories`, {
      name: 'Equities',
      code: 'EQ',
      type: 'equity',
      targetPct: '100',
    });
    expectStatus(category, 201);
    const schedule = await as('u_navigator', 'POST', `/v1/portfolios/${portfolioId}/rebalance/schedules`, {
      name: 'Morning look',
      frequency: 'daily',
      timeOfDay: '10:30',
      timezone: 'UTC',
    });
    expectStatus(schedule, 201);
    expect(schedule.body.createdBy).toBe('u_navigator');
    const scheduleId = String(schedule.body.scheduleId);
    const failedRuns = async () =>
      (await notificationsOf('u_navigator', 'schedule.failed')).filter((n) =>
        n.resource?.startsWith(`portfolios/${portfolioId}/rebalance/executions/`),
      );

    // by hand, the same proposal is a 422 to its caller, and nobody is notified
    const manual = await as('u_navigator', 'POST', `/v1/portfolios/${portfolioId}/rebalance/proposals`, {});
    expect(manual.status, manual.text).toBe(422);
    expect(await failedRuns()).toEqual([]);

    clock = Date.UTC(2027, 4, 4, 10, 30, 5);
    const ran = await tick();
    expect(ran.failed['planning.rebalance-run'] ?? 0).toBe(0);
    const executions = await as('u_navigator', 'GET', `/v1/portfolios/${portfolioId}/rebalance/executions`);
    const [run] = (executions.body.items ?? []) as Json[];
    expect(run).toMatchObject({ status: 'failed', scheduleId });
    const told = await failedRuns();
    expect(told).toHaveLength(1);
    expect(told[0].resource).toBe(`portfolios/${portfolioId}/rebalance/executions/${String(run.executionId)}`);
    expect(told[0].subject).toContain('Morning look');
    expect(told[0].body).toContain(String((run.error as Json).code));
    expect(delivered(told[0])).toEqual([
      ['email', 'sent'],
      ['push', 'sent'],
    ]);
    // another tick in the same slot runs nothing more and tells no one again
    clock += 20_000;
    await tick();
    expect(await failedRuns()).toHaveLength(1);
    // the owner of the tenant's other accounts, its admin: told nothing of it
    expect(
      (await notificationsOf('u_admin', 'schedule.failed')).filter((n) => n.resource?.includes(portfolioId)),
    ).toEqual([]);
    // the next day's run fails again: told again
    clock = Date.UTC(2027, 4, 5, 10, 30, 5);
    await tick();
    expect(await failedRuns()).toHaveLength(2);
  });

  it('a playbook whose scheduled cycle fails: its creator is told once per cycle; by hand, no one', async () => {
    clock = Date.UTC(2027, 4, 5, 11, 10, 1);
    const { accountId } = await simAccount('u_operator', 'GUIDE');
    // no candles of this symbol are stored: the strategy step fails (NOT_ENOUGH_CANDLES)
    const made = await as(
      'u_navigator',
      'POST',
      '/v1/playbooks',
      {
        name: 'No data',
        strategy: 'buyAndHold',
        interval: '1day',
        symbol: 'NTFAIL',
        accountId,
        schedule: { kind: 'interval', every: '1h' },
      },
      { 'Idempotency-Key': key() },
    );
    expectStatus(made, 201);
    const playbookId = String(made.body.playbookId);
    expectStatus(await as('u_navigator', 'POST', `/v1/playbooks/${playbookId}/activate`, {}), 200);
    const failedCycles = async () =>
      (await notificationsOf('u_navigator', 'schedule.failed')).filter((n) => n.body.includes(playbookId));

    const manual = await as(
      'u_navigator',
      'POST',
      '/v1/automation/cycles',
      { playbookId },
      { 'Idempotency-Key': key() },
    );
    expectStatus(manual, 201);
    expect(manual.body).toMatchObject({ status: 'failed', code: 'NOT_ENOUGH_CANDLES' });
    expect(await failedCycles()).toEqual([]);

    clock = Date.UTC(2027, 4, 5, 12, 0, 5);
    await tick();
    const cycles = await as('u_navigator', 'GET', `/v1/automation/cycles?playbookId=${playbookId}`);
    const scheduled = ((cycles.body.items ?? []) as Json[]).filter((c) => c.source === 'schedule');
    expect(scheduled.map((c) => [c.status, c.code])).toEqual([['failed', 'NOT_ENOUGH_CANDLES']]);
    const told = await failedCycles();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({
      kind: 'schedule.failed',
      resource: `automation/cycles/${String(scheduled[0].cycleId)}`,
    });
    expect(told[0].body).toContain('NOT_ENOUGH_CANDLES');
    // the account's owner did not set the playbook up: told nothing
    expect((await notificationsOf('u_operator', 'schedule.failed')).filter((n) => n.body.includes(playbookId))).toEqual(
      [],
    );
    clock += 20_000;
    await tick();
    expect(await failedCycles()).toHaveLength(1);
  });

  it('a DCA rule whose buy the risk gate refuses (its account is halted): its creator is told, once', async () => {
    clock = Date.UTC(2027, 4, 5, 12, 30, 1);
    const { accountId, portfolioId } = await simAccount('u_operator', 'GUIDE');
    expectStatus(
      await as('u_operator', 'POST', `/v1/accounts/${accountId}/prices`, {
        prices: [{ symbol: 'AAPL', price: '100' }],
      }),
      200,
    );
    const rule = await as(
      'u_navigator',
      'POST',
      `/v1/portfolios/${portfolioId}/rules`,
      {
        kind: 'dca',
        accountId,
        symbol: 'AAPL',
        amount: '500',
        frequency: 'daily',
        timeOfDay: '13:00',
        timezone: 'UTC',
      },
      { 'Idempotency-Key': key() },
    );
    expectStatus(rule, 201);
    expect(rule.body.createdBy).toBe('u_navigator');
    const ruleId = String(rule.body.ruleId);
    expectStatus(await halt('u_operator', { accountId, reason: 'no buying today' }), 200);
    const failedRuns = async () =>
      (await notificationsOf('u_navigator', 'schedule.failed')).filter((n) => n.resource?.includes(ruleId));

    clock = Date.UTC(2027, 4, 5, 13, 0, 5);
    const ran = await tick();
    expect(ran.failed['planning.dca-run'] ?? 0).toBe(0);
    const runs = await as('u_navigator', 'GET', `/v1/portfolios/${portfolioId}/rules/${ruleId}/runs`);
    expect(((runs.body.items ?? []) as Json[]).map((r) => r.outcome)).toEqual(['failed']);
    const told = await failedRuns();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ resource: `portfolios/${portfolioId}/rules/${ruleId}/runs` });
    expect(told[0].subject).toBe('DCA rule on AAPL failed');
    expect(told[0].body).toContain('RISK_REJECTED');
    // the account's owner was told of the halt, not of the rule's run
    expect(
      (await notificationsOf('u_operator', 'schedule.failed')).filter((n) => n.resource?.includes(ruleId)),
    ).toEqual([]);
    clock += 20_000;
    await tick();
    expect(await failedRuns()).toHaveLength(1);
  });

  it('another tenant’s user sees none of it', async () => {
    expect(await notificationsOf('u_acme')).toEqual([]);
    expect(await outboxOf('u_acme', 't_acme')).toEqual([]);
    expect(await outboxOf('u_operator', 't_acme')).toEqual([]);
  });
});
