import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, money, type D } from '../money.js';
import {
  FRACTIONAL_STEP,
  proposeRebalance,
  type ProposalCategory,
  type ProposalHolding,
  type ProposalInput,
  type ProposalLot,
  type ProposalOptions,
  type ProposalPlan,
  type TradeGate,
} from './index.js';

const TODAY = '2025-06-30';

const category = (id: string, targetPct: string, threshold = '5'): ProposalCategory => ({
  categoryId: id,
  name: id,
  code: id.toUpperCase(),
  targetPct,
  rebalanceThresholdPct: threshold,
});

/** A holding; without lots, one long-term lot bought at today's price (no gain). */
const holding = (symbol: string, quantity: string, price: string, lots?: ProposalLot[]): ProposalHolding => ({
  symbol,
  quantity,
  price,
  lots: lots ?? [
    {
      lotId: `${symbol}-1`,
      acquired: '2020-01-02',
      quantity,
      costBasis: money(quantity).times(money(price)).toFixed(),
    },
  ],
});

const lot = (lotId: string, acquired: string, quantity: string, costBasis: string): ProposalLot => ({
  lotId,
  acquired,
  quantity,
  costBasis,
});

const OPTIONS: ProposalOptions = {
  band: 'absolute',
  cashFirst: false,
  minNotional: '0',
  fractional: false,
  taxAware: false,
  costBps: '0',
  perTradeFee: '0',
  today: TODAY,
};

function book(
  over: Partial<Omit<ProposalInput, 'options'>> & { options?: Partial<ProposalOptions> } = {},
): ProposalInput {
  const { options, ...rest } = over;
  return {
    baseCurrency: 'USD',
    cash: '0',
    holdings: [],
    prices: {},
    categories: [],
    assignments: [],
    exclusions: [],
    recentTrades: [],
    plannedBuys: [],
    ...rest,
    options: { ...OPTIONS, ...options },
  };
}

/** symbol side quantity, in the plan's order */
const brief = (plan: ProposalPlan) => plan.trades.map((t) => `${t.side} ${t.quantity} ${t.symbol}`);
const reasons = (plan: ProposalPlan) => plan.dropped.map((d) => `${d.reason} ${d.symbol}`);
const sum = (xs: readonly string[]) => xs.reduce((s: D, x) => s.plus(money(x)), new Dec(0));

/** cashAfter = cash + Σ sells − Σ buys − Σ costs, exactly; notionals and costs add up */
function reconcile(input: ProposalInput, plan: ProposalPlan) {
  const o = input.options;
  let cash = money(input.cash);
  for (const t of plan.trades) {
    const n = money(t.quantity).times(money(t.price));
    expect(money(t.notional).eq(n)).toBe(true);
    const cost = n.times(money(o.costBps)).div(10000).plus(money(o.perTradeFee));
    expect(money(t.estimatedCost).eq(cost)).toBe(true);
    cash = t.side === 'sell' ? cash.plus(n).minus(cost) : cash.minus(n).minus(cost);
  }
  expect(money(plan.cashAfter).eq(cash)).toBe(true);
  expect(money(plan.estimatedCosts).eq(sum(plan.trades.map((t) => t.estimatedCost)))).toBe(true);
  const firstBuy = plan.trades.findIndex((t) => t.side === 'buy');
  if (firstBuy >= 0) expect(plan.trades.slice(firstBuy).every((t) => t.side === 'buy')).toBe(true);
}

// 60/40, 10 points off: equities 700 (VTI 7 × 100), bonds 300 (BND 30 × 10), no cash
const sixtyForty = (over: Parameters<typeof book>[0] = {}) =>
  book({
    holdings: [holding('VTI', '7', '100', [lot('v1', '2020-01-02', '7', '490')]), holding('BND', '30', '10')],
    categories: [category('eq', '60'), category('bd', '40')],
    assignments: [
      { symbol: 'VTI', categoryId: 'eq' },
      { symbol: 'BND', categoryId: 'bd' },
    ],
    ...over,
  });

