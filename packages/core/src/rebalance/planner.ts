// The rebalance planner: from holdings, cash, prices and targets to an exact, cash-safe list of
// trades. Every money figure is a Decimal inside and a decimal string outside.
import { Dec, decimalString, money, type D, type DecimalInput } from '../money.js';
import { DEFAULT_REBALANCE_BAND, bandFunction, type RebalanceBand } from './band.js';
import { rebalanceFeeModel, rebalanceTradeFee, type RebalanceFeeModel, type RebalanceFees } from './fees.js';
import { normaliseTargets, type WeightInput } from './targets.js';

/** Quantity step when `fractional` is true and no step is given: 1e-8, the usual crypto/fractional-share unit. */
export const DEFAULT_FRACTIONAL_STEP = '0.00000001';

export interface RebalanceInput {
  /** symbol → quantity held (non-negative) */
  readonly holdings: Readonly<Record<string, DecimalInput>>;
  readonly cash: DecimalInput;
  /** symbol → price; needed for every held or targeted symbol */
  readonly prices: Readonly<Record<string, DecimalInput>>;
  /** symbol → weight; sums to 1 or 100. Held symbols missing here have target 0 */
  readonly targets: Readonly<Record<string, WeightInput>>;
  /** default 5/25 */
  readonly band?: RebalanceBand;
  /** trades worth less than this are dropped; default 0 */
  readonly minTrade?: DecimalInput;
  /** at most this many trades, largest drift first; default unlimited */
  readonly maxTrades?: number;
  /** false: whole units; true: steps of 1e-8; or an explicit step */
  readonly fractional?: boolean | { readonly step: DecimalInput };
  /** cash kept out of the allocation and never spent; default 0 */
  readonly cashBuffer?: DecimalInput;
  readonly fees?: RebalanceFees;
}

export interface AssetDrift {
  readonly symbol: string;
  readonly quantity: string;
  readonly price: string;
  readonly value: string;
  /** fractions of the investable value (holdings + cash − cash buffer) */
  readonly actualWeight: string;
  readonly targetWeight: string;
  /** actual − target */
  readonly drift: string;
  /** half-width of the band around the target */
  readonly band: string;
  readonly outsideBand: boolean;
}

export type RebalanceTradeReason = 'exit' | 'overweight' | 'underweight';

export interface RebalanceTrade {
  readonly symbol: string;
  readonly side: 'sell' | 'buy';
  readonly quantity: string;
  readonly price: string;
  /** quantity × price */
  readonly value: string;
  readonly fee: string;
  readonly reason: RebalanceTradeReason;
  /** the asset's drift before the trade */
  readonly drift: string;
}

export type RebalanceDropReason = 'step' | 'minTrade' | 'maxTrades' | 'cash' | 'fees';

export interface DroppedRebalanceTrade {
  readonly symbol: string;
  readonly side: 'sell' | 'buy';
  /** the quantity that was wanted */
  readonly quantity: string;
  readonly value: string;
  readonly reason: RebalanceDropReason;
  readonly detail: string;
}

export interface ProjectedWeight {
  readonly symbol: string;
  readonly quantity: string;
  readonly value: string;
  readonly weight: string;
  readonly targetWeight: string;
}

export interface RebalancePlan {
  readonly drift: {
    readonly perAsset: readonly AssetDrift[];
    /** Σ|actual − target| / 2, counting cash above the buffer as an asset with target 0 */
    readonly total: string;
    /** weight of cash above the buffer (negative when cash is below it) */
    readonly cashWeight: string;
  };
  /** sells first, then buys; each side largest drift first */
  readonly trades: readonly RebalanceTrade[];
  readonly dropped: readonly DroppedRebalanceTrade[];
  readonly projectedWeights: readonly ProjectedWeight[];
  /** Σ|trade value| / (2 × total value): the share of the portfolio that changes hands */
  readonly turnover: string;
  readonly fees: string;
  readonly cashAfter: string;
  /** holdings + cash before trading */
  readonly totalValue: string;
  /** totalValue − cashBuffer: the base of every weight */
  readonly investable: string;
  /** true when buys were cut to fit the cash */
  readonly cashLimited: boolean;
}

interface Asset {
  symbol: string;
  quantity: D;
  price: D;
  value: D;
  target: D;
  weight: D;
  drift: D;
  absDrift: D;
  /** target value − value: positive when under target */
  gap: D;
  band: D;
  outside: boolean;
}

interface Candidate {
  asset: Asset;
  side: 'sell' | 'buy';
  reason: RebalanceTradeReason;
  /** the wanted quantity (already a step multiple) */
  want: D;
  quantity: D;
  rank: number;
}

