import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_PRIVACY_VERSION, CURRENT_TERMS_VERSION } from '../../packages/app/src/profile/index.js';
import { ALL_ROUTES as ROUTES } from '../../packages/app/src/routes.js';
import { CURRENCY_MINOR_UNITS } from '../../packages/core/src/currencies.js';
import { strategies } from '../../packages/core/src/strategies/index.js';
import { tierRank, TIERS } from '../../packages/platform/src/context/types.js';
import type { RouteDef } from '../../packages/platform/src/http/define-route.js';
import { jsonSchema } from '../../packages/platform/src/http/openapi.js';
import { resolveSchema } from '../../packages/platform/src/schemas/lazy.js';
import { startRuntime, type CallOptions, type CallResult, type TestRuntime } from '../support/runtime.js';

let t: TestRuntime;
// The runtime's clock: the fuzz below moves it a minute on now and then, so hundreds of requests
// by one principal never run into its rate limit (a 429 would hide what the handler does).
let clock = Date.now();
const tokens: Record<string, string> = {};
const P = { 'X-Project-Id': 'p_demo' };

beforeAll(async () => {
  t = await startRuntime({ now: () => clock });
  for (const u of ['u_observer', 'u_navigator', 'u_operator', 'u_sovereign', 'u_admin'])
    tokens[u] = await t.token(u, 't_demo');
  tokens.u_system = await t.token('u_system', 't_system');
  // The market-data routes reach the runtime's fake Twelve Data: give t_demo a rate budget no fuzz run
  // empties (a 503 PROVIDER_UNAVAILABLE would hide what the handlers do).
  const marketData = '/v1/routing/t_demo/dev/market-data';
  const entry = await t.call('GET', marketData, { token: tokens.u_system });
  const bucket = await t.call('PUT', marketData, {
    token: tokens.u_system,
    headers: { 'If-Match': String(entry.headers.get('etag')) },
    body: { ...(entry.body.config as Json), options: { capacity: 100_000, refillPerMinute: 100_000 } },
  });
  expect(bucket.status, bucket.text).toBe(200);
});
afterAll(async () => {
  await t.stop();
});

/** A concrete path for a route, with plausible parameter values. */
function pathOf(path: string): string {
  const sample: Record<string, string> = {
    tenantId: 't_demo',
    userId: 'u_operator',
    env: 'dev',
    kind: 'data',
    mode: 'lab',
    keyId: 'k_AAAAAAAAAAAAAAAA',
    portfolioId: 'pf_AAAAAAAAAAAAAAAAAAAA',
    symbol: 'AAPL',
    interval: '1day',
    syncId: 'sy_0000000000000000000000000Z',
  };
  return path.replace(/\{(\w+)\}/g, (_m, n: string) => sample[n] ?? 'x');
}

/** A minimal body in the route's own media type: `{}` as JSON, or a one-line CSV file for CSV-only routes. */
function emptyBodyOf(r: RouteDef, fallback?: unknown): CallOptions & { headers: Record<string, string> } {
  if (r.bodyTypes && !r.bodyTypes.includes('application/json')) {
    return { rawBody: 'type,tradeDate\n', headers: { 'Content-Type': 'text/csv' } };
  }
  return { body: r.request.body ? {} : fallback, headers: {} };
}

describe('every route in the table', () => {
  const guarded = ROUTES.filter((r) => r.access !== 'public' && r.access !== 'bootstrapKey');

  it.each(guarded.map((r) => [r.id, r] as const))('%s: no credentials → 401', async (_id, r) => {
    const res = await t.call(r.method, pathOf(r.path), {
      ...emptyBodyOf(r),
      headers: { ...P, ...emptyBodyOf(r).headers },
    });
    expect(res.status).toBe(401);
  });

  it.each(guarded.filter((r) => r.minTier !== 'observer').map((r) => [r.id, r] as const))(
    '%s: below its minimum tier → 403',
    async (_id, r) => {
      const below = TIERS.filter((x) => tierRank(x) < tierRank(r.minTier));
      for (const tier of below) {
        const res = await t.call(r.method, pathOf(r.path), {
          token: tokens[`u_${tier}`],
          ...emptyBodyOf(r, {}),
          headers: { ...P, ...emptyBodyOf(r).headers },
        });
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('TIER_TOO_LOW');
      }
    },
  );

  it.each(
    guarded
      .filter((r) => r.roles.length && !r.roles.includes('trader') && r.access !== 'system')
      .map((r) => [r.id, r] as const),
  )('%s: a trader without the role → 403', async (_id, r) => {
    const res = await t.call(r.method, pathOf(r.path), {
      token: tokens.u_sovereign,
      headers: P,
      body: r.request.body ? {} : undefined,
    });
    expect(res.status).toBe(403);
  });

  it.each(ROUTES.filter((r) => r.access === 'system').map((r) => [r.id, r] as const))(
    '%s: a tenant admin is not a system admin → 403',
    async (_id, r) => {
      const res = await t.call(r.method, pathOf(r.path), {
        token: tokens.u_admin,
        headers: P,
        body: r.request.body ? {} : undefined,
      });
      expect(res.status).toBe(403);
    },
  );

  it('hostile path parameters and headers are 4xx, never 500', async () => {
    const weird = ['%00', '..%2F..', "'%20OR%201=1", 'A'.repeat(300), '%F0%9F%92%A3', 'TENANT%23t_acme'];
    for (const w of weird) {
      for (const p of ['/v1/portfolios/', '/v1/tenants/', '/v1/routing/t_demo/dev/', '/v1/api-keys/']) {
        const res = await t.call('GET', `${p}${w}`, { token: tokens.u_system, headers: P });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    }
    const h = await t.call('GET', '/v1/me', {
      token: tokens.u_admin,
      headers: { 'X-Project-Id': 'P_DEMO!', 'X-Tenant-Id': 't_demo' },
    });
    expect(h.status).toBe(400);
    const ht = await t.call('GET', '/v1/me', { token: tokens.u_admin, headers: { ...P, 'X-Tenant-Id': 'TENANT#x' } });
    expect(ht.status).toBe(400);
    const ct = await t.call('POST', '/v1/portfolios', {
      token: tokens.u_admin,
      headers: { ...P, 'Content-Type': 'text/plain' },
      rawBody: 'hi',
    });
    expect(ct.status).toBe(415);
    expect((await t.call('GET', '/v1/nowhere', { token: tokens.u_admin })).status).toBe(404);
    expect((await t.call('PUT', '/v1/portfolios', { token: tokens.u_admin })).status).toBe(405);
  });

  it('every error body is Problem Details without stack traces or credentials', async () => {
    const res = await t.call('GET', '/v1/portfolios', { token: `${tokens.u_admin}x`, headers: P });
    expect(res.status).toBe(401);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'detail', 'requestId', 'status', 'title', 'type']);
    expect(res.text).not.toContain(tokens.u_admin.slice(20, 60));
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('X-Request-Id is echoed when sane, replaced when not', async () => {
    const a = await t.call('GET', '/v1/health', { headers: { 'X-Request-Id': 'client-req-12345' } });
    expect(a.headers.get('x-request-id')).toBe('client-req-12345');
    const b = await t.call('GET', '/v1/health', { headers: { 'X-Request-Id': 'bad id <script>' } });
    expect(b.headers.get('x-request-id')).not.toContain('<');
  });
});

// ---------------------------------------------------------------------------------------------
// The route-wide fuzz. Bodies come from each route's own request schemas (as JSON Schema, the
// same the OpenAPI document shows), are kept only when the route's zod schema accepts them, and
// are sent with what the route's access kind needs — a t_system admin token and no project on
// system routes, the bootstrap key on the bootstrap route, X-Project-Id on project routes, the
// current ETag where If-Match is required — so that handlers and stores run. Each valid body is
// then broken in one place (a missing required field, an unknown one, a wrong type, an overlong
// string), which must be refused with 400 before the handler. Nothing may answer 500.
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const FUZZ_TENANT = 't_fuzz';
const FUZZ_PROJECT = 'p_fuzz';
/** The fuzz tenant's `secrets` entry: its field key (the profile's personal fields) is t_demo's local one. */
const FUZZ_SECRETS = { kind: 'secrets', prefix: 'local/t_fuzz/', refs: { fieldKey: 'local/t_demo/field-key' } };

/**
 * What JSON Schema cannot say, by property name (or `<route id>.<name>`): refinements (a supported
 * currency, cash within its minor units), ids that must name the fuzz tenant's own records, and
 * free-form maps kept small.
 */
const HINTS: Record<string, fc.Arbitrary<unknown>> = {
  baseCurrency: fc.constantFrom(...Object.keys(CURRENCY_MINOR_UNITS).slice(0, 6), 'JPY'),
  cash: fc
    .tuple(fc.nat({ max: 10_000_000 }), fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }))
    .map(([units, cents]) => (cents === undefined ? String(units) : `${units}.${String(cents).padStart(2, '0')}`)),
  'portfolios.create.tenantId': fc.constant(FUZZ_TENANT),
  'portfolios.create.projectId': fc.constant(FUZZ_PROJECT),
  'apiKeys.create.projectId': fc.constant(FUZZ_PROJECT),
  // a provider Ballast has (the market-data syncs of the fuzz tenant need one)
  'routing.put.provider': fc.constantFrom('twelvedata', 'polygon'),
  'marketData.uploadCandles.candles': fc.constant([
    { time: '2025-06-02', open: '10.5', high: '11', low: '10', close: '10.75', volume: '1200' },
  ]),
  'marketData.createSync.from': fc.constantFrom('2025-06-02', '2025-06-03T14:30:00Z'),
  'marketData.createSync.to': fc.constant('2025-06-10'),
  'marketData.importEvents.events': fc.constant([
    { time: '2026-03-06T13:30:00Z', country: 'US', title: 'Nonfarm Payrolls', importance: 'high' },
  ]),
  jwks: fc.constant({ keys: [{ kty: 'RSA', kid: 'fuzz-key', e: 'AQAB', n: 'AQAB' }] }),
  options: fc.dictionary(
    fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/),
    fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
    {
      maxKeys: 3,
    },
  ),
};

