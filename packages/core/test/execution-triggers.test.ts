import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { runBacktest } from '../src/backtest/index.js';
import {
  bracketExit,
  slippedPrice,
  triggerOf,
  type PriceUpdate,
  type SimOrder,
  type Trigger,
} from '../src/execution/index.js';
import { Dec, decimalString, money } from '../src/money.js';
import type { CandleSeries, Signal, Strategy } from '../src/strategies/types.js';

/** A bar from open, high, low, close. */
const bar = (open: string, high: string, low: string, price: string): PriceUpdate => ({ open, high, low, price });
const tick = (price: string): PriceUpdate => ({ price });

/** A trigger with its price as text, for toEqual. */
function shown(t: Trigger) {
  return t.fills ? { ...t, price: decimalString(t.price) } : t;
}

const fill = (price: string, slips: boolean, stopTriggered = false) => ({ fills: true, stopTriggered, price, slips });
const NONE = { fills: false, stopTriggered: false };

describe('triggerOf: market', () => {
  it('fills at the open and slips; on a tick at the price', () => {
    const order: SimOrder = { side: 'buy', type: 'market' };
    expect(shown(triggerOf(order, bar('100', '105', '95', '102')))).toEqual(fill('100', true));
    expect(shown(triggerOf({ side: 'sell', type: 'market' }, tick('101.25')))).toEqual(fill('101.25', true));
  });
});

describe('triggerOf: limit', () => {
  const buy: SimOrder = { side: 'buy', type: 'limit', limitPrice: '100' };
  const sell: SimOrder = { side: 'sell', type: 'limit', limitPrice: '100' };
  it('buy fills when the low reaches the limit, at the limit; exactly at the limit fills', () => {
    expect(shown(triggerOf(buy, bar('102', '103', '99', '101')))).toEqual(fill('100', false));
    expect(shown(triggerOf(buy, bar('102', '103', '100', '101')))).toEqual(fill('100', false));
    expect(shown(triggerOf(buy, bar('102', '103', '100.01', '101')))).toEqual(NONE);
  });
  it('buy: a gap down through the limit fills at the (better) open', () => {
    expect(shown(triggerOf(buy, bar('97', '98', '96', '97.5')))).toEqual(fill('97', false));
    expect(shown(triggerOf(buy, tick('99.5')))).toEqual(fill('99.5', false));
    expect(shown(triggerOf(buy, tick('100.5')))).toEqual(NONE);
  });
  it('sell mirrors: high ≥ limit at max(open, limit)', () => {
    expect(shown(triggerOf(sell, bar('98', '101', '97', '99')))).toEqual(fill('100', false));
    expect(shown(triggerOf(sell, bar('98', '100', '97', '99')))).toEqual(fill('100', false));
    expect(shown(triggerOf(sell, bar('98', '99.99', '97', '99')))).toEqual(NONE);
    expect(shown(triggerOf(sell, bar('103', '104', '102', '103')))).toEqual(fill('103', false));
  });
  it('needs a positive limit price', () => {
    expect(() => triggerOf({ side: 'buy', type: 'limit' }, tick('1'))).toThrow(/needs a limitPrice/);
    expect(() => triggerOf({ side: 'buy', type: 'limit', limitPrice: '0' }, tick('1'))).toThrow(RangeError);
  });
});

