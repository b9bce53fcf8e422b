import { ORDER_STATUSES } from '@ballast/core/execution/order-state.js';
import { RISK_LIMIT_KEYS } from '@ballast/core/risk/limits.js';
import { RiskLimitSettingsSchema } from '@ballast/core/risk/schemas.js';
import { strategies } from '@ballast/core/strategies/registry.js';
import { DecimalStringSchema } from '@ballast/core/money-schema.js';
import { integer, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { currency } from '../portfolio/index.js';
import { ACCOUNT_ID, DECISION_ID, ORDER_ID } from './ids.js';

export const VENUES = ['SIMULATION', 'PAPER', 'LIVE'] as const;
export type Venue = (typeof VENUES)[number];
export const MODES = ['GUIDE', 'AUTONOMOUS'] as const;
export type TradingMode = (typeof MODES)[number];
export const STRATEGY_NAMES = Object.keys(strategies) as [string, ...string[]];
export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit'] as const;
export const TIME_IN_FORCE = ['day', 'gtc', 'ioc', 'fok'] as const;

/** Decimal places a quantity or price may carry (the ledger's own bound). */
const MAX_PLACES = 12;
const placesOf = (s: string) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0);
const ok = (p: { issues: unknown[] }) => p.issues.length === 0;
/** A decimal string > 0 with at most 12 places. */
export const positiveDecimal = DecimalStringSchema.check(
  z.refine((s) => !s.startsWith('-') && /[1-9]/.test(s), { error: 'must be greater than zero', when: ok }),
  z.refine((s) => placesOf(s) <= MAX_PLACES, { error: `must have at most ${MAX_PLACES} decimal places`, when: ok }),
);
/** A decimal string ≥ 0 with at most 12 places: a strategy budget of 0 stops its buys (the feedback loop). */
const budgetDecimal = DecimalStringSchema.check(
  z.refine((s) => !s.startsWith('-'), { error: 'must not be negative', when: ok }),
  z.refine((s) => placesOf(s) <= MAX_PLACES, { error: `must have at most ${MAX_PLACES} decimal places`, when: ok }),
);
export const symbol = z
  .string()
  .check(z.regex(/^[A-Z0-9][A-Z0-9._-]{0,19}$/, 'must be an upper-case symbol like "AAPL" or "BTC-USD"'));
const reason = z.string().check(z.trim(), z.minLength(3), z.maxLength(500));
const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(120));
/** DynamoDB stores numbers of magnitude 1e-130 … 1e126: anything smaller than this bound is refused, not a 500. */
const MIN_MAGNITUDE = 1e-12;
const bounded = (min: number, max: number) =>
  z.number().check(
    z.gte(min),
    z.lte(max),
    z.refine((v) => v === 0 || Math.abs(v) >= MIN_MAGNITUDE, { error: `must be 0 or at least ${MIN_MAGNITUDE}` }),
  );
const fraction = bounded(0, 1);

export const accountParams = lazy(() =>
  z.strictObject({ accountId: z.string().check(z.regex(ACCOUNT_ID, 'is not an account id')) }),
);
export const orderParams = lazy(() =>
  z.strictObject({ orderId: z.string().check(z.regex(ORDER_ID, 'is not an order id')) }),
);
export const strategyParams = lazy(() => z.strictObject({ strategy: z.enum(STRATEGY_NAMES) }));

/** A SIMULATION account's venue model: what its fills cost and how they are drawn. */
export const simulationConfig = lazy(() =>
  z.strictObject({
    initialBalance: z._default(positiveDecimal, '10000'),
    currency: z._default(currency, 'USD'),
    slippageBps: z._default(bounded(0, 1000), 5),
    commission: z._default(
      z.strictObject({
        perShare: z._default(bounded(0, 100), 0),
        rate: z._default(bounded(0, 0.1), 0),
        fixed: z._default(bounded(0, 1e6), 0),
        minimum: z._default(bounded(0, 1e6), 0),
      }),
      { perShare: 0, rate: 0, fixed: 0, minimum: 0 },
    ),
    latencyMs: z._default(z.int().check(z.gte(0), z.lte(2000)), 0),
    fillProbability: z._default(fraction, 1),
    partialFillProbability: z._default(fraction, 0),
    seed: z._default(z.int().check(z.gte(0), z.lte(2 ** 31 - 1)), 1),
  }),
);
export type SimulationConfig = z.output<ReturnType<typeof simulationConfig>>;

