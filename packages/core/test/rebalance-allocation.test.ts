import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, money } from '../src/money.js';
import { type AllocationInput, allocationOf, apportion } from '../src/rebalance/index.js';

const category = (id: string, targetPct: string, extra: Partial<AllocationInput['categories'][number]> = {}) => ({
  categoryId: id,
  name: id,
  code: id.toUpperCase(),
  targetPct,
  rebalanceThresholdPct: '3',
  ...extra,
});

describe('allocationOf', () => {
  const input: AllocationInput = {
    baseCurrency: 'USD',
    cash: '1000.00',
    holdings: [
      { symbol: 'AAPL', value: '3000.00' },
      { symbol: 'MSFT', value: '1000.00' },
      { symbol: 'BND', value: '4000.00' },
      { symbol: 'GLD', value: '1000.00' },
    ],
    categories: [
      category('eq', '50', { minPct: '45', maxPct: '55' }),
      category('bd', '40', { minPct: '42', rebalanceThresholdPct: '5' }),
    ],
    assignments: [
      { symbol: 'AAPL', categoryId: 'eq', weight: '3' },
      { symbol: 'MSFT', categoryId: 'eq', weight: '1' },
      { symbol: 'BND', categoryId: 'bd' },
      { symbol: 'GLD', categoryId: 'gone' },
    ],
    exclusions: [{ symbol: 'MSFT', reason: 'employer stock' }],
  };

  it('splits the whole value into categories, cash and unassigned, against the targets', () => {
    const v = allocationOf(input);
    expect(v.totalValue).toBe('10000.00');
    const [eq, bd] = v.categories;
    expect([eq.actualPct, eq.targetPct, eq.driftPct, eq.relativeDrift]).toEqual(['40', '50', '-10', '-0.2']);
    expect([eq.belowMin, eq.aboveMax, eq.needsRebalance]).toEqual([true, false, true]);
    expect(eq.holdings.map((h) => [h.symbol, h.weightPct, h.weightInCategoryPct, h.targetPct, h.excluded])).toEqual([
      ['AAPL', '30', '75', '37.5', false],
      ['MSFT', '10', '25', '12.5', true],
    ]);
    expect([bd.actualPct, bd.driftPct, bd.belowMin, bd.needsRebalance]).toEqual(['40', '0', true, false]);
    // a holding without a weight: no per-holding target
    expect(bd.holdings[0].targetPct).toBeNull();
    expect(v.cashLine).toEqual({ value: '1000.00', targetPct: '10', actualPct: '10', driftPct: '0' });
    // assigned to a category that no longer exists: unassigned
    expect(v.unassigned).toMatchObject({ value: '1000.00', actualPct: '10' });
    expect(v.unassigned.holdings.map((h) => h.symbol)).toEqual(['GLD']);
    // |40−50| + |40−40| + |10−10| + |10−0| = 20, halved
    expect(v.totalDriftPct).toBe('10');
    expect(v.targets).toMatchObject({ sumPct: '90', valid: false });
    expect(v.targets.message).toMatch(/10% is cash/);
    expect(v.breaches.map((b) => `${b.code}:${b.kind}`)).toEqual(['EQ:below_min', 'EQ:drift', 'BD:below_min']);
    expect(v.excluded).toEqual([{ symbol: 'MSFT', reason: 'employer stock' }]);
  });

  it('cash target is 0 when the categories ask for 100 or more, and a target of 0 has no relative drift', () => {
    const v = allocationOf({ ...input, categories: [category('eq', '100'), category('bd', '0')] });
    expect(v.cashLine.targetPct).toBe('0');
    expect(v.targets).toEqual({ sumPct: '100', valid: true });
    expect(v.categories[1].relativeDrift).toBeNull();
    const over = allocationOf({ ...input, categories: [category('eq', '70'), category('bd', '40')] });
    expect(over.cashLine.targetPct).toBe('0');
    expect(over.targets.valid).toBe(false);
  });

  it('rounds the lines by largest remainder: thirds show as 33.3334 + 33.3333 + 33.3333', () => {
    const v = allocationOf({
      baseCurrency: 'USD',
      cash: '1.00',
      holdings: [{ symbol: 'A', value: '1.00' }],
      categories: [category('a', '50')],
      assignments: [],
      exclusions: [],
    });
    expect([v.categories[0].actualPct, v.cashLine.actualPct, v.unassigned.actualPct]).toEqual(['0', '50', '50']);
    const parts = apportion([new Dec(100).div(3), new Dec(100).div(3), new Dec(100).div(3)]);
    expect(parts.map((p) => p.toFixed())).toEqual(['33.3334', '33.3333', '33.3333']);
  });

  it('an empty portfolio has no value to split: every share is 0', () => {
    const v = allocationOf({ ...input, cash: '0', holdings: [] });
    expect(v.totalValue).toBe('0.00');
    expect(v.categories.map((c) => c.actualPct)).toEqual(['0', '0']);
  });
});

