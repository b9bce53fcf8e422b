// Tests written from the survivors of `npm run mutate -- core-risk`: behaviour of the risk
// module that the other suites exercised without pinning down (boundaries, counts, the report
// text a caller shows, input refusals). Each test names what it holds.
import { describe, expect, it } from 'vitest';
import { decimalString, money } from '../src/money.js';
import {
  HARD_LIMITS,
  TradeRequestSchema,
  accountDrawdownPct,
  applyDecisionEffects,
  applyTradeResult,
  createAccountRiskState,
  enableStrategy,
  evaluateDrawdown,
  positionSize,
  recordTradeOpened,
  resetEmergencyShutdown,
  tightenLimits,
  triggerEmergencyShutdown,
  validateTrade,
  type AccountRiskState,
  type RiskDecision,
  type RiskLimits,
  type TradeRequest,
} from '../src/risk/index.js';
import { toEpochMs } from '../src/risk/time.js';

const DAY = Date.UTC(2026, 2, 2); // a Monday, 00:00 UTC
const HOUR = 3_600_000;
const T0 = DAY + 9 * HOUR;
const fresh = (balance = '10000') => createAccountRiskState({ balance, now: T0 });
const REQ: TradeRequest = {
  strategyId: 'trend',
  side: 'long',
  quantity: '0.5',
  entry: '100',
  stop: '98',
  target: '104',
};