export const createAccountBody = lazy(() =>
  z
    .strictObject({
      name,
      venue: z.enum(VENUES),
      /** where its fills post; a SIMULATION account without one gets a new portfolio funded with its balance */
      portfolioId: z.optional(z.string().check(z.regex(/^pf_[A-Za-z0-9]{10,40}$/, 'is not a portfolio id'))),
      simulation: z.optional(simulationConfig()),
      confirm: z.optional(z.boolean()),
      reason: z.optional(reason),
    })
    .check(
      z.superRefine((b, ctx) => {
        if (b.venue !== 'SIMULATION' && b.simulation !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['simulation'], message: 'is only for SIMULATION accounts', input: 1 });
        }
        if (b.venue !== 'SIMULATION' && b.portfolioId === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['portfolioId'],
            message: `is required for ${b.venue}`,
            input: undefined,
          });
        }
      }),
    ),
);

export const account = lazy(() =>
  z.object({
    accountId: z.string(),
    projectId: z.string(),
    name: z.string(),
    venue: z.enum(VENUES),
    mode: z.enum(MODES),
    portfolioId: z.string(),
    currency: z.string(),
    simulation: z.optional(simulationConfig()),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    version: integer,
  }),
);
export const accountPage = lazy(() => pageOf(account()));

export const modeBody = lazy(() =>
  z.strictObject({ mode: z.enum(MODES), confirm: z.optional(z.boolean()), reason: z.optional(reason) }),
);
export const modeView = lazy(() =>
  z.object({ accountId: z.string(), venue: z.enum(VENUES), mode: z.enum(MODES), version: integer }),
);
const modeChange = z.object({
  changeId: z.string(),
  accountId: z.string(),
  from: z.enum(MODES),
  to: z.enum(MODES),
  reason: z.optional(z.string()),
  by: z.string(),
  at: z.string(),
  ip: z.optional(z.string()),
  userAgent: z.optional(z.string()),
});
export const modeHistoryPage = lazy(() => pageOf(modeChange));

// --- settings -------------------------------------------------------------------------------

const notificationSettings = z.strictObject({
  riskHalt: z._default(z.boolean(), true),
  orderFilled: z._default(z.boolean(), false),
  orderRejected: z._default(z.boolean(), true),
  strategyDisabled: z._default(z.boolean(), true),
});

/** The tenant's trading settings: limits that only tighten the hard ones, and what may trade. */
export const settingsFields = {
  riskLimits: z._default(
    RiskLimitSettingsSchema.check(
      z.superRefine((limits, ctx) => {
        for (const [field, value] of Object.entries(limits)) {
          if (typeof value === 'number' && value !== 0 && Math.abs(value) < MIN_MAGNITUDE) {
            ctx.addIssue({ code: 'custom', path: [field], message: `must be at least ${MIN_MAGNITUDE}`, input: value });
          }
        }
      }),
    ),
    {},
  ),
  /** the largest notional one allocation order may have (rebalancing, DCA, plain orders) */
  maxOrderNotional: z.optional(z.nullable(positiveDecimal)),
  /** strategies that may send orders; a strategy order naming another is rejected by check 8 */
  enabledStrategies: z._default(z.array(z.enum(STRATEGY_NAMES)).check(z.maxLength(20)), [...STRATEGY_NAMES]),
  /** per strategy, the most open notional its orders may hold */
  strategyBudgets: z._default(z.record(z.enum(STRATEGY_NAMES), budgetDecimal), {}),
  notifications: z._default(notificationSettings, {
    riskHalt: true,
    orderFilled: false,
    orderRejected: true,
    strategyDisabled: true,
  }),
  autoOptimisation: z._default(
    z.strictObject({
      enabled: z._default(z.boolean(), false),
      intervalDays: z._default(z.int().check(z.gte(1), z.lte(365)), 30),
    }),
    { enabled: false, intervalDays: 30 },
  ),
  /** IANA time zone whose midnight starts the tenant's trading day (the daily reset) */
  timezone: z._default(
    z.string().check(
      z.refine((tz) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'is not an IANA time zone'),
    ),
    'UTC',
  ),
};
export const settingsBody = lazy(() => z.strictObject({ ...settingsFields, reason: z.optional(reason) }));
export type SettingsBody = z.output<ReturnType<typeof settingsBody>>;

