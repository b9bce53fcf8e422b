// The category rebalance proposal: from a valued book, asset categories and their assignments to
// an exact, cash-safe list of trades that brings the categories outside their band back to target,
// with every dropped trade's reason, the lots each sell takes, and wash-sale conflicts.
// Every money figure is a Decimal inside and a decimal string outside.
import { consumedBasis } from '../ledger/lots.js';
import { Dec, decimalString, money, type D } from '../money.js';
import { addDays, addYears, daysBetween, isIsoDate } from '../performance/dates.js';
import { type AllocationAssignment, type AllocationCategory, pctString } from './allocation.js';

/** A lot as the ledger holds it (FIFO order: acquired, then lotId); cost in the base currency. */
export interface ProposalLot {
  lotId: string;
  /** 'YYYY-MM-DD' */
  acquired: string;
  quantity: string;
  /** the whole lot's cost, fee included, base currency */
  costBasis: string;
}

export interface ProposalHolding {
  symbol: string;
  /** > 0 */
  quantity: string;
  /** per unit, base currency */
  price: string;
  /** open lots, FIFO order: the ledger books every sell FIFO, so the lots a sell takes are these, in order */
  lots: readonly ProposalLot[];
}

export interface ProposalCategory extends AllocationCategory {
  /** percent of the portfolio one symbol of the category may reach after a buy */
  maxSinglePositionPct?: string;
}

/** A trade of the ledger's last 30 days (wash sales look 30 days either side of a loss sale). */
export interface RecentTrade {
  symbol: string;
  side: 'buy' | 'sell';
  /** 'YYYY-MM-DD' */
  tradeDate: string;
  /** sells: the gain realised (negative: a loss) */
  realisedGain?: string;
}

export type BandType = 'absolute' | 'relative';

export interface ProposalOptions {
  /** absolute: ± threshold percentage points; relative: ± threshold percent of the target */
  band: BandType;
  /** decimal string; omitted → each category's own rebalanceThresholdPct */
  thresholdPct?: string;
  /** buy underweights with cash before selling anything; sell only if a category is still outside its band */
  cashFirst: boolean;
  /** trades worth less are dropped ('below_minimum'); decimal string, base currency */
  minNotional: string;
  /** at most this many trades, largest notional first; the rest dropped ('max_trades') */
  maxTrades?: number;
  /** quantities in steps of FRACTIONAL_STEP; otherwise whole units (a sell of a whole fractional holding is allowed) */
  fractional: boolean;
  /** sells chosen by their lots: losses first, then long-term gains, short-term gains last */
  taxAware: boolean;
  /** estimated cost of a trade: notional × costBps / 10,000 + perTradeFee */
  costBps: string;
  perTradeFee: string;
  /** 'YYYY-MM-DD': the trade date the proposal assumes (lot terms, wash-sale window) */
  today: string;
}

export interface ProposalInput {
  baseCurrency: string;
  /** base currency, ≥ 0 (a negative balance has nothing to spend) */
  cash: string;
  /** priced holdings */
  holdings: readonly ProposalHolding[];
  /** symbol → price (base currency) for assigned symbols that are not held: what a buy would pay */
  prices: Readonly<Record<string, string>>;
  categories: readonly ProposalCategory[];
  assignments: readonly AllocationAssignment[];
  exclusions: ReadonlyArray<{ symbol: string; reason: string }>;
  /** the ledger's trades of the last 30 days, for wash-sale flags */
  recentTrades: readonly RecentTrade[];
  /** symbols a recurring buy (a DCA rule) will buy within 30 days */
  plannedBuys: readonly string[];
  options: ProposalOptions;
}

/** Quantity step of a fractional proposal: 1e-6 (inside the order's 12 places, Alpaca takes 9). */
export const FRACTIONAL_STEP = '0.000001';

export interface CategoryDrift {
  categoryId: string;
  code: string;
  name: string;
  /** percent of the whole portfolio value, 4 decimals */
  targetPct: string;
  actualPct: string;
  /** actual − target, percentage points */
  driftPct: string;
  /** the band's half-width in percentage points (absolute: the threshold; relative: target × threshold / 100) */
  bandPct: string;
  outsideBand: boolean;
}

export interface ProposalDrift {
  categories: CategoryDrift[];
  cashLine: { targetPct: string; actualPct: string; driftPct: string };
  /** holdings in no category: never traded, counted in the whole */
  unassignedPct: string;
  /** Σ|actual − target| / 2 over the categories and cash (unassigned holdings count with target 0) */
  totalDriftPct: string;
  /** every category inside its band */
  insideBands: boolean;
}

export interface LotTake {
  lotId: string;
  acquired: string;
  quantity: string;
  /** the part of the lot's cost basis this sale takes */
  costBasis: string;
  proceeds: string;
  /** proceeds − costBasis (before costs) */
  gain: string;
  /** long: held more than a year on `today` */
  term: 'short' | 'long';
}

export type WashSaleKind = 'recent_buy' | 'planned_buy' | 'recent_loss_sale';

/**
 * A loss sale with a buy of the same symbol within 30 days either side: a buy in the ledger's last
 * 30 days, a DCA rule that will buy it, or (on a buy) a loss sale of it in the last 30 days.
 */
export interface WashSaleConflict {
  kind: WashSaleKind;
  /** the other trade's date, for recent ones */
  tradeDate?: string;
  detail: string;
}

export type ProposalTradeReason = 'overweight' | 'underweight';

export interface ProposalTrade {
  symbol: string;
  categoryId: string;
  side: 'sell' | 'buy';
  quantity: string;
  price: string;
  /** quantity × price */
  notional: string;
  estimatedCost: string;
  reason: ProposalTradeReason;
  /** sells: the lots it takes, in the ledger's FIFO order */
  lots?: LotTake[];
  /** sells: Σ gain of its lots */
  estimatedGain?: string;
  washSales: WashSaleConflict[];
}

