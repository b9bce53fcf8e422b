// zod schemas for risk inputs arriving as JSON (request bodies, stored state). Money stays a
// decimal string; the validator parses it.
import * as z from 'zod/mini';
import { DecimalStringSchema } from '../money-schema.js';
import type { RiskLimits } from './limits.js';
import type { AccountRiskState } from './state.js';
import type { TradeRequest } from './validator.js';

const nonEmpty = z.string().check(z.minLength(1));

export const TradeRequestSchema = z.strictObject({
  strategyId: nonEmpty,
  symbol: z.optional(nonEmpty),
  side: z.enum(['long', 'short']),
  quantity: DecimalStringSchema,
  entry: DecimalStringSchema,
  stop: DecimalStringSchema,
  target: DecimalStringSchema,
  lotSize: z.optional(DecimalStringSchema),
});

const pct = z.number().check(z.gt(0));
const count = z.int().check(z.gte(0));
const limitCount = z.int().check(z.gt(0));

/** Tenant risk settings: any subset of the limits; tightenLimits decides whether they only tighten. */
export const RiskLimitSettingsSchema = z.strictObject({
  maxDrawdownPct: z.optional(pct),
  maxOpenPositions: z.optional(limitCount),
  maxTradesPerDay: z.optional(limitCount),
  maxTradesPerHour: z.optional(limitCount),
  maxPositionLots: z.optional(pct),
  maxPositionPctOfEquity: z.optional(pct),
  minRiskReward: z.optional(z.number().check(z.gt(0))),
  maxConsecutiveLosses: z.optional(limitCount),
  maxDailyLossPct: z.optional(pct),
  maxRiskPerTradePct: z.optional(pct),
});

const epochMs = z.number();

const StrategyRiskStateSchema = z.strictObject({
  consecutiveLosses: count,
  disabled: z.boolean(),
  disabledReason: z.optional(z.string()),
  disabledAt: z.optional(epochMs),
  wins: count,
  losses: count,
  realisedPnl: DecimalStringSchema,
});

export const AccountRiskStateSchema = z.strictObject({
  balance: DecimalStringSchema,
  equity: DecimalStringSchema,
  peakEquity: DecimalStringSchema,
  drawdownPct: z.optional(DecimalStringSchema),
  dayStart: epochMs,
  dayStartEquity: DecimalStringSchema,
  dailyPnl: DecimalStringSchema,
  openPositions: count,
  exposure: DecimalStringSchema,
  tradeTimes: z.array(epochMs),
  strategies: z.record(z.string(), StrategyRiskStateSchema),
  emergencyShutdown: z.strictObject({
    active: z.boolean(),
    reason: z.optional(z.string()),
    triggeredAt: z.optional(epochMs),
    resetBy: z.optional(z.string()),
    resetReason: z.optional(z.string()),
    resetAt: z.optional(epochMs),
  }),
});

// The schemas must keep producing the types the functions take.
type Assignable<T, U extends T> = U;
type _TradeRequestCheck = Assignable<TradeRequest, z.infer<typeof TradeRequestSchema>>;
type _AccountRiskStateCheck = Assignable<AccountRiskState, z.infer<typeof AccountRiskStateSchema>>;
type _RiskSettingsCheck = Assignable<Partial<RiskLimits>, z.infer<typeof RiskLimitSettingsSchema>>;