const ZERO = new Dec(0);

function nonNegative(name: string, v: DecimalInput): D {
  const d = money(v);
  if (d.lt(0)) throw new RangeError(`${name} must not be negative`);
  return d;
}

/** Rounds a non-negative quantity down to a multiple of the step. */
type Floor = (q: D) => D;

/**
 * The usual steps (1, 0.01, 1e-8) are powers of ten: flooring to them is a truncation of
 * decimal places, exact and much cheaper than the division a general step needs.
 */
function flooring(step: D): Floor {
  if (/^(1|0\.0*1)$/.test(step.toFixed())) {
    const dp = step.decimalPlaces();
    return (q) => (q.lte(0) ? ZERO : q.toDecimalPlaces(dp, Dec.ROUND_DOWN));
  }
  return (q) => (q.lte(0) ? ZERO : q.div(step).floor().times(step));
}

function stepOf(fractional: RebalanceInput['fractional']): D {
  if (fractional === undefined || fractional === false) return new Dec(1);
  const step = money(fractional === true ? DEFAULT_FRACTIONAL_STEP : fractional.step);
  if (!step.gt(0)) throw new RangeError('fractional step must be positive');
  return step;
}

const str = decimalString;

function byDriftThenSymbol(a: Candidate, b: Candidate): number {
  const c = b.asset.absDrift.comparedTo(a.asset.absDrift);
  return c !== 0 ? c : a.asset.symbol < b.asset.symbol ? -1 : a.asset.symbol > b.asset.symbol ? 1 : 0;
}

function dropped(c: Candidate, quantity: D, reason: RebalanceDropReason, detail: string): DroppedRebalanceTrade {
  return {
    symbol: c.asset.symbol,
    side: c.side,
    quantity: str(quantity),
    value: str(quantity.times(c.asset.price)),
    reason,
    detail,
  };
}

/**
 * Plan a rebalance. Only assets outside their band trade, and they trade back to their target
 * (not to the band's edge); holdings with no or a zero target are sold in full. Buys are paid
 * from cash plus the net proceeds of the sells, minus the cash buffer: when that is short, all
 * buys are scaled down pro rata, so cash never goes negative and never dips into the buffer.
 */
