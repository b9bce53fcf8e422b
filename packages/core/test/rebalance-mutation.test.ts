// Tests written from the survivors of `npm run mutate -- core-rebalance`: behaviour of the
// rebalancing module the other suite exercised without pinning down (band and fee validation,
// target normalisation within the tolerance, the drop reasons and their details, the cash fit).
// Every expected figure is worked out by hand in the comment next to it.
import { describe, expect, it } from 'vitest';
import { Dec, decimalString, money } from '../src/money.js';
import {
  RebalanceBandSchema,
  bandHalfWidth,
  normaliseTargets,
  planRebalance,
  rebalanceFeeModel,
  type RebalanceBand,
  type RebalanceInput,
} from '../src/rebalance/index.js';

const half = (band: RebalanceBand, target: string) => decimalString(bandHalfWidth(band, money(target)));
const normalised = (t: Parameters<typeof normaliseTargets>[0]) =>
  Object.fromEntries([...normaliseTargets(t)].map(([s, d]) => [s, decimalString(d)]));

describe('bands: parameters are validated and named', () => {
  it('a zero band is allowed (every drift trades)', () => {
    expect(half({ kind: 'absolute', points: 0 }, '0.6')).toBe('0');
    expect(half({ kind: 'relative', pct: 0 }, '0.6')).toBe('0');
    expect(half({ kind: '5/25', absolutePoints: 0 }, '0.6')).toBe('0');
  });

  it('a negative, NaN, infinite or missing parameter throws a RangeError naming it', () => {
    const bad = (band: unknown) => () => bandHalfWidth(band as RebalanceBand, money('0.5'));
    const msg = (name: string) => `band ${name} must be a non-negative number`;
    expect(bad({ kind: 'absolute', points: -1 })).toThrow(msg('points'));
    expect(bad({ kind: 'absolute', points: Number.NaN })).toThrow(msg('points'));
    expect(bad({ kind: 'absolute', points: Number.POSITIVE_INFINITY })).toThrow(msg('points'));
    expect(bad({ kind: 'absolute' })).toThrow(msg('points'));
    expect(bad({ kind: 'absolute', points: '5' })).toThrow(msg('points'));
    expect(bad({ kind: 'relative', pct: -0.5 })).toThrow(msg('pct'));
    expect(bad({ kind: 'relative', pct: Number.NaN })).toThrow(msg('pct'));
    expect(bad({ kind: '5/25', absolutePoints: -1 })).toThrow(msg('absolutePoints'));
    expect(bad({ kind: '5/25', relativePct: Number.NaN })).toThrow(msg('relativePct'));
    expect(bad({ kind: 'absolute', points: -1 })).toThrow(RangeError);
  });

  it('an unknown kind throws a RangeError naming it', () => {
    expect(() => bandHalfWidth({ kind: 'bogus' } as unknown as RebalanceBand, money('0.5'))).toThrow(
      new RangeError('unknown band kind: bogus'),
    );
  });

  it('the band schema takes every kind', () => {
    expect(RebalanceBandSchema.parse({ kind: 'absolute', points: 5 })).toEqual({ kind: 'absolute', points: 5 });
    expect(RebalanceBandSchema.parse({ kind: 'relative', pct: 25 })).toEqual({ kind: 'relative', pct: 25 });
    expect(RebalanceBandSchema.parse({ kind: '5/25' })).toEqual({ kind: '5/25' });
    expect(RebalanceBandSchema.safeParse({ kind: 'absolute', points: -1 }).success).toBe(false);
  });
});

describe('fees: the model and its refusals', () => {
  it('pct is a percentage (a number or a decimal string), perTrade a fixed amount', () => {
    const show = (m: ReturnType<typeof rebalanceFeeModel>) => [decimalString(m.rate), decimalString(m.fixed)];
    expect(show(rebalanceFeeModel(undefined))).toEqual(['0', '0']);
    expect(show(rebalanceFeeModel({ pct: 0.1 }))).toEqual(['0.001', '0']);
    expect(show(rebalanceFeeModel({ pct: '0.25', perTrade: '1.5' }))).toEqual(['0.0025', '1.5']);
  });

  it('a string pct goes through the money grammar: an exponent is refused', () => {
    // new Dec('1e2') would read 100; money() refuses anything but a plain decimal string
    expect(() => rebalanceFeeModel({ pct: '1e2' })).toThrow(/not a plain decimal string/);
  });

  it('negative or non-finite fees throw', () => {
    const refused = new RangeError('fees must be non-negative');
    expect(() => rebalanceFeeModel({ pct: -1 })).toThrow(refused);
    expect(() => rebalanceFeeModel({ pct: '-0.1', perTrade: '0' })).toThrow(refused);
    expect(() => rebalanceFeeModel({ perTrade: '-1' })).toThrow(refused);
    expect(() => rebalanceFeeModel({ pct: Number.POSITIVE_INFINITY })).toThrow(refused);
    expect(() => rebalanceFeeModel({ pct: Number.NaN })).toThrow(refused);
    expect(() => rebalanceFeeModel({ pct: 0, perTrade: '0' })).not.toThrow();
  });
});

