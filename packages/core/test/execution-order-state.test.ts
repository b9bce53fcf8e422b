import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ORDER_STATUSES,
  OrderTransitionError,
  TERMINAL_ORDER_STATUSES,
  applyFill,
  assertTransition,
  canTransition,
  type OrderStatus,
} from '../src/execution/index.js';
import { Dec, decimalString, money } from '../src/money.js';

const ALLOWED: Record<OrderStatus, OrderStatus[]> = {
  pending: ['previewed', 'submitted', 'rejected', 'cancelled'],
  previewed: [],
  submitted: ['partially_filled', 'filled', 'cancelled', 'rejected', 'expired'],
  partially_filled: ['partially_filled', 'filled', 'cancelled', 'expired'],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

describe('order state machine', () => {
  it('allows exactly the listed transitions, all 64 pairs', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        expect([from, to, canTransition(from, to)]).toEqual([from, to, ALLOWED[from].includes(to)]);
      }
    }
  });

  it('terminal statuses are previewed, filled, cancelled, rejected, expired; nothing leaves them', () => {
    expect([...TERMINAL_ORDER_STATUSES].sort()).toEqual(['cancelled', 'expired', 'filled', 'previewed', 'rejected']);
    for (const from of TERMINAL_ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) expect(canTransition(from, to)).toBe(false);
    }
    // every non-terminal status has a way out
    for (const s of ORDER_STATUSES) expect(ALLOWED[s].length > 0).toBe(!TERMINAL_ORDER_STATUSES.has(s));
  });

  it('submitted does not go back to submitted, pending does not skip to a fill', () => {
    expect(canTransition('submitted', 'submitted')).toBe(false);
    expect(canTransition('pending', 'filled')).toBe(false);
    expect(canTransition('pending', 'partially_filled')).toBe(false);
    expect(canTransition('partially_filled', 'rejected')).toBe(false);
    expect(canTransition('partially_filled', 'partially_filled')).toBe(true);
  });

  it('unknown statuses are never allowed (including prototype keys)', () => {
    expect(canTransition('toString' as OrderStatus, 'filled')).toBe(false);
    expect(canTransition('pending', 'done' as OrderStatus)).toBe(false);
  });

  it('assertTransition throws an OrderTransitionError with a stable code and both statuses', () => {
    expect(() => assertTransition('pending', 'submitted')).not.toThrow();
    let caught: unknown;
    try {
      assertTransition('filled', 'cancelled');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(OrderTransitionError);
    expect(caught).toBeInstanceOf(Error);
    const err = caught as OrderTransitionError;
    expect(err.code).toBe('INVALID_ORDER_TRANSITION');
    expect(err.from).toBe('filled');
    expect(err.to).toBe('cancelled');
    expect(err.name).toBe('OrderTransitionError');
    expect(err.message).toBe('an order cannot go from filled to cancelled');
  });
});

describe('applyFill', () => {
  it('first fill: its price is the average; the rest is partially filled', () => {
    expect(applyFill({ quantity: '10', filledQuantity: '0' }, { quantity: '4', price: '100.50' })).toEqual({
      filledQuantity: '4',
      averageFillPrice: '100.5',
      remaining: '6',
      status: 'partially_filled',
    });
  });

  it('volume-weighted average, exact, without trailing-zero noise; the last fill completes', () => {
    const first = applyFill({ quantity: '10', filledQuantity: '0' }, { quantity: '4', price: '100' });
    const second = applyFill(
      { quantity: '10', filledQuantity: first.filledQuantity, averageFillPrice: first.averageFillPrice },
      { quantity: '6', price: '101.00' },
    );
    // (4 × 100 + 6 × 101) / 10 = 100.6
    expect(second).toEqual({ filledQuantity: '10', averageFillPrice: '100.6', remaining: '0', status: 'filled' });
  });

  it('a non-terminating average is exact to 34 significant digits', () => {
    const r = applyFill({ quantity: '3', filledQuantity: '1', averageFillPrice: '1' }, { quantity: '2', price: '2' });
    expect(r.averageFillPrice).toBe('1.666666666666666666666666666666667');
    expect(r.status).toBe('filled');
  });

  it('refuses a fill ≤ 0, a price ≤ 0, an overfill, and an inconsistent order', () => {
    const o = { quantity: '10', filledQuantity: '4', averageFillPrice: '100' };
    expect(() => applyFill(o, { quantity: '0', price: '1' })).toThrow(RangeError);
    expect(() => applyFill(o, { quantity: '-1', price: '1' })).toThrow(RangeError);
    expect(() => applyFill(o, { quantity: '1', price: '0' })).toThrow(RangeError);
    expect(() => applyFill(o, { quantity: '1', price: '-1' })).toThrow(RangeError);
    expect(() => applyFill(o, { quantity: '6.000001', price: '1' })).toThrow(/exceeds the remaining 6/);
    expect(applyFill(o, { quantity: '6', price: '1' }).status).toBe('filled');
    expect(() => applyFill({ quantity: '10', filledQuantity: '4' }, { quantity: '1', price: '1' })).toThrow(
      /averageFillPrice is required/,
    );
    expect(() => applyFill({ quantity: '10', filledQuantity: '11' }, { quantity: '1', price: '1' })).toThrow(
      RangeError,
    );
    expect(() => applyFill({ quantity: '0', filledQuantity: '0' }, { quantity: '1', price: '1' })).toThrow(RangeError);
    expect(() => applyFill(o, { quantity: 1 as unknown as string, price: '1' })).toThrow(TypeError);
  });

  const cents = (n: number) => decimalString(new Dec(n).div(100));

  it('property: a sequence of fills never overfills; the average stays within the fill prices and is the VWAP', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 400_000 }), fc.integer({ min: 1, max: 10_000_000 })), {
          minLength: 1,
          maxLength: 12,
        }),
        (quantityCents, fills) => {
          const quantity = cents(quantityCents);
          let state = { quantity, filledQuantity: '0' } as {
            quantity: string;
            filledQuantity: string;
            averageFillPrice?: string;
          };
          let notional = new Dec(0);
          let lo = Infinity;
          let hi = -Infinity;
          for (const [qCents, pCents] of fills) {
            const filled = money(state.filledQuantity);
            const fits = filled.plus(new Dec(qCents).div(100)).lte(quantity);
            if (!fits) {
              expect(() => applyFill(state, { quantity: cents(qCents), price: cents(pCents) })).toThrow(RangeError);
              continue;
            }
            const r = applyFill(state, { quantity: cents(qCents), price: cents(pCents) });
            notional = notional.plus(new Dec(qCents).times(pCents).div(10_000));
            lo = Math.min(lo, pCents);
            hi = Math.max(hi, pCents);
            expect(money(r.filledQuantity).lte(quantity)).toBe(true);
            expect(money(r.filledQuantity).plus(r.remaining).eq(quantity)).toBe(true);
            expect(r.status).toBe(money(r.remaining).isZero() ? 'filled' : 'partially_filled');
            const avg = money(r.averageFillPrice);
            expect(avg.gte(new Dec(lo).div(100)) && avg.lte(new Dec(hi).div(100))).toBe(true);
            // exact to 1e-25 relative against the VWAP computed from scratch
            const vwap = notional.div(r.filledQuantity);
            expect(avg.minus(vwap).abs().lte(vwap.times('1e-25'))).toBe(true);
            state = { quantity, filledQuantity: r.filledQuantity, averageFillPrice: r.averageFillPrice };
          }
        },
      ),
    );
  });
});