describe('proposeRebalance: a drifted 60/40 (a, m)', () => {
  it('sells the overweight category and buys the other, back to target', () => {
    const input = sixtyForty();
    const plan = proposeRebalance(input);
    reconcile(input, plan);
    expect(plan.totalValue).toBe('1000');
    expect(plan.cashBefore).toBe('0');
    expect(plan.trades).toEqual([
      {
        symbol: 'VTI',
        categoryId: 'eq',
        side: 'sell',
        quantity: '1',
        price: '100',
        notional: '100',
        estimatedCost: '0',
        reason: 'overweight',
        lots: [
          {
            lotId: 'v1',
            acquired: '2020-01-02',
            quantity: '1',
            costBasis: '70',
            proceeds: '100',
            gain: '30',
            term: 'long',
          },
        ],
        estimatedGain: '30',
        washSales: [],
      },
      {
        symbol: 'BND',
        categoryId: 'bd',
        side: 'buy',
        quantity: '10',
        price: '10',
        notional: '100',
        estimatedCost: '0',
        reason: 'underweight',
        washSales: [],
      },
    ]);
    expect(plan.dropped).toEqual([]);
    expect(plan.cashAfter).toBe('0');
    expect(plan.estimatedGains).toEqual({ shortTerm: '0', longTerm: '30' });
    expect(plan.cashLimited).toBe(false);
    expect(plan.buysNeedSellProceeds).toBe(true);
    expect(plan.drift.before).toEqual({
      categories: [
        {
          categoryId: 'eq',
          code: 'EQ',
          name: 'eq',
          targetPct: '60',
          actualPct: '70',
          driftPct: '10',
          bandPct: '5',
          outsideBand: true,
        },
        {
          categoryId: 'bd',
          code: 'BD',
          name: 'bd',
          targetPct: '40',
          actualPct: '30',
          driftPct: '-10',
          bandPct: '5',
          outsideBand: true,
        },
      ],
      cashLine: { targetPct: '0', actualPct: '0', driftPct: '0' },
      unassignedPct: '0',
      totalDriftPct: '10',
      insideBands: false,
    });
    expect(plan.drift.after.categories.map((c) => [c.actualPct, c.driftPct, c.outsideBand])).toEqual([
      ['60', '0', false],
      ['40', '0', false],
    ]);
    expect(plan.drift.after.totalDriftPct).toBe('0');
    expect(plan.drift.after.insideBands).toBe(true);
  });

  it('costs come out of the proceeds; buys scale to what is left (m)', () => {
    // sell 100 − (0.1 + 1) = 98.9 to spend; 10 BND would cost 101.1, so 9 (91.09)
    const input = sixtyForty({ options: { costBps: '10', perTradeFee: '1' } });
    const plan = proposeRebalance(input);
    reconcile(input, plan);
    expect(brief(plan)).toEqual(['sell 1 VTI', 'buy 9 BND']);
    expect(plan.trades.map((t) => t.estimatedCost)).toEqual(['1.1', '1.09']);
    expect(plan.estimatedCosts).toBe('2.19');
    expect(plan.cashAfter).toBe('7.81');
    expect(plan.cashLimited).toBe(true);
    expect(plan.buysNeedSellProceeds).toBe(true);
    expect(plan.dropped).toEqual([]);
    // V after = 7.81 + 600 + 390 = 997.81
    expect(plan.drift.after.cashLine.actualPct).toBe('0.7827');
  });

  it('buys paid from cash alone do not need the sells (m)', () => {
    // equities 500 (50 %), bonds 300 (30 %), cash 200: buying both back costs exactly the cash
    const input = book({
      cash: '200',
      holdings: [holding('VTI', '5', '100'), holding('BND', '30', '10')],
      categories: [category('eq', '60'), category('bd', '40')],
      assignments: [
        { symbol: 'VTI', categoryId: 'eq' },
        { symbol: 'BND', categoryId: 'bd' },
      ],
    });
    const plan = proposeRebalance(input);
    expect(brief(plan)).toEqual(['buy 10 BND', 'buy 1 VTI']);
    expect(plan.buysNeedSellProceeds).toBe(false);
    expect(plan.cashAfter).toBe('0');
    expect(plan.cashLimited).toBe(false);
  });

  it('throws when there is nothing to rebalance, and works with targets over 100', () => {
    expect(() => proposeRebalance(book({ categories: [category('eq', '100')] }))).toThrow(
      new RangeError('nothing to rebalance: the portfolio has no value'),
    );
    const over = proposeRebalance(sixtyForty({ categories: [category('eq', '70'), category('bd', '40')] }));
    expect(over.drift.before.cashLine.targetPct).toBe('0');
    // equities are on target, bonds 10 points under with no cash and nothing to sell
    expect(over.trades).toEqual([]);
    expect(reasons(over)).toEqual(['would_overdraw BND']);
  });
});

