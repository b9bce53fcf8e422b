import { DecimalStringSchema } from '@ballast/core/money-schema.js';
import { money } from '@ballast/core/money.js';
import { FREQUENCIES } from '@ballast/core/schedule/recurrence.js';
import { integer, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { ACCOUNT_ID } from '../trading/index.js';
import { EXECUTION_ID, PROPOSAL_ID, RULE_ID, SCHEDULE_ID } from './ids.js';
import { portfolioParams, SYMBOL_PATTERN } from './schemas.js';

const placesOf = (s: string) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0);
const valid = { when: (p: { issues: readonly unknown[] }) => p.issues.length === 0 };
const bounded = (min: string, max: string, places: number, what = '') =>
  DecimalStringSchema.check(
    z.refine((s) => money(s).gte(min) && money(s).lte(max), {
      error: `must be between ${min} and ${max}${what}`,
      ...valid,
    }),
    z.refine((s) => placesOf(s) <= places, { error: `must have at most ${places} decimal places`, ...valid }),
  );
const percent = bounded('0', '100', 4);
/** money the rules and proposals name: > 0, at most 2 decimals, below 1e12 */
const amount = DecimalStringSchema.check(
  z.refine((s) => money(s).gt(0) && money(s).lt('1e12'), { error: 'must be greater than 0 and below 1e12', ...valid }),
  z.refine((s) => placesOf(s) <= 2, { error: 'must have at most 2 decimal places', ...valid }),
);
const accountId = z.string().check(z.regex(ACCOUNT_ID, 'is not an account id'));
const symbol = z.string().check(z.regex(SYMBOL_PATTERN, 'must be an upper-case symbol like "AAPL"'));
const isZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** How a proposal is made: the same fields a schedule stores for its runs. */
export const proposalOptionsFields = {
  band: z._default(z.enum(['absolute', 'relative']), 'absolute'),
  /** absolute: percentage points; relative: percent of the target; omitted → each category's own threshold */
  thresholdPct: z.optional(percent),
  cashFirst: z._default(z.boolean(), false),
  minNotional: z._default(bounded('0', '1000000000', 2), '1'),
  maxTrades: z.optional(integer.check(z.gte(1), z.lte(500))),
  fractional: z._default(z.boolean(), false),
  taxAware: z._default(z.boolean(), false),
  /** estimated cost of each trade: notional × bps / 10,000 + perTradeFee */
  costBps: z._default(bounded('0', '1000', 4), '5'),
  perTradeFee: z._default(bounded('0', '10000', 2), '0'),
  /** at execution, a price that moved more than this (percent) since the proposal makes it stale */
  priceTolerancePct: z._default(bounded('0', '10', 4), '0.5'),
};
const proposalOptions = z.strictObject(proposalOptionsFields);
export type ProposalOptionsBody = z.output<typeof proposalOptions>;

export const proposalBody = lazy(() => z.strictObject({ ...proposalOptionsFields, accountId: z.optional(accountId) }));
export type ProposalBody = z.output<ReturnType<typeof proposalBody>>;
export const proposalParams = lazy(() =>
  z.extend(portfolioParams(), { proposalId: z.string().check(z.regex(PROPOSAL_ID, 'is not a proposal id')) }),
);
export const executionParams = lazy(() =>
  z.extend(portfolioParams(), { executionId: z.string().check(z.regex(EXECUTION_ID, 'is not an execution id')) }),
);
export const scheduleParams = lazy(() =>
  z.extend(portfolioParams(), { scheduleId: z.string().check(z.regex(SCHEDULE_ID, 'is not a schedule id')) }),
);
export const ruleParams = lazy(() =>
  z.extend(portfolioParams(), { ruleId: z.string().check(z.regex(RULE_ID, 'is not a rule id')) }),
);
export const executeBody = z.optional(z.strictObject({ accountId: z.optional(accountId) }));

