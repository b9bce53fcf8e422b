import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, money, type D } from '../src/money.js';
import {
  bandHalfWidth,
  normaliseTargets,
  planRebalance,
  type RebalanceBand,
  type RebalanceInput,
  type RebalancePlan,
} from '../src/rebalance/index.js';

const sum = (xs: readonly string[]) => xs.reduce((s: D, x) => s.plus(money(x)), new Dec(0));

function reconcile(input: RebalanceInput, plan: RebalancePlan) {
  const sells = plan.trades.filter((t) => t.side === 'sell');
  const buys = plan.trades.filter((t) => t.side === 'buy');
  for (const t of plan.trades) expect(money(t.value).eq(money(t.quantity).times(money(t.price)))).toBe(true);
  const fees = sum(plan.trades.map((t) => t.fee));
  expect(fees.eq(money(plan.fees))).toBe(true);
  const change = sum(sells.map((t) => t.value))
    .minus(sum(buys.map((t) => t.value)))
    .minus(fees);
  expect(money(plan.cashAfter).minus(money(input.cash)).eq(change)).toBe(true);
  const firstBuy = plan.trades.findIndex((t) => t.side === 'buy');
  if (firstBuy >= 0) expect(plan.trades.slice(firstBuy).every((t) => t.side === 'buy')).toBe(true);
}

const weights = (plan: RebalancePlan) => Object.fromEntries(plan.projectedWeights.map((p) => [p.symbol, p.weight]));

