// zod schemas for risk inputs arriving as JSON (request bodies, stored state). Money stays a
// decimal string; the validator parses it.
import * as z from 'zod';
import { DecimalStringSchema } from '../money-schema.js';
import type { RiskLimits } from './limits.js';
import type { AccountRiskState } from './state.js';
import type { TradeRequest } from './validator.js';

export const TradeRequestSchema = z.strictObject({
  strategyId: z.string().min(1),
  symbol: z.string().min(1).optional(),
  side: z.enum(['long', 'short']),
  quantity: DecimalStringSchema,
  entry: DecimalStringSchema,
  stop: DecimalStringSchema,
  target: DecimalStringSchema,
  lotSize: DecimalStringSchema.optional(),
});

const pct = z.number().positive();
const count = z.number().int().nonnegative();
const limitCount = z.number().int().positive();

/** Tenant risk settings: any subset of the limits; tightenLimits decides whether they only tighten. */
export const RiskLimitSettingsSchema = z.strictObject({
  maxDrawdownPct: pct.optional(),
  maxOpenPositions: limitCount.optional(),
  maxTradesPerDay: limitCount.optional(),
  maxTradesPerHour: limitCount.optional(),
  maxPositionLots: pct.optional(),
  maxPositionPctOfEquity: pct.optional(),
  minRiskReward: z.number().positive().optional(),
  maxConsecutiveLosses: limitCount.optional(),
  maxDailyLossPct: pct.optional(),
  maxRiskPerTradePct: pct.optional(),
});

const epochMs = z.number();

const StrategyRiskStateSchema = z.strictObject({
  consecutiveLosses: count,
  disabled: z.boolean(),
  disabledReason: z.string().optional(),
  disabledAt: epochMs.optional(),
  wins: count,
  losses: count,
  realisedPnl: DecimalStringSchema,
});

export const AccountRiskStateSchema = z.strictObject({
  balance: DecimalStringSchema,
  equity: DecimalStringSchema,
  peakEquity: DecimalStringSchema,
  drawdownPct: DecimalStringSchema.optional(),
  dayStart: epochMs,
  dayStartEquity: DecimalStringSchema,
  dailyPnl: DecimalStringSchema,
  openPositions: count,
  exposure: DecimalStringSchema,
  tradeTimes: z.array(epochMs),
  strategies: z.record(z.string(), StrategyRiskStateSchema),
  emergencyShutdown: z.strictObject({
    active: z.boolean(),
    reason: z.string().optional(),
    triggeredAt: epochMs.optional(),
    resetBy: z.string().optional(),
    resetReason: z.string().optional(),
    resetAt: epochMs.optional(),
  }),
});

// The schemas must keep producing the types the functions take.
type Assignable<T, U extends T> = U;
type _TradeRequestCheck = Assignable<TradeRequest, z.infer<typeof TradeRequestSchema>>;
type _AccountRiskStateCheck = Assignable<AccountRiskState, z.infer<typeof AccountRiskStateSchema>>;
type _RiskSettingsCheck = Assignable<Partial<RiskLimits>, z.infer<typeof RiskLimitSettingsSchema>>;