describe('targets: normalised to sum to exactly 1', () => {
  it('weights within the tolerance of 1 or 100 are divided by their sum', () => {
    // 0.6 × 1.0000000005 = 0.6000000003 and 0.4 × 1.0000000005 = 0.4000000002: the sum is
    // 1.0000000005 (within 1e-9 of 1), and dividing by it gives back exactly 0.6 and 0.4
    expect(normalised({ A: '0.6000000003', B: '0.4000000002' })).toEqual({ A: '0.6', B: '0.4' });
    // the same in percent: 100.00000005 is within 1e-7 of 100
    expect(normalised({ A: '60.00000003', B: '40.00000002' })).toEqual({ A: '0.6', B: '0.4' });
    expect(normalised({ A: 60, B: 40 })).toEqual({ A: '0.6', B: '0.4' });
    expect(normalised({ A: '0.25', B: 0.75 })).toEqual({ A: '0.25', B: '0.75' });
  });

  it('a non-finite number is refused by name', () => {
    expect(() => normaliseTargets({ A: Number.NaN })).toThrow(new RangeError('target weight of A must be finite'));
    expect(() => normaliseTargets({ A: 1, B: Number.POSITIVE_INFINITY })).toThrow(
      new RangeError('target weight of B must be finite'),
    );
  });
});

describe('planRebalance: input refusals name the field', () => {
  const ok: RebalanceInput = { holdings: { A: '1' }, cash: '0', prices: { A: '1' }, targets: { A: 1 } };
  it('negative money and quantities', () => {
    expect(() => planRebalance({ ...ok, cash: '-1' })).toThrow(new RangeError('cash must not be negative'));
    expect(() => planRebalance({ ...ok, cashBuffer: '-0.01' })).toThrow(
      new RangeError('cashBuffer must not be negative'),
    );
    expect(() => planRebalance({ ...ok, minTrade: '-1' })).toThrow(new RangeError('minTrade must not be negative'));
    expect(() => planRebalance({ ...ok, holdings: { A: '-1' } })).toThrow(
      new RangeError('quantity of A must not be negative'),
    );
  });

  it('maxTrades must be a non-negative integer', () => {
    const refused = new RangeError('maxTrades must be a non-negative integer');
    expect(() => planRebalance({ ...ok, maxTrades: -1 })).toThrow(refused);
    expect(() => planRebalance({ ...ok, maxTrades: Number.NaN })).toThrow(refused);
    expect(() => planRebalance({ ...ok, maxTrades: 0 })).not.toThrow();
  });
});