const pct = DecimalStringSchema;
const categoryDrift = z.object({
  categoryId: z.string(),
  code: z.string(),
  name: z.string(),
  targetPct: pct,
  actualPct: pct,
  driftPct: pct,
  bandPct: pct,
  outsideBand: z.boolean(),
});
const drift = z.object({
  categories: z.array(categoryDrift),
  cashLine: z.object({ targetPct: pct, actualPct: pct, driftPct: pct }),
  unassignedPct: pct,
  totalDriftPct: pct,
  insideBands: z.boolean(),
});
const lotTake = z.object({
  lotId: z.string(),
  acquired: z.string(),
  quantity: DecimalStringSchema,
  costBasis: DecimalStringSchema,
  proceeds: DecimalStringSchema,
  gain: DecimalStringSchema,
  term: z.enum(['short', 'long']),
});
const washSale = z.object({
  kind: z.enum(['recent_buy', 'planned_buy', 'recent_loss_sale']),
  tradeDate: z.optional(z.string()),
  detail: z.string(),
});
const trade = z.object({
  symbol: z.string(),
  categoryId: z.string(),
  side: z.enum(['sell', 'buy']),
  quantity: DecimalStringSchema,
  price: DecimalStringSchema,
  notional: DecimalStringSchema,
  estimatedCost: DecimalStringSchema,
  reason: z.enum(['overweight', 'underweight']),
  lots: z.optional(z.array(lotTake)),
  estimatedGain: z.optional(DecimalStringSchema),
  washSales: z.array(washSale),
});
const dropped = z.object({
  symbol: z.string(),
  categoryId: z.string(),
  side: z.enum(['sell', 'buy']),
  quantity: DecimalStringSchema,
  notional: DecimalStringSchema,
  reason: z.enum([
    'below_minimum',
    'less_than_one_unit',
    'max_trades',
    'would_overdraw',
    'risk_rejected',
    'no_tradeable_symbol',
  ]),
  detail: z.string(),
});
const plan = z.object({
  baseCurrency: z.string(),
  totalValue: DecimalStringSchema,
  cashBefore: DecimalStringSchema,
  cashAfter: DecimalStringSchema,
  drift: z.object({ before: drift, after: drift }),
  trades: z.array(trade),
  dropped: z.array(dropped),
  estimatedCosts: DecimalStringSchema,
  estimatedGains: z.object({ shortTerm: DecimalStringSchema, longTerm: DecimalStringSchema }),
  cashLimited: z.boolean(),
  buysNeedSellProceeds: z.boolean(),
});
const executionType = z.enum(['scheduled', 'manual', 'threshold']);

export const proposal = lazy(() =>
  z.object({
    proposalId: z.string(),
    portfolioId: z.string(),
    accountId: z.optional(z.string()),
    options: proposalOptions,
    plan,
    gate: z.object({ evaluated: z.boolean(), accountId: z.optional(z.string()), detail: z.optional(z.string()) }),
    basis: z.object({
      cash: DecimalStringSchema,
      quantities: z.record(z.string(), DecimalStringSchema),
      prices: z.record(z.string(), DecimalStringSchema),
    }),
    status: z.enum(['proposed', 'executing', 'executed', 'previewed', 'failed']),
    source: executionType,
    scheduleId: z.optional(z.string()),
    executionId: z.optional(z.string()),
    createdAt: z.string(),
    createdBy: z.string(),
    expiresAt: z.string(),
    version: integer,
  }),
);
export const proposalPage = lazy(() => pageOf(proposal()));

const executionOrder = z.object({
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  quantity: DecimalStringSchema,
  orderId: z.optional(z.string()),
  status: z.string(),
  error: z.optional(z.object({ code: z.string(), detail: z.string() })),
});
export const execution = lazy(() =>
  z.object({
    executionId: z.string(),
    portfolioId: z.string(),
    type: executionType,
    proposalId: z.optional(z.string()),
    scheduleId: z.optional(z.string()),
    slot: z.optional(z.string()),
    accountId: z.optional(z.string()),
    mode: z.optional(z.enum(['GUIDE', 'AUTONOMOUS'])),
    status: z.enum(['sending', 'previewed', 'awaiting_fills', 'completed', 'failed', 'skipped']),
    portfolioValue: DecimalStringSchema,
    driftBefore: pct,
    driftAfter: pct,
    tradesPlanned: integer,
    tradesExecuted: integer,
    orders: z.array(executionOrder),
    pendingBuys: z.optional(z.array(trade)),
    missedSlots: z.optional(integer),
    success: z.boolean(),
    detail: z.optional(z.string()),
    error: z.optional(z.object({ code: z.string(), detail: z.string() })),
    startedAt: z.string(),
    finishedAt: z.optional(z.string()),
    by: z.string(),
    version: integer,
  }),
);
export const executionPage = lazy(() => pageOf(execution()));

// --- schedules ------------------------------------------------------------------------------

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const recurrenceFields = {
  frequency: z.enum(FREQUENCIES),
  /** ISO: 1 Monday … 7 Sunday (weekly) */
  dayOfWeek: z.optional(integer.check(z.gte(1), z.lte(7))),
  /** 1 … 31 (monthly, quarterly); a shorter month runs on its last day */
  dayOfMonth: z.optional(integer.check(z.gte(1), z.lte(31))),
  timeOfDay: z.string().check(z.regex(HH_MM, 'must be HH:MM, 00:00 to 23:59')),
  timezone: z.string().check(z.maxLength(64), z.refine(isZone, 'is not an IANA time zone')),
  excludeWeekends: z._default(z.boolean(), false),
};
type Issue = { code: 'custom'; path: PropertyKey[]; message: string; input: unknown };
function weeklyNeedsDay(b: { frequency: string; dayOfWeek?: number }, ctx: { addIssue(i: Issue): void }) {
  if (b.frequency === 'weekly' && b.dayOfWeek === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['dayOfWeek'],
      message: 'is required for a weekly schedule',
      input: undefined,
    });
  }
}