const riskLimitsView = z.object(Object.fromEntries(RISK_LIMIT_KEYS.map((k) => [k, z.number()])));
export const settingsView = lazy(() =>
  z.object({
    riskLimits: RiskLimitSettingsSchema,
    effectiveLimits: riskLimitsView,
    maxOrderNotional: z.optional(z.nullable(DecimalStringSchema)),
    enabledStrategies: z.array(z.string()),
    strategyBudgets: z.record(z.string(), DecimalStringSchema),
    notifications: z.record(z.string(), z.boolean()),
    autoOptimisation: z.object({ enabled: z.boolean(), intervalDays: z.number() }),
    timezone: z.string(),
    version: integer,
    updatedAt: z.optional(z.string()),
    updatedBy: z.optional(z.string()),
  }),
);
export const settingsHistoryPage = lazy(() =>
  pageOf(
    z.object({
      version: integer,
      at: z.string(),
      by: z.string(),
      reason: z.optional(z.string()),
      before: z.nullable(z.record(z.string(), z.unknown())),
      after: z.record(z.string(), z.unknown()),
    }),
  ),
);
export const hardLimitsView = lazy(() =>
  z.object({
    limits: riskLimitsView,
    notes: z.record(z.string(), z.string()),
  }),
);

// --- risk -----------------------------------------------------------------------------------

const check = z.object({
  id: z.string(),
  step: z.number(),
  name: z.string(),
  value: z.union([z.number(), z.boolean(), z.null()]),
  limit: z.union([z.number(), z.boolean(), z.null()]),
  passed: z.boolean(),
  applicable: z.optional(z.boolean()),
  detail: z.string(),
});
export const decision = lazy(() =>
  z.object({
    decisionId: z.string(),
    accountId: z.string(),
    orderId: z.optional(z.string()),
    intent: z.enum(['strategy', 'allocation']),
    approved: z.boolean(),
    firstFailure: z.optional(z.string()),
    checks: z.array(check),
    inputs: z.record(z.string(), z.unknown()),
    dryRun: z.boolean(),
    at: z.string(),
    by: z.string(),
  }),
);
export const decisionPage = lazy(() => pageOf(decision()));
export const decisionQuery = lazy(() =>
  z.extend(listQuery, {
    accountId: z.optional(accountParams().shape.accountId),
    approved: z.optional(z.enum(['true', 'false'])),
  }),
);
export const accountQuery = lazy(() => z.strictObject({ accountId: accountParams().shape.accountId }));

const strategyState = z.object({
  strategy: z.string(),
  enabled: z.boolean(),
  enabledInSettings: z.boolean(),
  disabledReason: z.optional(z.string()),
  consecutiveLosses: z.number(),
  wins: z.number(),
  losses: z.number(),
  realisedPnl: DecimalStringSchema,
  budget: z.nullable(DecimalStringSchema),
  used: DecimalStringSchema,
});
export const riskStateView = lazy(() =>
  z.object({
    accountId: z.string(),
    tradingState: z.enum(['ACTIVE', 'HALTED', 'REDUCING']),
    balance: DecimalStringSchema,
    equity: DecimalStringSchema,
    peakEquity: DecimalStringSchema,
    drawdownPct: DecimalStringSchema,
    dailyPnl: DecimalStringSchema,
    dayStart: z.string(),
    openPositions: z.number(),
    exposure: DecimalStringSchema,
    tradesToday: z.number(),
    tradesThisHour: z.number(),
    pendingOrders: z.number(),
    emergencyShutdown: z.object({
      active: z.boolean(),
      reason: z.optional(z.string()),
      triggeredAt: z.optional(z.string()),
      resetBy: z.optional(z.string()),
      resetReason: z.optional(z.string()),
      resetAt: z.optional(z.string()),
    }),
    strategies: z.array(strategyState),
    version: integer,
    updatedAt: z.string(),
  }),
);
export const budgetsView = lazy(() => z.object({ accountId: z.string(), items: z.array(strategyState) }));

export const enableStrategyBody = lazy(() => z.strictObject({ accountId: accountParams().shape.accountId, reason }));
export const haltBody = lazy(() =>
  z.strictObject({
    accountId: z.optional(accountParams().shape.accountId),
    reason,
    /** REDUCING instead of HALTED: orders that shrink a position still pass */
    reduceOnly: z.optional(z.boolean()),
  }),
);
export const haltResult = lazy(() =>
  z.object({ halted: z.array(z.object({ accountId: z.string(), tradingState: z.string() })) }),
);
export const resetBody = lazy(() =>
  z.strictObject({
    accountId: accountParams().shape.accountId,
    reason,
    /** start measuring drawdown from today's equity (else a drawdown still ≥ the limit trips again) */
    rebasePeak: z._default(z.boolean(), true),
  }),
);