describe('triggerOf: stop', () => {
  const buy: SimOrder = { side: 'buy', type: 'stop', stopPrice: '105' };
  const sell: SimOrder = { side: 'sell', type: 'stop', stopPrice: '95' };
  it('buy stop triggers when the high reaches it, fills at the stop and slips', () => {
    expect(shown(triggerOf(buy, bar('100', '106', '99', '104')))).toEqual(fill('105', true, true));
    expect(shown(triggerOf(buy, bar('100', '105', '99', '104')))).toEqual(fill('105', true, true));
    expect(shown(triggerOf(buy, bar('100', '104.99', '99', '104')))).toEqual(NONE);
  });
  it('a gap through the stop fills at the (worse) open', () => {
    expect(shown(triggerOf(buy, bar('108', '109', '107', '108')))).toEqual(fill('108', true, true));
    expect(shown(triggerOf(sell, bar('90', '91', '89', '90')))).toEqual(fill('90', true, true));
  });
  it('sell stop mirrors: low ≤ stop at min(open, stop)', () => {
    expect(shown(triggerOf(sell, bar('100', '101', '94', '96')))).toEqual(fill('95', true, true));
    expect(shown(triggerOf(sell, bar('100', '101', '95', '96')))).toEqual(fill('95', true, true));
    expect(shown(triggerOf(sell, bar('100', '101', '95.01', '96')))).toEqual(NONE);
  });
  it('needs a stop price', () => {
    expect(() => triggerOf({ side: 'sell', type: 'stop', limitPrice: '1' }, tick('1'))).toThrow(/needs a stopPrice/);
  });
});

describe('triggerOf: stop_limit', () => {
  const buy: SimOrder = { side: 'buy', type: 'stop_limit', stopPrice: '105', limitPrice: '106' };
  const sell: SimOrder = { side: 'sell', type: 'stop_limit', stopPrice: '95', limitPrice: '94' };
  it('triggered and fillable in one bar: fills at the stop (no slippage)', () => {
    expect(shown(triggerOf(buy, bar('100', '107', '99', '106')))).toEqual(fill('105', false, true));
    expect(shown(triggerOf(sell, bar('100', '101', '93', '94')))).toEqual(fill('95', false, true));
  });
  it('a gap past the stop but within the limit fills at the open', () => {
    expect(shown(triggerOf(buy, bar('105.5', '107', '105.2', '106')))).toEqual(fill('105.5', false, true));
  });
  it('a gap past the limit triggers but cannot fill unless the price comes back to the limit', () => {
    expect(triggerOf(buy, bar('108', '109', '106.01', '108'))).toEqual({ fills: false, stopTriggered: true });
    // comes back: fills at the limit, never above it
    expect(shown(triggerOf(buy, bar('108', '109', '105.5', '108')))).toEqual(fill('106', false, true));
    expect(triggerOf(sell, bar('92', '93.99', '91', '92'))).toEqual({ fills: false, stopTriggered: true });
    expect(shown(triggerOf(sell, bar('92', '94.5', '91', '92')))).toEqual(fill('94', false, true));
  });
  it('not triggered: nothing, and the stop is not marked', () => {
    expect(triggerOf(buy, bar('100', '104.99', '99', '104'))).toEqual(NONE);
  });
  it('already triggered: a plain limit from the open', () => {
    const armed = { ...buy, stopTriggered: true };
    expect(shown(triggerOf(armed, bar('104', '104.5', '103', '104')))).toEqual(fill('104', false, true));
    expect(shown(triggerOf(armed, bar('107', '108', '105', '107')))).toEqual(fill('106', false, true));
    expect(triggerOf(armed, bar('107', '108', '106.5', '107'))).toEqual({ fills: false, stopTriggered: true });
  });
  it('a limit below the stop (buy): triggered at the stop, fills only back down at the limit', () => {
    const o: SimOrder = { side: 'buy', type: 'stop_limit', stopPrice: '105', limitPrice: '103' };
    expect(triggerOf(o, bar('104', '106', '103.5', '105'))).toEqual({ fills: false, stopTriggered: true });
    expect(shown(triggerOf(o, bar('104', '106', '102', '105')))).toEqual(fill('103', false, true));
  });
  it('needs both prices', () => {
    expect(() => triggerOf({ side: 'buy', type: 'stop_limit', stopPrice: '1' }, tick('1'))).toThrow(/limitPrice/);
    expect(() => triggerOf({ side: 'buy', type: 'stop_limit', limitPrice: '1' }, tick('1'))).toThrow(/stopPrice/);
  });
});

