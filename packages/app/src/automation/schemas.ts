import { DecimalStringSchema } from '@ballast/core/money-schema.js';
import { FREQUENCIES } from '@ballast/core/schedule/recurrence.js';
import { strategies } from '@ballast/core/strategies/index.js';
import { integer, listQuery, pageOf } from '@ballast/platform/schemas/common.js';
import { lazy } from '@ballast/platform/schemas/lazy.js';
import * as z from 'zod/mini';
import { CANDLE_INTERVALS, SYMBOL_PATTERN } from '../market-data/index.js';
import { ACCOUNT_ID, positiveDecimal } from '../trading/index.js';
import { CYCLE_ID, OPTIMISATION_REF, PLAYBOOK_ID } from './ids.js';

const STRATEGY_IDS = Object.keys(strategies) as [keyof typeof strategies, ...Array<keyof typeof strategies>];
const pattern = (re: RegExp, what: string) => z.string().check(z.regex(re, `is not ${what}`));
const playbookId = pattern(PLAYBOOK_ID, 'a playbook id');
const cycleId = pattern(CYCLE_ID, 'a cycle id');

export const playbookParams = lazy(() => z.strictObject({ playbookId }));
export const cycleParams = lazy(() => z.strictObject({ cycleId }));

// --- schedules ------------------------------------------------------------------------------

/** A fixed step, its slots at whole multiples of it in UTC (1h: every hour on the hour). */
export const INTERVAL_STEPS = { '5min': 5, '15min': 15, '30min': 30, '1h': 60, '4h': 240, '1day': 1440 } as const;
const STEP_NAMES = Object.keys(INTERVAL_STEPS) as [keyof typeof INTERVAL_STEPS, ...Array<keyof typeof INTERVAL_STEPS>];
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const isZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return /^[A-Za-z]/.test(tz);
  } catch {
    return false;
  }
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

const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('interval'), every: z.enum(STEP_NAMES) }),
  z
    .strictObject({
      kind: z.literal('calendar'),
      frequency: z.enum(FREQUENCIES),
      dayOfWeek: z.optional(integer.check(z.gte(1), z.lte(7))),
      dayOfMonth: z.optional(integer.check(z.gte(1), z.lte(31))),
      timeOfDay: z.string().check(z.regex(HH_MM, 'must be HH:MM, 00:00 to 23:59')),
      timezone: z.string().check(z.maxLength(64), z.refine(isZone, 'is not an IANA time zone')),
      excludeWeekends: z._default(z.boolean(), false),
    })
    .check(z.superRefine(weeklyNeedsDay)),
]);
export type PlaybookSchedule = z.output<typeof scheduleSchema>;

// --- playbooks ------------------------------------------------------------------------------

const sizingSchema = z.discriminatedUnion('kind', [
  /** the same quantity every order */
  z.strictObject({ kind: z.literal('quantity'), quantity: positiveDecimal }),
  /** money per order at the signal's entry, whole units unless fractional */
  z.strictObject({
    kind: z.literal('notional'),
    notional: positiveDecimal,
    fractional: z._default(z.boolean(), false),
  }),
]);
export type Sizing = z.output<typeof sizingSchema>;

const percentUnder100 = positiveDecimal.check(z.refine((s) => Number(s) < 100, 'must be under 100'));
const exitsSchema = z.strictObject({ stopLossPct: percentUnder100, takeProfitPct: positiveDecimal });

/** The trading desk's daily trade cap (HARD_LIMITS.maxTradesPerDay): no playbook is allowed more. */
export const MAX_ORDERS_PER_DAY = 20;

const fields = {
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(120)),
  strategy: z.enum(STRATEGY_IDS),
  /** the strategy's parameters (its schema checks them); what is left out takes its default */
  params: z.record(z.string(), z.unknown()),
  symbol: z.string().check(z.regex(SYMBOL_PATTERN, 'must be an upper-case symbol like "AAPL" or "EUR-USD"')),
  interval: z.enum(CANDLE_INTERVALS),
  bars: integer.check(z.gte(2), z.lte(5000)),
  accountId: pattern(ACCOUNT_ID, 'an account id'),
  sourceOptimisationId: pattern(OPTIMISATION_REF, 'an optimisation id (op_…)'),
  schedule: scheduleSchema,
  sizing: sizingSchema,
  exits: exitsSchema,
  maxOrdersPerDay: integer.check(z.gte(1), z.lte(MAX_ORDERS_PER_DAY)),
  notes: z.string().check(z.maxLength(2000)),
};

export const playbookBody = lazy(() =>
  z.strictObject({
    name: fields.name,
    strategy: fields.strategy,
    params: z._default(fields.params, {}),
    symbol: fields.symbol,
    interval: fields.interval,
    bars: z._default(fields.bars, 500),
    accountId: fields.accountId,
    sourceOptimisationId: z.optional(fields.sourceOptimisationId),
    /** absent: the cycle runs only when asked (POST /v1/automation/cycles) */
    schedule: z.optional(fields.schedule),
    sizing: z._default(fields.sizing, { kind: 'quantity', quantity: '1' }),
    exits: z._default(fields.exits, { stopLossPct: '2', takeProfitPct: '4' }),
    maxOrdersPerDay: z._default(fields.maxOrdersPerDay, 5),
    notes: z.optional(fields.notes),
  }),
);
export type PlaybookBody = z.output<ReturnType<typeof playbookBody>>;