// --- orders ---------------------------------------------------------------------------------

export const orderFields = {
  accountId: accountParams().shape.accountId,
  symbol,
  side: z.enum(['buy', 'sell']),
  type: z._default(z.enum(ORDER_TYPES), 'market'),
  quantity: positiveDecimal,
  limitPrice: z.optional(positiveDecimal),
  stopPrice: z.optional(positiveDecimal),
  timeInForce: z._default(z.enum(TIME_IN_FORCE), 'day'),
  stopLoss: z.optional(positiveDecimal),
  takeProfit: z.optional(positiveDecimal),
  /** names the strategy: the order is a `strategy` order and gets the nine checks */
  strategy: z.optional(z.enum(STRATEGY_NAMES)),
  signalId: z.optional(z.string().check(z.regex(/^sg_[0-9A-HJKMNP-TV-Z]{26}$/, 'is not a signal id'))),
  /** units per lot of the instrument (FX 100000, a future's multiplier): the lots check applies only with it */
  lotSize: z.optional(positiveDecimal),
  note: z.optional(z.string().check(z.maxLength(500))),
};

type OrderShape = {
  type: (typeof ORDER_TYPES)[number];
  limitPrice?: string;
  stopPrice?: string;
  strategy?: string;
  stopLoss?: string;
  takeProfit?: string;
  side: 'buy' | 'sell';
};
type Issue = { code: 'custom'; path: string[]; message: string; input: unknown };

/** Prices each order type needs and refuses, and what a strategy order must carry. */
export function checkOrderShape(b: OrderShape, ctx: { addIssue(i: Issue): void }): void {
  const needsLimit = b.type === 'limit' || b.type === 'stop_limit';
  const needsStop = b.type === 'stop' || b.type === 'stop_limit';
  if (needsLimit && b.limitPrice === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['limitPrice'],
      message: `is required for a ${b.type} order`,
      input: undefined,
    });
  if (!needsLimit && b.limitPrice !== undefined)
    ctx.addIssue({ code: 'custom', path: ['limitPrice'], message: `is not taken by a ${b.type} order`, input: 1 });
  if (needsStop && b.stopPrice === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['stopPrice'],
      message: `is required for a ${b.type} order`,
      input: undefined,
    });
  if (!needsStop && b.stopPrice !== undefined)
    ctx.addIssue({ code: 'custom', path: ['stopPrice'], message: `is not taken by a ${b.type} order`, input: 1 });
  if (b.strategy !== undefined) {
    for (const field of ['stopLoss', 'takeProfit'] as const) {
      if (b[field] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'is required for a strategy order (its risk and reward are checked)',
          input: undefined,
        });
      }
    }
  }
}

export const orderBody = lazy(() => z.strictObject(orderFields).check(z.superRefine(checkOrderShape)));
export type OrderBody = z.output<ReturnType<typeof orderBody>>;

export const validateBody = orderBody;

const transition = z.object({
  from: z.nullable(z.string()),
  to: z.string(),
  at: z.string(),
  reason: z.optional(z.string()),
});
const fill = z.object({
  fillId: z.string(),
  quantity: DecimalStringSchema,
  price: DecimalStringSchema,
  fee: DecimalStringSchema,
  at: z.string(),
  txId: z.string(),
  realisedPnl: z.optional(DecimalStringSchema),
});
export const order = lazy(() =>
  z.object({
    orderId: z.string(),
    accountId: z.string(),
    portfolioId: z.string(),
    venue: z.enum(VENUES),
    mode: z.enum(MODES),
    intent: z.enum(['strategy', 'allocation']),
    symbol: z.string(),
    side: z.enum(['buy', 'sell']),
    type: z.enum(ORDER_TYPES),
    quantity: DecimalStringSchema,
    limitPrice: z.optional(DecimalStringSchema),
    stopPrice: z.optional(DecimalStringSchema),
    timeInForce: z.enum(TIME_IN_FORCE),
    stopLoss: z.optional(DecimalStringSchema),
    takeProfit: z.optional(DecimalStringSchema),
    strategy: z.optional(z.string()),
    signalId: z.optional(z.string()),
    note: z.optional(z.string()),
    status: z.string(),
    filledQuantity: DecimalStringSchema,
    averageFillPrice: z.optional(DecimalStringSchema),
    decisionId: z.string(),
    clientOrderId: z.string(),
    brokerOrderId: z.optional(z.string()),
    reason: z.optional(z.string()),
    transitions: z.array(transition),
    fills: z.array(fill),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    version: integer,
  }),
);
export const orderPage = lazy(() => pageOf(order()));
export const orderQuery = lazy(() =>
  z.extend(listQuery, {
    accountId: z.optional(accountParams().shape.accountId),
    status: z.optional(z.enum([...ORDER_STATUSES, 'open'])),
    symbol: z.optional(symbol),
  }),
);

