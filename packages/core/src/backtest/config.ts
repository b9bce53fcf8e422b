import * as z from 'zod';
import { CURRENCY_MINOR_UNITS } from '../money.js';

/**
 * Commission of one fill of quantity q at price p:
 *   max(minimum, fixed + perShare × q + rate × q × p)
 * Any combination of the three models works; all zero means free trading.
 */
export const CommissionSchema = z.object({
  perShare: z.number().min(0).max(100).default(0).describe('money per unit (share, contract, coin) filled'),
  rate: z.number().min(0).max(0.1).default(0).describe('fraction of notional, 0.001 = 0.1% = 10 bps'),
  fixed: z.number().min(0).max(1e6).default(0).describe('money per order (each fill: entries and exits)'),
  minimum: z.number().min(0).max(1e6).default(0).describe("floor of one order's commission"),
});
export type CommissionConfig = z.infer<typeof CommissionSchema>;

const PercentSizing = z.object({
  mode: z.literal('percent'),
  percent: z
    .number()
    .gt(0)
    .max(10)
    .default(1)
    .describe('notional as a fraction of equity at the fill, commission included; >1 is leverage'),
});
const RiskSizing = z.object({
  mode: z.literal('risk'),
  riskPercent: z
    .number()
    .gt(0)
    .max(1)
    .default(0.01)
    .describe('fraction of equity lost if the stop is hit (before slippage and fees)'),
  maxPercent: z
    .number()
    .gt(0)
    .max(10)
    .default(1)
    .describe('cap on notional as a fraction of equity, commission included'),
});
export const SizingSchema = z.discriminatedUnion('mode', [PercentSizing, RiskSizing]);
export type SizingConfig = z.infer<typeof SizingSchema>;

export const BacktestConfigSchema = z.object({
  initialCapital: z.number().gt(0).max(1e15).default(10_000),
  currency: z
    .string()
    .refine((c) => Object.hasOwn(CURRENCY_MINOR_UNITS, c), { message: 'unknown currency' })
    .default('USD')
    .describe('ISO 4217 code; money figures in the report are rounded to its minor unit'),
  commission: CommissionSchema.default({ perShare: 0, rate: 0, fixed: 0, minimum: 0 }),
  slippageBps: z
    .number()
    .min(0)
    .max(1000)
    .default(0)
    .describe('market and stop fills move against the trader by this many basis points'),
  sizing: SizingSchema.default({ mode: 'percent', percent: 1 }),
  quantityStep: z
    .number()
    .min(0)
    .default(0)
    .describe('quantities are rounded down to a multiple of this; 0 = fractional'),
  allowShort: z.boolean().default(true).describe('when false a short signal only closes a long'),
  onOpposite: z
    .enum(['reverse', 'close', 'ignore'])
    .default('reverse')
    .describe('what an opposite signal does to an open position at the next open'),
  periodsPerYear: z.number().gt(0).default(252).describe('bars per year for annualising (252 = daily bars)'),
  riskFree: z.number().default(0).describe('risk-free return per bar, for Sharpe and Sortino'),
  startIndex: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('bars before this are warm-up: no trading, excluded from metrics'),
});
export type BacktestConfig = z.infer<typeof BacktestConfigSchema>;
export type BacktestConfigInput = z.input<typeof BacktestConfigSchema>;
