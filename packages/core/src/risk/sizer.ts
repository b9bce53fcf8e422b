// Fixed-risk position sizing (NautilusTrader's FixedRiskSizer): size the position so that a
// stop-out loses a fixed share of equity, then cap it by the risk limits.
import { Dec, decimalString, money, type D, type DecimalInput } from '../money.js';
import { HARD_LIMITS, type RiskLimits } from './limits.js';

export interface PositionSizeInput {
  readonly equity: DecimalInput;
  /** percent of equity to lose if the stop is hit (1 = 1%); capped at limits.maxRiskPerTradePct */
  readonly riskPct: number;
  readonly entry: DecimalInput;
  readonly stop: DecimalInput;
  /** units per lot for the lot cap; default 1 */
  readonly lotSize?: DecimalInput;
  /** quantity increment; the result is floored to a multiple of it. Default 1 (whole units) */
  readonly step?: DecimalInput;
  /** commission per unit, paid on entry and on exit: it adds to the loss at the stop */
  readonly commissionPerUnit?: DecimalInput;
  /** default HARD_LIMITS */
  readonly limits?: Readonly<RiskLimits>;
}

export type PositionSizeCap = 'riskPct' | 'lots' | 'pctOfEquity';

export interface PositionSize {
  /** units, a multiple of step; "0" when nothing fits */
  readonly quantity: string;
  readonly lots: string;
  readonly notional: string;
  /** money lost at the stop, commissions included */
  readonly riskAmount: string;
  /** the risk percent actually used (after the cap) */
  readonly riskPct: number;
  /** which caps bound the result; empty when the risk budget alone decided */
  readonly cappedBy: readonly PositionSizeCap[];
}

/**
 * The largest multiple of `step` not above `q`, stepped down further while `fits` says no:
 * `q` came out of a division rounded at 34 digits and may sit a hair above the exact value.
 */
function floorTo(q: D, step: D, fits: (x: D) => boolean): D {
  let x = q.div(step).floor().times(step);
  while (x.gt(0) && !fits(x)) x = x.minus(step);
  return x;
}

/**
 * quantity = equity × risk% / (|entry − stop| + 2 × commission per unit), floored to `step`,
 * then capped by maxPositionLots × lotSize and maxPositionPctOfEquity of equity (each cap also
 * floored to `step`). The caps use the same "≤ limit" as the validator, so a sized trade passes
 * checks 6 and 10.
 */
export function positionSize(input: PositionSizeInput): PositionSize {
  const limits = input.limits ?? HARD_LIMITS;
  const equity = money(input.equity);
  const entry = money(input.entry);
  const stop = money(input.stop);
  const lotSize = input.lotSize === undefined ? new Dec(1) : money(input.lotSize);
  const step = input.step === undefined ? new Dec(1) : money(input.step);
  const commission = input.commissionPerUnit === undefined ? new Dec(0) : money(input.commissionPerUnit);
  if (!Number.isFinite(input.riskPct) || input.riskPct < 0)
    throw new RangeError('riskPct must be a non-negative number');
  if (!entry.gt(0)) throw new RangeError('entry must be positive');
  if (!lotSize.gt(0)) throw new RangeError('lotSize must be positive');
  if (!step.gt(0)) throw new RangeError('step must be positive');
  if (commission.isNegative()) throw new RangeError('commissionPerUnit must not be negative');
  const distance = entry.minus(stop).abs();
  if (distance.isZero()) throw new RangeError('entry and stop must differ');

  const cappedBy: PositionSizeCap[] = [];
  let riskPct = input.riskPct;
  if (riskPct > limits.maxRiskPerTradePct) {
    riskPct = limits.maxRiskPerTradePct;
    cappedBy.push('riskPct');
  }
  const lossPerUnit = distance.plus(commission.times(2));
  const budget = equity.gt(0) ? equity.times(new Dec(riskPct)).div(100) : new Dec(0);
  let quantity = floorTo(budget.div(lossPerUnit), step, (q) => q.times(lossPerUnit).lte(budget));

  const maxUnits = new Dec(limits.maxPositionLots).times(lotSize);
  const lotCap = floorTo(maxUnits, step, (q) => q.lte(maxUnits));
  if (quantity.gt(lotCap)) {
    quantity = lotCap;
    cappedBy.push('lots');
  }
  const maxNotionalX100 = new Dec(limits.maxPositionPctOfEquity).times(equity);
  const equityCap = equity.gt(0)
    ? floorTo(maxNotionalX100.div(100).div(entry), step, (q) => q.times(entry).times(100).lte(maxNotionalX100))
    : new Dec(0);
  if (quantity.gt(equityCap)) {
    quantity = equityCap;
    cappedBy.push('pctOfEquity');
  }
  if (quantity.isNegative()) quantity = new Dec(0);

  return {
    quantity: decimalString(quantity),
    lots: decimalString(quantity.div(lotSize)),
    notional: decimalString(quantity.times(entry)),
    riskAmount: decimalString(quantity.times(lossPerUnit)),
    riskPct,
    cappedBy,
  };
}
