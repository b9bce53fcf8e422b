import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRuntime, type CallResult, type TestRuntime } from '../support/runtime.js';

/**
 * The feedback loop over HTTP: a playbook's closed round trips (its cycles' buys, closed by their
 * brackets) judged against its backtest; too few trades or winning ones → monitor; five scripted
 * losses on an AUTONOMOUS SIMULATION account → disable, the strategy's budget at zero, and the
 * gate refusing the playbook's next cycle at `strategyBudget`; decisions, snapshots and the audit
 * listed; the daily run on the jobs spine; thresholds per tenant; other tenants' ids → 404.
 */

let t: TestRuntime;
const P = { 'X-Project-Id': 'p_demo' };
let keySeq = 0;
const key = () => `feedback-test-${++keySeq}-${Date.now()}`;
const DAY = 86_400_000;
/** a Tuesday, mid-morning UTC; the tests move it forward only */
let clock = Date.UTC(2027, 5, 8, 10, 0, 1);
const minutes = (n: number) => {
  clock += n * 60_000;
};

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
});
beforeEach(() => {
  clock = (Math.floor(clock / 60_000) + 1) * 60_000 + 1_000;
});
afterAll(async () => {
  await t.stop();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, as = 'nav') {
  const user = as === 'admin' ? 'u_admin' : 'u_navigator';
  const token = await t.token(user, 't_demo', '1h');
  return t.call(method, path, { token, headers: { ...P, ...headers }, body });
}
const get = (path: string, as = 'nav') => call('GET', path, undefined, {}, as);
const post = (path: string, body: unknown, headers: Record<string, string> = {}, as = 'nav') =>
  call('POST', path, body, headers, as);

function expectStatus(res: CallResult, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  if (code) expect(res.body.code, res.text).toBe(code);
}

/** A rising daily series up to yesterday: buyAndHold signals long at its last close. */
async function candles(symbol: string, days = 60) {
  const end = Math.floor(clock / DAY) * DAY;
  const bars = Array.from({ length: days }, (_, i) => {
    const close = (100 + i).toFixed(2);
    return {
      time: new Date(end - (days - i) * DAY).toISOString().slice(0, 10),
      open: close,
      high: (100 + i + 1).toFixed(2),
      low: (100 + i - 1).toFixed(2),
      close,
      volume: '1000',
    };
  });
  expectStatus(await call('PUT', `/v1/market-data/candles/${symbol}/1day`, { candles: bars }, {}, 'admin'), 200);
  return bars[bars.length - 1].close;
}

async function simAccount() {
  const r = await post(
    '/v1/accounts',
    { name: 'Feedback', venue: 'SIMULATION', simulation: { slippageBps: 0 } },
    { 'Idempotency-Key': key() },
  );
  expectStatus(r, 201);
  const accountId = String(r.body.accountId);
  const m = await call(
    'PUT',
    `/v1/accounts/${accountId}/mode`,
    { mode: 'AUTONOMOUS', reason: 'feedback' },
    { 'If-Match': '"1"' },
  );
  expectStatus(m, 200);
  return accountId;
}

const price = async (accountId: string, symbol: string, value: number | string) =>
  expectStatus(
    await post(`/v1/accounts/${accountId}/prices`, {
      prices: [{ symbol, price: typeof value === 'number' ? value.toFixed(4) : value }],
    }),
    200,
  );

async function active(fields: Record<string, unknown>) {
  const made = await post('/v1/playbooks', {
    name: 'Feedback playbook',
    strategy: 'buyAndHold',
    interval: '1day',
    maxOrdersPerDay: 20,
    ...fields,
  });
  expectStatus(made, 201);
  const id = String(made.body.playbookId);
  expectStatus(await post(`/v1/playbooks/${id}/activate`, {}), 200);
  return id;
}

const cycle = (playbookId: string) => post('/v1/automation/cycles', { playbookId }, { 'Idempotency-Key': key() });
const feedback = (playbookId: string) => post('/v1/feedback/run', { playbookId }, { 'Idempotency-Key': key() });

/** One round trip: the cycle buys at the last close, then a price beyond the bracket exits it. */
async function roundTrip(playbookId: string, accountId: string, symbol: string, close: number, exitAt: number) {
  await price(accountId, symbol, close);
  const r = await cycle(playbookId);
  expectStatus(r, 201);
  expect(r.body.status, r.text).toBe('completed');
  expect((r.body.order as { status: string }).status).toBe('filled');
  await price(accountId, symbol, exitAt);
  minutes(15);
}
/** the playbook the last test made (the bad-input and outsider checks reuse it) */
const current = { playbookId: '' };

interface Decision {
  decisionId: string;
  action: string;
  code: string;
  trigger: string;
  inputs: { live: Record<string, unknown>; expected: Record<string, unknown> | null; thresholds: object };
  result: Record<string, unknown>;
  snapshotId: string;
}

describe('the feedback loop', () => {
  it('too few trades, and winning ones, → monitor with a snapshot', async () => {
    const close = Number(await candles('FBWIN'));
    const accountId = await simAccount();
    current.playbookId = await active({ symbol: 'FBWIN', accountId });
    const playbookId = current.playbookId;

    const none = await feedback(playbookId);
    expectStatus(none, 201);
    const first = none.body as unknown as Decision;
    expect(first).toMatchObject({ action: 'monitor', code: 'NOT_ENOUGH_TRADES', trigger: 'manual' });
    expect(first.inputs.live).toMatchObject({ trades: 0, wins: 0, losses: 0, winRate: null, realisedPnl: '0' });
    // no source optimisation: a baseline backtest on the playbook's stored bars
    expect(first.inputs.expected).toMatchObject({ source: 'baseline', bars: 60 });
    expect(none.headers.get('location')).toBe(`/v1/feedback/decisions/${first.decisionId}`);

    // one winning round trip: the target (4% above) is reached
    await roundTrip(playbookId, accountId, 'FBWIN', close, close * 1.05);
    const won = await feedback(playbookId);
    expectStatus(won, 201);
    const second = won.body as unknown as Decision;
    expect(second).toMatchObject({ action: 'monitor', code: 'NOT_ENOUGH_TRADES' });
    expect(second.inputs.live).toMatchObject({ trades: 1, wins: 1, losses: 0, winRate: 1, consecutiveLosses: 0 });
    expect(Number(second.inputs.live.realisedPnl)).toBeGreaterThan(0);

    const listed = await get(`/v1/feedback/decisions?playbookId=${playbookId}`);
    expectStatus(listed, 200);
    expect(listed.body.items?.map((d) => d.decisionId)).toEqual([second.decisionId, first.decisionId]);
    const one = await get(`/v1/feedback/decisions/${second.decisionId}`);
    expectStatus(one, 200);
    expect(one.body.snapshotId).toBe(second.snapshotId);
    const snaps = await get(`/v1/journal/snapshots?playbookId=${playbookId}&limit=1`);
    expectStatus(snaps, 200);
    expect(snaps.body.items).toHaveLength(1);
    expect(snaps.body.items?.[0]).toMatchObject({ snapshotId: second.snapshotId, trades: 1, wins: 1 });
    expect(typeof snaps.body.nextCursor).toBe('string');
    const page2 = await get(`/v1/journal/snapshots?playbookId=${playbookId}&limit=1&cursor=${snaps.body.nextCursor}`);
    expect(page2.body.items?.map((s) => s.snapshotId)).toEqual([first.snapshotId]);
    const future = new Date(clock + DAY).toISOString();
    const none2 = await get(`/v1/journal/snapshots?playbookId=${playbookId}&from=${future}`);
    expect(none2.body.items).toEqual([]);
    const budgets = await get(`/v1/risk/budgets?accountId=${accountId}`);
    const bh = (budgets.body.items as Array<Record<string, unknown>>).find((b) => b.strategy === 'buyAndHold');
    expect(bh?.budget ?? null).toBeNull();
  });

  it('five scripted losses → disable: the budget is zero and the gate refuses the next cycle', async () => {
    const close = Number(await candles('FBLOSS'));
    const accountId = await simAccount();
    current.playbookId = await active({ symbol: 'FBLOSS', accountId });
    const playbookId = current.playbookId;
    // each buy is followed by a price below its stop (2% under the entry): a losing sell
    for (let i = 0; i < 5; i++) await roundTrip(playbookId, accountId, 'FBLOSS', close, close * 0.97);

    const r = await feedback(playbookId);
    expectStatus(r, 201);
    const d = r.body as unknown as Decision;
    expect(d).toMatchObject({ action: 'disable', code: 'LOSS_STREAK' });
    expect(d.inputs.live).toMatchObject({ trades: 5, wins: 0, losses: 5, winRate: 0, consecutiveLosses: 5 });
    expect(Number(d.inputs.live.realisedPnl)).toBeLessThan(0);
    expect(d.inputs.thresholds).toMatchObject({ minWinRate: 0.4, minProfitFactor: 1, maxConsecutiveLosses: 5 });
    expect(d.result.budget).toMatchObject({ strategy: 'buyAndHold', before: null, after: '0', changed: true });

    const budgets = await get(`/v1/risk/budgets?accountId=${accountId}`);
    const bh = (budgets.body.items as Array<Record<string, unknown>>).find((b) => b.strategy === 'buyAndHold');
    expect(bh).toMatchObject({ budget: '0' });
    const settings = await get('/v1/trading/settings', 'admin');
    expect(settings.body.strategyBudgets).toMatchObject({ buyAndHold: '0' });
    const history = await get('/v1/trading/settings/history?limit=1', 'admin');
    expect(String(history.body.items?.[0]?.reason)).toContain(playbookId);

    // the desk's own streak also disabled it on this account: re-enabled, the budget still refuses
    await price(accountId, 'FBLOSS', close);
    const refused = await cycle(playbookId);
    expectStatus(refused, 201);
    expect(refused.body).toMatchObject({ status: 'stopped', endedAt: 'risk', code: 'RISK_REJECTED' });
    const risk = (
      refused.body.steps as Array<{ step: string; output?: { checks: Array<Record<string, unknown>> } }>
    ).find((s) => s.step === 'risk');
    expect(risk?.output?.checks.find((c) => c.id === 'strategyBudget')).toMatchObject({ passed: false });
    const enabled = await post(
      '/v1/risk/strategies/buyAndHold/enable',
      { accountId, reason: 'give it a chance' },
      {},
      'admin',
    );
    expectStatus(enabled, 200);
    const again = await cycle(playbookId);
    expect(again.body).toMatchObject({ status: 'stopped', code: 'RISK_REJECTED' });
    const step = (again.body.steps as Array<{ step: string; output?: Record<string, unknown> }>).find(
      (s) => s.step === 'risk',
    );
    expect(step?.output?.firstFailure).toBe('strategyBudget');

    // a second run disables nothing more: the budget is already zero
    const twice = await feedback(playbookId);
    expect(twice.body).toMatchObject({ action: 'disable' });
    expect((twice.body.result as { budget: object }).budget).toMatchObject({ changed: false });

    const listed = await get(`/v1/feedback/decisions?playbookId=${playbookId}`);
    expect(listed.body.items?.map((x) => x.decisionId)).toEqual([twice.body.decisionId, d.decisionId]);
    const snaps = await get(`/v1/journal/snapshots?playbookId=${playbookId}`);
    expect(snaps.body.items?.map((s) => s.snapshotId)).toContain(d.snapshotId);
    const audit = await get('/v1/audit?action=feedback.decision&limit=10', 'admin');
    expectStatus(audit, 200);
    expect(audit.body.items?.map((a) => a.resource)).toContain(`playbook/${playbookId}/feedback/${d.decisionId}`);
    const settingsAudit = await get('/v1/audit?action=trading.settings.update&limit=5', 'admin');
    expect(settingsAudit.body.items?.length).toBeGreaterThan(0);
  });

  it('the daily run on the jobs spine: 00:30 UTC, once, booking the next day', async () => {
    await candles('FBDAY');
    const accountId = await simAccount();
    const playbookId = await active({ symbol: 'FBDAY', accountId, strategy: 'smaCross' });
    clock = (Math.floor(clock / DAY) + 1) * DAY + 30 * 60_000 + 5_000;
    expectStatus(await t.call('POST', '/_local/tick', { body: { at: new Date(clock).toISOString() } }), 200);
    expectStatus(await t.call('POST', '/_local/tick', { body: { at: new Date(clock).toISOString() } }), 200);
    const listed = await get(`/v1/feedback/decisions?playbookId=${playbookId}`);
    expect(listed.body.items?.map((d) => [d.trigger, d.action, d.by])).toEqual([['schedule', 'monitor', 'scheduler']]);
  });

  it('thresholds per tenant: defaults at version 0, If-Match, admin only, bad values → 400', async () => {
    const read = await get('/v1/feedback/settings');
    expectStatus(read, 200);
    expect(read.body).toMatchObject({ minWinRate: 0.4, minProfitFactor: 1, maxConsecutiveLosses: 5, version: 0 });
    expect(read.headers.get('etag')).toBe('"0"');
    expectStatus(await call('PUT', '/v1/feedback/settings', { minTrades: 3 }, { 'If-Match': '"0"' }), 403);
    expectStatus(await call('PUT', '/v1/feedback/settings', { minTrades: 3 }, {}, 'admin'), 428);
    const bad = await call('PUT', '/v1/feedback/settings', { minWinRate: 2 }, { 'If-Match': '"0"' }, 'admin');
    expectStatus(bad, 400);
    expect(bad.body.errors?.map((e) => e.path)).toContain('body.minWinRate');
    const put = await call('PUT', '/v1/feedback/settings', { minTrades: 3 }, { 'If-Match': '"0"' }, 'admin');
    expectStatus(put, 200);
    expect(put.body).toMatchObject({ minTrades: 3, minWinRate: 0.4, version: 1 });
    expectStatus(await call('PUT', '/v1/feedback/settings', {}, { 'If-Match': '"0"' }, 'admin'), 412);
    expectStatus(await call('PUT', '/v1/feedback/settings', {}, { 'If-Match': '"1"' }, 'admin'), 200);
  });

  it('a loss under the thresholds, few trades → reoptimise: an optimisation around the params', async () => {
    // falling closes, then a jump on the last bar: SMA(2) crosses above SMA(3) there, a long signal at 300
    const end = Math.floor(clock / DAY) * DAY;
    const bars = Array.from({ length: 60 }, (_, i) => {
      const close = i === 59 ? '300.00' : (200 - i).toFixed(2);
      const day = new Date(end - (60 - i) * DAY).toISOString().slice(0, 10);
      return { time: day, open: close, high: close, low: close, close, volume: '1000' };
    });
    expectStatus(await call('PUT', '/v1/market-data/candles/FBOPT/1day', { candles: bars }, {}, 'admin'), 200);
    const accountId = await simAccount();
    const playbookId = await active({ symbol: 'FBOPT', accountId, strategy: 'smaCross', params: { fast: 2, slow: 3 } });
    await roundTrip(playbookId, accountId, 'FBOPT', 300, 290);
    const thresholds = await get('/v1/feedback/settings');
    const version = String(thresholds.body.version);
    const put = await call('PUT', '/v1/feedback/settings', { minTrades: 1 }, { 'If-Match': `"${version}"` }, 'admin');
    expectStatus(put, 200);

    const r = await feedback(playbookId);
    expectStatus(r, 201);
    const d = r.body as unknown as Decision;
    expect(d).toMatchObject({ action: 'reoptimise', code: 'BELOW_THRESHOLDS' });
    expect(d.inputs.live).toMatchObject({ trades: 1, losses: 1, winRate: 0 });
    expect(d.result, JSON.stringify(d.result)).toMatchObject({ started: true, space: { slow: { values: [3, 4] } } });
    const space = d.result.space as Record<string, { values: number[] }>;
    const points = Object.values(space).reduce((n, axis) => n * axis.values.length, 1);
    const optimisationId = String(d.result.optimisationId);
    const opt = await get(`/v1/optimisations/${optimisationId}`);
    expectStatus(opt, 200);
    expect(opt.body).toMatchObject({ strategy: 'smaCross', symbol: 'FBOPT', method: 'grid', total: points });

    // within the cooldown a second run names the same optimisation and starts none
    const again = await feedback(playbookId);
    expect(again.body).toMatchObject({ action: 'reoptimise' });
    expect(again.body.result).toMatchObject({ started: false, reason: 'COOLDOWN', optimisationId });
    const restored = await call(
      'PUT',
      '/v1/feedback/settings',
      {},
      { 'If-Match': `"${Number(version) + 1}"` },
      'admin',
    );
    expectStatus(restored, 200);
  });

  it("bad input → 400 naming the field; another tenant's or project's ids → 404", async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/v1/feedback/run', { playbookId: 'nope' }, 'body.playbookId'],
      ['/v1/feedback/run', {}, 'body.playbookId'],
    ];
    for (const [path, body, field] of cases) {
      const r = await post(path, body, { 'Idempotency-Key': key() });
      expectStatus(r, 400);
      expect(r.body.errors?.map((e) => e.path)).toContain(field);
    }
    expectStatus(await post('/v1/feedback/run', { playbookId: current.playbookId }), 400);
    for (const [path, field] of [
      ['/v1/feedback/decisions?playbookId=x', 'query.playbookId'],
      ['/v1/journal/snapshots?from=yesterday', 'query.from'],
      ['/v1/feedback/decisions/nope', 'params.decisionId'],
    ]) {
      const r = await get(path);
      expectStatus(r, 400);
      expect(r.body.errors?.map((e) => e.path)).toContain(field);
    }
    expectStatus(await feedback('pb_00000000000000000000000000'), 404, 'PLAYBOOK_NOT_FOUND');
    expectStatus(await get('/v1/feedback/decisions/fd_00000000000000000000000000'), 404, 'FEEDBACK_NOT_FOUND');

    const mine = await get(`/v1/feedback/decisions?playbookId=${current.playbookId}&limit=1`);
    const decisionId = String(mine.body.items?.[0]?.decisionId);
    expectStatus(
      await t.call('POST', '/v1/tenants/t_demo/projects', {
        token: await t.token('u_admin', 't_demo', '1h'),
        body: { projectId: 'p_feedback_other', name: 'Another project' },
      }),
      201,
    );
    const outsiders = [
      { token: await t.token('u_acme', 't_acme', '1h'), project: 'p_acme' },
      { token: await t.token('u_navigator', 't_demo', '1h'), project: 'p_feedback_other' },
    ];
    for (const o of outsiders) {
      const headers = { 'X-Project-Id': o.project, 'Idempotency-Key': key() };
      const run = await t.call('POST', '/v1/feedback/run', {
        token: o.token,
        headers,
        body: { playbookId: current.playbookId },
      });
      expectStatus(run, 404, 'PLAYBOOK_NOT_FOUND');
      const read = await t.call('GET', `/v1/feedback/decisions/${decisionId}`, { token: o.token, headers });
      expectStatus(read, 404, 'FEEDBACK_NOT_FOUND');
      for (const path of [
        `/v1/feedback/decisions?playbookId=${current.playbookId}`,
        `/v1/journal/snapshots?playbookId=${current.playbookId}`,
      ]) {
        const list = await t.call('GET', path, { token: o.token, headers: { 'X-Project-Id': o.project } });
        expectStatus(list, 200);
        expect(list.body.items).toEqual([]);
      }
    }
  });
});