describe('planRebalance: worked examples', () => {
  const sixtyForty: RebalanceInput = {
    holdings: { VTI: '70', BND: '30' },
    cash: '0',
    prices: { VTI: '10', BND: '10' },
    targets: { VTI: '0.6', BND: '0.4' },
    band: { kind: 'absolute', points: 5 },
  };

  it('a drifted 60/40 goes back to target, sells first', () => {
    const plan = planRebalance(sixtyForty);
    expect(plan.drift.perAsset).toEqual([
      {
        symbol: 'BND',
        quantity: '30',
        price: '10',
        value: '300',
        actualWeight: '0.3',
        targetWeight: '0.4',
        drift: '-0.1',
        band: '0.05',
        outsideBand: true,
      },
      {
        symbol: 'VTI',
        quantity: '70',
        price: '10',
        value: '700',
        actualWeight: '0.7',
        targetWeight: '0.6',
        drift: '0.1',
        band: '0.05',
        outsideBand: true,
      },
    ]);
    expect(plan.drift.total).toBe('0.1');
    expect(plan.trades.map((t) => [t.side, t.symbol, t.quantity, t.value, t.reason])).toEqual([
      ['sell', 'VTI', '10', '100', 'overweight'],
      ['buy', 'BND', '10', '100', 'underweight'],
    ]);
    expect(weights(plan)).toEqual({ BND: '0.4', VTI: '0.6' });
    expect(plan).toMatchObject({
      turnover: '0.1',
      fees: '0',
      cashAfter: '0',
      totalValue: '1000',
      investable: '1000',
      cashLimited: false,
      dropped: [],
    });
    reconcile(sixtyForty, plan);
  });

  it('accepts percentages and leaves assets inside the band alone (the edge is inside)', () => {
    const plan = planRebalance({ ...sixtyForty, holdings: { VTI: '65', BND: '35' }, targets: { VTI: 60, BND: 40 } });
    expect(plan.drift.perAsset.map((a) => a.outsideBand)).toEqual([false, false]);
    expect(plan.trades).toEqual([]);
    expect(plan.drift.total).toBe('0.05');
  });

  it('5/25: the smaller of 5 points and 25% of the target', () => {
    const band: RebalanceBand = { kind: '5/25' };
    expect(bandHalfWidth(band, money('0.6')).toFixed()).toBe('0.05');
    expect(bandHalfWidth(band, money('0.1')).toFixed()).toBe('0.025');
    expect(bandHalfWidth(band, money('0.2')).toFixed()).toBe('0.05');
    expect(bandHalfWidth({ kind: 'relative', pct: 10 }, money('0.6')).toFixed()).toBe('0.06');
    expect(bandHalfWidth({ kind: 'absolute', points: 2.5 }, money('0.6')).toFixed()).toBe('0.025');
    expect(() => bandHalfWidth({ kind: 'absolute', points: -1 }, money('0.6'))).toThrow(RangeError);
    // 10% target at 13%: 3 points is inside ±5 but outside ±2.5 → trades. 60% target at 64%: inside.
    const plan = planRebalance({
      holdings: { A: '64', B: '13', C: '23' },
      cash: '0',
      prices: { A: '1', B: '1', C: '1' },
      targets: { A: 60, B: 10, C: 30 },
      band,
      fractional: true,
    });
    expect(plan.drift.perAsset.map((a) => [a.symbol, a.outsideBand])).toEqual([
      ['A', false],
      ['B', true],
      ['C', true],
    ]);
    expect(plan.trades.map((t) => [t.side, t.symbol, t.quantity])).toEqual([
      ['sell', 'B', '3'],
      ['buy', 'C', '3'],
    ]);
  });

  it('sells holdings with no or zero target in full, fractional leftovers included', () => {
    const plan = planRebalance({
      holdings: { A: '50', OLD: '2.5', ZERO: '10' },
      cash: '0',
      prices: { A: '10', OLD: '40', ZERO: '5' },
      targets: { A: '1', ZERO: '0' },
      band: { kind: 'absolute', points: 10 },
    });
    expect(plan.trades.map((t) => [t.side, t.symbol, t.quantity, t.reason])).toEqual([
      ['sell', 'OLD', '2.5', 'exit'],
      ['sell', 'ZERO', '10', 'exit'],
      ['buy', 'A', '15', 'underweight'],
    ]);
    expect(plan.cashAfter).toBe('0');
  });

  it('whole units by default; a fractional step when asked', () => {
    const base: RebalanceInput = {
      holdings: { A: '0' },
      cash: '1000',
      prices: { A: '3' },
      targets: { A: 1 },
      band: { kind: 'absolute', points: 1 },
    };
    expect(planRebalance(base).trades[0].quantity).toBe('333');
    expect(planRebalance({ ...base, fractional: true }).trades[0].quantity).toBe('333.33333333');
    expect(planRebalance({ ...base, fractional: { step: '0.001' } }).trades[0].quantity).toBe('333.333');
    expect(planRebalance({ ...base, fractional: { step: '0.001' } }).cashAfter).toBe('0.001');
  });

  it('drops trades under minTrade and lists them', () => {
    const plan = planRebalance({
      holdings: { A: '70', B: '30', C: '0' },
      cash: '10',
      prices: { A: '10', B: '10', C: '1' },
      targets: { A: 59, B: 40, C: 1 },
      band: { kind: 'absolute', points: 0.5 },
      minTrade: '20',
    });
    expect(plan.trades.map((t) => t.symbol)).toEqual(['A', 'B']);
    expect(plan.dropped).toEqual([
      {
        symbol: 'C',
        side: 'buy',
        quantity: '10',
        value: '10',
        reason: 'minTrade',
        detail: expect.stringMatching(/below minimum/),
      },
    ]);
  });

  it('keeps at most maxTrades, largest drift first', () => {
    const plan = planRebalance({
      holdings: { A: '40', B: '30', C: '20', D: '10' },
      cash: '0',
      prices: { A: '1', B: '1', C: '1', D: '1' },
      targets: { A: 25, B: 25, C: 25, D: 25 },
      band: { kind: 'absolute', points: 1 },
      maxTrades: 2,
    });
    expect(plan.trades.map((t) => [t.side, t.symbol, t.quantity])).toEqual([
      ['sell', 'A', '15'],
      ['buy', 'D', '15'],
    ]);
    expect(plan.dropped.map((d) => [d.symbol, d.reason])).toEqual([
      ['B', 'maxTrades'],
      ['C', 'maxTrades'],
    ]);
    const none = planRebalance({
      holdings: { A: '40', B: '60' },
      cash: '0',
      prices: { A: '1', B: '1' },
      targets: { A: 0.5, B: 0.5 },
      maxTrades: 0,
    });
    expect(none.trades).toEqual([]);
    expect(none.dropped.map((d) => d.reason)).toEqual(['maxTrades', 'maxTrades']);
  });

  it('scales buys pro rata when cash is short and never touches the buffer', () => {
    // a deposit-like case: 1,000 cash, two assets far under target, 100 kept as buffer
    const input: RebalanceInput = {
      holdings: { A: '0', B: '0' },
      cash: '1000',
      prices: { A: '1', B: '1' },
      targets: { A: 50, B: 50 },
      band: { kind: 'absolute', points: 1 },
      cashBuffer: '100',
      fees: { pct: 1, perTrade: '2' },
    };
    const plan = planRebalance(input);
    expect(plan.investable).toBe('900');
    // wanted 450 + 450 plus 1% + 2 each = 913 > 900: scaled to fit, then topped up
    expect(plan.cashLimited).toBe(true);
    expect(money(plan.cashAfter).gte(100)).toBe(true);
    expect(plan.trades.map((t) => t.quantity)).toEqual(['444', '443']);
    expect(plan.cashAfter).toBe('100.13');
    reconcile(input, plan);
  });

  it('charges fees exactly and reconciles cash to the cent', () => {
    const input: RebalanceInput = {
      holdings: { A: '100', B: '0' },
      cash: '0',
      prices: { A: '12.34', B: '56.78' },
      targets: { A: 0.5, B: 0.5 },
      band: { kind: 'absolute', points: 5 },
      fees: { pct: '0.05', perTrade: '1' },
    };
    const plan = planRebalance(input);
    expect(plan.trades.map((t) => [t.side, t.symbol, t.quantity, t.fee])).toEqual([
      ['sell', 'A', '50', '1.3085'],
      ['buy', 'B', '10', '1.2839'],
    ]);
    reconcile(input, plan);
    expect(plan.cashAfter).toBe('46.6076');
  });

  it('validates its input', () => {
    const ok: RebalanceInput = { holdings: { A: '1' }, cash: '0', prices: { A: '1' }, targets: { A: 1 } };
    expect(() => planRebalance({ ...ok, targets: { A: 0.99 } })).toThrow(/sum/);
    expect(() => planRebalance({ ...ok, targets: { A: 1.5, B: -0.5 }, prices: { A: '1', B: '1' } })).toThrow(
      /negative/,
    );
    expect(() => planRebalance({ ...ok, prices: {} })).toThrow(/no price for A/);
    expect(() => planRebalance({ ...ok, prices: { A: '0' } })).toThrow(/positive/);
    expect(() => planRebalance({ ...ok, holdings: { A: '-1' } })).toThrow(RangeError);
    expect(() => planRebalance({ ...ok, cash: 10 as unknown as string })).toThrow(TypeError);
    expect(() => planRebalance({ ...ok, cashBuffer: '5' })).toThrow(/cash buffer/);
    expect(() => planRebalance({ ...ok, maxTrades: 1.5 })).toThrow(/maxTrades/);
    expect(() => planRebalance({ ...ok, fractional: { step: '0' } })).toThrow(/step/);
    // 1/3 written to ten places sums within 1e-9 of 1 and is normalised
    const thirds = normaliseTargets({ A: '0.3333333333', B: '0.3333333333', C: '0.3333333334' });
    expect([...thirds.values()].reduce((s, d) => s.plus(d), new Dec(0)).eq(1)).toBe(true);
    expect(normaliseTargets({ A: 60, B: 40 }).get('A')?.toFixed()).toBe('0.6');
  });

  it('does not mutate its input', () => {
    const input = {
      holdings: { A: '70', B: '30' },
      cash: '5',
      prices: { A: '1', B: '1' },
      targets: { A: 0.5, B: 0.5 },
    };
    const before = JSON.stringify(input);
    planRebalance(Object.freeze(input));
    expect(JSON.stringify(input)).toBe(before);
  });
});

