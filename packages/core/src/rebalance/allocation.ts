// The allocation view: how a portfolio's value splits across its asset categories, against targets.
import { Dec, type D, formatMoney, money } from '../money.js';

/**
 * Exact decimal arithmetic throughout. Every weight is of the WHOLE portfolio value: cash plus the
 * priced holdings at their base-currency market value. The lines that split that value — one per
 * category, cash, and the unassigned holdings — are rounded to 4 decimals together by largest
 * remainder, so they sum to exactly 100 whenever there is a value; drifts are taken from those
 * shown figures, so a reader can redo every subtraction from the view itself.
 */

export interface AllocationCategory {
  categoryId: string;
  name: string;
  code: string;
  /** decimal strings, percent of the portfolio */
  targetPct: string;
  minPct?: string;
  maxPct?: string;
  rebalanceThresholdPct: string;
}

export interface AllocationAssignment {
  symbol: string;
  categoryId: string;
  /** relative weight within the category (> 0) */
  weight?: string;
}

export interface AllocationInput {
  baseCurrency: string;
  /** decimal string in the base currency (may be negative on a margin portfolio) */
  cash: string;
  /** priced holdings, value in the base currency */
  holdings: ReadonlyArray<{ symbol: string; value: string }>;
  categories: readonly AllocationCategory[];
  assignments: readonly AllocationAssignment[];
  /** symbols the planner must leave alone, with why */
  exclusions: ReadonlyArray<{ symbol: string; reason: string }>;
}

export interface AllocationHolding {
  symbol: string;
  value: string;
  /** of the whole portfolio */
  weightPct: string | null;
  /** of the category's value */
  weightInCategoryPct: string | null;
  /** category target × weight / Σ weights of the category's assignments; null without weights */
  targetPct: string | null;
  excluded: boolean;
}

export interface AllocationCategoryLine {
  categoryId: string;
  name: string;
  code: string;
  value: string;
  targetPct: string;
  actualPct: string;
  /** actual − target, percentage points */
  driftPct: string;
  /** drift / target; null when the target is 0 */
  relativeDrift: string | null;
  minPct: string | null;
  maxPct: string | null;
  belowMin: boolean;
  aboveMax: boolean;
  rebalanceThresholdPct: string;
  needsRebalance: boolean;
  holdings: AllocationHolding[];
}

export type BreachKind = 'below_min' | 'above_max' | 'drift';

export interface AllocationBreach {
  categoryId: string;
  code: string;
  kind: BreachKind;
  actualPct: string;
  /** the bound crossed: min, max, or the rebalance threshold (compared with |drift|) */
  limitPct: string;
  driftPct: string;
}

export interface AllocationView {
  baseCurrency: string;
  totalValue: string;
  categories: AllocationCategoryLine[];
  cashLine: { value: string; targetPct: string; actualPct: string; driftPct: string };
  unassigned: { value: string; actualPct: string; holdings: AllocationHolding[] };
  excluded: Array<{ symbol: string; reason: string }>;
  totalDriftPct: string;
  targets: { sumPct: string; valid: boolean; message?: string };
  breaches: AllocationBreach[];
}

const ZERO = new Dec(0);
const HUNDRED = new Dec(100);
/** the view's percentages carry 4 decimals: one unit is 0.0001 percentage points */
const UNIT = new Dec('0.0001');
export const pctString = (d: D) => d.toDecimalPlaces(4).toFixed();
const share = (part: D, whole: D) => (whole.isZero() ? null : part.div(whole).times(HUNDRED));
const shown = (d: D | null) => (d === null ? null : pctString(d));
const sumOf = (xs: readonly D[]) => xs.reduce((s, x) => s.plus(x), ZERO);

/**
 * Rounds `values` (percentages of one whole) to 4 decimals so that they sum to exactly `total`
 * (100): each is floored to a unit, and the units left go to the largest remainders, ties to the
 * earlier line. Exact: the units left are always fewer than the lines.
 */
export function apportion(values: readonly D[], total: D = HUNDRED): D[] {
  const units = values.map((v) => v.div(UNIT));
  const floors = units.map((u) => u.floor());
  let left = total.div(UNIT).minus(sumOf(floors)).toNumber();
  const order = units
    .map((u, i) => ({ i, rest: u.minus(floors[i]) }))
    .sort((a, b) => b.rest.comparedTo(a.rest) || a.i - b.i);
  const out = [...floors];
  for (const { i } of order) {
    if (left <= 0) break;
    out[i] = out[i].plus(1);
    left--;
  }
  return out.map((u) => u.times(UNIT));
}

