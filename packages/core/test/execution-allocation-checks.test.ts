import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  reducesPosition,
  validateAllocationOrder,
  type AllocationOrder,
  type TradingState,
} from '../src/execution/index.js';
import { Dec, decimalString, money } from '../src/money.js';
import {
  HARD_LIMITS,
  createAccountRiskState,
  tightenLimits,
  tradingStateCheck,
  validateTrade,
  type AccountRiskState,
  type RiskCheckId,
  type RiskDecision,
  type RiskLimits,
} from '../src/risk/index.js';

const NOW = Date.UTC(2026, 0, 5, 15, 0);
const ORDER_IDS: RiskCheckId[] = [
  'tradingState',
  'dailyLoss',
  'cash',
  'quantity',
  'exclusion',
  'categoryMaxPosition',
  'maxOrderNotional',
];

const state = (over: Partial<AccountRiskState> = {}): AccountRiskState => ({
  ...createAccountRiskState({ balance: '100000', now: NOW }),
  ...over,
});

/** A buy of 100 × 50 = 5,000 that passes: cash 20,000, holding 0, portfolio 100,000. */
const BUY: AllocationOrder = {
  side: 'buy',
  symbol: 'VWRL',
  quantity: '100',
  price: '50',
  cashAvailable: '20000',
  positionQuantity: '0',
  portfolioValue: '100000',
};
const SELL: AllocationOrder = { ...BUY, side: 'sell', positionQuantity: '100', cashAvailable: '0' };

function decide(
  over: Partial<AllocationOrder> = {},
  tradingState: TradingState = 'ACTIVE',
  s: AccountRiskState = state(),
  limits: Readonly<RiskLimits> = HARD_LIMITS,
) {
  return validateAllocationOrder({ ...BUY, ...over }, tradingState, s, limits, NOW);
}