describe('proposeRebalance: cash (b)', () => {
  // an unassigned 5000 and 100 of cash: five empty 20 % categories want 1020 each
  const starved = (over: Partial<ProposalOptions> = {}) =>
    book({
      cash: '100',
      holdings: [holding('UNK', '50', '100')],
      prices: { A: '10', B: '10', C: '10', D: '10', E: '60' },
      categories: ['a', 'b', 'c', 'd', 'e'].map((id) => category(id, '20')),
      assignments: ['A', 'B', 'C', 'D', 'E'].map((symbol) => ({ symbol, categoryId: symbol.toLowerCase() })),
      options: over,
    });

  it('scales every buy down, drops the ones that fall to zero, never overdraws', () => {
    const input = starved();
    const plan = proposeRebalance(input);
    reconcile(input, plan);
    // E's 17 × 60 scales to 0.33 → dropped; the other four get 2.5 → 2 each, and the 20 left
    // by rounding tops A up by 2
    expect(brief(plan)).toEqual(['buy 4 A', 'buy 2 B', 'buy 2 C', 'buy 2 D']);
    expect(plan.cashAfter).toBe('0');
    expect(plan.cashLimited).toBe(true);
    expect(plan.dropped).toHaveLength(1);
    expect(plan.dropped[0]).toMatchObject({
      symbol: 'E',
      categoryId: 'e',
      side: 'buy',
      quantity: '17',
      notional: '1020',
      reason: 'would_overdraw',
    });
    expect(plan.dropped[0].detail).toContain('100 USD available for buys costing 5100');
    expect(plan.trades.some((t) => t.symbol === 'UNK')).toBe(false);
  });

  it('fixed fees count against the cash too', () => {
    const input = starved({ perTradeFee: '5', minNotional: '15' });
    const plan = proposeRebalance(input);
    reconcile(input, plan);
    expect(money(plan.cashAfter).gte(0)).toBe(true);
    for (const t of plan.trades) expect(money(t.notional).gte(15)).toBe(true);
    expect(plan.dropped.every((d) => d.reason === 'would_overdraw')).toBe(true);
    expect(plan.cashLimited).toBe(true);
  });

  const SYMBOLS = ['S0', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7'];
  const price = fc.integer({ min: 1, max: 50_000 }).map((c) => money(String(c)).div(100).toFixed());
  const bookArb = fc.record({
    cash: fc.integer({ min: 0, max: 1_000_000 }).map((c) => money(String(c)).div(100).toFixed()),
    held: fc.array(
      fc.record({
        quantity: fc.oneof(fc.integer({ min: 1, max: 200 }).map(String), fc.constantFrom('0.5', '2.25', '10.000001')),
        price,
        cost: fc.integer({ min: 0, max: 300 }),
        acquired: fc.constantFrom('2023-01-15', '2024-06-30', '2025-05-01'),
      }),
      { minLength: 8, maxLength: 8 },
    ),
    holdMask: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    unheldPrices: fc.array(fc.option(price), { minLength: 8, maxLength: 8 }),
    categoryOf: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 8, maxLength: 8 }),
    excluded: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    targets: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 3, maxLength: 3 }),
    options: fc.record({
      band: fc.constantFrom('absolute' as const, 'relative' as const),
      thresholdPct: fc.option(fc.constantFrom('0', '1', '2.5', '5', '25'), { nil: undefined }),
      cashFirst: fc.boolean(),
      minNotional: fc.constantFrom('0', '1', '25', '100'),
      maxTrades: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
      fractional: fc.boolean(),
      taxAware: fc.boolean(),
      costBps: fc.constantFrom('0', '5', '25.5'),
      perTradeFee: fc.constantFrom('0', '0.99', '10'),
    }),
  });

  it('property: cash never negative, no sell beyond the holding, no trade under the minimum', () => {
    fc.assert(
      fc.property(bookArb, (b) => {
        const holdings: ProposalHolding[] = [];
        const prices: Record<string, string> = {};
        SYMBOLS.forEach((symbol, i) => {
          const h = b.held[i];
          if (b.holdMask[i]) {
            const basis = money(h.quantity).times(money(h.price)).times(String(h.cost)).div(100).toFixed();
            holdings.push(holding(symbol, h.quantity, h.price, [lot(`${symbol}-1`, h.acquired, h.quantity, basis)]));
          } else if (b.unheldPrices[i] !== null) prices[symbol] = b.unheldPrices[i];
        });
        if (holdings.length === 0 && money(b.cash).isZero()) return;
        const input = book({
          cash: b.cash,
          holdings,
          prices,
          categories: b.targets.map((t, i) => category(`c${i}`, String(t), String(i + 2))),
          assignments: SYMBOLS.flatMap((symbol, i) =>
            b.categoryOf[i] < 0 ? [] : [{ symbol, categoryId: `c${b.categoryOf[i]}`, weight: String(i + 1) }],
          ),
          exclusions: SYMBOLS.filter((_s, i) => b.excluded[i] && i % 3 === 0).map((symbol) => ({
            symbol,
            reason: 'test',
          })),
          options: b.options,
        });
        const plan = proposeRebalance(input);
        reconcile(input, plan);
        expect(money(plan.cashAfter).gte(0)).toBe(true);
        const heldQty = new Map(holdings.map((h) => [h.symbol, money(h.quantity)]));
        const excluded = new Set(input.exclusions.map((e) => e.symbol));
        const step = money(b.options.fractional ? FRACTIONAL_STEP : '1');
        const symbols = new Set<string>();
        for (const t of plan.trades) {
          expect(symbols.has(t.symbol)).toBe(false);
          symbols.add(t.symbol);
          expect(excluded.has(t.symbol)).toBe(false);
          expect(b.categoryOf[SYMBOLS.indexOf(t.symbol)]).toBeGreaterThanOrEqual(0);
          expect(money(t.notional).gte(money(b.options.minNotional))).toBe(true);
          const q = money(t.quantity);
          expect(q.gt(0)).toBe(true);
          const whole = t.side === 'sell' && q.eq(heldQty.get(t.symbol) ?? -1);
          if (!whole) expect(q.mod(step).isZero()).toBe(true);
          if (t.side === 'sell') {
            expect(q.lte(heldQty.get(t.symbol) ?? 0)).toBe(true);
            expect(sum((t.lots ?? []).map((l) => l.quantity)).eq(q)).toBe(true);
          }
        }
        if (b.options.maxTrades !== undefined) expect(plan.trades.length).toBeLessThanOrEqual(b.options.maxTrades);
      }),
      { numRuns: 300 },
    );
  });
});

