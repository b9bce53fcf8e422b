import * as z from 'zod/mini';
import { CURRENCY_MINOR_UNITS } from '../money.js';
import { numberBetween, param } from '../param-schema.js';

/** A number in (0, max]: a size or a capital must be more than zero. */
const positiveUpTo = (max: number) => z.number().check(z.gt(0), z.lte(max));

/**
 * Commission of one fill of quantity q at price p:
 *   max(minimum, fixed + perShare × q + rate × q × p)
 * Any combination of the three models works; all zero means free trading.
 */
export const CommissionSchema = z.object({
  perShare: param(numberBetween(0, 100), 0, 'money per unit (share, contract, coin) filled'),
  rate: param(numberBetween(0, 0.1), 0, 'fraction of notional, 0.001 = 0.1% = 10 bps'),
  fixed: param(numberBetween(0, 1e6), 0, 'money per order (each fill: entries and exits)'),
  minimum: param(numberBetween(0, 1e6), 0, "floor of one order's commission"),
});
export type CommissionConfig = z.infer<typeof CommissionSchema>;

const PercentSizing = z.object({
  mode: z.literal('percent'),
  percent: param(
    positiveUpTo(10),
    1,
    'notional as a fraction of equity at the fill, commission included; >1 is leverage',
  ),
});
const RiskSizing = z.object({
  mode: z.literal('risk'),
  riskPercent: param(positiveUpTo(1), 0.01, 'fraction of equity lost if the stop is hit (before slippage and fees)'),
  maxPercent: param(positiveUpTo(10), 1, 'cap on notional as a fraction of equity, commission included'),
});
export const SizingSchema = z.discriminatedUnion('mode', [PercentSizing, RiskSizing]);
export type SizingConfig = z.infer<typeof SizingSchema>;

const currency = z.string().check(z.refine((c) => Object.hasOwn(CURRENCY_MINOR_UNITS, c), 'unknown currency'));

export const BacktestConfigSchema = z.object({
  initialCapital: z._default(positiveUpTo(1e15), 10_000),
  currency: param(currency, 'USD', 'ISO 4217 code; money figures in the report are rounded to its minor unit'),
  commission: z._default(CommissionSchema, { perShare: 0, rate: 0, fixed: 0, minimum: 0 }),
  slippageBps: param(
    numberBetween(0, 1000),
    0,
    'market and stop fills move against the trader by this many basis points',
  ),
  sizing: z._default(SizingSchema, { mode: 'percent', percent: 1 }),
  quantityStep: param(
    z.number().check(z.gte(0)),
    0,
    'quantities are rounded down to a multiple of this; 0 = fractional',
  ),
  allowShort: param(z.boolean(), true, 'when false a short signal only closes a long'),
  onOpposite: param(
    z.enum(['reverse', 'close', 'ignore']),
    'reverse',
    'what an opposite signal does to an open position at the next open',
  ),
  periodsPerYear: param(z.number().check(z.gt(0)), 252, 'bars per year for annualising (252 = daily bars)'),
  riskFree: param(z.number(), 0, 'risk-free return per bar, for Sharpe and Sortino'),
  startIndex: param(z.int().check(z.gte(0)), 0, 'bars before this are warm-up: no trading, excluded from metrics'),
});
export type BacktestConfig = z.infer<typeof BacktestConfigSchema>;
export type BacktestConfigInput = z.input<typeof BacktestConfigSchema>;