function check(d: RiskDecision, id: RiskCheckId) {
  const c = d.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

function expectOnly(d: RiskDecision, id: RiskCheckId) {
  expect(d.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual([id]);
  expect(d.approved).toBe(false);
  expect(d.firstFailure).toBe(id);
}

function expectApproved(d: RiskDecision) {
  expect(d.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual([]);
  expect(d.approved).toBe(true);
  expect(d.firstFailure).toBeUndefined();
}

describe('validateAllocationOrder: report shape', () => {
  it('approves a sound buy; seven checks in order, steps 1..7, nothing trips the breaker', () => {
    const d = decide();
    expectApproved(d);
    expect(d.checks.map((c) => c.id)).toEqual(ORDER_IDS);
    expect(d.checks.map((c) => c.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(d.effects).toEqual({ triggerShutdown: false });
    expect(d.at).toBe(NOW);
    for (const c of d.checks) expect(c.detail.length).toBeGreaterThan(0);
    // checks that do not apply to a plain buy say so
    expect(d.checks.filter((c) => c.applicable === false).map((c) => c.id)).toEqual([
      'quantity',
      'categoryMaxPosition',
      'maxOrderNotional',
    ]);
    expect(check(d, 'cash')).toMatchObject({
      value: 5000,
      limit: 20000,
      detail: 'notional 5000 ≤ cash available 20000',
    });
  });

  it('evaluates every check after a failure; the first decides', () => {
    const d = decide(
      { cashAvailable: '1', exclusion: { reason: 'ESG screen' }, maxOrderNotional: '10' },
      'HALTED',
      state({ dailyPnl: '-6000' }),
    );
    expect(d.checks).toHaveLength(7);
    expect(d.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual([
      'tradingState',
      'dailyLoss',
      'cash',
      'exclusion',
      'maxOrderNotional',
    ]);
    expect(d.firstFailure).toBe('tradingState');
    expect(d.effects.triggerShutdown).toBe(false);
  });

  it('refuses malformed orders and limits looser than the hard limits', () => {
    expect(() => decide({ quantity: '0' })).toThrow(/quantity must be positive/);
    expect(() => decide({ price: '-1' })).toThrow(/price must be positive/);
    expect(() => decide({ side: 'short' as 'buy' })).toThrow(RangeError);
    expect(() => decide({ quantity: 1 as unknown as string })).toThrow(TypeError);
    expect(() => decide({}, 'PAUSED' as TradingState)).toThrow(/tradingState/);
    expect(() => decide({ category: { name: 'x', maxSinglePositionPct: Number.NaN } })).toThrow(RangeError);
    expect(() => decide({}, 'ACTIVE', state(), { ...HARD_LIMITS, maxDailyLossPct: 6 })).toThrow(/maxDailyLossPct/);
    expect(() => validateAllocationOrder(BUY, 'ACTIVE', state(), HARD_LIMITS, Number.NaN)).toThrow(RangeError);
  });
});

describe('validateAllocationOrder: each check at its boundary', () => {
  it('1. HALTED rejects everything, a reducing sell included', () => {
    expectOnly(decide({}, 'HALTED'), 'tradingState');
    expectOnly(decide(SELL, 'HALTED'), 'tradingState');
    expect(check(decide({}, 'HALTED'), 'tradingState').detail).toBe('trading is HALTED: no order is accepted');
  });

  it('1. REDUCING rejects a buy and a sell of more than held; a sell of exactly the holding passes', () => {
    expectOnly(decide({}, 'REDUCING'), 'tradingState');
    expectApproved(decide(SELL, 'REDUCING'));
    expectApproved(decide({ ...SELL, quantity: '0.0001' }, 'REDUCING'));
    // more than held is not a reduction (and the quantity check fails too)
    const over = decide({ ...SELL, quantity: '100.0001' }, 'REDUCING');
    expect(over.firstFailure).toBe('tradingState');
    expect(over.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual(['tradingState', 'quantity']);
  });

  it('1. an active emergency shutdown counts as HALTED whatever the state says', () => {
    const s = state({ emergencyShutdown: { active: true, reason: 'drawdown 15% ≥ 15%' } });
    for (const t of ['ACTIVE', 'REDUCING'] as const) {
      const d = decide(SELL, t, s);
      expectOnly(d, 'tradingState');
      expect(check(d, 'tradingState').detail).toMatch(/emergency shutdown active \(drawdown 15% ≥ 15%\)/);
    }
  });

  it('2. daily loss ≥ 5% rejects at exactly 5%; just below passes; a new UTC day resets it', () => {
    expectOnly(decide({}, 'ACTIVE', state({ dailyPnl: '-5000' })), 'dailyLoss');
    expect(check(decide({}, 'ACTIVE', state({ dailyPnl: '-5000' })), 'dailyLoss')).toMatchObject({ value: 5, step: 2 });
    expectApproved(decide({}, 'ACTIVE', state({ dailyPnl: '-4999.99' })));
    expectApproved(decide({}, 'ACTIVE', state({ dailyPnl: '-5000', dayStart: Date.UTC(2026, 0, 4) })));
    // a tighter tenant limit moves the boundary
    const tight = tightenLimits(HARD_LIMITS, { maxDailyLossPct: 2 });
    expectOnly(decide({}, 'ACTIVE', state({ dailyPnl: '-2000' }), tight), 'dailyLoss');
    expectApproved(decide({}, 'ACTIVE', state({ dailyPnl: '-1999.99' }), tight));
  });

  it('3. cash: a buy of exactly the cash passes, a cent more rejects; a sell needs none', () => {
    expectApproved(decide({ cashAvailable: '5000' }));
    expectOnly(decide({ cashAvailable: '4999.99' }), 'cash');
    expect(check(decide({ cashAvailable: '4999.99' }), 'cash').detail).toBe('notional 5000 > cash available 4999.99');
    expectApproved(decide({ quantity: '0.1', price: '0.3', cashAvailable: '0.03' }));
    const sell = check(decide(SELL), 'cash');
    expect(sell).toMatchObject({ passed: true, applicable: false });
  });

  it('4. quantity: a sell of exactly the holding passes, more rejects; a buy does not apply', () => {
    expectApproved(decide(SELL));
    expectOnly(decide({ ...SELL, quantity: '100.000001' }), 'quantity');
    expect(check(decide({ ...SELL, quantity: '101' }), 'quantity').detail).toBe('sell 101 > held 100');
    expectOnly(decide({ ...SELL, positionQuantity: '0' }), 'quantity');
    expect(check(decide(), 'quantity')).toMatchObject({ passed: true, applicable: false });
  });

  it('5. an excluded symbol rejects with the reason', () => {
    const d = decide({ exclusion: { reason: 'tobacco screen' } });
    expectOnly(d, 'exclusion');
    expect(check(d, 'exclusion').detail).toBe('VWRL is excluded: tobacco screen');
    expectOnly(decide({ ...SELL, exclusion: { reason: 'tobacco screen' } }), 'exclusion');
    expect(check(decide(), 'exclusion').detail).toBe('VWRL is not excluded');
  });

  it('6. the category max: exactly at the limit after the buy passes, a cent over rejects', () => {
    const etf = { name: 'ETF core', maxSinglePositionPct: 40 };
    // holding 300 × 100 = 30,000; buying 100 more → 40,000 = 40% of 100,000
    const at = { quantity: '100', price: '100', positionQuantity: '300', cashAvailable: '20000', category: etf };
    expectApproved(decide(at));
    expect(check(decide(at), 'categoryMaxPosition')).toMatchObject({ value: 40, limit: 40, passed: true });
    expectOnly(decide({ ...at, quantity: '100.0001' }), 'categoryMaxPosition');
    expectOnly(decide({ ...at, portfolioValue: '99999.99' }), 'categoryMaxPosition');
    expect(check(decide({ ...at, positionQuantity: '301' }), 'categoryMaxPosition').detail).toBe(
      'position after the buy 40100 is 40.1% of portfolio 100000 > 40% (category ETF core)',
    );
  });

  it('6. a 40% ETF target is reachable: nothing caps a position at 10% of equity', () => {
    // a buy to a 40% position (far above the strategy set's 10% of equity, 1 lot, 2% at risk)
    const d = decide({
      quantity: '400',
      price: '100',
      cashAvailable: '40000',
      category: { name: 'ETF core', maxSinglePositionPct: 40 },
    });
    expectApproved(d);
    // without a category nothing caps it at all
    expectApproved(decide({ quantity: '900', price: '100', cashAvailable: '90000' }));
  });

  it('6. a sell always passes the category check; no category: not applicable', () => {
    const over = { ...SELL, positionQuantity: '1000', quantity: '1', category: { name: 'c', maxSinglePositionPct: 1 } };
    expect(check(decide(over), 'categoryMaxPosition')).toMatchObject({ passed: true });
    expect(check(decide(over), 'categoryMaxPosition').applicable).toBeUndefined();
    expect(check(decide(), 'categoryMaxPosition')).toMatchObject({ passed: true, applicable: false });
    expectOnly(
      decide({ portfolioValue: '0', category: { name: 'c', maxSinglePositionPct: 100 } }),
      'categoryMaxPosition',
    );
  });

  it('7. max order notional: equal passes, a cent more rejects, both sides; absent: not applicable', () => {
    expectApproved(decide({ maxOrderNotional: '5000' }));
    expectOnly(decide({ maxOrderNotional: '4999.99' }), 'maxOrderNotional');
    expectOnly(decide({ ...SELL, maxOrderNotional: '4999.99' }), 'maxOrderNotional');
    expect(check(decide(), 'maxOrderNotional')).toMatchObject({ passed: true, applicable: false });
  });

  it('does not mutate its inputs', () => {
    const s = Object.freeze(state({ dailyPnl: '-10' }));
    const order = Object.freeze({ ...BUY });
    const before = JSON.stringify([s, order]);
    validateAllocationOrder(order, 'ACTIVE', s, HARD_LIMITS, NOW);
    expect(JSON.stringify([s, order])).toBe(before);
  });
});

const cents = (n: bigint) => decimalString(new Dec(n.toString()).div(100));

describe('validateAllocationOrder: properties', () => {
  it('cash, notional and category limits are exact: the limit passes, one cent beyond fails', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        fc.bigInt({ min: -2n, max: 2n }),
        fc.integer({ min: 1, max: 100 }),
        (priceCents, quantity, nudge, pct) => {
          const notionalCents = priceCents * quantity;
          const d = decide({
            quantity: quantity.toString(),
            price: cents(priceCents),
            cashAvailable: cents(notionalCents + nudge),
            maxOrderNotional: cents(notionalCents - nudge),
            // the position after the buy is exactly pct% of the portfolio, nudged by a cent
            portfolioValue: cents((notionalCents * 100n) / BigInt(pct) + nudge),
            category: { name: 'c', maxSinglePositionPct: pct },
          });
          expect(check(d, 'cash').passed).toBe(nudge >= 0n);
          expect(check(d, 'maxOrderNotional').passed).toBe(nudge <= 0n);
          const portfolio = (notionalCents * 100n) / BigInt(pct) + nudge;
          expect(check(d, 'categoryMaxPosition').passed).toBe(notionalCents * 100n <= BigInt(pct) * portfolio);
        },
      ),
    );
  });

  it('approved iff every check passed; firstFailure is the first failed; REDUCING passes only reductions', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ACTIVE' as const, 'HALTED' as const, 'REDUCING' as const),
        fc.constantFrom('buy' as const, 'sell' as const),
        fc.constantFrom('50', '100', '150'),
        fc.constantFrom('0', '100'),
        fc.constantFrom('0', '-5000', '-4000'),
        fc.boolean(),
        (tradingState, side, quantity, held, dailyPnl, excluded) => {
          const d = decide(
            {
              side,
              quantity,
              positionQuantity: held,
              ...(excluded ? { exclusion: { reason: 'x' } } : {}),
            },
            tradingState,
            state({ dailyPnl }),
          );
          const failed = d.checks.filter((c) => !c.passed);
          expect(d.approved).toBe(failed.length === 0);
          expect(d.firstFailure).toBe(failed[0]?.id);
          expect(d.checks.map((c) => c.id)).toEqual(ORDER_IDS);
          const reduces = side === 'sell' && money(quantity).lte(held);
          expect(reduces).toBe(reducesPosition(side, quantity, held));
          expect(check(d, 'tradingState').passed).toBe(
            tradingState === 'ACTIVE' || (tradingState === 'REDUCING' && reduces),
          );
        },
      ),
    );
  });
});

describe('tradingStateCheck and validateTrade’s trading-state option', () => {
  it('tradingStateCheck: ACTIVE passes, HALTED fails, REDUCING passes only a reduction', () => {
    expect(tradingStateCheck('ACTIVE', false)).toMatchObject({ id: 'tradingState', step: 0, passed: true });
    expect(tradingStateCheck('HALTED', true)).toMatchObject({ passed: false, value: true, limit: false });
    expect(tradingStateCheck('REDUCING', true).passed).toBe(true);
    expect(tradingStateCheck('REDUCING', false).passed).toBe(false);
    expect(tradingStateCheck('ACTIVE', true, 1).step).toBe(1);
    expect(() => tradingStateCheck('OFF' as TradingState, true)).toThrow(RangeError);
  });

  const REQ = {
    strategyId: 'trend',
    side: 'long' as const,
    quantity: '100',
    entry: '100',
    stop: '99',
    target: '102',
  };

  it('without the option the strategy set is unchanged; with it the gate comes first as step 0', () => {
    const plain = validateTrade(REQ, state(), HARD_LIMITS, NOW);
    expect(plain.checks[0].id).toBe('emergencyShutdown');
    expect(validateTrade(REQ, state(), HARD_LIMITS, NOW, {})).toEqual(plain);
    const gated = validateTrade(REQ, state(), HARD_LIMITS, NOW, { tradingState: 'ACTIVE' });
    expect(gated.checks.map((c) => c.id)).toEqual(['tradingState', ...plain.checks.map((c) => c.id)]);
    expect(gated.checks[0].step).toBe(0);
    expect(gated.approved).toBe(true);
    const halted = validateTrade(REQ, state(), HARD_LIMITS, NOW, { tradingState: 'HALTED' });
    expect(halted.firstFailure).toBe('tradingState');
    expect(validateTrade(REQ, state(), HARD_LIMITS, NOW, { tradingState: 'REDUCING' }).firstFailure).toBe(
      'tradingState',
    );
    expect(
      validateTrade(REQ, state(), HARD_LIMITS, NOW, { tradingState: 'REDUCING', reducesPosition: true }).approved,
    ).toBe(true);
  });
});