describe('proposeRebalance: the minimum and the trade cap (c, d)', () => {
  it('drops a trade under the minimum, with both figures; one at the minimum is kept', () => {
    const plan = proposeRebalance(sixtyForty({ options: { minNotional: '150' } }));
    expect(plan.trades).toEqual([]);
    expect(plan.dropped).toEqual([
      {
        symbol: 'VTI',
        categoryId: 'eq',
        side: 'sell',
        quantity: '1',
        notional: '100',
        reason: 'below_minimum',
        detail: 'notional 100 USD is below the minimum trade of 150 USD',
      },
      {
        symbol: 'BND',
        categoryId: 'bd',
        side: 'buy',
        quantity: '10',
        notional: '100',
        reason: 'below_minimum',
        detail: 'notional 100 USD is below the minimum trade of 150 USD',
      },
    ]);
    expect(plan.drift.after).toEqual(plan.drift.before);
    expect(brief(proposeRebalance(sixtyForty({ options: { minNotional: '100' } })))).toEqual([
      'sell 1 VTI',
      'buy 10 BND',
    ]);
  });

  it('keeps the largest trades up to maxTrades', () => {
    // a 700 of 50 % sells 200; b 140 and c 160 of 25 % buy 110 and 90
    const input = book({
      holdings: [holding('a', '7', '100'), holding('b', '14', '10'), holding('c', '16', '10')],
      categories: [category('A', '50'), category('B', '25'), category('C', '25')],
      assignments: [
        { symbol: 'a', categoryId: 'A' },
        { symbol: 'b', categoryId: 'B' },
        { symbol: 'c', categoryId: 'C' },
      ],
      options: { maxTrades: 2 },
    });
    const plan = proposeRebalance(input);
    reconcile(input, plan);
    expect(brief(plan)).toEqual(['sell 2 a', 'buy 11 b']);
    expect(plan.dropped).toEqual([
      {
        symbol: 'c',
        categoryId: 'C',
        side: 'buy',
        quantity: '9',
        notional: '90',
        reason: 'max_trades',
        detail: 'beyond the 2 largest trades (notional 90)',
      },
    ]);
    expect(plan.cashAfter).toBe('90');
    expect(brief(proposeRebalance({ ...input, options: { ...input.options, maxTrades: 3 } }))).toHaveLength(3);
    expect(reasons(proposeRebalance({ ...input, options: { ...input.options, maxTrades: 0 } }))).toEqual([
      'max_trades a',
      'max_trades b',
      'max_trades c',
    ]);
  });
});

describe('proposeRebalance: units (e)', () => {
  // equities 700 of 65 %, bonds 300 (BND 100 × 3) of 35 %, band 2: sell 50 of VTI, buy 50 of BND
  const input = (fractional: boolean, quantity: string, price: string) =>
    book({
      holdings: [holding('VTI', quantity, price), holding('BND', '100', '3')],
      categories: [category('eq', '65', '2'), category('bd', '35', '2')],
      assignments: [
        { symbol: 'VTI', categoryId: 'eq' },
        { symbol: 'BND', categoryId: 'bd' },
      ],
      options: { fractional },
    });

  it('whole units round down', () => {
    const plan = proposeRebalance(input(false, '70', '10'));
    expect(brief(plan)).toEqual(['sell 5 VTI', 'buy 16 BND']);
    expect(plan.cashAfter).toBe('2');
    expect(plan.dropped).toEqual([]);
  });

  it('fractional quantities go in steps of 1e-6, rounded down', () => {
    const plan = proposeRebalance(input(true, '70', '10'));
    expect(brief(plan)).toEqual(['sell 5 VTI', 'buy 16.666666 BND']);
    expect(plan.trades[1].notional).toBe('49.999998');
    expect(plan.cashAfter).toBe('0.000002');
  });

  it('less than one whole unit is dropped; fractional sells it', () => {
    const whole = proposeRebalance(input(false, '7', '100'));
    expect(whole.trades).toEqual([]);
    expect(whole.dropped[0]).toMatchObject({
      symbol: 'VTI',
      side: 'sell',
      quantity: '0.5',
      notional: '50',
      reason: 'less_than_one_unit',
    });
    expect(whole.dropped[0].detail).toContain('less than one step of 1');
    // without the sell there is no cash for the buy
    expect(reasons(whole)).toEqual(['less_than_one_unit VTI', 'would_overdraw BND']);
    expect(brief(proposeRebalance(input(true, '7', '100')))).toEqual(['sell 0.5 VTI', 'buy 16.666666 BND']);
  });

  it('a sell of a whole fractional holding is allowed in whole units', () => {
    const plan = proposeRebalance(
      book({
        holdings: [holding('X', '2.5', '10'), holding('Y', '75', '1')],
        categories: [category('x', '0', '1'), category('y', '100', '1')],
        assignments: [
          { symbol: 'X', categoryId: 'x' },
          { symbol: 'Y', categoryId: 'y' },
        ],
      }),
    );
    expect(brief(plan)).toEqual(['sell 2.5 X', 'buy 25 Y']);
  });
});