describe('risk state: exact shapes and boundaries', () => {
  it('a fresh state is exactly this (nothing open, no trade times, breaker off)', () => {
    expect(fresh()).toEqual({
      balance: '10000',
      equity: '10000',
      peakEquity: '10000',
      drawdownPct: '0',
      dayStart: DAY,
      dayStartEquity: '10000',
      dailyPnl: '0',
      openPositions: 0,
      exposure: '0',
      tradeTimes: [],
      strategies: {},
      emergencyShutdown: { active: false },
    });
  });

  it('drawdown: 0 at or above the peak; 100% below a non-positive peak', () => {
    expect(decimalString(accountDrawdownPct('110', '100'))).toBe('0');
    expect(decimalString(accountDrawdownPct('100', '100'))).toBe('0');
    expect(decimalString(accountDrawdownPct('85', '100'))).toBe('15');
    expect(decimalString(accountDrawdownPct('-5', '0'))).toBe('100');
    expect(decimalString(accountDrawdownPct('-5', '-1'))).toBe('100');
    expect(decimalString(accountDrawdownPct('0', '0'))).toBe('0');
  });

  it('trade times are kept for this UTC day and the last hour, exactly', () => {
    // 00:30: a trade exactly one hour ago (yesterday 23:30) is dropped, one a millisecond later is kept
    const early = DAY + 30 * 60_000;
    const s0: AccountRiskState = { ...fresh(), tradeTimes: [early - HOUR, early - HOUR + 1] };
    expect(recordTradeOpened(s0, {}, early).tradeTimes).toEqual([early - HOUR + 1, early]);
    // 02:00: a trade at exactly midnight is this day's, one just before is neither
    const later = DAY + 2 * HOUR;
    const s1: AccountRiskState = { ...fresh(), tradeTimes: [DAY - 1, DAY] };
    expect(recordTradeOpened(s1, {}, later).tradeTimes).toEqual([DAY, later]);
  });

  it('opening without a notional leaves exposure alone; with one it adds', () => {
    const s = fresh();
    expect(recordTradeOpened(s, {}, T0)).toMatchObject({ exposure: '0', openPositions: 1 });
    expect(recordTradeOpened(s, { notional: '250.5' }, T0).exposure).toBe('250.5');
  });

  it('a close releases its notional (never below 0), counts wins and losses, and closes one position', () => {
    let s = recordTradeOpened(recordTradeOpened(fresh(), { notional: '1000' }, T0), { notional: '500' }, T0);
    s = applyTradeResult(s, { strategyId: 'a', pnl: '12.5', notional: '300' }, T0);
    expect(s).toMatchObject({ exposure: '1200', openPositions: 1 });
    expect(s.strategies.a).toMatchObject({ wins: 1, losses: 0, consecutiveLosses: 0 });
    s = applyTradeResult(s, { strategyId: 'a', pnl: '-2', notional: '5000' }, T0);
    expect(s).toMatchObject({ exposure: '0', openPositions: 0 });
    expect(s.strategies.a).toMatchObject({ wins: 1, losses: 1, consecutiveLosses: 1, realisedPnl: '10.5' });
    // break-even: neither a win nor a loss; no position below zero
    s = applyTradeResult(s, { strategyId: 'a', pnl: '0' }, T0);
    expect(s.strategies.a).toMatchObject({ wins: 1, losses: 1, consecutiveLosses: 1 });
    expect(s.openPositions).toBe(0);
  });

  it('a partial close (closesPosition: false) keeps the position open', () => {
    const s = recordTradeOpened(recordTradeOpened(fresh(), {}, T0), {}, T0);
    expect(applyTradeResult(s, { strategyId: 'a', pnl: '1', closesPosition: false }, T0).openPositions).toBe(2);
    expect(applyTradeResult(s, { strategyId: 'a', pnl: '1', closesPosition: true }, T0).openPositions).toBe(1);
    expect(applyTradeResult(s, { strategyId: 'a', pnl: '1' }, T0).openPositions).toBe(1);
  });

  it('the breaker keeps its first reason and time; evaluating an active breaker changes nothing', () => {
    const once = triggerEmergencyShutdown(fresh(), { reason: 'first', now: T0 });
    const twice = triggerEmergencyShutdown(once, { reason: 'second', now: T0 + 1 });
    expect(twice).toBe(once);
    expect(twice.emergencyShutdown).toEqual({ active: true, reason: 'first', triggeredAt: T0 });
    const deep: AccountRiskState = { ...once, equity: '1' };
    expect(evaluateDrawdown(deep, HARD_LIMITS, T0 + 5)).toBe(deep);
  });

  it('without a time, a drawdown trip records the reason and no trip time', () => {
    const s: AccountRiskState = { ...fresh(), equity: '8000' };
    expect(evaluateDrawdown(s).emergencyShutdown).toEqual({ active: true, reason: 'drawdown 20% ≥ 15%' });
    expect(evaluateDrawdown(s, HARD_LIMITS, T0).emergencyShutdown).toEqual({
      active: true,
      reason: 'drawdown 20% ≥ 15%',
      triggeredAt: T0,
    });
  });

  it('admin actions need who, why and a valid time', () => {
    const s = triggerEmergencyShutdown(fresh(), { reason: 'x', now: T0 });
    expect(() => resetEmergencyShutdown(s, { by: ' ', reason: 'ok', now: T0 })).toThrow(/^by is required$/);
    expect(() => resetEmergencyShutdown(s, { by: 'ann', reason: '', now: T0 })).toThrow(/^reason is required$/);
    expect(() => resetEmergencyShutdown(s, { by: 'ann', reason: 'ok', now: Number.NaN })).toThrow(RangeError);
    expect(() => enableStrategy(s, 'a', { by: '', reason: 'ok', now: T0 })).toThrow(/^by is required$/);
    expect(() => enableStrategy(s, 'a', { by: 'ann', reason: ' ', now: T0 })).toThrow(/^reason is required$/);
    expect(() => enableStrategy(s, 'a', { by: 'ann', reason: 'ok', now: Number.NaN })).toThrow(
      /^time must be a valid Date or finite epoch milliseconds$/,
    );
    expect(() => toEpochMs(new Date(Number.NaN))).toThrow(/^time must be a valid Date or finite epoch milliseconds$/);
  });
});

describe('decision effects', () => {
  const decision = (effects: RiskDecision['effects']): RiskDecision => ({
    approved: false,
    checks: [],
    effects,
    at: T0,
  });
  it('trips the breaker with the decision’s reason, or a default one', () => {
    const s = fresh();
    expect(
      applyDecisionEffects(s, decision({ triggerShutdown: true, shutdownReason: 'drawdown 15% ≥ 15%' }))
        .emergencyShutdown,
    ).toEqual({ active: true, reason: 'drawdown 15% ≥ 15%', triggeredAt: T0 });
    expect(applyDecisionEffects(s, decision({ triggerShutdown: true })).emergencyShutdown.reason).toBe('risk decision');
    expect(applyDecisionEffects(s, decision({ triggerShutdown: false }))).toBe(s);
  });
});