describe('planRebalance: what is planned, dropped and reported', () => {
  it('a zero holding with no target is ignored entirely (it needs no price)', () => {
    const plan = planRebalance({
      holdings: { A: '10', OLD: '0' },
      cash: '0',
      prices: { A: '1' },
      targets: { A: 1 },
    });
    expect(plan.drift.perAsset.map((a) => a.symbol)).toEqual(['A']);
    expect(plan.projectedWeights.map((p) => p.symbol)).toEqual(['A']);
    expect(plan.trades).toEqual([]);
  });

  it('a trade less than one step away is dropped as "step", with the fractional quantity wanted', () => {
    // 500 to invest at 1000 a unit: 0.5 units wanted, whole units only → nothing trades
    const plan = planRebalance({
      holdings: { A: '0' },
      cash: '500',
      prices: { A: '1000' },
      targets: { A: 1 },
      band: { kind: 'absolute', points: 1 },
    });
    expect(plan.trades).toEqual([]);
    expect(plan.dropped).toEqual([
      {
        symbol: 'A',
        side: 'buy',
        quantity: '0.5',
        value: '500',
        reason: 'step',
        detail: 'less than one step (1) away from target',
      },
    ]);
    expect(plan.cashAfter).toBe('500');
    expect(plan.cashLimited).toBe(false);
  });

  it('a sell whose fee exceeds its proceeds is dropped as "fees"', () => {
    // OLD (no target) would be sold in full for 1 × 2 = 2, but the fixed fee is 3. A is at
    // 10/12 ≈ 83% of a 100% target: inside a ±20 point band, so nothing else trades.
    const plan = planRebalance({
      holdings: { A: '10', OLD: '1' },
      cash: '0',
      prices: { A: '1', OLD: '2' },
      targets: { A: 1 },
      band: { kind: 'absolute', points: 20 },
      fees: { perTrade: '3' },
    });
    expect(plan.trades).toEqual([]);
    expect(plan.dropped).toEqual([
      {
        symbol: 'OLD',
        side: 'sell',
        quantity: '1',
        value: '2',
        reason: 'fees',
        detail: 'fee 3 exceeds the proceeds 2',
      },
    ]);
    expect(plan.cashLimited).toBe(false);
  });

  it('a buy is never dropped for its fee: it is scaled to what the cash pays for, fee included', () => {
    // 10 cash, A at 3: 3 units wanted (9) + fee 5 = 14 > 10. Scaled by (10 − 5) / 9 → 1.67 → 1
    // unit: 3 + 5 = 8 ≤ 10; a second unit would cost 3 more than the 2 left.
    const plan = planRebalance({
      holdings: {},
      cash: '10',
      prices: { A: '3' },
      targets: { A: 1 },
      band: { kind: 'absolute', points: 1 },
      fees: { perTrade: '5' },
    });
    expect(plan.trades.map((t) => [t.side, t.symbol, t.quantity, t.value, t.fee])).toEqual([
      ['buy', 'A', '1', '3', '5'],
    ]);
    expect(plan.dropped).toEqual([]);
    expect(plan.cashAfter).toBe('2');
    expect(plan.cashLimited).toBe(true);
  });

  it('trades beyond maxTrades are listed with the wanted quantity and the limit', () => {
    // drifts: A +0.15, D −0.15, B +0.05, C −0.05; the two largest (A, D) trade
    const plan = planRebalance({
      holdings: { A: '40', B: '30', C: '20', D: '10' },
      cash: '0',
      prices: { A: '1', B: '1', C: '1', D: '1' },
      targets: { A: 25, B: 25, C: 25, D: 25 },
      band: { kind: 'absolute', points: 1 },
      maxTrades: 2,
    });
    expect(plan.dropped).toEqual([
      {
        symbol: 'B',
        side: 'sell',
        quantity: '5',
        value: '5',
        reason: 'maxTrades',
        detail: 'beyond the 2 largest drifts',
      },
      {
        symbol: 'C',
        side: 'buy',
        quantity: '5',
        value: '5',
        reason: 'maxTrades',
        detail: 'beyond the 2 largest drifts',
      },
    ]);
  });

  it('no buys: not cash-limited, even with cash below the buffer', () => {
    // investable 100 + 5 − 10 = 95; A's gap is 95 − 100 = −5, inside ±10 points (9.5)
    const plan = planRebalance({
      holdings: { A: '100' },
      cash: '5',
      cashBuffer: '10',
      prices: { A: '1' },
      targets: { A: 1 },
      band: { kind: 'absolute', points: 10 },
    });
    expect(plan.trades).toEqual([]);
    expect(plan.dropped).toEqual([]);
    expect(plan.cashLimited).toBe(false);
    expect(plan.investable).toBe('95');
    // cash 5 is 5 below the buffer: a weight of −5 / 95 (one 34-digit division)
    expect(money(plan.drift.cashWeight).minus(new Dec(-5).div(95)).abs().lte('1e-33')).toBe(true);
  });
});

describe('planRebalance: steps that are not powers of ten', () => {
  const base: RebalanceInput = {
    holdings: { A: '0' },
    cash: '1000',
    prices: { A: '3' },
    targets: { A: 1 },
    band: { kind: 'absolute', points: 1 },
  };
  const qty = (step: string) => planRebalance({ ...base, fractional: { step } }).trades[0].quantity;

  it('floors to a multiple of the step, not to its decimal places', () => {
    // 1000 / 3 = 333.33…: the largest multiple of 0.25 below is 333.25, of 10 is 330, of 11 is 330
    expect(qty('0.25')).toBe('333.25');
    expect(qty('10')).toBe('330');
    expect(qty('11')).toBe('330');
    expect(qty('0.11')).toBe('333.3'); // 3030 × 0.11 = 333.3; 3031 × 0.11 = 333.41 > 333.33
    // powers of ten truncate decimal places
    expect(qty('1')).toBe('333');
    expect(qty('0.01')).toBe('333.33');
    expect(planRebalance({ ...base, fractional: { step: '0.25' } }).cashAfter).toBe('0.25');
  });
});