export function planRebalance(input: RebalanceInput): RebalancePlan {
  const targets = normaliseTargets(input.targets);
  const bandOf = bandFunction(input.band ?? DEFAULT_REBALANCE_BAND);
  const cash = nonNegative('cash', input.cash);
  const cashBuffer = nonNegative('cashBuffer', input.cashBuffer ?? '0');
  const minTrade = nonNegative('minTrade', input.minTrade ?? '0');
  const maxTrades = input.maxTrades ?? Number.POSITIVE_INFINITY;
  if (!(maxTrades >= 0) || (Number.isFinite(maxTrades) && !Number.isInteger(maxTrades))) {
    throw new RangeError('maxTrades must be a non-negative integer');
  }
  const step = stepOf(input.fractional);
  const floorTo = flooring(step);
  const fees = rebalanceFeeModel(input.fees);

  // ---- drift report
  const symbols = new Set<string>(targets.keys());
  const quantities = new Map<string, D>();
  for (const [symbol, q] of Object.entries(input.holdings)) {
    const d = nonNegative(`quantity of ${symbol}`, q);
    if (d.isZero() && !targets.has(symbol)) continue;
    quantities.set(symbol, d);
    symbols.add(symbol);
  }
  const assets: Asset[] = [];
  let holdingsValue = ZERO;
  for (const symbol of [...symbols].sort()) {
    if (!Object.hasOwn(input.prices, symbol)) throw new RangeError(`no price for ${symbol}`);
    const price = money(input.prices[symbol]);
    if (!price.gt(0)) throw new RangeError(`price of ${symbol} must be positive`);
    const quantity = quantities.get(symbol) ?? ZERO;
    const value = quantity.times(price);
    holdingsValue = holdingsValue.plus(value);
    const target = targets.get(symbol) ?? ZERO;
    assets.push({
      symbol,
      quantity,
      price,
      value,
      target,
      weight: ZERO,
      drift: ZERO,
      absDrift: ZERO,
      gap: ZERO,
      band: bandOf(target),
      outside: false,
    });
  }
  const totalValue = holdingsValue.plus(cash);
  const investable = totalValue.minus(cashBuffer);
  if (!investable.gt(0)) throw new RangeError('nothing to allocate: holdings + cash do not exceed the cash buffer');
  // weights are reports (every decision below cross-multiplies instead), so one division and a
  // multiplication per asset does; 500 divisions at 34 digits cost more than the rest of a plan
  const perInvestable = new Dec(1).div(investable);
  let l1 = ZERO;
  for (const a of assets) {
    a.weight = a.value.times(perInvestable);
    a.drift = a.weight.minus(a.target);
    a.absDrift = a.drift.abs();
    a.gap = a.target.times(investable).minus(a.value);
    // decided without division: |value − target × I| > band × I, so the band's edge is exact
    a.outside = a.gap.abs().gt(a.band.times(investable));
    l1 = l1.plus(a.absDrift);
  }
  const cashWeight = cash.minus(cashBuffer).times(perInvestable);
  const totalDrift = l1.plus(cashWeight.abs()).div(2);

  // ---- wanted trades
  const out: DroppedRebalanceTrade[] = [];
  let candidates: Candidate[] = [];
  for (const a of assets) {
    const exit = a.target.isZero() && a.quantity.gt(0);
    if (!exit && !a.outside) continue;
    const side = exit || a.gap.lt(0) ? 'sell' : 'buy';
    const gap = a.gap.abs();
    // an exit sells the whole holding, even a fractional one; other trades are whole steps
    const want = exit ? a.quantity : floorTo(gap.div(a.price));
    const c: Candidate = {
      asset: a,
      side,
      reason: exit ? 'exit' : side === 'sell' ? 'overweight' : 'underweight',
      want,
      quantity: want,
      rank: 0,
    };
    if (want.isZero()) {
      out.push(dropped(c, gap.div(a.price), 'step', `less than one step (${str(step)}) away from target`));
      continue;
    }
    const value = want.times(a.price);
    if (value.lt(minTrade)) {
      out.push(dropped(c, want, 'minTrade', `value ${str(value)} below minimum trade ${str(minTrade)}`));
      continue;
    }
    if (side === 'sell' && rebalanceTradeFee(fees, value).gt(value)) {
      out.push(
        dropped(c, want, 'fees', `fee ${str(rebalanceTradeFee(fees, value))} exceeds the proceeds ${str(value)}`),
      );
      continue;
    }
    candidates.push(c);
  }
  candidates.sort(byDriftThenSymbol);
  candidates.forEach((c, i) => (c.rank = i));
  if (candidates.length > maxTrades) {
    for (const c of candidates.slice(maxTrades))
      out.push(dropped(c, c.want, 'maxTrades', `beyond the ${maxTrades} largest drifts`));
    candidates = candidates.slice(0, maxTrades);
  }

  // ---- cash: sells fund buys
  const sells = candidates.filter((c) => c.side === 'sell');
  let buys = candidates.filter((c) => c.side === 'buy');
  let proceeds = ZERO;
  for (const s of sells) {
    const v = s.quantity.times(s.asset.price);
    proceeds = proceeds.plus(v).minus(rebalanceTradeFee(fees, v));
  }
  const available = cash.plus(proceeds).minus(cashBuffer);
  const fit = fitBuys(buys, available, fees, step, floorTo, minTrade);
  buys = fit.kept;
  out.push(...fit.dropped);

  // ---- assemble
  const trades: RebalanceTrade[] = [];
  let feeTotal = ZERO;
  let traded = ZERO;
  let cashAfter = cash;
  const after = new Map<string, D>();
  for (const c of [...sells, ...buys]) {
    const value = c.quantity.times(c.asset.price);
    const fee = rebalanceTradeFee(fees, value);
    feeTotal = feeTotal.plus(fee);
    traded = traded.plus(value);
    cashAfter = c.side === 'sell' ? cashAfter.plus(value).minus(fee) : cashAfter.minus(value).minus(fee);
    after.set(
      c.asset.symbol,
      c.side === 'sell' ? c.asset.quantity.minus(c.quantity) : c.asset.quantity.plus(c.quantity),
    );
    trades.push({
      symbol: c.asset.symbol,
      side: c.side,
      quantity: str(c.quantity),
      price: str(c.asset.price),
      value: str(value),
      fee: str(fee),
      reason: c.reason,
      drift: str(c.asset.drift),
    });
  }

  const projected = assets.map((a) => {
    const q = after.get(a.symbol) ?? a.quantity;
    return { a, q, v: q.times(a.price) };
  });
  const investableAfter = projected.reduce((s, p) => s.plus(p.v), cashAfter).minus(cashBuffer);
  const perInvestableAfter = investableAfter.gt(0) ? new Dec(1).div(investableAfter) : ZERO;
  const projectedWeights: ProjectedWeight[] = projected.map(({ a, q, v }) => ({
    symbol: a.symbol,
    quantity: str(q),
    value: str(v),
    weight: str(v.times(perInvestableAfter)),
    targetWeight: str(a.target),
  }));

  return {
    drift: {
      perAsset: assets.map((a) => ({
        symbol: a.symbol,
        quantity: str(a.quantity),
        price: str(a.price),
        value: str(a.value),
        actualWeight: str(a.weight),
        targetWeight: str(a.target),
        drift: str(a.drift),
        band: str(a.band),
        outsideBand: a.outside,
      })),
      total: str(totalDrift),
      cashWeight: str(cashWeight),
    },
    trades,
    dropped: out,
    projectedWeights,
    turnover: str(traded.div(totalValue.times(2))),
    fees: str(feeTotal),
    cashAfter: str(cashAfter),
    totalValue: str(totalValue),
    investable: str(investable),
    cashLimited: fit.limited,
  };
}