describe('limits: refusals name the field and the way it may move', () => {
  it.each(['maxOpenPositions', 'maxTradesPerDay', 'maxTradesPerHour', 'maxConsecutiveLosses'] as const)(
    '%s must be an integer',
    (field) => {
      expect(() => tightenLimits(HARD_LIMITS, { [field]: 1.5 })).toThrow(new RangeError(`${field} must be an integer`));
      expect(tightenLimits(HARD_LIMITS, { [field]: 1 })[field]).toBe(1);
    },
  );

  it('the non-integer limits take fractions', () => {
    expect(tightenLimits(HARD_LIMITS, { maxDrawdownPct: 7.5, minRiskReward: 2.25 })).toMatchObject({
      maxDrawdownPct: 7.5,
      minRiskReward: 2.25,
    });
  });

  it('a non-number or non-finite value is refused; an undefined one is skipped', () => {
    const bad = (v: unknown) => ({ maxDrawdownPct: v }) as unknown as Partial<RiskLimits>;
    expect(() => tightenLimits(HARD_LIMITS, bad('10'))).toThrow(/^maxDrawdownPct must be a finite number$/);
    expect(() => tightenLimits(HARD_LIMITS, bad(Number.NaN))).toThrow(/^maxDrawdownPct must be a finite number$/);
    expect(() => tightenLimits(HARD_LIMITS, bad(Infinity))).toThrow(/^maxDrawdownPct must be a finite number$/);
    expect(tightenLimits(HARD_LIMITS, bad(undefined))).toEqual(HARD_LIMITS);
  });

  it('loosening says which way the setting may go', () => {
    expect(() => tightenLimits(HARD_LIMITS, { maxDrawdownPct: 20 })).toThrow(
      new RangeError('maxDrawdownPct = 20 would loosen the limit 15 (settings may only lower it)'),
    );
    expect(() => tightenLimits(HARD_LIMITS, { minRiskReward: 1 })).toThrow(
      new RangeError('minRiskReward = 1 would loosen the limit 1.5 (settings may only raise it)'),
    );
  });
});