export const scheduleBody = lazy(() =>
  z
    .strictObject({
      name: z.string().check(z.trim(), z.minLength(1), z.maxLength(120)),
      accountId: z.optional(accountId),
      ...recurrenceFields,
      trigger: z._default(z.enum(['calendar', 'drift']), 'calendar'),
      driftThresholdPct: z._default(percent, '3'),
      maxTrades: z.optional(integer.check(z.gte(1), z.lte(500))),
      cooldownDays: z._default(integer.check(z.gte(0), z.lte(365)), 0),
      mode: z._default(z.enum(['propose', 'execute']), 'propose'),
      enabled: z._default(z.boolean(), true),
      proposal: z._default(proposalOptions, {
        band: 'absolute',
        cashFirst: false,
        minNotional: '1',
        fractional: false,
        taxAware: false,
        costBps: '5',
        perTradeFee: '0',
        priceTolerancePct: '0.5',
      }),
    })
    .check(z.superRefine(weeklyNeedsDay)),
);
export type ScheduleBody = z.output<ReturnType<typeof scheduleBody>>;

export const schedule = lazy(() =>
  z.object({
    scheduleId: z.string(),
    portfolioId: z.string(),
    name: z.string(),
    accountId: z.optional(z.string()),
    frequency: z.enum(FREQUENCIES),
    dayOfWeek: z.optional(integer),
    dayOfMonth: z.optional(integer),
    timeOfDay: z.string(),
    timezone: z.string(),
    excludeWeekends: z.optional(z.boolean()),
    trigger: z.enum(['calendar', 'drift']),
    driftThresholdPct: pct,
    maxTrades: z.optional(integer),
    cooldownDays: integer,
    mode: z.enum(['propose', 'execute']),
    enabled: z.boolean(),
    proposal: proposalOptions,
    nextRunAt: z.nullable(z.string()),
    lastRunAt: z.optional(z.string()),
    lastExecutionId: z.optional(z.string()),
    createdAt: z.string(),
    /** who made it: a failed scheduled run notifies them (`schedule.failed`) */
    createdBy: z.optional(z.string()),
    updatedAt: z.string(),
    version: integer,
  }),
);
export const schedulePage = lazy(() => pageOf(schedule()));

// --- rules ----------------------------------------------------------------------------------

export const ruleBody = lazy(() =>
  z.discriminatedUnion('kind', [
    z
      .strictObject({
        kind: z.literal('dca'),
        accountId,
        symbol,
        amount,
        ...recurrenceFields,
        /** buy only while the price is at or below this */
        maxPrice: z.optional(amount),
        fractional: z._default(z.boolean(), false),
        enabled: z._default(z.boolean(), true),
      })
      .check(z.superRefine(weeklyNeedsDay)),
    z.strictObject({
      kind: z.literal('stop_loss'),
      accountId,
      symbol,
      /** sell when the price is this percent below the average cost */
      stopPct: bounded('0.01', '99.99', 2),
      enabled: z._default(z.boolean(), true),
    }),
  ]),
);
export type RuleBody = z.output<ReturnType<typeof ruleBody>>;

const recurrenceView = z.object({
  frequency: z.enum(FREQUENCIES),
  dayOfWeek: z.optional(integer),
  dayOfMonth: z.optional(integer),
  timeOfDay: z.string(),
  timezone: z.string(),
  excludeWeekends: z.optional(z.boolean()),
});
export const rule = lazy(() =>
  z.object({
    ruleId: z.string(),
    portfolioId: z.string(),
    accountId: z.string(),
    kind: z.enum(['dca', 'stop_loss']),
    symbol: z.string(),
    enabled: z.boolean(),
    dca: z.optional(
      z.extend(recurrenceView, {
        amount: DecimalStringSchema,
        maxPrice: z.optional(DecimalStringSchema),
        fractional: z.boolean(),
      }),
    ),
    stopLoss: z.optional(z.object({ stopPct: DecimalStringSchema })),
    nextRunAt: z.optional(z.nullable(z.string())),
    lastRunAt: z.optional(z.string()),
    triggeredAt: z.optional(z.string()),
    createdAt: z.string(),
    /** who made it: a failed run notifies them (`schedule.failed`) */
    createdBy: z.optional(z.string()),
    updatedAt: z.string(),
    version: integer,
  }),
);
export const rulePage = lazy(() => pageOf(rule()));
export const ruleRun = z.object({
  runId: z.string(),
  ruleId: z.string(),
  at: z.string(),
  outcome: z.enum(['ordered', 'previewed', 'skipped', 'failed']),
  detail: z.string(),
  price: z.optional(DecimalStringSchema),
  quantity: z.optional(DecimalStringSchema),
  orderId: z.optional(z.string()),
});
export const ruleRunPage = lazy(() => pageOf(ruleRun));