function buyCost(buys: readonly Candidate[], fees: RebalanceFeeModel): D {
  let cost = ZERO;
  for (const b of buys) {
    const v = b.quantity.times(b.asset.price);
    cost = cost.plus(v).plus(rebalanceTradeFee(fees, v));
  }
  return cost;
}

/**
 * Fit the buys into `available` cash. When they do not fit, every buy is scaled by the same
 * factor and floored to the step; buys that fall to zero or under the minimum are dropped and the
 * factor is recomputed for the rest (their fixed fees are freed). Leftover cash then tops up
 * buys one step at a time, largest drift first, never past the wanted quantity.
 */
function fitBuys(
  buys: Candidate[],
  available: D,
  fees: RebalanceFeeModel,
  step: D,
  floorTo: Floor,
  minTrade: D,
): { kept: Candidate[]; dropped: DroppedRebalanceTrade[]; limited: boolean } {
  const out: DroppedRebalanceTrade[] = [];
  if (buys.length === 0) return { kept: buys, dropped: out, limited: false };
  if (buyCost(buys, fees).lte(available)) return { kept: buys, dropped: out, limited: false };

  let kept = [...buys];
  for (;;) {
    const fixed = fees.fixed.times(kept.length);
    const variable = kept.reduce((s, b) => s.plus(b.want.times(b.asset.price)), ZERO).times(fees.rate.plus(1));
    const factor = available.gt(fixed) && variable.gt(0) ? Dec.min(1, available.minus(fixed).div(variable)) : ZERO;
    const next: Candidate[] = [];
    for (const b of kept) {
      b.quantity = floorTo(b.want.times(factor));
      const value = b.quantity.times(b.asset.price);
      if (b.quantity.isZero() || value.lt(minTrade)) {
        out.push(dropped(b, b.want, 'cash', `not enough cash: scaled to ${str(b.quantity)} (value ${str(value)})`));
      } else next.push(b);
    }
    if (next.length === kept.length) break;
    kept = next;
    if (kept.length === 0) break;
  }
  // the factor came from a 34-digit division: trim one step at a time if it rounded up.
  // A step of a buy costs price × step × (1 + rate) exactly, so the cost is kept incrementally.
  const unitCost = (b: Candidate) => b.asset.price.times(step).times(fees.rate.plus(1));
  let cost = buyCost(kept, fees);
  for (let i = kept.length - 1; cost.gt(available) && i >= 0; i--) {
    const unit = unitCost(kept[i]);
    while (cost.gt(available) && kept[i].quantity.gt(0)) {
      kept[i].quantity = kept[i].quantity.minus(step);
      cost = cost.minus(unit);
    }
  }
  for (const b of kept) if (b.quantity.isZero()) out.push(dropped(b, b.want, 'cash', 'not enough cash'));
  kept = kept.filter((b) => b.quantity.gt(0));
  // top up with what flooring left over, largest drift first
  kept.sort((a, b) => a.rank - b.rank);
  for (const b of kept) {
    const unit = unitCost(b);
    const room = b.want.minus(b.quantity).div(step).floor();
    const extra = Dec.min(room, available.minus(cost).div(unit).floor());
    if (extra.gt(0)) {
      b.quantity = b.quantity.plus(extra.times(step));
      cost = cost.plus(extra.times(unit));
      while (cost.gt(available)) {
        b.quantity = b.quantity.minus(step);
        cost = cost.minus(unit);
      }
    }
  }
  return { kept, dropped: out, limited: true };
}