describe('validator: the report a caller shows', () => {
  it('names every check, in SPEC order; the breaker’s limit is "inactive" (false)', () => {
    const d = validateTrade(REQ, fresh(), HARD_LIMITS, T0);
    expect(d.checks.map((c) => [c.id, c.name])).toEqual([
      ['emergencyShutdown', 'Emergency shutdown inactive'],
      ['drawdown', 'Account drawdown below limit'],
      ['openPositions', 'Open positions below limit'],
      ['tradesToday', 'Trades today below limit'],
      ['tradesThisHour', 'Trades this hour below limit'],
      ['positionLots', 'Position size within lot limit'],
      ['positionPctOfEquity', 'Position size within % of equity'],
      ['riskReward', 'Reward/risk at least the minimum'],
      ['strategyEnabled', 'Strategy enabled'],
      ['dailyLoss', 'Daily loss below limit'],
      ['riskPerTrade', 'Risk per trade within % of equity'],
    ]);
    expect(d.checks[0]).toMatchObject({ value: false, limit: false, passed: true, detail: 'inactive' });
  });

  it('details of an approved trade, with numbers at most 6 decimals', () => {
    const d = validateTrade({ ...REQ, quantity: '1', lotSize: '3', target: '103.333' }, fresh(), HARD_LIMITS, T0);
    const detail = Object.fromEntries(d.checks.map((c) => [c.id, c.detail]));
    expect(detail).toEqual({
      emergencyShutdown: 'inactive',
      drawdown: 'drawdown 0% < 15%',
      openPositions: '0 open, limit 10',
      tradesToday: '0 trades this trading day, limit 20',
      tradesThisHour: '0 trades in the last 60 minutes, limit 5',
      positionLots: '0.333333 lots ≤ 1',
      positionPctOfEquity: 'notional 100 is 1% of equity 10000 ≤ 10%',
      riskReward: 'reward/risk 1.6665 ≥ 1.5',
      strategyEnabled: '0 consecutive losses, disabled at 5',
      dailyLoss: 'loss today 0 is 0% of day-start equity 10000',
      riskPerTrade: 'at risk 2 (quantity × |entry − stop|) is 0.02% of equity 10000',
    });
  });

  it('details of refusals: the breaker’s reason, drawdown, size, geometry, a disabled strategy', () => {
    let s: AccountRiskState = { ...fresh(), equity: '8500' };
    s = triggerEmergencyShutdown(s, { reason: 'manual stop', now: T0 });
    s = {
      ...s,
      strategies: {
        trend: {
          consecutiveLosses: 2,
          disabled: true,
          disabledReason: 'paused by ops',
          wins: 0,
          losses: 2,
          realisedPnl: '-3',
        },
      },
    };
    const d = validateTrade({ ...REQ, quantity: '2', stop: '101', lotSize: '1' }, s, HARD_LIMITS, T0);
    const detail = Object.fromEntries(d.checks.map((c) => [c.id, c.detail]));
    expect(detail.emergencyShutdown).toBe('emergency shutdown active: manual stop');
    expect(detail.drawdown).toBe('drawdown 15% ≥ 15%');
    expect(detail.positionLots).toBe('2 lots > 1');
    expect(detail.positionPctOfEquity).toBe('notional 200 is 2.352941% of equity 8500 ≤ 10%');
    expect(detail.riskReward).toBe('stop must be below the entry for a long');
    expect(detail.strategyEnabled).toBe('strategy trend disabled: paused by ops');
    const noReason: AccountRiskState = { ...fresh(), emergencyShutdown: { active: true } };
    expect(validateTrade(REQ, noReason, HARD_LIMITS, T0).checks[0].detail).toBe(
      'emergency shutdown active: no reason recorded',
    );
    const streak: AccountRiskState = {
      ...fresh(),
      strategies: { trend: { consecutiveLosses: 5, disabled: false, wins: 0, losses: 5, realisedPnl: '-5' } },
    };
    expect(validateTrade(REQ, streak, HARD_LIMITS, T0).checks[8].detail).toBe(
      'strategy trend disabled: 5 consecutive losses',
    );
    const short = validateTrade({ ...REQ, side: 'short', stop: '102', target: '99' }, fresh(), HARD_LIMITS, T0);
    expect(short.checks[7].detail).toBe('reward/risk 0.5 < 1.5');
    const wrongTarget = validateTrade({ ...REQ, side: 'short', stop: '102', target: '105' }, fresh(), HARD_LIMITS, T0);
    expect(wrongTarget.checks[7].detail).toBe('target must be below the entry for a short');
    const big = validateTrade(
      { ...REQ, quantity: '0.9', entry: '5000', stop: '4999', target: '5002' },
      fresh(),
      HARD_LIMITS,
      T0,
    );
    expect(big.checks[6].detail).toBe('notional 4500 is 45% of equity 10000 > 10%');
  });

  it('without a lot size the lot check reports itself not applicable (any quantity passes it)', () => {
    const d = validateTrade({ ...REQ, quantity: '2', stop: '101' }, fresh(), HARD_LIMITS, T0);
    expect(d.checks[5]).toEqual({
      id: 'positionLots',
      step: 6,
      name: 'Position size within lot limit',
      value: 0,
      limit: 1,
      passed: true,
      applicable: false,
      detail: 'not applicable: the instrument has no lot size',
    });
    expect(d.firstFailure).toBe('riskReward');
    // a lot size of 1 makes the same quantity 2 lots
    const lots = validateTrade({ ...REQ, quantity: '2', stop: '101', lotSize: '1' }, fresh(), HARD_LIMITS, T0);
    expect(lots.checks[5]).toMatchObject({ value: 2, passed: false, detail: '2 lots > 1' });
    expect(lots.checks[5].applicable).toBeUndefined();
  });

  it('an account with nothing in it: percentages of zero are 0, of something Infinity', () => {
    const d = validateTrade(REQ, fresh('0'), HARD_LIMITS, T0);
    const byId = Object.fromEntries(d.checks.map((c) => [c.id, c]));
    expect(byId.dailyLoss.value).toBe(0);
    expect(byId.riskPerTrade.value).toBe(Number.POSITIVE_INFINITY);
    expect(byId.positionPctOfEquity.detail).toBe('equity 0 is not positive');
    expect(d.approved).toBe(false);
  });

  it('input refusals name the field', () => {
    const s = fresh();
    const v = (r: Partial<TradeRequest>) => () => validateTrade({ ...REQ, ...r } as TradeRequest, s, HARD_LIMITS, T0);
    expect(v({ side: 'flat' as TradeRequest['side'] })).toThrow(/^side must be 'long' or 'short'$/);
    expect(v({ quantity: '0' })).toThrow(/^quantity must be positive$/);
    expect(v({ entry: '-1' })).toThrow(/^entry must be positive$/);
    expect(v({ lotSize: '0' })).toThrow(/^lotSize must be positive$/);
  });

  it('the request schema takes both sides', () => {
    for (const side of ['long', 'short']) expect(TradeRequestSchema.safeParse({ ...REQ, side }).success).toBe(true);
    expect(TradeRequestSchema.safeParse({ ...REQ, side: '' }).success).toBe(false);
  });
});