describe('proposeRebalance: cash first (f)', () => {
  it('when the cash alone fixes the drift, nothing is sold', () => {
    // equities 500 of 60 %: VTI 400 over its share of 300, VEA 100 under; bonds 300 of 40 %; cash 200
    const input = (cashFirst: boolean) =>
      book({
        cash: '200',
        holdings: [holding('VTI', '4', '100'), holding('VEA', '10', '10'), holding('BND', '30', '10')],
        categories: [category('eq', '60'), category('bd', '40')],
        assignments: [
          { symbol: 'VTI', categoryId: 'eq' },
          { symbol: 'VEA', categoryId: 'eq' },
          { symbol: 'BND', categoryId: 'bd' },
        ],
        options: { cashFirst },
      });
    const plan = proposeRebalance(input(true));
    reconcile(input(true), plan);
    expect(brief(plan)).toEqual(['buy 10 BND', 'buy 10 VEA']);
    expect(plan.drift.after.insideBands).toBe(true);
    expect(plan.drift.after.categories.map((c) => c.actualPct)).toEqual(['60', '40']);
    // without cash first, equities go to target symbol by symbol: VTI is sold down to its share
    expect(brief(proposeRebalance(input(false)))).toEqual(['sell 1 VTI', 'buy 20 VEA', 'buy 10 BND']);
  });

  it('when the cash is not enough, it sells too, and trades of one symbol merge', () => {
    // equities 800 of 60 %, bonds 100 of 40 %, cash 100: the cash buys 10 BND, then equities
    // sell 200 and bonds buy 20 more
    const input = book({
      cash: '100',
      holdings: [holding('VTI', '8', '100'), holding('BND', '10', '10')],
      categories: [category('eq', '60'), category('bd', '40')],
      assignments: [
        { symbol: 'VTI', categoryId: 'eq' },
        { symbol: 'BND', categoryId: 'bd' },
      ],
      options: { cashFirst: true },
    });
    const plan = proposeRebalance(input);
    reconcile(input, plan);
    expect(brief(plan)).toEqual(['sell 2 VTI', 'buy 30 BND']);
    expect(plan.cashAfter).toBe('0');
    expect(plan.drift.after.totalDriftPct).toBe('0');
  });

  it('cash above the cash target only, split by shortfall when short', () => {
    // targets 30 + 30, cash target 40 %, an unassigned 100: of 600 of cash only 200 is spare;
    // shortfalls 200 and 100
    const input = book({
      cash: '600',
      holdings: [holding('A', '10', '10'), holding('B', '20', '10'), holding('UNK', '1', '100')],
      categories: [category('a', '30', '8'), category('b', '30', '8')],
      assignments: [
        { symbol: 'A', categoryId: 'a' },
        { symbol: 'B', categoryId: 'b' },
      ],
      options: { cashFirst: true },
    });
    const plan = proposeRebalance(input);
    // 200 × 2/3 → 133.33 → 13 A; 200 × 1/3 → 66.67 → 6 B: a 23 %, b 26 %: both inside 8 points
    expect(brief(plan)).toEqual(['buy 13 A', 'buy 6 B']);
    expect(plan.drift.after.insideBands).toBe(true);
    expect(plan.drift.after.cashLine.actualPct).toBe('41');
  });
});