// ---- properties

const SYMBOLS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

/** Percent targets with two decimals summing to exactly 100. */
const targetsArb = fc.uniqueArray(fc.constantFrom(...SYMBOLS), { minLength: 1, maxLength: 6 }).chain((syms) =>
  fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: syms.length, maxLength: syms.length }).map((raw) => {
    const total = raw.reduce((a, b) => a + b, 0) || 1;
    const bp = raw.map((r) => Math.floor((r * 10000) / total));
    bp[0] += 10000 - bp.reduce((a, b) => a + b, 0);
    return Object.fromEntries(syms.map((s, i) => [s, money(String(bp[i])).div(100).toFixed()]));
  }),
);

const cents = (min: number, max: number) => fc.integer({ min, max }).map((c) => money(String(c)).div(100).toFixed());

const portfolioArb = fc.record({
  targets: targetsArb,
  held: fc.uniqueArray(fc.constantFrom(...SYMBOLS), { maxLength: 6 }),
  quantities: fc.array(fc.oneof(fc.integer({ min: 0, max: 5000 }).map(String), cents(0, 500000)), {
    minLength: 8,
    maxLength: 8,
  }),
  prices: fc.array(cents(1, 100000), { minLength: 8, maxLength: 8 }),
  cash: cents(0, 5_000_000),
  band: fc.oneof(
    fc.record({ kind: fc.constant('absolute' as const), points: fc.integer({ min: 1, max: 10 }) }),
    fc.record({ kind: fc.constant('relative' as const), pct: fc.integer({ min: 5, max: 50 }) }),
    fc.constant({ kind: '5/25' as const }),
  ),
});