const cents = fc.integer({ min: 0, max: 10_000_000 }).map((c) => (c / 100).toFixed(2));
const pct4 = fc.integer({ min: 0, max: 600_000 }).map((u) => new Dec(u).div(10_000).toFixed());
const SYMBOLS = ['A', 'B', 'C', 'D', 'E', 'F'];
const ids = ['c1', 'c2', 'c3'];
const arbitraryInput: fc.Arbitrary<AllocationInput> = fc.record({
  baseCurrency: fc.constant('USD'),
  cash: cents,
  holdings: fc
    .subarray(SYMBOLS, { minLength: 1 })
    .chain((symbols) => fc.tuple(...symbols.map((symbol) => cents.map((value) => ({ symbol, value }))))),
  categories: fc.subarray(ids).chain((chosen) => fc.tuple(...chosen.map((id) => pct4.map((t) => category(id, t))))),
  assignments: fc
    .tuple(
      ...SYMBOLS.map((symbol) =>
        fc.option(
          fc.record(
            { symbol: fc.constant(symbol), categoryId: fc.constantFrom(...ids, 'deleted'), weight: cents },
            { requiredKeys: ['symbol', 'categoryId'] },
          ),
          { nil: undefined },
        ),
      ),
    )
    .map((xs) => xs.filter((x) => x !== undefined)),
  exclusions: fc.constant([]),
});

describe('allocationOf, properties', () => {
  it('categories + cash + unassigned sum to exactly 100 whenever anything has a value', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const v = allocationOf(input);
        fc.pre(!money(v.totalValue).isZero());
        const lines = [...v.categories.map((c) => c.actualPct), v.cashLine.actualPct, v.unassigned.actualPct];
        expect(lines.reduce((s, x) => s.plus(money(x)), new Dec(0)).toFixed()).toBe('100');
      }),
    );
  });

  it('total drift is Σ|actual − target| / 2 over categories, cash and unassigned (target 0)', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const v = allocationOf(input);
        const lines = [
          ...v.categories.map((c) => [c.actualPct, c.targetPct]),
          [v.cashLine.actualPct, v.cashLine.targetPct],
          [v.unassigned.actualPct, '0'],
        ];
        const sum = lines.reduce((s, [a, t]) => s.plus(money(a).minus(money(t)).abs()), new Dec(0));
        expect(v.totalDriftPct).toBe(sum.div(2).toDecimalPlaces(4).toFixed());
        for (const c of v.categories)
          expect(money(c.driftPct).eq(money(c.actualPct).minus(money(c.targetPct)))).toBe(true);
        // the category values and cash add up to the whole
        const parts = [...v.categories.map((c) => c.value), v.cashLine.value, v.unassigned.value];
        expect(parts.reduce((s, x) => s.plus(money(x)), new Dec(0)).eq(money(v.totalValue))).toBe(true);
      }),
    );
  });

  it('the per-holding targets of a fully weighted category add up to its target', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const v = allocationOf(input);
        for (const c of v.categories) {
          const assigned = input.assignments.filter((a) => a.categoryId === c.categoryId);
          const held = new Set(c.holdings.map((h) => h.symbol));
          const allWeighted = assigned.every((a) => a.weight !== undefined && !money(a.weight).isZero());
          if (!allWeighted || assigned.some((a) => !held.has(a.symbol)) || assigned.length === 0) continue;
          const sum = c.holdings.reduce((s, h) => s.plus(money(h.targetPct ?? '0')), new Dec(0));
          expect(sum.minus(money(c.targetPct)).abs().lte(new Dec('0.0001').times(c.holdings.length))).toBe(true);
        }
      }),
    );
  });
});