export const positionsView = lazy(() =>
  z.object({
    accountId: z.string(),
    portfolioId: z.string(),
    cash: DecimalStringSchema,
    items: z.array(
      z.object({
        symbol: z.string(),
        quantity: DecimalStringSchema,
        averageCost: DecimalStringSchema,
        price: z.optional(DecimalStringSchema),
        marketValue: z.optional(DecimalStringSchema),
        bracket: z.optional(
          z.object({ stopLoss: z.optional(DecimalStringSchema), takeProfit: z.optional(DecimalStringSchema) }),
        ),
      }),
    ),
  }),
);

export const pricesBody = lazy(() =>
  z.strictObject({
    prices: z
      .array(
        z
          .strictObject({
            symbol,
            price: positiveDecimal,
            open: z.optional(positiveDecimal),
            high: z.optional(positiveDecimal),
            low: z.optional(positiveDecimal),
          })
          .check(
            z.superRefine((p, ctx) => {
              const n = (s?: string) => (s === undefined ? undefined : Number(s));
              const [high, low] = [n(p.high), n(p.low)];
              for (const [field, v] of [
                ['price', n(p.price)],
                ['open', n(p.open)],
              ] as const) {
                if (v === undefined) continue;
                if (high !== undefined && v > high)
                  ctx.addIssue({ code: 'custom', path: [field], message: 'is above high', input: v });
                if (low !== undefined && v < low)
                  ctx.addIssue({ code: 'custom', path: [field], message: 'is below low', input: v });
              }
            }),
          ),
      )
      .check(z.minLength(1), z.maxLength(50)),
  }),
);
export const pricesResult = lazy(() =>
  z.object({
    accountId: z.string(),
    fills: z.array(
      z.object({
        orderId: z.string(),
        fillId: z.string(),
        quantity: z.string(),
        price: z.string(),
        reason: z.string(),
      }),
    ),
    tradingState: z.string(),
    equity: DecimalStringSchema,
  }),
);
export const resetAccountBody = lazy(() => z.strictObject({ reason }));

// --- journal --------------------------------------------------------------------------------

/** An automatic entry: one per fill (stored before `kind` existed, such an entry reads as a fill). */
export const journalEntry = lazy(() =>
  z.object({
    kind: z.literal('fill'),
    entryId: z.string(),
    accountId: z.string(),
    orderId: z.string(),
    fillId: z.string(),
    source: z.enum(VENUES),
    symbol: z.string(),
    side: z.enum(['buy', 'sell']),
    quantity: DecimalStringSchema,
    price: DecimalStringSchema,
    fee: DecimalStringSchema,
    strategy: z.optional(z.string()),
    intent: z.enum(['strategy', 'allocation']),
    realisedPnl: z.optional(DecimalStringSchema),
    at: z.string(),
  }),
);
const stats = z.object({
  trades: z.number(),
  wins: z.number(),
  losses: z.number(),
  breakEven: z.number(),
  winRate: z.number(),
  profitFactor: z.nullable(z.number()),
  expectancy: z.string(),
  netPnl: z.string(),
  grossProfit: z.string(),
  grossLoss: z.string(),
  longestWinStreak: z.number(),
  longestLossStreak: z.number(),
  currentStreak: z.object({ kind: z.string(), length: z.number() }),
});
export const journalStatsQuery = lazy(() =>
  z.strictObject({ source: z.optional(z.enum(VENUES)), accountId: z.optional(accountParams().shape.accountId) }),
);
export const journalStatsView = lazy(() =>
  z.object({ overall: stats, byStrategy: z.record(z.string(), stats), bySymbol: z.record(z.string(), stats) }),
);

export { DECISION_ID };