describe('proposeRebalance: tax-aware (g)', () => {
  // equities 200 of 50 % (A and B, 10 × 10 each); bonds 100 (BND 100 × 1): equities sell 50
  const taxBook = (a: ProposalLot[], b: ProposalLot[], taxAware = true, over: Parameters<typeof book>[0] = {}) =>
    book({
      holdings: [holding('A', '10', '10', a), holding('B', '10', '10', b), holding('BND', '100', '1')],
      categories: [category('eq', '50'), category('bd', '50')],
      assignments: [
        { symbol: 'A', categoryId: 'eq' },
        { symbol: 'B', categoryId: 'eq' },
        { symbol: 'BND', categoryId: 'bd' },
      ],
      ...over,
      options: { taxAware, ...over.options },
    });
  const loss = [lot('L1', '2025-01-10', '10', '150')];
  const shortGain = [lot('G1', '2025-03-01', '10', '50')];

  it('sells the holding at a loss before the one at a short-term gain', () => {
    const plan = proposeRebalance(taxBook(shortGain, loss));
    expect(brief(plan)).toEqual(['sell 5 B', 'buy 50 BND']);
    expect(plan.trades[0].lots).toEqual([
      {
        lotId: 'L1',
        acquired: '2025-01-10',
        quantity: '5',
        costBasis: '75',
        proceeds: '50',
        gain: '-25',
        term: 'short',
      },
    ]);
    expect(plan.trades[0].estimatedGain).toBe('-25');
    expect(plan.estimatedGains).toEqual({ shortTerm: '-25', longTerm: '0' });
    // not tax-aware: both go to their share of 75, 2.5 → 2 units each, lots still reported
    const plain = proposeRebalance(taxBook(shortGain, loss, false));
    expect(brief(plain)).toEqual(['sell 2 A', 'sell 2 B', 'buy 40 BND']);
    expect(plain.trades[0].lots?.map((l) => [l.gain, l.term])).toEqual([['10', 'short']]);
    expect(plain.estimatedGains).toEqual({ shortTerm: '0', longTerm: '0' });
  });

  it('prefers a long-term gain to a short-term one, even a larger one', () => {
    const plan = proposeRebalance(
      taxBook([lot('a1', '2025-03-01', '10', '80')], [lot('b1', '2023-01-01', '10', '50')]),
    );
    expect(brief(plan)).toEqual(['sell 5 B', 'buy 50 BND']);
    expect(plan.trades[0].lots?.map((l) => [l.gain, l.term])).toEqual([['25', 'long']]);
    expect(plan.estimatedGains).toEqual({ shortTerm: '0', longTerm: '25' });
  });

  it('among losses the larger one first; a long-term lot is one held more than a year', () => {
    // both losses: A −2 per unit, B −5 per unit
    const plan = proposeRebalance(
      taxBook([lot('a1', '2024-06-29', '10', '120')], [lot('b1', '2024-06-30', '10', '150')]),
    );
    expect(brief(plan)).toEqual(['sell 5 B', 'buy 50 BND']);
    expect(plan.trades[0].lots?.[0].term).toBe('short'); // bought a year ago today: not more than a year
    const other = proposeRebalance(
      taxBook([lot('a1', '2024-06-29', '10', '150')], [lot('b1', '2024-06-30', '10', '120')]),
    );
    expect(brief(other)).toEqual(['sell 5 A', 'buy 50 BND']);
    expect(other.trades[0].lots?.[0].term).toBe('long');
  });

  it('takes lots FIFO across lots and holdings, the last holding partly', () => {
    // bonds 20 % of 50: equities sell 300 of 800: all of A (loss), then 20 of B
    const input = taxBook(
      [lot('a1', '2025-05-01', '4', '60'), lot('a2', '2025-05-02', '6', '84')],
      [lot('b1', '2020-01-01', '70', '350')],
      true,
      {
        holdings: [
          holding('A', '10', '10', [lot('a1', '2025-05-01', '4', '60'), lot('a2', '2025-05-02', '6', '84')]),
          holding('B', '70', '10', [lot('b1', '2020-01-01', '70', '350')]),
          holding('BND', '200', '1'),
        ],
      },
    );
    const plan = proposeRebalance(input);
    expect(brief(plan)).toEqual(['sell 20 B', 'sell 10 A', 'buy 300 BND']);
    const a = plan.trades.find((t) => t.symbol === 'A');
    expect(a?.lots?.map((l) => [l.lotId, l.quantity, l.costBasis, l.gain])).toEqual([
      ['a1', '4', '60', '-20'],
      ['a2', '6', '84', '-24'],
    ]);
    const b = plan.trades.find((t) => t.symbol === 'B');
    expect(b?.lots?.map((l) => [l.lotId, l.quantity, l.costBasis, l.gain, l.term])).toEqual([
      ['b1', '20', '100', '100', 'long'],
    ]);
    expect(plan.estimatedGains).toEqual({ shortTerm: '-44', longTerm: '100' });
  });

  it('a net-selling category makes no buys in tax-aware mode', () => {
    // equities 900 of 50 %: A 800 over its share, C 100 under it; bonds 100
    const input = book({
      holdings: [holding('A', '80', '10'), holding('C', '10', '10'), holding('BND', '100', '1')],
      categories: [category('eq', '50'), category('bd', '50')],
      assignments: [
        { symbol: 'A', categoryId: 'eq' },
        { symbol: 'C', categoryId: 'eq' },
        { symbol: 'BND', categoryId: 'bd' },
      ],
    });
    expect(brief(proposeRebalance(input))).toEqual(['sell 55 A', 'buy 400 BND', 'buy 15 C']);
    const tax = proposeRebalance({ ...input, options: { ...input.options, taxAware: true } });
    expect(brief(tax)).toEqual(['sell 40 A', 'buy 400 BND']);
  });
});