describe('triggerOf: input', () => {
  it('refuses a bar whose high/low do not contain the open and the price, and unknown types', () => {
    expect(() => triggerOf({ side: 'buy', type: 'market' }, bar('100', '99', '98', '99'))).toThrow(RangeError);
    expect(() => triggerOf({ side: 'buy', type: 'market' }, bar('100', '101', '99', '102'))).toThrow(RangeError);
    expect(() => triggerOf({ side: 'buy', type: 'market' }, { price: '100', low: '100.5' })).toThrow(RangeError);
    expect(() => triggerOf({ side: 'buy', type: 'market' }, tick('0'))).toThrow(RangeError);
    expect(() => triggerOf({ side: 'buy', type: 'iceberg' as 'market' }, tick('1'))).toThrow(/unknown order type/);
    expect(() => triggerOf({ side: 'hold' as 'buy', type: 'market' }, tick('1'))).toThrow(RangeError);
  });
});

/** A random consistent bar in cents. */
const barArb = fc
  .tuple(
    fc.integer({ min: 1000, max: 20_000 }),
    fc.integer({ min: 1000, max: 20_000 }),
    fc.integer({ min: 0, max: 500 }),
    fc.integer({ min: 0, max: 500 }),
  )
  .map(([o, c, up, down]) => ({ o, c, h: Math.max(o, c) + up, l: Math.max(1, Math.min(o, c) - down) }));
const cents = (n: number) => decimalString(new Dec(n).div(100));
const updateOf = (b: { o: number; h: number; l: number; c: number }) =>
  bar(cents(b.o), cents(b.h), cents(b.l), cents(b.c));

describe('triggerOf: properties', () => {
  it('a fill is inside the bar; a limit fill never crosses its limit; only market and stop fills slip', () => {
    fc.assert(
      fc.property(
        barArb,
        fc.constantFrom('buy' as const, 'sell' as const),
        fc.constantFrom('market' as const, 'limit' as const, 'stop' as const, 'stop_limit' as const),
        fc.integer({ min: 900, max: 21_000 }),
        fc.integer({ min: 900, max: 21_000 }),
        fc.boolean(),
        (b, side, type, limitCents, stopCents, stopTriggered) => {
          const order: SimOrder = {
            side,
            type,
            limitPrice: cents(limitCents),
            stopPrice: cents(stopCents),
            stopTriggered,
          };
          const t = triggerOf(order, updateOf(b));
          if (!t.fills) {
            expect(type === 'market').toBe(false);
            return;
          }
          expect(t.price.gte(cents(b.l)) && t.price.lte(cents(b.h))).toBe(true);
          expect(t.slips).toBe(type === 'market' || type === 'stop');
          if (type === 'limit' || type === 'stop_limit') {
            expect(
              side === 'buy' ? t.price.lte(order.limitPrice as string) : t.price.gte(order.limitPrice as string),
            ).toBe(true);
          }
          if (type === 'stop') {
            expect(
              side === 'buy' ? t.price.gte(order.stopPrice as string) : t.price.lte(order.stopPrice as string),
            ).toBe(true);
          }
        },
      ),
    );
  });
});