describe('planRebalance: fitting buys into the cash', () => {
  it('drops a buy scaled under minTrade and recomputes the factor for the rest', () => {
    // 1000 cash, no holdings; wanted A 400, B 400, C 200 at 1 each, plus a 50% fee: 1500 > 1000.
    // Pass 1: factor 1000 / 1500 → A 266, B 266, C 133 — under the 150 minimum, so C is dropped.
    // Pass 2: factor 1000 / (800 × 1.5) = 0.8333… → A 333, B 333, costing 666 × 1.5 = 999.
    // A 334th unit of A would cost 1.5 more than the 1 left.
    const input: RebalanceInput = {
      holdings: {},
      cash: '1000',
      prices: { A: '1', B: '1', C: '1' },
      targets: { A: 40, B: 40, C: 20 },
      band: { kind: 'absolute', points: 1 },
      minTrade: '150',
      fees: { pct: 50 },
    };
    const plan = planRebalance(input);
    expect(plan.trades.map((t) => [t.side, t.symbol, t.quantity, t.value, t.fee])).toEqual([
      ['buy', 'A', '333', '333', '166.5'],
      ['buy', 'B', '333', '333', '166.5'],
    ]);
    expect(plan.dropped).toEqual([
      {
        symbol: 'C',
        side: 'buy',
        quantity: '200',
        value: '200',
        reason: 'cash',
        detail: 'not enough cash: scaled to 133 (value 133)',
      },
    ]);
    expect(plan.cashAfter).toBe('1');
    expect(plan.fees).toBe('333');
    expect(plan.cashLimited).toBe(true);
  });

  it('scales by what the fixed fees leave, and drops every buy when they eat the cash', () => {
    // B's gap is 50 at 60 a unit: less than one unit, so it is a "step" drop before any fitting.
    // With a fixed fee of 95, A's 50 units cost 145 > 100; the factor (100 − 95) / 50 = 0.1 → 5,
    // costing 5 + 95 = 100: all the cash, none left to top up with.
    const fees = planRebalance({
      holdings: {},
      cash: '100',
      prices: { A: '1', B: '60' },
      targets: { A: 50, B: 50 },
      band: { kind: 'absolute', points: 1 },
      fees: { perTrade: '95' },
    });
    expect(fees.trades.map((t) => [t.symbol, t.quantity, t.fee])).toEqual([['A', '5', '95']]);
    expect(fees.cashAfter).toBe('0');
    expect(fees.dropped.map((d) => [d.symbol, d.reason])).toEqual([['B', 'step']]);
    expect(fees.cashLimited).toBe(true);

    // A fixed fee above the cash: nothing can be bought, every buy is dropped for cash
    const none = planRebalance({
      holdings: {},
      cash: '100',
      prices: { A: '1', B: '1' },
      targets: { A: 50, B: 50 },
      band: { kind: 'absolute', points: 1 },
      fees: { perTrade: '101' },
    });
    expect(none.trades).toEqual([]);
    expect(none.dropped.map((d) => [d.symbol, d.reason, d.quantity, d.detail])).toEqual([
      ['A', 'cash', '50', 'not enough cash: scaled to 0 (value 0)'],
      ['B', 'cash', '50', 'not enough cash: scaled to 0 (value 0)'],
    ]);
    expect(none.cashAfter).toBe('100');
    expect(none.cashLimited).toBe(true);
  });

  it('a buy scaled to zero is dropped and its fixed fee freed for the others', () => {
    // wanted: A 40 at 1, B 40 at 1, C 1 at 20 (targets 40/40/20 of 100); fee 1 per trade.
    // cost 40 + 40 + 20 + 3 = 103 > 100. Pass 1: factor (100 − 3) / 100 = 0.97 → A 38, B 38,
    // C 0.97 → 0, dropped. Pass 2: factor (100 − 2) / 80 → min(1, 1.225) = 1 → A 40, B 40.
    const plan = planRebalance({
      holdings: {},
      cash: '100',
      prices: { A: '1', B: '1', C: '20' },
      targets: { A: 40, B: 40, C: 20 },
      band: { kind: 'absolute', points: 1 },
      fees: { perTrade: '1' },
    });
    expect(plan.trades.map((t) => [t.symbol, t.quantity, t.fee])).toEqual([
      ['A', '40', '1'],
      ['B', '40', '1'],
    ]);
    expect(plan.dropped).toEqual([
      {
        symbol: 'C',
        side: 'buy',
        quantity: '1',
        value: '20',
        reason: 'cash',
        detail: 'not enough cash: scaled to 0 (value 0)',
      },
    ]);
    expect(plan.cashAfter).toBe('18');
    expect(new Dec(plan.cashAfter).gte(0)).toBe(true);
  });

  // The factor is a 34-digit division and may round up; the buys are then trimmed a step at a time
  // until they fit. Both cases below: A's price p = 3.333…3 (34 digits), and a holding X with no
  // target whose sale is cut by maxTrades: 1 (its drift is below A's), so only the cash pays.
  const p = '3.333333333333333333333333333333333';

  it('trims a buy that the rounded-up factor floored one step too high', () => {
    // cash C = 9.999…998 = 3p − 1e-33; investable 57 + C rounds to 67 → A wants floor(67 / p) = 20.
    // factor = C / 20p = 0.15 − 1.5e-35, which rounds to 0.15 at 34 digits: 20 × 0.15 = 3 units
    // costing 3p = 9.999…999, 1e-33 more than the cash. Trimmed to 2 (2p ≤ C); a third never fits.
    const cash = '9.999999999999999999999999999999998';
    const plan = planRebalance({
      holdings: { X: '1' },
      cash,
      prices: { A: p, X: '57' },
      targets: { A: 1 },
      maxTrades: 1,
    });
    expect(plan.trades.map((t) => [t.symbol, t.quantity, t.value])).toEqual([
      ['A', '2', '6.666666666666666666666666666666666'],
    ]);
    expect(plan.cashAfter).toBe('3.333333333333333333333333333333332');
    expect(plan.dropped.map((d) => [d.symbol, d.reason])).toEqual([['X', 'maxTrades']]);
    expect(plan.cashLimited).toBe(true);
  });

  it('drops a buy trimmed to zero as "not enough cash"', () => {
    // cash C = p − 1e-33; investable 12 + C → A wants floor(15.33… / p) = 4. factor = C / 4p rounds
    // to 0.25: 1 unit costing p > C, trimmed to 0 and dropped; nothing is bought.
    const cash = '3.333333333333333333333333333333332';
    const plan = planRebalance({
      holdings: { X: '1' },
      cash,
      prices: { A: p, X: '12' },
      targets: { A: 1 },
      maxTrades: 1,
    });
    expect(plan.trades).toEqual([]);
    expect(plan.dropped.map((d) => [d.symbol, d.reason, d.quantity, d.detail])).toEqual([
      ['X', 'maxTrades', '1', 'beyond the 1 largest drifts'],
      ['A', 'cash', '4', 'not enough cash'],
    ]);
    expect(plan.cashAfter).toBe(cash);
    expect(plan.cashLimited).toBe(true);
  });

  it('takes back a top-up step that the rounded-up division of the leftover cash granted', () => {
    // Z (1 unit at 4200, target 1%) is overweight by less than one unit: a "step" drop, so only
    // the cash C = 9.799…9 (34 digits) pays. Wanted: B 799 at 5 (95%), A 561 at 0.3 (4%); scaled
    // by C / 4163.3 ≈ 0.00235 → B 1, A 1 (5.3). Top-up, largest drift first: B gets none (5 > the
    // 4.499…9 left); for A, 4.499…9 / 0.3 = 15 − 3.3e-33 rounds to 15 at 34 digits, but 15 more
    // units would cost 4.5, 1e-33 more than is left, so A gets 14: 15 in all.
    const cash = '9.799999999999999999999999999999999';
    const plan = planRebalance({
      holdings: { Z: '1' },
      cash,
      prices: { A: '0.3', B: '5', Z: '4200' },
      targets: { A: 4, B: 95, Z: 1 },
    });
    expect(plan.trades.map((t) => [t.symbol, t.quantity, t.value])).toEqual([
      ['B', '1', '5'],
      ['A', '15', '4.5'],
    ]);
    expect(plan.cashAfter).toBe('0.299999999999999999999999999999999');
    expect(plan.dropped.map((d) => [d.symbol, d.reason])).toEqual([['Z', 'step']]);
    expect(plan.cashLimited).toBe(true);
  });
});