/**
 * Whole bodies for routes whose schema is a rule across fields (which fields a transaction type
 * takes): random bodies almost never satisfy it, so the filter in `validBodies` would spin.
 */
const amount = fc.integer({ min: 1, max: 100_000 }).map((cents) => (cents / 100).toFixed(2));
const small = fc.integer({ min: 1, max: 5 }).map(String);
const tradeDate = fc.constantFrom('2026-01-05', '2026-02-02', '2026-03-02');
const BODY_HINTS: Record<string, fc.Arbitrary<unknown>> = {
  'imports.create': fc
    .tuple(tradeDate, amount)
    .map(([date, cash]) => `type,tradeDate,amount\r\nDEPOSIT,${date},"${cash}"\r\n`),
  'transactions.create': fc.oneof(
    fc.record({ type: fc.constantFrom('DEPOSIT', 'WITHDRAWAL', 'INTEREST', 'FEE'), amount, tradeDate }),
    fc.record(
      {
        type: fc.constantFrom('BUY', 'SELL'),
        symbol: fc.constantFrom('AAPL', 'MSFT'),
        quantity: small,
        price: amount,
        fee: amount,
        tradeDate,
      },
      { requiredKeys: ['type', 'symbol', 'quantity', 'price', 'tradeDate'] },
    ),
    fc.record({
      type: fc.constant('SPLIT'),
      symbol: fc.constant('AAPL'),
      ratio: fc.constantFrom('2:1', '1:2'),
      tradeDate,
    }),
    fc.record(
      {
        type: fc.constant('DIVIDEND'),
        symbol: fc.constant('AAPL'),
        amount,
        tradeDate,
        note: fc.string({ maxLength: 20 }),
      },
      { requiredKeys: ['type', 'amount', 'tradeDate'] },
    ),
  ),
};