type Portfolio = typeof portfolioArb extends fc.Arbitrary<infer T> ? T : never;

function build(p: Portfolio): RebalanceInput {
  return {
    holdings: Object.fromEntries(p.held.map((s) => [s, p.quantities[SYMBOLS.indexOf(s)]])),
    cash: p.cash,
    prices: Object.fromEntries(SYMBOLS.map((s, i) => [s, p.prices[i]])),
    targets: p.targets,
    band: p.band,
  };
}

function investableOf(input: RebalanceInput): D {
  let v = money(input.cash);
  for (const [s, q] of Object.entries(input.holdings)) v = v.plus(money(q).times(money(input.prices[s])));
  return v.minus(money(input.cashBuffer ?? '0'));
}

describe('planRebalance: properties', () => {
  it('never overdraws cash or the buffer, sells precede buys, at most maxTrades, money reconciles exactly', () => {
    fc.assert(
      fc.property(
        portfolioArb,
        cents(0, 100000),
        cents(0, 50000),
        fc.integer({ min: 0, max: 10 }),
        fc.boolean(),
        fc.record({ pct: fc.constantFrom(0, 0.1, '0.25', 1), perTrade: cents(0, 1000) }),
        (p, buffer, minTrade, maxTrades, fractional, fees) => {
          const input = { ...build(p), cashBuffer: buffer, minTrade, maxTrades, fractional, fees };
          if (!investableOf(input).gt(0)) return;
          const plan = planRebalance(input);
          const cashAfter = money(plan.cashAfter);
          expect(cashAfter.gte(0)).toBe(true);
          if (plan.trades.some((t) => t.side === 'buy')) expect(cashAfter.gte(money(buffer))).toBe(true);
          expect(plan.trades.length).toBeLessThanOrEqual(maxTrades);
          reconcile(input, plan);
          for (const t of plan.trades) {
            expect(money(t.quantity).gt(0)).toBe(true);
            expect(money(t.value).gte(money(minTrade))).toBe(true);
            if (t.reason !== 'exit' && !fractional) expect(money(t.quantity).isInteger()).toBe(true);
          }
          for (const w of plan.projectedWeights) expect(money(w.quantity).gte(0)).toBe(true);
          // every wanted trade is either planned or listed as dropped
          const planned = new Set(plan.trades.map((t) => t.symbol));
          for (const a of plan.drift.perAsset) {
            const exit = money(a.targetWeight).isZero() && money(a.quantity).gt(0);
            if (exit || a.outsideBand)
              expect(planned.has(a.symbol) || plan.dropped.some((d) => d.symbol === a.symbol)).toBe(true);
            else expect(planned.has(a.symbol)).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('drift total is Σ|actual − target| / 2 with cash as a zero-target asset, and weights sum to 1', () => {
    fc.assert(
      fc.property(portfolioArb, (p) => {
        const input = build(p);
        if (!investableOf(input).gt(0)) return;
        const plan = planRebalance(input);
        const l1 = sum(plan.drift.perAsset.map((a) => money(a.drift).abs().toFixed())).plus(
          money(plan.drift.cashWeight).abs(),
        );
        expect(money(plan.drift.total).minus(l1.div(2)).abs().lte('1e-30')).toBe(true);
        const weightSum = sum(plan.drift.perAsset.map((a) => a.actualWeight)).plus(money(plan.drift.cashWeight));
        expect(weightSum.minus(1).abs().lte('1e-30')).toBe(true);
        expect(
          sum(plan.drift.perAsset.map((a) => a.targetWeight))
            .minus(1)
            .abs()
            .lte('1e-30'),
        ).toBe(true);
      }),
    );
  });

  it('ends with every asset inside its band when cash allows (no minTrade/maxTrades/fee truncation)', () => {
    let checked = 0;
    fc.assert(
      fc.property(portfolioArb, (p) => {
        const input: RebalanceInput = { ...build(p), fractional: true };
        if (!investableOf(input).gt(100)) return;
        const plan = planRebalance(input);
        if (plan.cashLimited) return;
        expect(plan.dropped.filter((d) => d.reason !== 'step')).toEqual([]);
        for (const w of plan.projectedWeights) {
          const target = money(w.targetWeight);
          const half = bandHalfWidth(input.band ?? { kind: '5/25' }, target);
          expect(money(w.weight).minus(target).abs().lte(half)).toBe(true);
        }
        if (plan.trades.length > 0) checked++;
      }),
      { numRuns: 300 },
    );
    // the property must have bitten on plans that actually trade
    expect(checked).toBeGreaterThan(30);
  });

  it('cash allows whenever the sells cover the buys (so the band property is not vacuous)', () => {
    // no cash, only two assets: whatever one sells the other can buy
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10000 }),
        fc.integer({ min: 1, max: 10000 }),
        fc.integer({ min: 1, max: 99 }),
        (a, b, t) => {
          const plan = planRebalance({
            holdings: { A: String(a), B: String(b) },
            cash: '0',
            prices: { A: '1', B: '1' },
            targets: { A: t, B: 100 - t },
            band: { kind: 'absolute', points: 1 },
            fractional: true,
          });
          expect(plan.cashLimited).toBe(false);
          for (const w of plan.projectedWeights)
            expect(money(w.weight).minus(money(w.targetWeight)).abs().lte('0.01')).toBe(true);
        },
      ),
    );
  });
});

describe('RebalanceInputSchema (JSON edge)', () => {
  it('parses a JSON request into a plannable input and refuses floats for money', async () => {
    const { RebalanceInputSchema } = await import('../src/rebalance/index.js');
    const body = {
      holdings: { VTI: '70', BND: '30' },
      cash: '0',
      prices: { VTI: '10', BND: '10' },
      targets: { VTI: 60, BND: '40' },
      band: { kind: '5/25' },
      minTrade: '1',
      maxTrades: 5,
      fractional: { step: '0.01' },
      cashBuffer: '0',
      fees: { pct: 0.1 },
    };
    const input = RebalanceInputSchema.parse(body);
    expect(planRebalance(input).trades.map((t) => t.symbol)).toEqual(['VTI', 'BND']);
    expect(RebalanceInputSchema.safeParse({ ...body, cash: 0 }).success).toBe(false);
    expect(RebalanceInputSchema.safeParse({ ...body, prices: { VTI: 10.5 } }).success).toBe(false);
    expect(RebalanceInputSchema.safeParse({ ...body, band: { kind: 'relative' } }).success).toBe(false);
    expect(RebalanceInputSchema.safeParse({ ...body, maxTrades: 1.5 }).success).toBe(false);
  });
});