describe('position sizing: refusals and the exact budget', () => {
  const base = { equity: '10000', riskPct: 1, entry: '100', stop: '98' };
  it.each([
    [{ riskPct: -1 }, 'riskPct must be a non-negative number'],
    [{ riskPct: Number.NaN }, 'riskPct must be a non-negative number'],
    [{ entry: '0' }, 'entry must be positive'],
    [{ lotSize: '0' }, 'lotSize must be positive'],
    [{ step: '0' }, 'step must be positive'],
    [{ commissionPerUnit: '-0.01' }, 'commissionPerUnit must not be negative'],
    [{ stop: '100' }, 'entry and stop must differ'],
  ] as const)('%o → %s', (change, message) => {
    expect(() => positionSize({ ...base, ...change })).toThrow(new RangeError(message));
  });

  it('a zero risk budget is allowed and sizes nothing', () => {
    expect(positionSize({ ...base, riskPct: 0 })).toMatchObject({ quantity: '0', riskAmount: '0', cappedBy: [] });
  });

  it('never risks a hair more than the budget, even when the division rounded up at 34 digits', () => {
    // 0.01 / 6 = 0.0016…67 at 34 digits, a hair above the exact value; with a step that fine,
    // flooring alone would keep the hair
    const step = `0.${'0'.repeat(35)}1`;
    const r = positionSize({ equity: '1', riskPct: 1, entry: '7', stop: '1', step, limits: HARD_LIMITS });
    expect(money(r.riskAmount).lte('0.01')).toBe(true);
    expect(money(r.riskAmount).gt('0.0099999999')).toBe(true);
    expect(r.cappedBy).toEqual([]);
  });
});

describe('survivors of the second run', () => {
  it('steps a size down when the 34-digit quotient rounded up to a whole unit', () => {
    // budget = 1% of 9999.99…98 = 99.99…98 (34 digits) and loss per unit L = 6.66…6 (34 digits):
    // 15 × L = 99.99…99, 1e-32 above the budget, so 14 units is the most that fits. The quotient
    // budget / L = 15 − 1.5e-33 rounds to exactly 15 at 34 digits; flooring alone would keep 15.
    const r = positionSize({
      equity: '9999.999999999999999999999999999998',
      riskPct: 1,
      entry: '6.666666666666666666666666666666666',
      stop: '0',
      lotSize: '1000',
    });
    expect(r.quantity).toBe('14');
    expect(r.riskAmount).toBe('93.33333333333333333333333333333332');
    expect(r.cappedBy).toEqual([]);
  });

  it('evaluating an already-tripped breaker without a time keeps its first reason', () => {
    // drawdown 20% ≥ 15% would trip it, but it is already active with its own reason
    const tripped = triggerEmergencyShutdown({ ...fresh(), equity: '8000' }, { reason: 'first', now: T0 });
    expect(evaluateDrawdown(tripped)).toBe(tripped);
    expect(evaluateDrawdown(tripped).emergencyShutdown).toEqual({ active: true, reason: 'first', triggeredAt: T0 });
  });

  it('says which side the stop and the target belong on, for a long and for a short', () => {
    const s = fresh();
    const detail = (r: Partial<TradeRequest>) =>
      validateTrade({ ...REQ, ...r }, s, HARD_LIMITS, T0).checks.find((c) => c.id === 'riskReward')?.detail;
    expect(detail({ side: 'long', stop: '101' })).toBe('stop must be below the entry for a long');
    expect(detail({ side: 'short', stop: '99', target: '90' })).toBe('stop must be above the entry for a short');
    expect(detail({ side: 'long', target: '99' })).toBe('target must be above the entry for a long');
    expect(detail({ side: 'short', stop: '102', target: '101' })).toBe('target must be below the entry for a short');
  });
});