/** The fuzz tenant's trading fixtures (set in its beforeAll, read when bodies are drawn). */
const TRADING = { accountId: '', haltAccountId: '' };
const account = () => fc.constant(null).map(() => TRADING.accountId);
const reason = fc.constantFrom('fuzzing the route', 'a reason to do it');
const priceArb = fc.integer({ min: 100, max: 100_000 }).map((cents) => (cents / 100).toFixed(2));
Object.assign(BODY_HINTS, {
  'accounts.create': fc.record(
    {
      name: fc.constantFrom('Fuzz sim', 'Sim two'),
      venue: fc.constant('SIMULATION'),
      simulation: fc.record(
        {
          initialBalance: amount,
          slippageBps: fc.integer({ min: 0, max: 50 }),
          fillProbability: fc.constantFrom(0.5, 1),
          seed: fc.nat({ max: 1000 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['name', 'venue'] },
  ),
  'accounts.setMode': fc.record({ mode: fc.constantFrom('GUIDE', 'AUTONOMOUS'), reason }, { requiredKeys: ['mode'] }),
  'accounts.prices': fc
    .tuple(fc.constantFrom('AAPL', 'MSFT'), priceArb)
    .map(([symbol, price]) => ({ prices: [{ symbol, price }] })),
  'accounts.reset': fc.record({ reason }),
  'tradingSettings.put': fc.record(
    {
      riskLimits: fc.record({ maxOpenPositions: fc.integer({ min: 5, max: 10 }) }, { requiredKeys: [] }),
      enabledStrategies: fc.constant(['trend', 'breakout']),
      reason,
    },
    { requiredKeys: [] },
  ),
  'risk.validate': fc.record({
    accountId: account(),
    symbol: fc.constantFrom('AAPL', 'MSFT'),
    side: fc.constantFrom('buy', 'sell'),
    quantity: small,
    type: fc.constant('limit'),
    limitPrice: priceArb,
  }),
  'orders.create': fc.record({
    accountId: account(),
    symbol: fc.constantFrom('AAPL', 'MSFT'),
    side: fc.constant('buy'),
    quantity: small,
    type: fc.constant('limit'),
    limitPrice: fc.constantFrom('1.00', '2.50'),
  }),
  'risk.enableStrategy': fc.record({ accountId: account(), reason }),
  'risk.halt': fc.record(
    { accountId: fc.constant(null).map(() => TRADING.haltAccountId), reason, reduceOnly: fc.boolean() },
    { requiredKeys: ['accountId', 'reason'] },
  ),
  'risk.emergencyReset': fc.record({ accountId: account(), reason, rebasePeak: fc.boolean() }),
});

/**
 * The fuzz tenant's planning fixtures (set in its beforeAll): a category of the fuzz portfolio, a
 * SIMULATION account on it (GUIDE: nothing fills), a schedule, a stop-loss rule, and the proposal
 * the execute route runs — made fresh just before that route's fuzz, so nothing has moved under it.
 */
const PLANNING = { categoryId: '', accountId: '', scheduleId: '', ruleId: '', proposalId: '' };
/** min ≤ target ≤ max always holds: the bounds are drawn around the target */
const categoryArb = fc
  .record({
    name: fc.constantFrom('US equities', 'Bonds', 'Gold'),
    code: fc.stringMatching(/^[A-Z0-9_-]{1,20}$/),
    type: fc.constantFrom('equity', 'bond', 'cash_equivalent', 'crypto', 'other'),
    target: fc.integer({ min: 0, max: 10_000 }),
    below: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
    above: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
    riskLevel: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    taxLossHarvesting: fc.boolean(),
  })
  .map(({ target, below, above, riskLevel, ...rest }) => {
    const pct = (hundredths: number) => (Math.min(10_000, Math.max(0, hundredths)) / 100).toFixed(2);
    return {
      ...rest,
      targetPct: pct(target),
      ...(below !== undefined ? { minPct: pct(target - below) } : {}),
      ...(above !== undefined ? { maxPct: pct(target + above) } : {}),
      ...(riskLevel !== undefined ? { riskLevel } : {}),
    };
  });
Object.assign(BODY_HINTS, {
  'categories.create': categoryArb,
  // the fixture keeps its own code: another code may be one a create above just took (409)
  'categories.put': categoryArb.map((body) => ({ ...body, code: 'FUZZ_FIXTURE' })),
  'assignments.put': fc.record(
    { categoryId: fc.constant(null).map(() => PLANNING.categoryId), weight: fc.constantFrom('1', '2.5', '0.25') },
    { requiredKeys: ['categoryId'] },
  ),
  'exclusions.put': fc.record({ reason: fc.constantFrom('employer stock', 'a personal rule', 'restricted') }),
});

const proposalOptionsArb = fc.record(
  {
    band: fc.constantFrom('absolute', 'relative'),
    thresholdPct: fc.constantFrom('0.5', '3', '25'),
    cashFirst: fc.boolean(),
    minNotional: fc.constantFrom('0', '1', '100.50'),
    maxTrades: fc.integer({ min: 1, max: 500 }),
    fractional: fc.boolean(),
    taxAware: fc.boolean(),
    costBps: fc.constantFrom('0', '5', '12.5'),
    perTradeFee: fc.constantFrom('0', '1.00'),
    priceTolerancePct: fc.constantFrom('0', '0.5', '10'),
  },
  { requiredKeys: [] },
);
const recurrenceArb = fc.record({
  frequency: fc.constantFrom('daily', 'weekly', 'monthly', 'quarterly'),
  dayOfWeek: fc.integer({ min: 1, max: 7 }),
  dayOfMonth: fc.integer({ min: 1, max: 31 }),
  timeOfDay: fc.constantFrom('00:00', '09:30', '23:59'),
  timezone: fc.constantFrom('UTC', 'America/New_York', 'Europe/London', 'Asia/Kolkata'),
  excludeWeekends: fc.boolean(),
});
const scheduleArb = fc
  .record({
    name: fc.constantFrom('Quarterly', 'Morning check'),
    recurrence: recurrenceArb,
    trigger: fc.constantFrom('calendar', 'drift'),
    driftThresholdPct: fc.constantFrom('0', '3', '10.25'),
    maxTrades: fc.integer({ min: 1, max: 500 }),
    cooldownDays: fc.integer({ min: 0, max: 365 }),
    enabled: fc.boolean(),
    proposal: proposalOptionsArb,
    execute: fc.boolean(),
  })
  .map(({ recurrence, execute, ...rest }) => ({
    ...rest,
    ...recurrence,
    ...(execute ? { mode: 'execute', accountId: PLANNING.accountId } : { mode: 'propose' }),
  }));
const stopLossArb = fc.record({
  kind: fc.constant('stop_loss'),
  accountId: fc.constant(null).map(() => PLANNING.accountId),
  symbol: fc.constantFrom('AAPL', 'MSFT'),
  stopPct: fc.constantFrom('0.01', '10', '99.99'),
  enabled: fc.boolean(),
});
const ruleArb = fc.oneof(
  stopLossArb,
  fc
    .record({
      kind: fc.constant('dca'),
      symbol: fc.constantFrom('AAPL', 'VTI'),
      amount: fc.constantFrom('0.01', '100', '2500.50'),
      recurrence: recurrenceArb,
      maxPrice: fc.constantFrom('1', '500'),
      fractional: fc.boolean(),
      enabled: fc.boolean(),
    })
    .map(({ recurrence, ...rest }) => ({ ...rest, ...recurrence, accountId: PLANNING.accountId })),
);
/** The fuzz tenant's optimisations: a completed one (with its walk-forward report) and a pending one to cancel. */
const OPTIMISATION = { completedId: '', pendingId: '' };
/** The fuzz tenant's research fixture: the signal the approve and cancel routes act on (made fresh by `prepare`). */
const RESEARCH = { signalId: '', entry: '1', accountId: '', backtestId: '' };
Object.assign(BODY_HINTS, {
  'strategies.analyze': fc.record(
    {
      symbol: fc.constant('AAPL'),
      interval: fc.constant('1day'),
      params: fc.constant({}),
      bars: fc.integer({ min: 2, max: 5000 }),
    },
    { requiredKeys: ['symbol', 'interval'] },
  ),
  // levels around the entry the fixture's account was priced at: the strategy check set passes
  'signals.approve': fc.constant(null).map(() => ({
    accountId: RESEARCH.accountId,
    quantity: '1',
    stopLoss: (Number(RESEARCH.entry) * 0.99).toFixed(2),
    takeProfit: (Number(RESEARCH.entry) * 1.05).toFixed(2),
  })),
  // on the fixture's month of AAPL bars (a window outside it is a 422 NOT_ENOUGH_CANDLES)
  'backtests.create': fc.record(
    {
      strategy: fc.constantFrom('buyAndHold', 'trend', 'smaCross'),
      symbol: fc.constant('AAPL'),
      interval: fc.constant('1day'),
      from: fc.constantFrom('2026-01-01', '2026-01-05T00:00:00Z'),
      to: fc.constantFrom('2026-01-30', '2026-02-01T00:00:00+01:00'),
      initialCapital: fc.constantFrom('1000', '10000.50'),
      slippageBps: fc.integer({ min: 0, max: 1000 }),
      commission: fc.record({ rate: fc.double({ min: 0, max: 0.1, noNaN: true }) }),
      allowShort: fc.boolean(),
    },
    { requiredKeys: ['strategy', 'symbol', 'interval', 'from', 'to'] },
  ),
  // a small grid on the fixture's month of AAPL bars (a window outside it is a 422 NOT_ENOUGH_CANDLES)
  'optimisations.create': fc.record(
    {
      strategy: fc.constant('smaCross'),
      space: fc.constantFrom(
        { fast: { values: [2, 3] }, slow: { values: [5, 8] } },
        { fast: { min: 2, max: 4, step: 1 } },
      ),
      method: fc.constantFrom('grid', 'random', 'guided'),
      maxCandidates: fc.integer({ min: 4, max: 50 }),
      seed: fc.integer({ min: 0, max: 1000 }),
      objective: fc.constantFrom('sharpe', 'sortino', 'calmar', 'totalReturn', 'profitFactor', 'expectancy'),
      constraints: fc.record({ maxDrawdown: fc.double({ min: 0, max: 1, noNaN: true }), minTrades: fc.nat(5) }),
      walkForward: fc.record({
        folds: fc.integer({ min: 1, max: 3 }),
        inSamplePct: fc.integer({ min: 50, max: 80 }),
      }),
      symbol: fc.constant('AAPL'),
      interval: fc.constant('1day'),
      from: fc.constant('2026-01-01'),
      to: fc.constantFrom('2026-01-30', '2026-02-01T00:00:00Z'),
      initialCapital: fc.constantFrom('1000', '10000.50'),
    },
    { requiredKeys: ['strategy', 'space', 'method', 'maxCandidates', 'objective', 'symbol', 'interval', 'from', 'to'] },
  ),
  'rebalance.proposals.create': proposalOptionsArb,
  'rebalance.proposals.execute': fc.constant({}),
  'rebalance.schedules.create': scheduleArb,
  'rebalance.schedules.put': scheduleArb,
  'rules.create': ruleArb,
  // the fixture is a stop-loss rule: a replace keeps its kind (a dca body is a 422 RULE_KIND_IMMUTABLE)
  'rules.put': stopLossArb,
});

/**
 * The fuzz tenant's automation fixtures (made by `automationFixture` before each route's fuzz): a
 * GUIDE account priced at the last AAPL close, a draft to patch, one to activate, one to retire,
 * and an active playbook on AAPL whose cycles preview orders.
 */
const AUTOMATION = { accountId: '', patchId: '', activateId: '', retireId: '', activeId: '' };
const playbookScheduleArb = fc.oneof(
  fc.record({ kind: fc.constant('interval'), every: fc.constantFrom('5min', '1h', '1day') }),
  fc
    .record({ kind: fc.constant('calendar'), frequency: fc.constant('daily'), timeOfDay: fc.constant('09:30') })
    .map((x) => ({ ...x, timezone: 'America/New_York' })),
);
const playbookChangeArb = fc.record(
  {
    name: fc.constantFrom('Fuzz playbook', 'Renamed'),
    bars: fc.integer({ min: 2, max: 5000 }),
    maxOrdersPerDay: fc.integer({ min: 1, max: 20 }),
    notes: fc.oneof(fc.string({ maxLength: 40 }), fc.constant(null)),
    schedule: fc.oneof(playbookScheduleArb, fc.constant(null)),
    exits: fc.record({ stopLossPct: fc.constantFrom('1', '2.5'), takeProfitPct: fc.constantFrom('3', '10') }),
  },
  { requiredKeys: [] },
);
Object.assign(BODY_HINTS, {
  'playbooks.create': playbookChangeArb.map(({ notes, schedule, ...rest }) => ({
    name: 'Fuzz playbook',
    ...rest,
    ...(notes ? { notes } : {}),
    ...(schedule ? { schedule } : {}),
    strategy: 'buyAndHold',
    symbol: 'AAPL',
    interval: '1day',
    accountId: AUTOMATION.accountId,
  })),
  'playbooks.patch': playbookChangeArb,
  'automation.cycles.run': fc.constant(null).map(() => ({ playbookId: AUTOMATION.activeId })),
  'feedback.run': fc.constant(null).map(() => ({ playbookId: AUTOMATION.activeId })),
  // the completed fixture optimisation's winner, traded through the fixture account
  'optimisations.playbook': playbookChangeArb.map(({ notes, schedule, ...rest }) => ({
    ...rest,
    ...(notes ? { notes } : {}),
    ...(schedule ? { schedule } : {}),
    accountId: AUTOMATION.accountId,
  })),
});

/**
 * The fuzz tenant's watchlist fixtures: a watchlist of FUZZ_ADMIN holding AAPL (its patch fuzz may
 * make it private), another kept shared for the share route, and a member to share it with.
 */
const WATCHLISTS = { watchlistId: '', sharedId: '', memberId: 'u_fuzz_member' };
Object.assign(BODY_HINTS, {
  // a grant to the fixture's member (a user who is not a member of the tenant is a 422 every time)
  'watchlists.shares.put': fc.record({ access: fc.constantFrom('read', 'edit') }),
});

/**
 * The fuzz tenant's journal fixture: an open long trade log of FUZZ_ADMIN (entry 100 on
 * 2026-01-05), made fresh per route.
 */
const JOURNAL = { tradeLogId: '' };
Object.assign(BODY_HINTS, {
  'journal.entries.create': fc.record(
    {
      title: fc.constantFrom('Gap fill', 'Earnings plan'),
      content: fc.constantFrom('Waited for the open', 'Sized small'),
      type: fc.constantFrom('pre-trade', 'post-trade', 'observation', 'lesson', 'plan'),
      symbol: fc.constantFrom('AAPL', 'MSFT'),
      confidence: fc.integer({ min: 1, max: 5 }),
      successRating: fc.integer({ min: 1, max: 5 }),
      lessonsLearned: fc.constant('Wait for confirmation'),
      tags: fc.constantFrom(['earnings'], ['gap', 'risk-off'], []),
    },
    { requiredKeys: ['title', 'content', 'type'] },
  ),
  // levels on the right sides of the entry (a long's stop below it, a short's above)
  'journal.tradeLogs.create': fc.oneof(
    fc.record(
      {
        symbol: fc.constantFrom('AAPL', 'MSFT'),
        type: fc.constant('long'),
        entryPrice: fc.constantFrom('100', '100.50'),
        entryDate: tradeDate,
        quantity: small,
        target: fc.constantFrom('120', '150.25'),
        stop: fc.constantFrom('90', '95.5'),
        horizon: fc.constantFrom('intraday', 'swing', 'position', 'long-term'),
        conviction: fc.integer({ min: 1, max: 5 }),
      },
      { requiredKeys: ['symbol', 'type', 'entryPrice', 'entryDate', 'quantity'] },
    ),
    fc.record(
      {
        symbol: fc.constantFrom('AAPL', 'MSFT'),
        type: fc.constant('short'),
        entryPrice: fc.constant('50'),
        entryDate: tradeDate,
        quantity: small,
        target: fc.constantFrom('40', '45.5'),
        stop: fc.constantFrom('55', '60'),
      },
      { requiredKeys: ['symbol', 'type', 'entryPrice', 'entryDate', 'quantity'] },
    ),
  ),
  // the fixture log: adjusts keep its levels on the right sides, a close comes after its entry
  'journal.tradeLogs.events.create': fc.oneof(
    fc.record(
      {
        type: fc.constant('adjust'),
        target: fc.constantFrom('120', '130'),
        stop: fc.constantFrom('90', '95'),
        quantity: small,
        note: fc.constantFrom('Trail the stop', 'Add one'),
      },
      { requiredKeys: ['type', 'note'] },
    ),
    fc.record(
      {
        type: fc.constant('close'),
        exitPrice: priceArb,
        exitDate: fc.constantFrom('2026-02-02', '2026-03-02'),
        note: fc.constant('Done'),
      },
      { requiredKeys: ['type', 'exitPrice', 'exitDate'] },
    ),
  ),
});

const prefsChannels = fc.record({ email: fc.boolean(), push: fc.boolean(), sms: fc.boolean() });
/** The profile's whole documents: a time zone and a language tag Intl knows, allocations adding up to 100. */
Object.assign(BODY_HINTS, {
  'preferences.put': fc.record({
    display: fc.record({
      theme: fc.constantFrom('light', 'dark', 'system'),
      language: fc.constantFrom('en', 'en-GB', 'de-DE', 'pt-BR'),
      timezone: fc.constantFrom('UTC', 'Europe/London', 'America/New_York'),
      chartType: fc.constantFrom('candlestick', 'line', 'area', 'bar'),
    }),
    data: fc.record({ refreshIntervalSeconds: fc.integer({ min: 5, max: 3600 }), realTime: fc.boolean() }),
    notifications: fc.record({
      'watchlist.alert': prefsChannels,
      'risk.halt': prefsChannels,
      'schedule.failed': prefsChannels,
    }),
    trading: fc.record({
      defaultOrderType: fc.constantFrom('market', 'limit', 'stop', 'stop-limit'),
      confirmOrders: fc.boolean(),
    }),
  }),
  'onboarding.patch': fc.record(
    {
      experience: fc.constantFrom('none', 'beginner', 'advanced', null),
      riskTolerance: fc.constantFrom('conservative', 'moderate', 'very-aggressive', null),
      investmentHorizon: fc.constantFrom('short', 'medium', 'long', null),
      fullName: fc.constantFrom('Fuzz Person', 'Ada Example', null),
      dateOfBirth: fc.constantFrom('1970-01-01', '1985-06-15', null),
      phone: fc.constantFrom('+14155550123', '+447700900123', null),
      taxResidency: fc.constantFrom('US', 'GB', null),
      taxId: fc.constantFrom('123-45-6789', 'AB123456C', null),
      acceptTerms: fc.constant({ version: CURRENT_TERMS_VERSION }),
      acceptPrivacy: fc.constant({ version: CURRENT_PRIVACY_VERSION }),
    },
    { requiredKeys: [] },
  ),
  'tradingPreferences.put': fc.record({
    style: fc.constantFrom('day', 'swing', 'position', 'long-term'),
    strategyPreference: fc.constantFrom(null, 'trend', 'smaCross'),
    defaultPositionSize: fc.constantFrom('100', '250.50'),
    maxPositionSize: fc.constantFrom('1000', '5000'),
    stopLossPct: fc.constantFrom('2', '7.5'),
    takeProfitPct: fc.constantFrom('5', '20'),
    allocationTargets: fc.constantFrom(
      { cash: '10', equity: '60', bond: '25', alternative: '5' },
      { cash: '0', equity: '100', bond: '0', alternative: '0' },
      { cash: '12.5', equity: '37.5', bond: '40', alternative: '10' },
    ),
    paperTradingEnabled: fc.boolean(),
    realTradingEnabled: fc.boolean(),
  }),
});

const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
const URL_ARB = fc
  .tuple(
    fc.constantFrom('https', 'http'),
    fc.string({ unit: alnum, minLength: 1, maxLength: 12 }),
    fc.constantFrom('com', 'example', 'dev'),
    fc.string({ unit: alnum, maxLength: 10 }),
  )
  .map(([scheme, host, tld, path]) => `${scheme}://${host}.${tld}/${path}`);

/** A fast-check arbitrary for (most of) JSON Schema 2020-12 as zod emits it. */
function arbitraryOf(schema: Json, name?: string, routeId?: string): fc.Arbitrary<unknown> {
  const hint = (name && routeId && HINTS[`${routeId}.${name}`]) || (name && HINTS[name]);
  if (hint) return hint;
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.oneOf ?? schema.anyOf) as Json[] | undefined;
  if (union) return fc.oneof(...union.map((s) => arbitraryOf(s, name, routeId)));
  if (Array.isArray(schema.allOf)) {
    const parts = (schema.allOf as Json[]).filter((s) => Object.keys(s).length > 0);
    return parts.length ? arbitraryOf(parts[parts.length - 1], name, routeId) : fc.jsonValue({ maxDepth: 2 });
  }
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Json>;
      const names = Object.keys(props);
      if (names.length) {
        const model = Object.fromEntries(names.map((n) => [n, arbitraryOf(props[n], n, routeId)]));
        return fc.record(model, { requiredKeys: (schema.required as string[] | undefined) ?? [] });
      }
      const extra = schema.additionalProperties;
      if (extra === false) return fc.constant({});
      const keys = schema.propertyNames ? arbitraryOf(schema.propertyNames as Json) : fc.string({ maxLength: 8 });
      const values = typeof extra === 'object' && extra ? arbitraryOf(extra as Json) : fc.jsonValue({ maxDepth: 1 });
      return fc.dictionary(keys as fc.Arbitrary<string>, values, { maxKeys: 4 });
    }
    case 'array':
      return fc.array(arbitraryOf((schema.items ?? {}) as Json, undefined, routeId), {
        minLength: Number(schema.minItems ?? 0),
        maxLength: Math.min(Number(schema.maxItems ?? 4), 4),
      });
    case 'string': {
      if (schema.format === 'date-time') {
        // in the future: an expiry in the past is a handler's refusal, not the schema's
        return fc
          .integer({ min: 86_400_000, max: 5 * 365 * 86_400_000 })
          .map((ahead) => new Date(clock + ahead).toISOString());
      }
      if (schema.format === 'uri') return URL_ARB; // fc.webUrl() is far too slow for a suite
      const min = Number(schema.minLength ?? 0);
      const max = Math.min(Number(schema.maxLength ?? 40), 40);
      if (typeof schema.pattern === 'string') {
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((x) => x.length >= min && x.length <= Number(schema.maxLength ?? Infinity));
      }
      return fc.string({ minLength: min, maxLength: Math.max(min, max) });
    }
    case 'integer':
      return fc.integer({ min: Number(schema.minimum ?? -1000), max: Number(schema.maximum ?? 1000) });
    case 'number':
      return fc.double({ min: Number(schema.minimum ?? -1000), max: Number(schema.maximum ?? 1000), noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Valid bodies of a route: generated from its JSON Schema, kept when its zod schema accepts them. */
function validBodies(r: RouteDef): fc.Arbitrary<unknown> {
  const schema = resolveSchema(r.request.body!);
  const bodies = BODY_HINTS[r.id] ?? arbitraryOf(jsonSchema(r.request.body!, 'input'), undefined, r.id);
  return bodies.filter((b) => schema.safeParse(b).success);
}

/** One minimal break of a valid body; `undefined` when this break leaves it valid. */
function broken(r: RouteDef, body: unknown, how: number): unknown {
  const schema = resolveSchema(r.request.body!);
  // A route that reads only CSV has one way to be broken in its body: an empty file.
  if (r.bodyTypes && !r.bodyTypes.includes('application/json')) return how % 2 ? undefined : '';
  const b = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...(body as Json) } : {};
  const keys = Object.keys(b);
  const key = keys[how % Math.max(keys.length, 1)];
  const variants: Array<() => unknown> = [
    () => ({ ...b, zzUnknownField: 1 }),
    () => {
      if (key === undefined) return undefined;
      const { [key]: _dropped, ...rest } = b;
      return rest;
    },
    () => (key === undefined ? undefined : { ...b, [key]: typeof b[key] === 'number' ? 'not a number' : 12.5 }),
    () => (key === undefined ? undefined : { ...b, [key]: 'x'.repeat(70_000) }),
    () => (key === undefined ? undefined : { ...b, [key]: [b[key]] }),
    () => [b],
  ];
  const candidate = variants[how % variants.length]();
  return candidate === undefined || schema.safeParse(candidate).success ? undefined : candidate;
}

describe('every route with a body, fuzzed with schema-derived bodies that reach its handler', () => {
  const FUZZ_ADMIN = 'u_fuzz_admin';
  const fixtures: Record<string, string> = {};
  /** the last ETag each path answered with: what If-Match sends next */
  const etags = new Map<string, string>();
  let calls = 0;

  /** `t.call`, moving the clock a minute every 100 calls (rate limits), remembering ETags. */
  async function call(method: string, path: string, o: CallOptions): Promise<CallResult> {
    if (++calls % 100 === 0) clock += 61_000;
    const res = await t.call(method, path, o);
    const tag = res.headers.get('etag');
    if (tag) etags.set(path, tag);
    return res;
  }

  beforeAll(async () => {
    const sys = tokens.u_system;
    const setup: Array<[string, string, unknown]> = [
      ['POST', '/v1/tenants', { tenantId: FUZZ_TENANT, name: 'Fuzzed' }],
      ['PUT', `/v1/routing/${FUZZ_TENANT}/dev/data`, { kind: 'data', mode: 'pooled', tableName: t.rt.tables.pooled }],
      ['POST', `/v1/tenants/${FUZZ_TENANT}/projects`, { projectId: FUZZ_PROJECT, name: 'Fuzzed project' }],
      ['PUT', `/v1/tenants/${FUZZ_TENANT}/members/${FUZZ_ADMIN}`, { roles: ['admin', 'trader'], tier: 'sovereign' }],
      // the profile's personal fields need the tenant's field key: t_demo's local one will do for the fuzz tenant
      ['PUT', `/v1/routing/${FUZZ_TENANT}/dev/secrets`, FUZZ_SECRETS],
      [
        'PUT',
        `/v1/routing/${FUZZ_TENANT}/dev/market-data`,
        {
          kind: 'market-data',
          provider: 'twelvedata',
          baseUrl: t.rt.marketData.twelvedata.server.url,
          secretRef: t.rt.marketData.twelvedata.secretRef,
        },
      ],
    ];
    for (const [method, path, body] of setup) {
      const res = await call(method, path, { token: sys, body });
      expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
    }
    const pf = await call('POST', '/v1/portfolios', {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT },
      body: { name: 'Fuzz target' },
    });
    expect(pf.status).toBe(201);
    fixtures.portfolioId = String(pf.body.portfolioId);
    const deposit = await call('POST', `/v1/portfolios/${fixtures.portfolioId}/transactions`, {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT, 'Idempotency-Key': 'fuzz-fixture-deposit' },
      body: { type: 'DEPOSIT', amount: '100000.00', tradeDate: '2026-01-02' },
    });
    expect(deposit.status, deposit.text).toBe(201);
    // what the reversal route reverses: small, so undoing it never breaks what the fuzz recorded since
    const interest = await call('POST', `/v1/portfolios/${fixtures.portfolioId}/transactions`, {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT, 'Idempotency-Key': 'fuzz-fixture-interest' },
      body: { type: 'INTEREST', amount: '0.01', tradeDate: '2026-01-02' },
    });
    expect(interest.status, interest.text).toBe(201);
    fixtures.txId = String((interest.body.transaction as Json).txId);
    // a SIMULATION account trading on its own, one to halt, and a working order to cancel
    for (const name of ['accountId', 'haltAccountId'] as const) {
      const created = await call('POST', '/v1/accounts', {
        token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
        headers: { 'X-Project-Id': FUZZ_PROJECT, 'Idempotency-Key': `fuzz-fixture-${name}` },
        body: { name, venue: 'SIMULATION' },
      });
      expect(created.status, created.text).toBe(201);
      TRADING[name] = String(created.body.accountId);
    }
    const mode = await call('PUT', `/v1/accounts/${TRADING.accountId}/mode`, {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT, 'If-Match': '"1"' },
      body: { mode: 'AUTONOMOUS', reason: 'fuzz fixture' },
    });
    expect(mode.status, mode.text).toBe(200);
    const order = await call('POST', '/v1/orders', {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT, 'Idempotency-Key': 'fuzz-fixture-order' },
      body: {
        accountId: TRADING.accountId,
        symbol: 'AAPL',
        side: 'buy',
        quantity: '1',
        type: 'limit',
        limitPrice: '1.00',
      },
    });
    expect(order.status, order.text).toBe(201);
    fixtures.orderId = String(order.body.orderId);
    const category = await call('POST', `/v1/portfolios/${fixtures.portfolioId}/categories`, {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT },
      body: { name: 'Fuzz fixture', code: 'FUZZ_FIXTURE', type: 'equity', targetPct: '50' },
    });
    expect(category.status, category.text).toBe(201);
    PLANNING.categoryId = String(category.body.categoryId);
    const planningAccount = await call('POST', '/v1/accounts', {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT, 'Idempotency-Key': 'fuzz-fixture-planning-account' },
      body: { name: 'Planning', venue: 'SIMULATION', portfolioId: fixtures.portfolioId },
    });
    expect(planningAccount.status, planningAccount.text).toBe(201);
    PLANNING.accountId = String(planningAccount.body.accountId);
    const planned = `/v1/portfolios/${fixtures.portfolioId}`;
    const schedule = await call('POST', `${planned}/rebalance/schedules`, {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT },
      body: { name: 'Fixture', frequency: 'daily', timeOfDay: '09:30', timezone: 'UTC' },
    });
    expect(schedule.status, schedule.text).toBe(201);
    PLANNING.scheduleId = String(schedule.body.scheduleId);
    const rule = await call('POST', `${planned}/rules`, {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT },
      body: { kind: 'stop_loss', accountId: PLANNING.accountId, symbol: 'AAPL', stopPct: '10' },
    });
    expect(rule.status, rule.text).toBe(201);
    PLANNING.ruleId = String(rule.body.ruleId);
    // a month of daily bars the research routes analyse (the fuzz tenant stores no candles of its own)
    const bars = Array.from({ length: 30 }, (_, i) => {
      const close = (100 + i).toFixed(2);
      return { time: `2026-01-${String(i + 1).padStart(2, '0')}`, open: close, high: close, low: close, close };
    });
    const upload = await call('PUT', '/v1/market-data/candles/AAPL/1day', {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT },
      body: { candles: bars },
    });
    expect(upload.status, upload.text).toBe(200);
    const member = await call('PUT', `/v1/tenants/${FUZZ_TENANT}/members/${WATCHLISTS.memberId}`, {
      token: sys,
      body: { roles: ['viewer'], tier: 'observer' },
    });
    expect(member.status, member.text).toBeLessThan(300);
    for (const name of ['watchlistId', 'sharedId'] as const) {
      const watchlist = await call('POST', '/v1/watchlists', {
        token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
        body: { name: `Fuzz ${name}`, visibility: 'shared' },
      });
      expect(watchlist.status, watchlist.text).toBe(201);
      WATCHLISTS[name] = String(watchlist.body.watchlistId);
    }
    const item = await call('POST', `/v1/watchlists/${WATCHLISTS.watchlistId}/items`, {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      body: { symbol: 'AAPL', alertAbove: '1000' },
    });
    expect(item.status, item.text).toBe(201);
  });

  /** An open signal for approve and cancel, and an account priced at its entry (the gate reads that price). */
  async function freshSignal(): Promise<void> {
    const o = { token: await t.token(FUZZ_ADMIN, FUZZ_TENANT), headers: { 'X-Project-Id': FUZZ_PROJECT } };
    const made = await call('POST', '/v1/strategies/buyAndHold/analyze', {
      ...o,
      body: { symbol: 'AAPL', interval: '1day' },
    });
    expect(made.status, made.text).toBe(201);
    const signal = made.body.signal as { signalId: string; entry: string };
    Object.assign(RESEARCH, { signalId: signal.signalId, entry: signal.entry });
    // an account of its own (GUIDE: previews), fresh when the fuzz has filled the others' limits
    if (!RESEARCH.accountId) {
      const created = await call('POST', '/v1/accounts', {
        token: o.token,
        headers: { ...o.headers, 'Idempotency-Key': 'fuzz-fixture-research-account' },
        body: { name: 'Research', venue: 'SIMULATION' },
      });
      expect(created.status, created.text).toBe(201);
      RESEARCH.accountId = String(created.body.accountId);
    }
    const priced = await call('POST', `/v1/accounts/${RESEARCH.accountId}/prices`, {
      ...o,
      body: { prices: [{ symbol: 'AAPL', price: signal.entry }] },
    });
    expect(priced.status, priced.text).toBe(200);
    // tradingSettings.put's fuzz enables only trend and breakout: the signal's strategy is enabled
    // again, everything else kept as the fuzz left it (its limits may only tighten)
    const settings = await call('GET', '/v1/trading/settings', { token: o.token });
    const current = settings.body as Json;
    const kept = ['riskLimits', 'maxOrderNotional', 'notifications', 'autoOptimisation', 'timezone'];
    const body = Object.fromEntries(kept.filter((k) => current[k] !== undefined).map((k) => [k, current[k]]));
    const enabled = await call('PUT', '/v1/trading/settings', {
      token: o.token,
      headers: { 'If-Match': String(settings.headers.get('etag')) },
      body: { ...body, enabledStrategies: Object.keys(strategies), reason: 'fuzz fixture: every strategy' },
    });
    expect(enabled.status, enabled.text).toBe(200);
  }

  /** A completed backtest on the fixture's AAPL bars for the backtest id routes (a DELETE's fuzz removes it). */
  async function freshBacktest(): Promise<void> {
    const made = await call('POST', '/v1/backtests', {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT },
      body: {
        strategy: 'smaCross',
        params: { fast: 2, slow: 5 },
        symbol: 'AAPL',
        interval: '1day',
        from: '2026-01-01',
        to: '2026-01-31',
      },
    });
    expect(made.status, made.text).toBe(201);
    RESEARCH.backtestId = String(made.body.backtestId);
  }

  /** A pending optimisation for the cancel route, else a completed one (run once on the jobs spine). */
  async function optimisationFixture(r: RouteDef): Promise<void> {
    const start = async () => {
      const made = await call('POST', '/v1/optimisations', {
        token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
        headers: { 'X-Project-Id': FUZZ_PROJECT },
        body: {
          strategy: 'smaCross',
          space: { fast: { values: [2, 3] }, slow: { values: [5, 8] } },
          method: 'grid',
          maxCandidates: 4,
          objective: 'sharpe',
          walkForward: { folds: 2, inSamplePct: 60 },
          symbol: 'AAPL',
          interval: '1day',
          from: '2026-01-01',
          to: '2026-01-31',
        },
      });
      expect(made.status, made.text).toBe(202);
      return String(made.body.optimisationId);
    };
    if (r.id === 'optimisations.cancel') {
      OPTIMISATION.pendingId = await start();
      return;
    }
    if (OPTIMISATION.completedId) return;
    OPTIMISATION.completedId = await start();
    // its plan job is due at once: the next tick runs it
    const tick = await call('POST', '/_local/tick', {});
    expect(tick.status, tick.text).toBe(200);
  }

  /** The automation fixtures a route's fuzz acts on (see AUTOMATION). */
  async function automationFixture(r: RouteDef): Promise<void> {
    const o = { token: await t.token(FUZZ_ADMIN, FUZZ_TENANT), headers: { 'X-Project-Id': FUZZ_PROJECT } };
    if (!AUTOMATION.accountId) {
      const created = await call('POST', '/v1/accounts', {
        token: o.token,
        headers: { ...o.headers, 'Idempotency-Key': 'fuzz-fixture-automation-account' },
        body: { name: 'Automation', venue: 'SIMULATION' },
      });
      expect(created.status, created.text).toBe(201);
      AUTOMATION.accountId = String(created.body.accountId);
      // the last close of the fixture's AAPL bars: the previews' limit is priced where the account is
      const priced = await call('POST', `/v1/accounts/${AUTOMATION.accountId}/prices`, {
        ...o,
        body: { prices: [{ symbol: 'AAPL', price: '129.00' }] },
      });
      expect(priced.status, priced.text).toBe(200);
    }
    const draft = async (symbol: string) => {
      const made = await call('POST', '/v1/playbooks', {
        ...o,
        body: { name: 'Fixture', strategy: 'buyAndHold', symbol, interval: '1day', accountId: AUTOMATION.accountId },
      });
      expect(made.status, made.text).toBe(201);
      return String(made.body.playbookId);
    };
    if (r.id === 'playbooks.patch') AUTOMATION.patchId = await draft('FZPATCH');
    if (r.id === 'playbooks.activate') AUTOMATION.activateId = await draft('FZACTIVE');
    if (r.id === 'playbooks.retire') AUTOMATION.retireId = await draft('FZRETIRE');
    if ((r.id === 'automation.cycles.run' || r.id === 'feedback.run') && !AUTOMATION.activeId) {
      const id = await draft('AAPL');
      const on = await call('POST', `/v1/playbooks/${id}/activate`, { ...o, body: {} });
      expect(on.status, on.text).toBe(200);
      AUTOMATION.activeId = id;
    }
  }

  /** A fresh open trade log of FUZZ_ADMIN for the trade-log id routes (an events fuzz may close it). */
  async function journalFixture(): Promise<void> {
    const made = await call('POST', '/v1/journal/trade-logs', {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT, 'Idempotency-Key': `fuzz-fixture-trade-log-${calls}` },
      body: { symbol: 'AAPL', type: 'long', entryPrice: '100', entryDate: '2026-01-05', quantity: '2', stop: '90' },
    });
    expect(made.status, made.text).toBe(201);
    JOURNAL.tradeLogId = String(made.body.tradeLogId);
  }

  /** routing.put's fuzz leaves the fuzz tenant's `secrets` entry naming no key: the profile needs it back. */
  async function profileFixture(): Promise<void> {
    const entry = `/v1/routing/${FUZZ_TENANT}/dev/secrets`;
    const system = await t.token('u_system', 't_system');
    const current = await call('GET', entry, { token: system });
    const tag = current.headers.get('etag');
    const put = await call('PUT', entry, {
      token: system,
      headers: tag ? { 'If-Match': tag } : {},
      body: FUZZ_SECRETS,
    });
    expect(put.status, put.text).toBeLessThan(300);
  }

  /**
   * State a route's fuzz needs fresh: the fuzz tenant's market-data entry (routing.put's fuzz
   * leaves it naming secrets that do not exist, a 503 for anything that prices the book) and the
   * proposal the execute route runs (the fuzz moves the book).
   */
  async function prepare(r: RouteDef): Promise<void> {
    if (r.path.startsWith('/v1/journal/trade-logs/{tradeLogId}')) return journalFixture();
    if (r.id === 'optimisations.playbook') await optimisationFixture(r);
    if (r.context === 'automation') return automationFixture(r);
    if (r.context === 'profile') return profileFixture();
    if (r.id === 'signals.approve' || r.id === 'signals.cancel') return freshSignal();
    if (r.path.startsWith('/v1/backtests/{backtestId}')) return freshBacktest();
    if (r.path.startsWith('/v1/optimisations/{optimisationId}')) return optimisationFixture(r);
    if (r.context !== 'planning' || !r.uses.secrets?.includes('tenant')) return;
    const entry = `/v1/routing/${FUZZ_TENANT}/dev/market-data`;
    const system = await t.token('u_system', 't_system');
    const current = await call('GET', entry, { token: system });
    const tag = current.headers.get('etag');
    const provider = await call('PUT', entry, {
      token: system,
      headers: tag ? { 'If-Match': tag } : {},
      body: {
        kind: 'market-data',
        provider: 'twelvedata',
        baseUrl: t.rt.marketData.twelvedata.server.url,
        secretRef: t.rt.marketData.twelvedata.secretRef,
      },
    });
    expect(provider.status, provider.text).toBeLessThan(300);
    if (r.id !== 'rebalance.proposals.execute') return;
    const made = await call('POST', `/v1/portfolios/${fixtures.portfolioId}/rebalance/proposals`, {
      token: await t.token(FUZZ_ADMIN, FUZZ_TENANT),
      headers: { 'X-Project-Id': FUZZ_PROJECT },
      body: { accountId: PLANNING.accountId },
    });
    expect(made.status, made.text).toBe(201);
    PLANNING.proposalId = String(made.body.proposalId);
  }

  /** A concrete path in the fuzz tenant: known ids where a handler should find something. */
  function fuzzPath(r: RouteDef, body: unknown, userId: string): string {
    const known: Record<string, string> = {
      tenantId: FUZZ_TENANT,
      projectId: FUZZ_PROJECT,
      portfolioId: fixtures.portfolioId,
      userId: r.id === 'watchlists.shares.put' ? WATCHLISTS.memberId : userId,
      watchlistId: r.id === 'watchlists.shares.put' ? WATCHLISTS.sharedId : WATCHLISTS.watchlistId,
      env: 'dev',
      mode: 'lab',
      kind: String((body as Json | null)?.kind ?? 'data'),
      keyId: 'k_AAAAAAAAAAAAAAAA',
      symbol: 'AAPL',
      interval: '1day',
      syncId: 'sy_0000000000000000000000000Z',
      txId: fixtures.txId,
      // the reset cancels working orders: it starts over the other account, not the one holding the order
      accountId: r.id === 'accounts.reset' ? TRADING.haltAccountId : TRADING.accountId,
      orderId: fixtures.orderId,
      strategy: 'trend',
      categoryId: PLANNING.categoryId,
      proposalId: PLANNING.proposalId,
      scheduleId: PLANNING.scheduleId,
      ruleId: PLANNING.ruleId,
      signalId: RESEARCH.signalId,
      backtestId: RESEARCH.backtestId,
      optimisationId: r.id === 'optimisations.cancel' ? OPTIMISATION.pendingId : OPTIMISATION.completedId,
      playbookId:
        r.id === 'playbooks.activate'
          ? AUTOMATION.activateId
          : r.id === 'playbooks.retire'
            ? AUTOMATION.retireId
            : AUTOMATION.patchId,
      flag: 'trading.live',
      tradeLogId: JOURNAL.tradeLogId,
      // well-formed but absent: the fuzz reaches the handler and gets its 404
      archiveId: 'ar_audit_202701_000000000000',
    };
    return r.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(known[n] ?? 'x'));
  }

  /** Tenant routes whose fuzzed calls need a system admin (a flag only a system admin may override). */
  const SYSTEM_CALLERS = new Set(['flags.putOverride']);

  /** What the route's access kind needs: credentials, project, If-Match. */
  async function optionsFor(r: RouteDef, path: string): Promise<CallOptions> {
    const headers: Record<string, string> = {};
    let token: string | undefined;
    if (r.access === 'bootstrapKey') headers['X-Bootstrap-Key'] = t.rt.bootstrapKey;
    // A fresh token per call, on the runtime's clock: logout revokes the one it is called with,
    // and routes that need a recent login refuse an old one.
    else if (r.access === 'system' || SYSTEM_CALLERS.has(r.id)) token = await t.token('u_system', 't_system');
    else token = await t.token(FUZZ_ADMIN, FUZZ_TENANT);
    if (r.access === 'project') headers['X-Project-Id'] = FUZZ_PROJECT;
    if (r.idempotencyKey === 'required')
      headers['Idempotency-Key'] = `fuzz-${calls}-${Math.random().toString(36).slice(2)}`;
    if (r.ifMatch) {
      if (!etags.has(path) && ROUTES.some((g) => g.method === 'GET' && g.path === r.path)) {
        await call('GET', path, { token, headers });
      }
      const tag = etags.get(path) ?? (r.ifMatch === 'required' ? '"1"' : undefined);
      if (tag) headers['If-Match'] = tag;
    }
    return { token, headers };
  }

  /** Refusals by the pipeline in front of the handler: the harness sent the wrong caller or headers. */
  const PIPELINE_REFUSALS = new Set([
    'NOT_A_MEMBER',
    'TENANT_MISMATCH',
    'TIER_TOO_LOW',
    'ROLE_REQUIRED',
    'SYSTEM_ADMIN_REQUIRED',
  ]);
  /**
   * Whether a request with a schema-valid body got to its handler: a 2xx, or a refusal that is not
   * authentication, rate limiting, the pipeline's context checks, or a header/path/query problem.
   * (The body itself passed the route's schema before it was sent, so a body error is the handler's.)
   */
  function reachedHandler(res: CallResult): boolean {
    if (res.status < 300) return true;
    if (res.status === 401 || res.status === 429 || PIPELINE_REFUSALS.has(String(res.body.code))) return false;
    return !(res.body.errors ?? []).some((e) => /^(headers|params|query)\./.test(e.path));
  }

  const withBodies = ROUTES.filter((r) => r.request.body && r.access !== 'public');

  /** A route that reads CSV only gets its (string) body as `text/csv`; every other body goes as JSON. */
  function withBody(r: RouteDef, o: CallOptions, body: unknown): CallOptions {
    if (r.bodyTypes?.includes('application/json') !== false || typeof body !== 'string') return { ...o, body };
    return { ...o, headers: { ...o.headers, 'Content-Type': 'text/csv' }, rawBody: body };
  }

  it.each(withBodies.map((r) => [r.id, r] as const))(
    '%s: valid bodies reach the handler (2xx or its own 4xx); broken ones are 400; never 500',
    async (_id, r) => {
      await prepare(r);
      const outcomes: string[] = [];
      let reached = 0;
      let breaks = 0;
      await fc.assert(
        fc.asyncProperty(
          validBodies(r),
          fc.stringMatching(/^u_[a-z0-9]{3,12}$/),
          fc.nat(),
          async (body, userId, how) => {
            const path = fuzzPath(r, body, userId);
            const ok = await call(r.method, path, withBody(r, await optionsFor(r, path), body));
            expect(ok.status, `${r.method} ${path} ${JSON.stringify(body)}: ${ok.text}`).toBeLessThan(500);
            // a gate refusal names its first failing check: what a reader of a failing fuzz needs first
            const failed = ok.body.firstFailure ? `:${String(ok.body.firstFailure)}` : '';
            outcomes.push(ok.status < 300 ? '2xx' : `${String(ok.body.code)}${failed}`);
            if (reachedHandler(ok)) reached++;
            const bad = broken(r, body, how);
            if (bad === undefined) return;
            breaks++;
            const res = await call(r.method, path, withBody(r, await optionsFor(r, path), bad));
            expect(res.status, `${r.method} ${path} broken ${JSON.stringify(bad).slice(0, 200)}: ${res.text}`).toBe(
              400,
            );
            expect(res.headers.get('content-type')).toContain('application/problem+json');
          },
        ),
        { numRuns: 16 },
      );
      const seen = `${r.id} outcomes: ${outcomes.join(' ')}`;
      expect(outcomes.filter((o) => o === '2xx').length, seen).toBeGreaterThan(0);
      expect(reached / outcomes.length, seen).toBeGreaterThanOrEqual(0.8);
      expect(breaks).toBeGreaterThan(0);
    },
  );

  it.each(withBodies.map((r) => [r.id, r] as const))(
    '%s: arbitrary JSON bodies, sent as the route’s caller, never produce a 500',
    async (_id, r) => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (body) => {
          const path = fuzzPath(r, body, 'u_arbitrary');
          const o = await optionsFor(r, path);
          const res = await call(r.method, path, {
            ...o,
            headers: { ...o.headers, 'Content-Type': 'application/json' },
            rawBody: JSON.stringify(body),
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(res.headers.get('content-type')).toContain('application/problem+json');
        }),
        { numRuns: 10, seed: 42 },
      );
    },
  );
});