describe('proposeRebalance: wash sales (h)', () => {
  const input = (over: Partial<ProposalInput> = {}) =>
    book({
      holdings: [
        holding('A', '10', '10', [lot('a1', '2025-01-10', '10', '150')]),
        holding('B', '10', '10', [lot('b1', '2025-03-01', '10', '50')]),
        holding('BND', '100', '1'),
      ],
      categories: [category('eq', '50'), category('bd', '50')],
      assignments: [
        { symbol: 'A', categoryId: 'eq' },
        { symbol: 'B', categoryId: 'eq' },
        { symbol: 'BND', categoryId: 'bd' },
      ],
      ...over,
      options: { taxAware: true },
    });

  it('flags a loss sale after a recent buy and before a planned one; a buy 40 days ago is not', () => {
    const plan = proposeRebalance(
      input({
        recentTrades: [
          { symbol: 'A', side: 'buy', tradeDate: '2025-06-20' },
          { symbol: 'A', side: 'buy', tradeDate: '2025-05-21' },
          { symbol: 'B', side: 'buy', tradeDate: '2025-06-20' },
          { symbol: 'A', side: 'sell', tradeDate: '2025-06-21', realisedGain: '-3' },
        ],
        plannedBuys: ['A', 'B'],
      }),
    );
    const a = plan.trades.find((t) => t.symbol === 'A');
    expect(a?.estimatedGain).toBe('-25');
    expect(a?.washSales.map((w) => [w.kind, w.tradeDate])).toEqual([
      ['recent_buy', '2025-06-20'],
      ['planned_buy', undefined],
    ]);
    expect(a?.washSales[0].detail).toContain('2025-06-20');
    expect(a?.washSales[0].detail).toContain('10 days');
    expect(a?.washSales[1].detail).toContain(TODAY);
    expect(plan.trades.find((t) => t.symbol === 'BND')?.washSales).toEqual([]);
  });

  it('a gain is no wash sale; a buy after a recent loss sale is', () => {
    const plan = proposeRebalance(
      input({
        holdings: [holding('A', '10', '10', [lot('a1', '2025-01-10', '10', '50')]), holding('BND', '60', '1')],
        assignments: [
          { symbol: 'A', categoryId: 'eq' },
          { symbol: 'BND', categoryId: 'bd' },
        ],
        recentTrades: [
          { symbol: 'A', side: 'buy', tradeDate: '2025-06-20' },
          { symbol: 'BND', side: 'sell', tradeDate: '2025-06-25', realisedGain: '-12.5' },
          { symbol: 'BND', side: 'sell', tradeDate: '2025-06-26', realisedGain: '4' },
          { symbol: 'BND', side: 'sell', tradeDate: '2025-05-01', realisedGain: '-1' },
        ],
        plannedBuys: ['A'],
      }),
    );
    expect(brief(plan)).toEqual(['sell 2 A', 'buy 20 BND']);
    expect(plan.trades[0].washSales).toEqual([]);
    expect(plan.trades[1].washSales.map((w) => [w.kind, w.tradeDate])).toEqual([['recent_loss_sale', '2025-06-25']]);
    expect(plan.trades[1].washSales[0].detail).toContain('12.5');
  });
});

describe('proposeRebalance: exclusions and unassigned holdings (i)', () => {
  it('an excluded symbol is never traded and its value comes off its category target', () => {
    // equities 800 of 60 %: VTI 600, EXC 200 (excluded); bonds 200 (BND 200 × 1)
    const input = (excluded: boolean) =>
      book({
        holdings: [holding('VTI', '6', '100'), holding('EXC', '20', '10'), holding('BND', '200', '1')],
        categories: [category('eq', '60'), category('bd', '40')],
        assignments: [
          { symbol: 'VTI', categoryId: 'eq' },
          { symbol: 'EXC', categoryId: 'eq' },
          { symbol: 'BND', categoryId: 'bd' },
        ],
        exclusions: excluded ? [{ symbol: 'EXC', reason: 'locked' }] : [],
      });
    const plan = proposeRebalance(input(true));
    // 600 − 200 = 400 is VTI's: sell 200
    expect(brief(plan)).toEqual(['sell 2 VTI', 'buy 200 BND']);
    expect(plan.drift.after.categories.map((c) => c.actualPct)).toEqual(['60', '40']);
    // not excluded, the two split 600 equally: VTI sells 300 and EXC buys 100
    expect(brief(proposeRebalance(input(false)))).toEqual(['sell 3 VTI', 'buy 200 BND', 'buy 10 EXC']);
  });

  it('unassigned holdings are never traded and count in the whole', () => {
    const input = book({
      holdings: [holding('VTI', '7', '100'), holding('BND', '20', '10'), holding('UNK', '10', '10')],
      categories: [category('eq', '60'), category('bd', '30')],
      assignments: [
        { symbol: 'VTI', categoryId: 'eq' },
        { symbol: 'BND', categoryId: 'bd' },
      ],
    });
    const plan = proposeRebalance(input);
    expect(brief(plan)).toEqual(['sell 1 VTI', 'buy 10 BND']);
    expect(plan.drift.before.unassignedPct).toBe('10');
    expect(plan.drift.before.cashLine).toEqual({ targetPct: '10', actualPct: '0', driftPct: '-10' });
    // (10 + 10 + |0 − 10| + 10) / 2
    expect(plan.drift.before.totalDriftPct).toBe('20');
    expect(plan.drift.after.totalDriftPct).toBe('10');
    expect(plan.drift.after.unassignedPct).toBe('10');
  });
});