describe('bracketExit', () => {
  const levels = { stopLoss: '95', takeProfit: '110' };
  it('long: a stop touched inside the bar exits at the stop and slips', () => {
    const e = bracketExit('long', levels, bar('100', '102', '94', '96'));
    expect(e && { ...e, price: decimalString(e.price) }).toEqual({ reason: 'stop', price: '95', slips: true });
  });
  it('long: stop first when one bar touches both levels', () => {
    expect(bracketExit('long', levels, bar('100', '111', '94', '105'))?.reason).toBe('stop');
  });
  it('long: a gap below the stop exits at the open; a gap above the target too', () => {
    const gap = bracketExit('long', levels, bar('90', '92', '89', '91'));
    expect(gap && [gap.reason, decimalString(gap.price), gap.slips]).toEqual(['stop', '90', true]);
    const up = bracketExit('long', levels, bar('112', '115', '111', '113'));
    expect(up && [up.reason, decimalString(up.price), up.slips]).toEqual(['target', '112', false]);
  });
  it('long: the target inside the bar exits at the target without slippage; exactly at a level counts', () => {
    const t = bracketExit('long', levels, bar('100', '110', '96', '108'));
    expect(t && [t.reason, decimalString(t.price), t.slips]).toEqual(['target', '110', false]);
    expect(bracketExit('long', levels, bar('100', '109.99', '95.01', '100'))).toBeUndefined();
    expect(bracketExit('long', levels, bar('100', '101', '95', '100'))?.reason).toBe('stop');
  });
  it('short mirrors: stop above, target below', () => {
    const s = { stopLoss: '105', takeProfit: '90' };
    const stop = bracketExit('short', s, bar('100', '106', '99', '104'));
    expect(stop && [stop.reason, decimalString(stop.price), stop.slips]).toEqual(['stop', '105', true]);
    expect(bracketExit('short', s, bar('100', '106', '89', '95'))?.reason).toBe('stop');
    const gap = bracketExit('short', s, bar('108', '109', '107', '108'));
    expect(gap && [gap.reason, decimalString(gap.price)]).toEqual(['stop', '108']);
    const target = bracketExit('short', s, bar('100', '101', '90', '92'));
    expect(target && [target.reason, decimalString(target.price), target.slips]).toEqual(['target', '90', false]);
    const down = bracketExit('short', s, bar('88', '89', '87', '88'));
    expect(down && [down.reason, decimalString(down.price)]).toEqual(['target', '88']);
  });
  it('one level or none; a tick is a bar of one price', () => {
    expect(bracketExit('long', {}, bar('1', '1000', '0.01', '5'))).toBeUndefined();
    expect(bracketExit('long', { takeProfit: '110' }, bar('100', '111', '1', '100'))?.reason).toBe('target');
    expect(bracketExit('long', { stopLoss: '95' }, bar('100', '1000', '96', '100'))).toBeUndefined();
    expect(bracketExit('long', { stopLoss: '95' }, tick('94.99'))?.reason).toBe('stop');
    expect(() => bracketExit('long', { stopLoss: '0' }, tick('1'))).toThrow(/stopLoss must be positive/);
    expect(() => bracketExit('flat' as 'long', levels, tick('1'))).toThrow(RangeError);
  });

  it('property: a long stop exits at or below the stop, a target at or above the target (short mirrors), inside the bar', () => {
    fc.assert(
      fc.property(
        barArb,
        fc.constantFrom('long' as const, 'short' as const),
        fc.integer({ min: 900, max: 21_000 }),
        fc.integer({ min: 1, max: 5000 }),
        (b, position, stopCents, width) => {
          const long = position === 'long';
          const stop = cents(stopCents);
          const target = cents(long ? stopCents + width : Math.max(1, stopCents - width));
          const e = bracketExit(position, { stopLoss: stop, takeProfit: target }, updateOf(b));
          if (e === undefined) return;
          expect(e.price.gte(cents(b.l)) && e.price.lte(cents(b.h))).toBe(true);
          expect(e.slips).toBe(e.reason === 'stop');
          if (e.reason === 'stop') expect(long ? e.price.lte(stop) : e.price.gte(stop)).toBe(true);
          else expect(long ? e.price.gte(target) : e.price.lte(target)).toBe(true);
        },
      ),
    );
  });
});

// ---- agreement with the backtester's inside-the-bar logic