// ---------------------------------------------------------------------------------------------
// The same routes, fuzzed where bodies are not: context headers, path parameters and query
// strings. Values are arbitrary (printable and Latin-1 text, overlong strings, bad `%` escapes,
// dotted segments, reserved words), sent with a valid caller so they reach every check. Nothing
// may answer 500, and every refusal is Problem Details.
// ---------------------------------------------------------------------------------------------

describe('every route, fuzzed in its headers, path parameters and query string', () => {
  let calls = 0;
  async function call(method: string, path: string, o: CallOptions): Promise<CallResult> {
    if (++calls % 100 === 0) clock += 61_000;
    const res = await t.call(method, path, o);
    expect(res.status, `${method} ${path} ${JSON.stringify(o.headers)}: ${res.text}`).toBeLessThan(500);
    if (res.status >= 400) expect(res.headers.get('content-type')).toContain('application/problem+json');
    return res;
  }

  /** Header-safe text (fetch refuses CR, LF and NUL): printable ASCII, some Latin-1, reserved words, very long. */
  const headerValue = fc.oneof(
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
    fc.string({ unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
    fc.constantFrom('__proto__', 'constructor', 'toString', 't_system', 'TENANT#t_demo', '', ' ', '*', 'W/"1"'),
    fc.nat({ max: 5000 }).map((n) => 'a'.repeat(n)),
  );
  /** A path segment as a client might send it: encoded text, or raw bytes the server must refuse cleanly. */
  const pathSegment = fc.oneof(
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
    fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '..', '%2e%2e', '%2F', '%00', 'a%20b', '~'),
    fc.nat({ max: 3000 }).map((n) => 'x'.repeat(n)),
  );
  const queryValue = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('-1', '0', '1.5', '1e3', 'NaN', 'Infinity', '999999999999999999999', '', '%', 'true'),
  );

  const CONTEXT_HEADERS = ['X-Tenant-Id', 'X-Env', 'X-Project-Id', 'X-Request-Id', 'Idempotency-Key', 'If-Match'];
  const guarded = ROUTES.filter((r) => r.access !== 'public' && r.access !== 'bootstrapKey');
  const callerOf = (r: RouteDef) => (r.access === 'system' ? tokens.u_system : tokens.u_admin);
  /** A well-formed JWT no issuer signed (its tenant claim is a hint only). */
  const FORGED_TOKEN = [
    Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'nobody' })).toString('base64url'),
    Buffer.from(JSON.stringify({ sub: 'u_x', 'custom:tenantId': 't_demo', exp: 4_102_444_800 })).toString('base64url'),
    'c2lnbmF0dXJl',
  ].join('.');

  it.each(guarded.map((r) => [r.id, r] as const))(
    '%s: hostile context headers → 4xx or an answer, never 500',
    async (_id, r) => {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom(...CONTEXT_HEADERS), headerValue, { minKeys: 1, maxKeys: 3 }),
          // with the route's caller, with no credentials, and with a token nobody issued: the
          // headers are read before authentication too (a tenant hint picks the issuer)
          fc.constantFrom('caller', 'none', 'forged'),
          async (headers, credentials) => {
            await call(r.method, pathOf(r.path), {
              token: credentials === 'caller' ? callerOf(r) : credentials === 'forged' ? FORGED_TOKEN : undefined,
              headers: { ...(r.access === 'project' && !('X-Project-Id' in headers) ? P : {}), ...headers },
              body: r.request.body ? {} : undefined,
            });
          },
        ),
        { numRuns: 30 },
      );
    },
  );

  const withParams = guarded.filter((r) => r.path.includes('{'));
  it.each(withParams.map((r) => [r.id, r] as const))('%s: hostile path parameters → 4xx, never 500', async (_id, r) => {
    const names = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), pathSegment, async (name, segment) => {
        const path = pathOf(r.path.replace(`{${name}}`, '\u0000')).replace('\u0000', segment);
        await call(r.method, path, {
          token: callerOf(r),
          headers: { ...(r.access === 'project' ? P : {}), 'If-Match': '"1"' },
          body: r.request.body ? {} : undefined,
        });
      }),
      { numRuns: 20 },
    );
  });

  const withQuery = guarded.filter((r) => r.method === 'GET');
  it.each(withQuery.map((r) => [r.id, r] as const))(
    '%s: hostile query strings → an answer or a 400, never 500',
    async (_id, r) => {
      const declared = r.request.query
        ? Object.keys((jsonSchema(r.request.query, 'input').properties ?? {}) as Json)
        : [];
      const name = fc.oneof(
        fc.constantFrom(...declared, 'cursor', 'limit', 'token', '__proto__'),
        fc.string({ maxLength: 10 }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(name, queryValue), { minLength: 1, maxLength: 4 }), async (pairs) => {
          const qs = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
          const res = await call('GET', `${pathOf(r.path)}?${qs}`, {
            token: callerOf(r),
            headers: r.access === 'project' ? P : {},
          });
          // a refused query names what it refused (no internals like "received NaN")
          // NaN as a word and case-sensitive: "tenantId" holds the letters n-a-n
          if (res.status === 400) expect(res.text).not.toMatch(/\bNaN\b|received|ZodError|stack/i);
        }),
        { numRuns: 20 },
      );
    },
  );
});
