/** Sampling period of a returns series, as empyrical names it. */
export type Period = 'daily' | 'weekly' | 'monthly' | 'yearly';

/** Periods per year (empyrical's ANNUALIZATION_FACTORS: 252 trading days, 52 weeks, 12 months). */
export const ANNUALIZATION_FACTORS: Readonly<Record<Period, number>> = Object.freeze({
  daily: 252,
  weekly: 52,
  monthly: 12,
  yearly: 1,
});

export interface AnnualizationOptions {
  /** sampling period of the returns; default 'daily' */
  period?: Period;
  /** periods per year; overrides `period` when given */
  annualization?: number;
}

/** The factor to annualise by: `annualization` when given, else the period's factor. */
export function annualizationFactor(opts: AnnualizationOptions = {}): number {
  if (opts.annualization !== undefined) {
    if (!(opts.annualization > 0) || !Number.isFinite(opts.annualization)) {
      throw new RangeError(`annualization must be a positive number, got ${opts.annualization}`);
    }
    return opts.annualization;
  }
  const period = opts.period ?? 'daily';
  const f = ANNUALIZATION_FACTORS[period];
  if (f === undefined) throw new RangeError(`unknown period '${String(period)}'`);
  return f;
}