describe('proposeRebalance: bands (j)', () => {
  const input = (x: string, y: string) =>
    book({
      holdings: [holding('X', x, '1'), holding('Y', y, '1')],
      categories: [category('small', '10', '99'), category('big', '90', '99')],
      assignments: [
        { symbol: 'X', categoryId: 'small' },
        { symbol: 'Y', categoryId: 'big' },
      ],
      options: { band: 'relative', thresholdPct: '25' },
    });

  it('relative: 25 % of a 10 % target is 2.5 points; on the edge is inside', () => {
    const edge = proposeRebalance(input('125', '875'));
    expect(edge.drift.before.categories.map((c) => [c.bandPct, c.outsideBand])).toEqual([
      ['2.5', false],
      ['22.5', false],
    ]);
    expect(edge.trades).toEqual([]);
    const past = proposeRebalance(input('126', '874'));
    expect(past.drift.before.categories.map((c) => c.outsideBand)).toEqual([true, false]);
    expect(brief(past)).toEqual(['sell 26 X']);
    expect(past.cashAfter).toBe('26');
  });

  it('without thresholdPct each category uses its own threshold', () => {
    const own = proposeRebalance({
      ...input('126', '874'),
      options: { ...OPTIONS, band: 'absolute' },
      categories: [category('small', '10', '2.6'), category('big', '90', '1')],
    });
    expect(own.drift.before.categories.map((c) => [c.bandPct, c.outsideBand])).toEqual([
      ['2.6', false],
      ['1', true],
    ]);
    // only big trades: to 90 % of 1000 it buys 26, with no cash to pay: dropped
    expect(own.trades).toEqual([]);
    expect(reasons(own)).toEqual(['would_overdraw Y']);
  });
});

describe('proposeRebalance: the gate (k)', () => {
  it("a rejection drops the trade with the gate's check and detail; sells are asked first", () => {
    const asked: string[] = [];
    const gate: TradeGate = (t) => {
      asked.push(`${t.side} ${t.quantity} ${t.symbol} @ ${t.price} in ${t.categoryId}`);
      return t.side === 'buy'
        ? { approved: false, check: 'max_position', detail: 'BND would exceed 30 %' }
        : { approved: true };
    };
    const plan = proposeRebalance(sixtyForty(), gate);
    expect(asked).toEqual(['sell 1 VTI @ 100 in eq', 'buy 10 BND @ 10 in bd']);
    expect(brief(plan)).toEqual(['sell 1 VTI']);
    expect(plan.dropped).toEqual([
      {
        symbol: 'BND',
        categoryId: 'bd',
        side: 'buy',
        quantity: '10',
        notional: '100',
        reason: 'risk_rejected',
        detail: 'rejected by the risk check max_position: BND would exceed 30 %',
      },
    ]);
    expect(plan.cashAfter).toBe('100');
  });
});

describe('proposeRebalance: untradeable categories (l)', () => {
  it('a category with no priced symbol is dropped under its code', () => {
    const plan = proposeRebalance(
      book({
        holdings: [holding('VTI', '10', '100')],
        categories: [category('eq', '60'), category('gold', '40')],
        assignments: [
          { symbol: 'VTI', categoryId: 'eq' },
          { symbol: 'NOP', categoryId: 'gold' },
        ],
      }),
    );
    expect(brief(plan)).toEqual(['sell 4 VTI']);
    expect(plan.dropped).toHaveLength(1);
    expect(plan.dropped[0]).toMatchObject({
      symbol: 'GOLD',
      categoryId: 'gold',
      side: 'buy',
      quantity: '0',
      notional: '400',
      reason: 'no_tradeable_symbol',
    });
    expect(plan.cashAfter).toBe('400');
  });

  it('an unpriced symbol beside a priced one is reported on its own', () => {
    const plan = proposeRebalance(
      book({
        cash: '1000',
        prices: { GLD: '10' },
        categories: [category('gold', '40')],
        assignments: [
          { symbol: 'GLD', categoryId: 'gold' },
          { symbol: 'NOP', categoryId: 'gold' },
        ],
      }),
    );
    expect(brief(plan)).toEqual(['buy 20 GLD']);
    expect(plan.dropped.map((d) => [d.reason, d.symbol, d.notional])).toEqual([['no_tradeable_symbol', 'NOP', '200']]);
  });
});
