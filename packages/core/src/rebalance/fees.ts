// Trading costs of a rebalance: a percentage of each trade's value plus a fixed amount per trade.
import { Dec, money, type D, type DecimalInput } from '../money.js';

export interface RebalanceFees {
  /** percent of the trade value (0.1 = 0.1%); a number, decimal string or Decimal */
  readonly pct?: number | DecimalInput;
  /** fixed money per trade */
  readonly perTrade?: DecimalInput;
}

export interface RebalanceFeeModel {
  /** value × pct / 100 */
  readonly rate: D;
  readonly fixed: D;
}

export function rebalanceFeeModel(fees: RebalanceFees | undefined): RebalanceFeeModel {
  const p = fees?.pct;
  const rate = p === undefined ? new Dec(0) : (typeof p === 'number' ? new Dec(p) : money(p)).div(100);
  const fixed = fees?.perTrade === undefined ? new Dec(0) : money(fees.perTrade);
  if (!rate.isFinite() || rate.lt(0) || fixed.lt(0)) throw new RangeError('fees must be non-negative');
  return { rate, fixed };
}

/** Exact fee of a trade of `value` (not rounded: round at the edge with roundToMinor if needed). */
export function rebalanceTradeFee(model: RebalanceFeeModel, value: D): D {
  return value.times(model.rate).plus(model.fixed);
}