export type ProposalDropReason =
  | 'below_minimum'
  | 'less_than_one_unit'
  | 'max_trades'
  | 'would_overdraw'
  | 'risk_rejected'
  | 'no_tradeable_symbol';

export interface DroppedTrade {
  symbol: string;
  categoryId: string;
  side: 'sell' | 'buy';
  /** the quantity that was wanted */
  quantity: string;
  notional: string;
  reason: ProposalDropReason;
  /** a sentence a person reads: the figures that decided it */
  detail: string;
}

/** What the risk gate says of a trade before it is kept (the app binds the trading desk's dry run). */
export type TradeGate = (trade: {
  symbol: string;
  side: 'sell' | 'buy';
  quantity: string;
  price: string;
  categoryId: string;
}) => { approved: true } | { approved: false; check: string; detail: string };

export interface ProposalPlan {
  baseCurrency: string;
  /** holdings + cash */
  totalValue: string;
  cashBefore: string;
  /** cash after every trade and its estimated cost; never negative */
  cashAfter: string;
  drift: { before: ProposalDrift; after: ProposalDrift };
  /** sells first (largest notional first), then buys (largest notional first) */
  trades: ProposalTrade[];
  dropped: DroppedTrade[];
  estimatedCosts: string;
  /** tax-aware or not: Σ gains of the sells' lots by term */
  estimatedGains: { shortTerm: string; longTerm: string };
  /** buys were cut to fit the cash */
  cashLimited: boolean;
  /** the buys need the sells' proceeds: execution waits for the sells' fills before buying */
  buysNeedSellProceeds: boolean;
}

// ---------------------------------------------------------------------------------------------
// The proposal

const ZERO = new Dec(0);
const ONE = new Dec(1);
const HUNDRED = new Dec(100);
/** one basis point: × 0.0001 is exact, where ÷ 10,000 would cost a division */
const BASIS_POINT = new Dec('0.0001');
/** the wash-sale window, days either side of a loss sale */
const WASH_SALE_DAYS = 30;
const str = decimalString;

interface Lot {
  lotId: string;
  acquired: string;
  quantity: D;
  costBasis: D;
  term: 'short' | 'long';
}

interface Sym {
  symbol: string;
  /** index into the categories; undefined: unassigned */
  category?: number;
  /** undefined: no price, so it cannot be bought */
  price?: D;
  held: D;
  lots: Lot[];
  excluded: boolean;
  weight: D;
}

interface Cat {
  categoryId: string;
  code: string;
  name: string;
  targetPct: D;
  /** the band's half-width in percentage points */
  bandPct: D;
  /** assigned symbols, held or not, by symbol */
  members: Sym[];
}

interface Ctx {
  cats: Cat[];
  syms: Sym[];
  cashTargetPct: D;
  step: D;
  floorTo: (q: D) => D;
  rate: D;
  fee: D;
  minNotional: D;
  taxAware: boolean;
  today: string;
  base: string;
}

/** Quantities held (by symbol object) and cash: a book's state at the proposal's prices. */
interface State {
  qty: Map<Sym, D>;
  cash: D;
}

interface Measure {
  value: D;
  categoryValues: D[];
  outside: boolean[];
  drift: ProposalDrift;
}

interface Candidate {
  sym: Sym;
  price: D;
  categoryId: string;
  side: 'sell' | 'buy';
  /** the wanted quantity, already rounded */
  want: D;
  quantity: D;
}

interface Gap {
  sym: Sym;
  /** the symbol's share of the category's target value − its value: positive when under */
  gap: D;
}

interface Sink {
  dropped: DroppedTrade[];
  /** categories already reported 'no_tradeable_symbol' */
  noTradeable: Set<string>;
  /** symbols already reported as having no price */
  noPrice: Set<Sym>;
}

function nonNegative(name: string, v: string): D {
  const d = money(v);
  if (d.lt(0)) throw new RangeError(`${name} must not be negative`);
  return d;
}

/** A price: negative throws; zero (a worthless or unquoted line) counts as no price. */
function priceOf(name: string, v: string): D | undefined {
  const d = nonNegative(name, v);
  return d.isZero() ? undefined : d;
}

function positive(name: string, v: string): D {
  const d = money(v);
  if (!d.gt(0)) throw new RangeError(`${name} must be positive`);
  return d;
}