/** A change: the fields sent are replaced; `null` clears an optional one. */
export const playbookPatch = lazy(() =>
  z.strictObject({
    name: z.optional(fields.name),
    strategy: z.optional(fields.strategy),
    params: z.optional(fields.params),
    symbol: z.optional(fields.symbol),
    interval: z.optional(fields.interval),
    bars: z.optional(fields.bars),
    accountId: z.optional(fields.accountId),
    sourceOptimisationId: z.optional(z.nullable(fields.sourceOptimisationId)),
    schedule: z.optional(z.nullable(fields.schedule)),
    sizing: z.optional(fields.sizing),
    exits: z.optional(fields.exits),
    maxOrdersPerDay: z.optional(fields.maxOrdersPerDay),
    notes: z.optional(z.nullable(fields.notes)),
  }),
);
export type PlaybookPatch = z.output<ReturnType<typeof playbookPatch>>;

const status = z.enum(['draft', 'active', 'retired']);
export const playbook = lazy(() =>
  z.object({
    playbookId: z.string(),
    name: z.string(),
    strategy: z.string(),
    params: z.record(z.string(), z.unknown()),
    symbol: z.string(),
    interval: z.string(),
    bars: integer,
    accountId: z.string(),
    sourceOptimisationId: z.optional(z.string()),
    schedule: z.optional(scheduleSchema),
    sizing: sizingSchema,
    exits: exitsSchema,
    maxOrdersPerDay: integer,
    notes: z.optional(z.string()),
    status,
    activatedAt: z.optional(z.string()),
    retiredAt: z.optional(z.string()),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
    version: integer,
  }),
);
export const playbookPage = lazy(() => pageOf(playbook()));
export const playbookQuery = lazy(() => z.extend(listQuery, { status: z.optional(status) }));
/** a transition takes no fields; If-Match, when sent, names the version it applies to */
export const transitionBody = lazy(() => z.optional(z.strictObject({ reason: z.optional(fields.notes) })));

// --- cycles and decisions -------------------------------------------------------------------

export const cycleBody = lazy(() => z.strictObject({ playbookId }));

const stepName = z.enum(['supervisor', 'strategy', 'risk', 'execution']);
export const decision = lazy(() =>
  z.object({
    decisionId: z.string(),
    cycleId: z.string(),
    playbookId: z.string(),
    stepIndex: integer,
    step: stepName,
    outcome: z.enum(['proceed', 'stop', 'error']),
    code: z.string(),
    reasoning: z.string(),
    inputs: z.record(z.string(), z.unknown()),
    output: z.optional(z.record(z.string(), z.unknown())),
    at: z.string(),
  }),
);
export const decisionPage = lazy(() => pageOf(decision()));
export const decisionQuery = lazy(() =>
  z.extend(listQuery, { playbookId: z.optional(playbookId), cycleId: z.optional(cycleId) }),
);

export const cycle = lazy(() =>
  z.object({
    cycleId: z.string(),
    playbookId: z.string(),
    playbookVersion: integer,
    strategy: z.string(),
    symbol: z.string(),
    interval: z.string(),
    accountId: z.string(),
    source: z.enum(['manual', 'schedule']),
    slot: z.optional(z.string()),
    status: z.enum(['running', 'completed', 'stopped', 'failed']),
    endedAt: z.optional(stepName),
    code: z.optional(z.string()),
    reason: z.optional(z.string()),
    mode: z.optional(z.string()),
    venue: z.optional(z.string()),
    signal: z.optional(
      z.object({
        side: z.enum(['long', 'short']),
        entry: DecimalStringSchema,
        stopLoss: z.nullable(DecimalStringSchema),
        takeProfit: z.nullable(DecimalStringSchema),
        confidence: z.number(),
        reason: z.string(),
        barTime: z.string(),
      }),
    ),
    order: z.optional(
      z.object({
        orderId: z.string(),
        status: z.string(),
        side: z.enum(['buy', 'sell']),
        quantity: DecimalStringSchema,
        decisionId: z.string(),
      }),
    ),
    steps: z.array(decision()),
    startedAt: z.string(),
    finishedAt: z.optional(z.string()),
    by: z.string(),
    version: integer,
  }),
);
export const cyclePage = lazy(() => pageOf(cycle()));
export const cycleQuery = lazy(() => z.extend(listQuery, { playbookId: z.optional(playbookId) }));

// --- halt and health ------------------------------------------------------------------------

const reason = z.string().check(z.trim(), z.minLength(3), z.maxLength(500));
export const haltBody = lazy(() => z.strictObject({ reason }));
export const haltState = lazy(() =>
  z.object({
    halted: z.boolean(),
    reason: z.optional(z.string()),
    by: z.optional(z.string()),
    at: z.optional(z.string()),
    version: integer,
  }),
);

export const health = lazy(() =>
  z.object({
    /** the tenant's automation switch */
    halted: z.boolean(),
    haltReason: z.optional(z.string()),
    healthy: z.boolean(),
    agents: z.array(
      z.object({
        playbookId: z.string(),
        healthy: z.boolean(),
        /** why not: ERROR_RATE, NO_HEARTBEAT */
        problems: z.array(z.object({ code: z.string(), detail: z.string() })),
        lastHeartbeatAt: z.nullable(z.string()),
        nextRunAt: z.nullable(z.string()),
        successCount: integer,
        errorCount: integer,
        window: z.object({ runs: integer, errors: integer, errorRate: z.number() }),
        ordersToday: integer,
      }),
    ),
  }),
);