function candles(rows: { o: number; h: number; l: number; c: number }[]): CandleSeries {
  const n = rows.length;
  const col = (k: 'o' | 'h' | 'l' | 'c') => Float64Array.from(rows, (r) => r[k] / 100);
  return {
    time: Float64Array.from(rows, (_, i) => i * 86_400_000),
    open: col('o'),
    high: col('h'),
    low: col('l'),
    close: col('c'),
    volume: new Float64Array(n).fill(1),
    length: n,
  };
}

/** Enters at bar 1's open with the given bracket, then holds. */
function enterOnce(side: Signal['side'], stop: number, target: number): Strategy<Record<string, never>, null> {
  return {
    id: 'once',
    name: 'once',
    description: 'test',
    params: z.object({}) as unknown as z.ZodMiniType<Record<string, never>>,
    prepare: () => null,
    signal: (_s, i) => (i === 0 ? { side, entry: 0, stop, target, confidence: 1, reason: 'test' } : null),
  };
}

/** Bars as a random walk in cents: opens gap from the last close now and then. */
const walkArb = fc
  .array(
    fc.tuple(
      fc.integer({ min: -300, max: 300 }),
      fc.integer({ min: -400, max: 400 }),
      fc.nat({ max: 200 }),
      fc.nat({ max: 200 }),
    ),
    { minLength: 3, maxLength: 25 },
  )
  .map((steps) => {
    let last = 30_000; // 25 steps of at most 900 down keep every price positive
    return steps.map(([gap, move, up, down]) => {
      const o = last + gap;
      const c = o + move;
      last = c;
      return { o, c, h: Math.max(o, c) + up, l: Math.min(o, c) - down };
    });
  });

describe('bracketExit agrees with runBacktest', () => {
  it('property: same exit bar, reason and (slipped) price on random bars', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        walkArb,
        fc.constantFrom('long' as const, 'short' as const),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 0, max: 50 }),
        (rows, side, stopDistance, targetDistance, slippageBps) => {
          const entry = rows[1].o;
          const long = side === 'long';
          const stopCents = long ? entry - stopDistance : entry + stopDistance;
          const targetCents = long ? entry + targetDistance : entry - targetDistance;
          fc.pre(stopCents > 0 && targetCents > 0);
          const r = runBacktest({
            candles: candles(rows),
            strategy: enterOnce(side, stopCents / 100, targetCents / 100),
            config: { slippageBps },
          });
          expect(r.trades).toHaveLength(1);
          const trade = r.trades[0];
          let exit = { index: rows.length - 1, reason: 'end', price: Number.NaN, label: 'end' };
          for (let i = 1; i < rows.length; i++) {
            const e = bracketExit(
              side,
              { stopLoss: cents(stopCents), takeProfit: cents(targetCents) },
              updateOf(rows[i]),
            );
            if (e) {
              const paid = e.slips ? slippedPrice(e.price, long ? 'sell' : 'buy', slippageBps) : e.price;
              const level = e.reason === 'stop' ? cents(stopCents) : cents(targetCents);
              const gap = e.price.eq(cents(rows[i].o)) && !e.price.eq(level);
              exit = { index: i, reason: e.reason, price: paid.toNumber(), label: `${e.reason}${gap ? ' gap' : ''}` };
              break;
            }
          }
          expect([trade.exitIndex, trade.exitReason]).toEqual([exit.index, exit.reason]);
          seen.add(exit.label);
          if (exit.reason !== 'end')
            expect(Math.abs(trade.exitPrice - exit.price)).toBeLessThanOrEqual(exit.price * 1e-12);
        },
      ),
      { numRuns: 300 },
    );
    // the random bars reached every branch: stops, targets, a target gap, and no exit at all
    expect([...seen].sort()).toEqual(['end', 'stop', 'stop gap', 'target', 'target gap']);
  });
});

it('money is untouched by the float side: prices stay decimal', () => {
  const t = triggerOf({ side: 'buy', type: 'limit', limitPrice: '0.30000000000000000001' }, tick('0.1'));
  expect(t.fills && money(t.price).eq('0.1')).toBe(true);
});