/** The allocation of a portfolio: see the module comment and docs/planning.md. */
export function allocationOf(input: AllocationInput): AllocationView {
  const base = input.baseCurrency;
  const known = new Set(input.categories.map((c) => c.categoryId));
  const assignmentOf = new Map(
    input.assignments.filter((a) => known.has(a.categoryId)).map((a) => [a.symbol, a] as const),
  );
  const excludedSymbols = new Set(input.exclusions.map((e) => e.symbol));
  const cash = money(input.cash);
  const holdings = input.holdings.map((h) => ({ symbol: h.symbol, value: money(h.value) }));
  const total = holdings.reduce((s, h) => s.plus(h.value), cash);

  const members = new Map<string, typeof holdings>(input.categories.map((c) => [c.categoryId, []]));
  const unassigned: typeof holdings = [];
  for (const h of holdings) {
    const a = assignmentOf.get(h.symbol);
    (a ? (members.get(a.categoryId) ?? unassigned) : unassigned).push(h);
  }
  const categoryValues = input.categories.map((c) => sumOf((members.get(c.categoryId) ?? []).map((h) => h.value)));
  const unassignedValue = sumOf(unassigned.map((h) => h.value));

  // one line per category, then cash, then unassigned: the split of the whole value
  const raw = [...categoryValues, cash, unassignedValue].map((v) => share(v, total) ?? ZERO);
  const actual = total.isZero() ? raw : apportion(raw);
  const targets = input.categories.map((c) => money(c.targetPct));
  const sumTargets = sumOf(targets);
  const cashTarget = Dec.max(ZERO, HUNDRED.minus(sumTargets));

  // Σ weights of each category's assignments (held or not); undefined when one of them has none
  const weightSums = new Map<string, D | undefined>();
  for (const a of assignmentOf.values()) {
    const sum = weightSums.has(a.categoryId) ? weightSums.get(a.categoryId) : ZERO;
    weightSums.set(a.categoryId, sum && a.weight !== undefined ? sum.plus(money(a.weight)) : undefined);
  }
  const holdingView = (h: { symbol: string; value: D }, categoryValue: D, categoryTarget?: D): AllocationHolding => {
    const a = assignmentOf.get(h.symbol);
    const weights = a ? weightSums.get(a.categoryId) : undefined;
    const target =
      categoryTarget && a?.weight !== undefined && weights && !weights.isZero()
        ? pctString(categoryTarget.times(money(a.weight)).div(weights))
        : null;
    return {
      symbol: h.symbol,
      value: formatMoney(h.value, base),
      weightPct: shown(share(h.value, total)),
      weightInCategoryPct: shown(share(h.value, categoryValue)),
      targetPct: target,
      excluded: excludedSymbols.has(h.symbol),
    };
  };

  const breaches: AllocationBreach[] = [];
  const categories = input.categories.map((c, i): AllocationCategoryLine => {
    const target = targets[i];
    const drift = actual[i].minus(target);
    const min = c.minPct !== undefined ? money(c.minPct) : undefined;
    const max = c.maxPct !== undefined ? money(c.maxPct) : undefined;
    const threshold = money(c.rebalanceThresholdPct);
    const belowMin = min !== undefined && actual[i].lt(min);
    const aboveMax = max !== undefined && actual[i].gt(max);
    const needsRebalance = drift.abs().gte(threshold);
    const breach = (kind: BreachKind, limit: D) =>
      breaches.push({
        categoryId: c.categoryId,
        code: c.code,
        kind,
        actualPct: pctString(actual[i]),
        limitPct: pctString(limit),
        driftPct: pctString(drift),
      });
    if (belowMin && min) breach('below_min', min);
    if (aboveMax && max) breach('above_max', max);
    if (needsRebalance) breach('drift', threshold);
    const own = [...(members.get(c.categoryId) ?? [])].sort(bySymbol);
    return {
      categoryId: c.categoryId,
      name: c.name,
      code: c.code,
      value: formatMoney(categoryValues[i], base),
      targetPct: pctString(target),
      actualPct: pctString(actual[i]),
      driftPct: pctString(drift),
      relativeDrift: target.isZero() ? null : pctString(drift.div(target)),
      minPct: min ? pctString(min) : null,
      maxPct: max ? pctString(max) : null,
      belowMin,
      aboveMax,
      rebalanceThresholdPct: pctString(threshold),
      needsRebalance,
      holdings: own.map((h) => holdingView(h, categoryValues[i], target)),
    };
  });

  const n = input.categories.length;
  const [cashActual, unassignedActual] = [actual[n], actual[n + 1]];
  const lines: Array<[D, D]> = [
    ...categories.map((_c, i): [D, D] => [actual[i], targets[i]]),
    [cashActual, cashTarget],
    [unassignedActual, ZERO],
  ];
  const totalDrift = sumOf(lines.map(([a, t]) => a.minus(t).abs())).div(2);
  const valid = sumTargets.eq(HUNDRED);
  let message: string | undefined;
  if (!valid && sumTargets.lt(HUNDRED)) {
    message =
      `Category targets sum to ${pctString(sumTargets)}%, not 100%: ` +
      `the remaining ${pctString(cashTarget)}% is cash's target`;
  } else if (!valid) {
    message = `Category targets sum to ${pctString(sumTargets)}%, over 100%: cash's target is 0`;
  }
  return {
    baseCurrency: base,
    totalValue: formatMoney(total, base),
    categories,
    cashLine: {
      value: formatMoney(cash, base),
      targetPct: pctString(cashTarget),
      actualPct: pctString(cashActual),
      driftPct: pctString(cashActual.minus(cashTarget)),
    },
    unassigned: {
      value: formatMoney(unassignedValue, base),
      actualPct: pctString(unassignedActual),
      holdings: [...unassigned].sort(bySymbol).map((h) => holdingView(h, unassignedValue)),
    },
    excluded: [...input.exclusions].sort(bySymbol).map((e) => ({ symbol: e.symbol, reason: e.reason })),
    totalDriftPct: pctString(totalDrift),
    targets: { sumPct: pctString(sumTargets), valid, ...(message ? { message } : {}) },
    breaches,
  };
}

function bySymbol(a: { symbol: string }, b: { symbol: string }): number {
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}