function bySymbol(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const held = (state: State, s: Sym) => state.qty.get(s) ?? ZERO;
const valueOf = (state: State, s: Sym) => (s.price ? held(state, s).times(s.price) : ZERO);
const notionalOf = (c: Candidate) => c.quantity.times(c.price);

function costOf(ctx: Ctx, notional: D): D {
  return notional.times(ctx.rate).plus(ctx.fee);
}

function context(input: ProposalInput): Ctx {
  const o = input.options;
  if (o.band !== 'absolute' && o.band !== 'relative') throw new RangeError(`unknown band type: ${String(o.band)}`);
  if (!isIsoDate(o.today)) throw new RangeError(`today is not a calendar date written YYYY-MM-DD: ${o.today}`);
  if (o.maxTrades !== undefined && !(Number.isInteger(o.maxTrades) && o.maxTrades >= 0)) {
    throw new RangeError('maxTrades must be a non-negative integer');
  }
  const threshold = o.thresholdPct === undefined ? undefined : nonNegative('thresholdPct', o.thresholdPct);
  const step = money(o.fractional ? FRACTIONAL_STEP : '1');
  const dp = step.decimalPlaces();
  const floorTo = (q: D) => (q.lte(0) ? ZERO : q.toDecimalPlaces(dp, Dec.ROUND_DOWN));

  const bySym = new Map<string, Sym>();
  const symOf = (symbol: string): Sym => {
    let s = bySym.get(symbol);
    if (!s) {
      s = { symbol, held: ZERO, lots: [], excluded: false, weight: ONE };
      bySym.set(symbol, s);
    }
    return s;
  };
  const seen = new Set<string>();
  for (const h of input.holdings) {
    if (seen.has(h.symbol)) throw new RangeError(`${h.symbol} is held twice`);
    seen.add(h.symbol);
    const s = symOf(h.symbol);
    s.held = nonNegative(`quantity of ${h.symbol}`, h.quantity);
    s.price = priceOf(`price of ${h.symbol}`, h.price);
    s.lots = h.lots.map((l) => {
      if (!isIsoDate(l.acquired)) throw new RangeError(`lot ${l.lotId} of ${h.symbol}: bad acquired date`);
      return {
        lotId: l.lotId,
        acquired: l.acquired,
        quantity: nonNegative(`quantity of lot ${l.lotId}`, l.quantity),
        costBasis: money(l.costBasis),
        // long-term: held more than a year, i.e. the first anniversary is before today
        term: addYears(l.acquired, 1) < o.today ? 'long' : 'short',
      };
    });
  }
  for (const [symbol, price] of Object.entries(input.prices)) {
    const p = priceOf(`price of ${symbol}`, price);
    const s = symOf(symbol);
    if (!seen.has(symbol)) s.price = p;
  }

  const index = new Map<string, number>();
  const cats: Cat[] = input.categories.map((c, i) => {
    if (index.has(c.categoryId)) throw new RangeError(`category ${c.categoryId} is listed twice`);
    index.set(c.categoryId, i);
    const targetPct = nonNegative(`targetPct of ${c.code}`, c.targetPct);
    const t = threshold ?? nonNegative(`rebalanceThresholdPct of ${c.code}`, c.rebalanceThresholdPct);
    return {
      categoryId: c.categoryId,
      code: c.code,
      name: c.name,
      targetPct,
      bandPct: o.band === 'absolute' ? t : targetPct.times(t).div(HUNDRED),
      members: [],
    };
  });
  // one category per symbol, the last assignment winning (as in the allocation view)
  for (const a of input.assignments) {
    const i = index.get(a.categoryId);
    if (i === undefined) continue;
    const s = symOf(a.symbol);
    s.category = i;
    s.weight = a.weight === undefined ? ONE : positive(`weight of ${a.symbol}`, a.weight);
  }
  for (const e of input.exclusions) {
    const s = bySym.get(e.symbol);
    if (s) s.excluded = true;
  }
  const syms = [...bySym.values()].sort((a, b) => bySymbol(a.symbol, b.symbol));
  for (const s of syms) if (s.category !== undefined) cats[s.category].members.push(s);
  const sumTargets = cats.reduce((sum, c) => sum.plus(c.targetPct), ZERO);

  return {
    cats,
    syms,
    cashTargetPct: Dec.max(ZERO, HUNDRED.minus(sumTargets)),
    step,
    floorTo,
    rate: nonNegative('costBps', o.costBps).times(BASIS_POINT),
    fee: nonNegative('perTradeFee', o.perTradeFee),
    minNotional: nonNegative('minNotional', o.minNotional),
    taxAware: o.taxAware,
    today: o.today,
    base: input.baseCurrency,
  };
}

/** The drift report of a state, and each category's value and band verdict (decided exactly). */
function measure(ctx: Ctx, state: State): Measure {
  const categoryValues = ctx.cats.map(() => ZERO);
  let holdings = ZERO;
  let unassigned = ZERO;
  for (const [s, q] of state.qty) {
    const v = s.price ? q.times(s.price) : ZERO;
    holdings = holdings.plus(v);
    if (s.category === undefined) unassigned = unassigned.plus(v);
    else categoryValues[s.category] = categoryValues[s.category].plus(v);
  }
  const value = holdings.plus(state.cash);
  const pct = (v: D) => (value.isZero() ? ZERO : v.times(HUNDRED).div(value));
  // |value × 100 − target × V| > band × V: no division, so the band's edge is exact
  const outside = ctx.cats.map((c, i) =>
    categoryValues[i].times(HUNDRED).minus(c.targetPct.times(value)).abs().gt(c.bandPct.times(value)),
  );
  let l1 = ZERO;
  const categories = ctx.cats.map((c, i): CategoryDrift => {
    const actual = pct(categoryValues[i]);
    const drift = actual.minus(c.targetPct);
    l1 = l1.plus(drift.abs());
    return {
      categoryId: c.categoryId,
      code: c.code,
      name: c.name,
      targetPct: pctString(c.targetPct),
      actualPct: pctString(actual),
      driftPct: pctString(drift),
      bandPct: pctString(c.bandPct),
      outsideBand: outside[i],
    };
  });
  const cashActual = pct(state.cash);
  const cashDrift = cashActual.minus(ctx.cashTargetPct);
  const unassignedActual = pct(unassigned);
  const total = l1.plus(cashDrift.abs()).plus(unassignedActual.abs()).div(2);
  return {
    value,
    categoryValues,
    outside,
    drift: {
      categories,
      cashLine: {
        targetPct: pctString(ctx.cashTargetPct),
        actualPct: pctString(cashActual),
        driftPct: pctString(cashDrift),
      },
      unassignedPct: pctString(unassignedActual),
      totalDriftPct: pctString(total),
      insideBands: !outside.some(Boolean),
    },
  };
}

/**
 * A category's wanted change Δ = target value − value, and each non-excluded symbol's gap to its
 * share: (target − excluded symbols' value, floored at 0) × weight / Σ weights − its value.
 */
function categoryGaps(cat: Cat, state: State, value: D): { target: D; delta: D; gaps: Gap[] } {
  const target = cat.targetPct.times(value).div(HUNDRED);
  let current = ZERO;
  let excluded = ZERO;
  let weights = ZERO;
  for (const s of cat.members) {
    const v = valueOf(state, s);
    current = current.plus(v);
    if (s.excluded) excluded = excluded.plus(v);
    else weights = weights.plus(s.weight);
  }
  const remaining = Dec.max(ZERO, target.minus(excluded));
  const gaps = cat.members
    .filter((s) => !s.excluded)
    .map((s) => ({ sym: s, gap: remaining.times(s.weight).div(weights).minus(valueOf(state, s)) }));
  return { target, delta: target.minus(current), gaps };
}

function dropOf(
  c: { symbol: string; categoryId: string; side: 'sell' | 'buy' },
  quantity: D,
  notional: D,
  reason: ProposalDropReason,
  detail: string,
): DroppedTrade {
  return { ...c, quantity: str(quantity), notional: str(notional), reason, detail };
}

function dropCandidate(c: Candidate, reason: ProposalDropReason, detail: string, quantity = c.want): DroppedTrade {
  return dropOf(
    { symbol: c.sym.symbol, categoryId: c.categoryId, side: c.side },
    quantity,
    quantity.times(c.price),
    reason,
    detail,
  );
}

function noTradeable(ctx: Ctx, sink: Sink, cat: Cat, delta: D, why: string): void {
  if (sink.noTradeable.has(cat.categoryId)) return;
  sink.noTradeable.add(cat.categoryId);
  const side = delta.gt(0) ? 'buy' : 'sell';
  sink.dropped.push(
    dropOf(
      { symbol: cat.code, categoryId: cat.categoryId, side },
      ZERO,
      delta.abs(),
      'no_tradeable_symbol',
      `category ${cat.code} is outside its band and wants to ${side} ${str(delta.abs())} ${ctx.base}, ` +
        `but it has no symbol that can be traded: ${why}`,
    ),
  );
}

function noPrice(ctx: Ctx, sink: Sink, cat: Cat, g: Gap): void {
  if (sink.noPrice.has(g.sym)) return;
  sink.noPrice.add(g.sym);
  sink.dropped.push(
    dropOf(
      { symbol: g.sym.symbol, categoryId: cat.categoryId, side: 'buy' },
      ZERO,
      g.gap,
      'no_tradeable_symbol',
      `${g.sym.symbol} is ${str(g.gap)} ${ctx.base} under its share of category ${cat.code} ` +
        'but has no price, so it cannot be bought',
    ),
  );
}

/** A wanted trade of `amount` (base currency, > 0), rounded down; undefined (and a drop) at zero. */
function sized(
  ctx: Ctx,
  state: State,
  cat: Cat,
  sym: Sym,
  price: D,
  side: 'sell' | 'buy',
  amount: D,
  dropped: DroppedTrade[],
): Candidate | undefined {
  const exact = amount.div(price);
  const have = held(state, sym);
  // a sell never exceeds the holding; one that takes all of it may be fractional
  const quantity = side === 'sell' && exact.gte(have) ? have : ctx.floorTo(exact);
  if (quantity.isZero()) {
    dropped.push(
      dropOf(
        { symbol: sym.symbol, categoryId: cat.categoryId, side },
        exact.toDecimalPlaces(12, Dec.ROUND_DOWN),
        amount,
        'less_than_one_unit',
        `the wanted ${side} of ${str(amount)} ${ctx.base} is ${str(exact.toSignificantDigits(6, Dec.ROUND_DOWN))} ` +
          `units at ${str(price)}, less than one step of ${str(ctx.step)}`,
      ),
    );
    return undefined;
  }
  return { sym, price, categoryId: cat.categoryId, side, want: quantity, quantity };
}

interface Take {
  lots: LotTake[];
  gain: D;
  proceeds: D;
  /** any lot taken at a short-term gain */
  shortGain: boolean;
}

/** The FIFO prefix of a holding's lots that selling `quantity` at `price` takes. */
function takeLots(sym: Sym, quantity: D, price: D): Take {
  const lots: LotTake[] = [];
  let left = quantity;
  let gain = ZERO;
  let shortGain = false;
  for (const lot of sym.lots) {
    if (!left.gt(0)) break;
    if (!lot.quantity.gt(0)) continue;
    const taken = Dec.min(left, lot.quantity);
    const costBasis = consumedBasis(lot.costBasis, taken, lot.quantity);
    const proceeds = taken.times(price);
    const g = proceeds.minus(costBasis);
    gain = gain.plus(g);
    if (lot.term === 'short' && g.gt(0)) shortGain = true;
    lots.push({
      lotId: lot.lotId,
      acquired: lot.acquired,
      quantity: str(taken),
      costBasis: str(costBasis),
      proceeds: str(proceeds),
      gain: str(g),
      term: lot.term,
    });
    left = left.minus(taken);
  }
  return { lots, gain, proceeds: quantity.times(price), shortGain };
}

/**
 * Tax-aware sells of a net-selling category: `sell` (base currency) taken from the best-ranked
 * holdings first. A holding ranks by the FIFO prefix it would sell: a loss, then a long-term
 * gain, then a short-term gain; among equals the smaller gain per unit of value sold (the
 * larger loss) first, then by symbol.
 */
function taxAwareSells(ctx: Ctx, state: State, cat: Cat, sell: D, sellable: Sym[], dropped: DroppedTrade[]) {
  const ranked = sellable.map((s) => {
    const price = s.price ?? ONE; // held, so priced
    const take = takeLots(s, Dec.min(sell.div(price), held(state, s)), price);
    const rank = take.gain.lt(0) ? 0 : take.shortGain ? 2 : 1;
    return { s, price, rank, take };
  });
  ranked.sort(
    (a, b) =>
      a.rank - b.rank ||
      // gain_a / proceeds_a vs gain_b / proceeds_b, cross-multiplied (proceeds > 0)
      a.take.gain.times(b.take.proceeds).comparedTo(b.take.gain.times(a.take.proceeds)) ||
      bySymbol(a.s.symbol, b.s.symbol),
  );
  const out: Candidate[] = [];
  let left = sell;
  for (const { s, price } of ranked) {
    if (!left.gt(0)) break;
    const c = sized(ctx, state, cat, s, price, 'sell', left, dropped);
    if (!c) break;
    out.push(c);
    left = left.minus(notionalOf(c));
    if (c.quantity.lt(held(state, s))) break; // the last one, partially
  }
  return out;
}

/** Steps 1–5: the wanted trades of the categories outside their band, each back to its target. */
function rebalanceTrades(ctx: Ctx, state: State, m: Measure, sink: Sink): Candidate[] {
  const out: Candidate[] = [];
  ctx.cats.forEach((cat, i) => {
    if (!m.outside[i]) return;
    const { delta, gaps } = categoryGaps(cat, state, m.value);
    if (ctx.taxAware && delta.lt(0)) {
      const sellable = gaps.map((g) => g.sym).filter((s) => s.price && held(state, s).gt(0));
      if (sellable.length === 0) {
        noTradeable(ctx, sink, cat, delta, 'nothing of it that is not excluded is held at a price');
        return;
      }
      out.push(...taxAwareSells(ctx, state, cat, delta.neg(), sellable, sink.dropped));
      return;
    }
    if (!gaps.some((g) => g.sym.price)) {
      noTradeable(ctx, sink, cat, delta, 'every symbol of it is excluded or has no price');
      return;
    }
    for (const g of gaps) {
      if (g.gap.isZero()) continue;
      if (!g.sym.price) {
        if (g.gap.gt(0)) noPrice(ctx, sink, cat, g);
        continue;
      }
      const side = g.gap.gt(0) ? 'buy' : 'sell';
      const c = sized(ctx, state, cat, g.sym, g.sym.price, side, g.gap.abs(), sink.dropped);
      if (c) out.push(c);
    }
  });
  return out;
}

/**
 * Step 6's first half: cash above the cash target buys the underweight categories outside
 * their band, toward their target (split pro rata by shortfall when short), inside a category
 * pro rata by the symbols' gaps. Drops of this phase are returned apart (see the caller).
 */
function cashFirstBuys(ctx: Ctx, state: State, m: Measure, sink: Sink): { buys: Candidate[]; dropped: DroppedTrade[] } {
  const dropped: DroppedTrade[] = [];
  const spare = Dec.max(ZERO, state.cash.minus(ctx.cashTargetPct.times(m.value).div(HUNDRED)));
  const demands: Array<{ cat: Cat; priced: Gap[]; gaps: D; demand: D }> = [];
  ctx.cats.forEach((cat, i) => {
    if (!m.outside[i]) return;
    const { delta, gaps } = categoryGaps(cat, state, m.value);
    if (!delta.gt(0)) return;
    if (!gaps.some((g) => g.sym.price)) {
      noTradeable(ctx, sink, cat, delta, 'every symbol of it is excluded or has no price');
      return;
    }
    for (const g of gaps) if (!g.sym.price && g.gap.gt(0)) noPrice(ctx, sink, cat, g);
    const priced = gaps.filter((g) => g.sym.price && g.gap.gt(0));
    const sum = priced.reduce((s, g) => s.plus(g.gap), ZERO);
    if (sum.gt(0)) demands.push({ cat, priced, gaps: sum, demand: Dec.min(delta, sum) });
  });
  const total = demands.reduce((s, d) => s.plus(d.demand), ZERO);
  const buys: Candidate[] = [];
  if (!spare.gt(0) || !total.gt(0)) return { buys, dropped };
  for (const d of demands) {
    const budget = total.lte(spare) ? d.demand : spare.times(d.demand).div(total);
    for (const g of d.priced) {
      const price = g.sym.price ?? ONE;
      const c = sized(ctx, state, d.cat, g.sym, price, 'buy', budget.times(g.gap).div(d.gaps), dropped);
      if (c) buys.push(c);
    }
  }
  return { buys, dropped };
}

/** The state after `trades` and their costs. */
function project(ctx: Ctx, state: State, trades: readonly Candidate[]): State {
  const qty = new Map(state.qty);
  let cash = state.cash;
  for (const c of trades) {
    const n = notionalOf(c);
    const cost = costOf(ctx, n);
    const q = held({ qty, cash }, c.sym);
    if (c.side === 'sell') {
      qty.set(c.sym, q.minus(c.quantity));
      cash = cash.plus(n).minus(cost);
    } else {
      qty.set(c.sym, q.plus(c.quantity));
      cash = cash.minus(n).minus(cost);
    }
  }
  return { qty, cash };
}

/** One trade per symbol: trades of the same symbol are added up (a buy and a sell net out). */
function merge(trades: readonly Candidate[]): Candidate[] {
  const bySym = new Map<Sym, { c: Candidate; net: D }>();
  for (const c of trades) {
    const signed = c.side === 'buy' ? c.quantity : c.quantity.neg();
    const e = bySym.get(c.sym);
    if (e) e.net = e.net.plus(signed);
    else bySym.set(c.sym, { c, net: signed });
  }
  const out: Candidate[] = [];
  for (const { c, net } of bySym.values()) {
    if (net.isZero()) continue;
    const side = net.gt(0) ? 'buy' : 'sell';
    out.push({ ...c, side, want: net.abs(), quantity: net.abs() });
  }
  return out;
}

/** Sells first, then buys; each largest notional first, ties by symbol. */
function tradeOrder(a: Candidate, b: Candidate): number {
  if (a.side !== b.side) return a.side === 'sell' ? -1 : 1;
  return notionalOf(b).comparedTo(notionalOf(a)) || bySymbol(a.sym.symbol, b.sym.symbol);
}

/**
 * Step 11: fit the buys into `available`. When they do not fit, every buy is scaled by the same
 * factor and rounded down; buys that fall to zero or under the minimum are dropped
 * ('would_overdraw') and the factor recomputed for the rest (their fixed fees are freed). A
 * 34-digit factor may round up, so buys are then trimmed a step at a time from the smallest;
 * cash left by rounding tops buys up again, largest first, never past the wanted quantity.
 */
function fitBuys(
  ctx: Ctx,
  buys: Candidate[],
  available: D,
  dropped: DroppedTrade[],
): { kept: Candidate[]; limited: boolean } {
  const cost = (bs: readonly Candidate[]) =>
    bs.reduce((s, b) => s.plus(notionalOf(b)).plus(costOf(ctx, notionalOf(b))), ZERO);
  const need = cost(buys);
  if (need.lte(available)) return { kept: buys, limited: false };
  const short = (b: Candidate, more: string) =>
    dropped.push(
      dropCandidate(
        b,
        'would_overdraw',
        `not enough cash: ${str(available)} ${ctx.base} available for buys costing ${str(need)}; ` +
          `scaled to ${str(b.quantity)} (notional ${str(notionalOf(b))})${more}`,
      ),
    );
  const underMinimum = (b: Candidate) => b.quantity.isZero() || notionalOf(b).lt(ctx.minNotional);
  const minimumNote = (b: Candidate) =>
    b.quantity.isZero() ? '' : `, below the minimum ${str(ctx.minNotional)} ${ctx.base}`;

  let kept = [...buys];
  for (;;) {
    const fixed = ctx.fee.times(kept.length);
    const variable = kept.reduce((s, b) => s.plus(b.want.times(b.price)), ZERO).times(ctx.rate.plus(1));
    const factor = available.gt(fixed) && variable.gt(0) ? Dec.min(1, available.minus(fixed).div(variable)) : ZERO;
    const next: Candidate[] = [];
    for (const b of kept) {
      b.quantity = ctx.floorTo(b.want.times(factor));
      if (underMinimum(b)) short(b, minimumNote(b));
      else next.push(b);
    }
    const done = next.length === kept.length;
    kept = next;
    if (done || kept.length === 0) break;
  }

  const unitCost = (b: Candidate) => b.price.times(ctx.step).times(ctx.rate.plus(1));
  let spent = cost(kept);
  for (let i = kept.length - 1; spent.gt(available) && i >= 0; i--) {
    const b = kept[i];
    const unit = unitCost(b);
    const steps = Dec.min(spent.minus(available).div(unit).ceil(), b.quantity.div(ctx.step));
    b.quantity = b.quantity.minus(steps.times(ctx.step));
    spent = spent.minus(steps.times(unit));
    while (spent.gt(available) && b.quantity.gt(0)) {
      b.quantity = b.quantity.minus(ctx.step);
      spent = spent.minus(unit);
    }
    if (b.quantity.isZero()) spent = spent.minus(ctx.fee);
  }
  const next: Candidate[] = [];
  for (const b of kept) {
    if (underMinimum(b)) short(b, minimumNote(b));
    else next.push(b);
  }
  kept = next;
  spent = cost(kept);

  for (const b of kept) {
    const unit = unitCost(b);
    const room = b.want.minus(b.quantity).div(ctx.step).floor();
    const extra = Dec.min(room, Dec.max(ZERO, available.minus(spent).div(unit).floor()));
    if (!extra.gt(0)) continue;
    b.quantity = b.quantity.plus(extra.times(ctx.step));
    spent = spent.plus(extra.times(unit));
    while (spent.gt(available)) {
      b.quantity = b.quantity.minus(ctx.step);
      spent = spent.minus(unit);
    }
  }
  return { kept, limited: true };
}

function washSales(ctx: Ctx, input: ProposalInput, c: Candidate, gain: D | undefined): WashSaleConflict[] {
  const out: WashSaleConflict[] = [];
  const symbol = c.sym.symbol;
  const recent = (date: string) => {
    const days = daysBetween(date, ctx.today);
    return days >= 0 && days <= WASH_SALE_DAYS ? days : undefined;
  };
  if (c.side === 'sell') {
    if (!gain?.lt(0)) return out;
    const loss = str(gain.neg());
    for (const t of input.recentTrades) {
      if (t.symbol !== symbol || t.side !== 'buy') continue;
      const days = recent(t.tradeDate);
      if (days === undefined) continue;
      out.push({
        kind: 'recent_buy',
        tradeDate: t.tradeDate,
        detail:
          `selling ${symbol} on ${ctx.today} at an estimated loss of ${loss} ${ctx.base}, ${days} days after ` +
          `a buy of it on ${t.tradeDate}: a wash sale would disallow the loss`,
      });
    }
    if (input.plannedBuys.includes(symbol)) {
      out.push({
        kind: 'planned_buy',
        detail:
          `selling ${symbol} on ${ctx.today} at an estimated loss of ${loss} ${ctx.base} while a recurring buy ` +
          `of it is planned by ${addDays(ctx.today, WASH_SALE_DAYS)}: a wash sale would disallow the loss`,
      });
    }
    return out;
  }
  for (const t of input.recentTrades) {
    if (t.symbol !== symbol || t.side !== 'sell' || t.realisedGain === undefined) continue;
    const realised = money(t.realisedGain);
    if (!realised.lt(0)) continue;
    const days = recent(t.tradeDate);
    if (days === undefined) continue;
    out.push({
      kind: 'recent_loss_sale',
      tradeDate: t.tradeDate,
      detail:
        `buying ${symbol} on ${ctx.today}, ${days} days after selling it at a loss of ${str(realised.neg())} ` +
        `${ctx.base} on ${t.tradeDate}: a wash sale would disallow that loss`,
    });
  }
  return out;
}

/**
 * Propose the trades that bring a portfolio's categories back to their targets. Exact decimal
 * arithmetic throughout; every percentage is of the WHOLE value.
 *
 * - Value: V = cash + Σ quantity × price of every holding, assigned or not; V ≤ 0 throws a
 *   RangeError. Cash and prices must not be negative (a zero price counts as no price), weights
 *   must be positive.
 * - Targets: a category's target value is targetPct/100 × V; cash's target is
 *   max(0, 100 − Σ targetPct) (targets over 100 leave cash 0 and the proposal still works). A
 *   category's symbols are its assignments, held or not. Excluded symbols are never traded:
 *   their value stays and is taken off the category's target value (floored at 0); the rest is
 *   split among the other symbols by weight (a missing weight is 1). Unassigned holdings are
 *   never traded and count in V with no target.
 * - Band: threshold = options.thresholdPct ?? the category's rebalanceThresholdPct; absolute:
 *   ± threshold points; relative: ± targetPct × threshold / 100 points. A category is outside
 *   when |actual − target| > band, decided exactly (on the edge is inside).
 * - Trades: only categories outside their band trade, each back to its target (not the band's
 *   edge): every non-excluded symbol buys or sells its gap to its share, so one category may
 *   both buy and sell. A category with no tradeable symbol (all excluded or unpriced) is
 *   dropped as 'no_tradeable_symbol' under its code; a symbol without a price that would be
 *   bought is dropped the same way under its own symbol.
 * - Quantities: whole units, or steps of FRACTIONAL_STEP when `fractional`, rounded down; a
 *   sell never exceeds the holding, and one taking all of it may be fractional. A trade that
 *   rounds to zero is dropped 'less_than_one_unit'.
 * - Tax-aware: a category that must sell on net (Δ < 0) sells only, by lots: each holding is
 *   ranked by the FIFO prefix it would sell (a loss, then a long-term gain, then a short-term
 *   gain; among equals the smaller gain per unit of value sold first, then by symbol), and the
 *   best-ranked holdings are sold first until Δ is covered, the last one partly (rounded down).
 *   Long-term: the lot's first anniversary is before `today`. Every sell, tax-aware or not,
 *   reports its FIFO lots (cost basis pro rata, as the ledger books it) and estimated gain.
 * - Wash sales (every mode): a sell at an estimated loss is flagged for each buy of the symbol
 *   in the 30 days up to `today` ('recent_buy') and for a planned recurring buy ('planned_buy');
 *   a buy is flagged for each sale of the symbol at a loss in those 30 days ('recent_loss_sale').
 * - Cash-first: first only buys, with the cash above cash's target, into the underweight
 *   categories outside their band (split pro rata by shortfall when short). If every category
 *   is then inside its band, that is the plan; otherwise the categories still outside are
 *   rebalanced as above from the state those buys leave, and trades of one symbol are merged.
 * - Costs: notional × costBps / 10,000 + perTradeFee per trade; sells' net proceeds fund buys.
 * - Then, in this order: trades under minNotional are dropped ('below_minimum'); the gate, when
 *   given, sees the sells and its rejections are dropped ('risk_rejected'); beyond maxTrades the
 *   smallest notionals are dropped ('max_trades'); a sell whose costs exceed its proceeds is
 *   dropped ('would_overdraw') if cash cannot carry them; buys that cost more than cash + the
 *   kept sells' net proceeds are all scaled by one factor, rounded down, the ones falling to
 *   zero or under the minimum dropped ('would_overdraw') and the rest refitted, so cashAfter is
 *   never negative (`cashLimited`); last the gate sees the buys as fitted (after the sells, so
 *   it can count their proceeds) and its rejections are dropped ('risk_rejected').
 * - Output: trades are sells then buys, each largest notional first, ties by symbol; dropped
 *   trades in the order they were dropped; drift before and after (after: the kept trades and
 *   their costs at the same prices); `buysNeedSellProceeds` when the buys cost more than the
 *   cash before.
 */
export function proposeRebalance(input: ProposalInput, gate?: TradeGate): ProposalPlan {
  const ctx = context(input);
  const cash = nonNegative('cash', input.cash);
  const start: State = { qty: new Map(), cash };
  for (const s of ctx.syms) if (s.held.gt(0)) start.qty.set(s, s.held);
  const before = measure(ctx, start);
  if (!before.value.gt(0)) throw new RangeError('nothing to rebalance: the portfolio has no value');

  const sink: Sink = { dropped: [], noTradeable: new Set(), noPrice: new Set() };
  let wanted: Candidate[];
  if (input.options.cashFirst) {
    const first = cashFirstBuys(ctx, start, before, sink);
    const projected = project(ctx, start, first.buys);
    // only the categories still outside their band trade on: none, and the buys are the plan
    const rest: DroppedTrade[] = [];
    const more = rebalanceTrades(ctx, projected, measure(ctx, projected), { ...sink, dropped: rest });
    wanted = merge([...first.buys, ...more]);
    // a buy too small in the first pass may still be made by the second: only report the rest
    const trading = new Set(wanted.map((c) => c.sym.symbol));
    sink.dropped.push(...first.dropped.filter((d) => !trading.has(d.symbol)), ...rest);
  } else {
    wanted = rebalanceTrades(ctx, start, before, sink);
  }
  const dropped = sink.dropped;

  // 8. the minimum
  let candidates: Candidate[] = [];
  for (const c of [...wanted].sort(tradeOrder)) {
    const n = notionalOf(c);
    if (n.lt(ctx.minNotional)) {
      dropped.push(
        dropCandidate(
          c,
          'below_minimum',
          `notional ${str(n)} ${ctx.base} is below the minimum trade of ${str(ctx.minNotional)} ${ctx.base}`,
        ),
      );
    } else candidates.push(c);
  }
  // 9. the gate, for the sells: their proceeds decide what the buys can spend
  const judge = (list: Candidate[]): Candidate[] => {
    if (!gate) return list;
    const approved: Candidate[] = [];
    for (const c of list) {
      const verdict = gate({
        symbol: c.sym.symbol,
        side: c.side,
        quantity: str(c.quantity),
        price: str(c.price),
        categoryId: c.categoryId,
      });
      if (verdict.approved) approved.push(c);
      else
        dropped.push(
          dropCandidate(c, 'risk_rejected', `rejected by the risk check ${verdict.check}: ${verdict.detail}`),
        );
    }
    return approved;
  };
  candidates = [...judge(candidates.filter((c) => c.side === 'sell')), ...candidates.filter((c) => c.side === 'buy')];
  // 10. the largest notionals
  const maxTrades = input.options.maxTrades;
  if (maxTrades !== undefined && candidates.length > maxTrades) {
    const largest = [...candidates].sort(
      (a, b) =>
        notionalOf(b).comparedTo(notionalOf(a)) ||
        (a.side === b.side ? 0 : a.side === 'sell' ? -1 : 1) ||
        bySymbol(a.sym.symbol, b.sym.symbol),
    );
    for (const c of largest.slice(maxTrades)) {
      dropped.push(
        dropCandidate(c, 'max_trades', `beyond the ${maxTrades} largest trades (notional ${str(notionalOf(c))})`),
      );
    }
    const keep = new Set(largest.slice(0, maxTrades));
    candidates = candidates.filter((c) => keep.has(c));
  }
  // 11. cash: the kept sells' net proceeds fund the buys
  const net = (c: Candidate) => notionalOf(c).minus(costOf(ctx, notionalOf(c)));
  let sells = candidates.filter((c) => c.side === 'sell');
  let available = sells.reduce((s, c) => s.plus(net(c)), cash);
  if (available.lt(0)) {
    const costly = sells.filter((c) => net(c).lt(0)).sort((a, b) => net(a).comparedTo(net(b)));
    const cut = new Set<Candidate>();
    for (const c of costly) {
      if (!available.lt(0)) break;
      cut.add(c);
      available = available.minus(net(c));
      dropped.push(
        dropCandidate(
          c,
          'would_overdraw',
          `its costs ${str(costOf(ctx, notionalOf(c)))} ${ctx.base} exceed its proceeds ` +
            `${str(notionalOf(c))} ${ctx.base} and the cash cannot carry them`,
        ),
      );
    }
    sells = sells.filter((c) => !cut.has(c));
  }
  const fit = fitBuys(
    ctx,
    candidates.filter((c) => c.side === 'buy'),
    available,
    dropped,
  );
  // 12. the gate, for the buys as fitted: a buy scaled to the cash is judged at the size it will
  // have, so a cash check never drops a buy the fitting would have made affordable
  const buys = judge([...fit.kept].sort(tradeOrder));

  // assemble
  const final = [...sells, ...buys].sort(tradeOrder);
  const after = project(ctx, start, final);
  let costs = ZERO;
  let buyCost = ZERO;
  let shortTerm = ZERO;
  let longTerm = ZERO;
  const trades = final.map((c): ProposalTrade => {
    const notional = notionalOf(c);
    const cost = costOf(ctx, notional);
    costs = costs.plus(cost);
    const trade: ProposalTrade = {
      symbol: c.sym.symbol,
      categoryId: c.categoryId,
      side: c.side,
      quantity: str(c.quantity),
      price: str(c.price),
      notional: str(notional),
      estimatedCost: str(cost),
      reason: c.side === 'sell' ? 'overweight' : 'underweight',
      washSales: [],
    };
    if (c.side === 'sell') {
      const take = takeLots(c.sym, c.quantity, c.price);
      for (const l of take.lots) {
        if (l.term === 'long') longTerm = longTerm.plus(money(l.gain));
        else shortTerm = shortTerm.plus(money(l.gain));
      }
      trade.lots = take.lots;
      trade.estimatedGain = str(take.gain);
      trade.washSales = washSales(ctx, input, c, take.gain);
    } else {
      buyCost = buyCost.plus(notional).plus(cost);
      trade.washSales = washSales(ctx, input, c, undefined);
    }
    return trade;
  });

  return {
    baseCurrency: input.baseCurrency,
    totalValue: str(before.value),
    cashBefore: str(cash),
    cashAfter: str(after.cash),
    drift: { before: before.drift, after: measure(ctx, after).drift },
    trades,
    dropped,
    estimatedCosts: str(costs),
    estimatedGains: { shortTerm: str(shortTerm), longTerm: str(longTerm) },
    cashLimited: fit.limited,
    buysNeedSellProceeds: buyCost.gt(cash),
  };
}
