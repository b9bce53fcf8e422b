import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { money } from '../src/money.js';
import {
  HARD_LIMITS,
  accountDrawdownPct,
  applyDecisionEffects,
  applyTradeResult,
  createAccountRiskState,
  enableStrategy,
  evaluateDrawdown,
  markAccountEquity,
  recordTradeOpened,
  resetEmergencyShutdown,
  rollRiskDay,
  startRiskDay,
  tightenLimits,
  validateTrade,
  type AccountRiskState,
  type TradeRequest,
} from '../src/risk/index.js';

const T0 = Date.UTC(2026, 2, 2, 9, 0); // Monday 09:00 UTC
const MIN = 60_000;
const REQ: TradeRequest = {
  strategyId: 'trend',
  side: 'long',
  quantity: '0.5',
  entry: '100',
  stop: '98',
  target: '104',
};

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

const fresh = () => deepFreeze(createAccountRiskState({ balance: '10000', now: T0 }));

describe('account risk state transitions', () => {
  it('starts flat: equity = peak = balance, day at the UTC midnight of now', () => {
    const s = fresh();
    expect(s).toMatchObject({
      balance: '10000',
      equity: '10000',
      peakEquity: '10000',
      dailyPnl: '0',
      openPositions: 0,
      drawdownPct: '0',
    });
    expect(s.dayStart).toBe(Date.UTC(2026, 2, 2));
    expect(s.emergencyShutdown.active).toBe(false);
  });

  it('applyTradeResult moves balance, equity, peak, drawdown and daily P&L exactly', () => {
    let s: AccountRiskState = fresh();
    s = recordTradeOpened(s, { notional: '50' }, T0);
    s = applyTradeResult(s, { strategyId: 'trend', pnl: '250.10', notional: '50' }, T0 + MIN);
    expect(s).toMatchObject({
      balance: '10250.1',
      equity: '10250.1',
      peakEquity: '10250.1',
      dailyPnl: '250.1',
      openPositions: 0,
      exposure: '0',
      drawdownPct: '0',
    });
    s = applyTradeResult(deepFreeze(s), { strategyId: 'trend', pnl: '-0.10' }, T0 + 2 * MIN);
    expect(s).toMatchObject({ balance: '10250', equity: '10250', peakEquity: '10250.1', dailyPnl: '250' });
    expect(money(String(s.drawdownPct)).eq(money('0.1').div('10250.1').times(100))).toBe(true);
  });

  it('equityAfter overrides the equity move when the caller marks to market', () => {
    let s = markAccountEquity(fresh(), '10400', T0);
    expect(s.peakEquity).toBe('10400');
    s = applyTradeResult(s, { strategyId: 'trend', pnl: '300', equityAfter: '10300' }, T0 + MIN);
    expect(s).toMatchObject({ balance: '10300', equity: '10300', peakEquity: '10400' });
  });

  it('disables a strategy at exactly 5 consecutive losses; a win resets the streak; break-even leaves it', () => {
    let s: AccountRiskState = fresh();
    const loss = (st: AccountRiskState, i: number) =>
      applyTradeResult(st, { strategyId: 'trend', pnl: '-1' }, T0 + i * MIN);
    for (let i = 0; i < 4; i++) s = loss(s, i);
    s = applyTradeResult(s, { strategyId: 'trend', pnl: '0' }, T0 + 10 * MIN);
    expect(s.strategies.trend).toMatchObject({ consecutiveLosses: 4, disabled: false, losses: 4, wins: 0 });
    expect(validateTrade(REQ, s, HARD_LIMITS, T0 + 11 * MIN).approved).toBe(true);
    s = loss(s, 12);
    expect(s.strategies.trend).toMatchObject({
      consecutiveLosses: 5,
      disabled: true,
      disabledReason: '5 consecutive losses',
      disabledAt: T0 + 12 * MIN,
    });
    expect(validateTrade(REQ, s, HARD_LIMITS, T0 + 13 * MIN).firstFailure).toBe('strategyEnabled');
    // another strategy is unaffected
    expect(validateTrade({ ...REQ, strategyId: 'breakout' }, s, HARD_LIMITS, T0 + 13 * MIN).approved).toBe(true);
    // a later win does not silently re-enable it
    s = applyTradeResult(s, { strategyId: 'trend', pnl: '5' }, T0 + 14 * MIN);
    expect(s.strategies.trend.disabled).toBe(true);
    expect(() => enableStrategy(s, 'trend', { by: 'admin', reason: ' ', now: T0 })).toThrow(RangeError);
    s = enableStrategy(s, 'trend', { by: 'admin', reason: 'reviewed', now: T0 + 15 * MIN });
    expect(s.strategies.trend).toMatchObject({ disabled: false, consecutiveLosses: 0 });
    expect(s.strategies.trend.disabledReason).toBeUndefined();
    expect(validateTrade(REQ, s, HARD_LIMITS, T0 + 16 * MIN).approved).toBe(true);
  });

  it('honours a tightened consecutive-loss limit', () => {
    const limits = tightenLimits(HARD_LIMITS, { maxConsecutiveLosses: 2 });
    let s: AccountRiskState = fresh();
    s = applyTradeResult(s, { strategyId: 'x', pnl: '-1' }, T0, limits);
    expect(s.strategies.x.disabled).toBe(false);
    s = applyTradeResult(s, { strategyId: 'x', pnl: '-1' }, T0, limits);
    expect(s.strategies.x.disabled).toBe(true);
  });

  it('trips the circuit breaker at exactly 15% drawdown, not at 14.99%', () => {
    const base = fresh();
    const below = applyTradeResult(base, { strategyId: 'a', pnl: '-1499.99' }, T0);
    expect(below.emergencyShutdown.active).toBe(false);
    const at = applyTradeResult(base, { strategyId: 'a', pnl: '-1500' }, T0);
    expect(at.emergencyShutdown).toMatchObject({ active: true, triggeredAt: T0 });
    expect(at.emergencyShutdown.reason).toMatch(/15/);
    expect(validateTrade(REQ, at, HARD_LIMITS, T0 + MIN).firstFailure).toBe('emergencyShutdown');
  });

  it('evaluateDrawdown is a no-op inside the limit and keeps the first trip', () => {
    const s = { ...fresh(), equity: '8600' };
    expect(evaluateDrawdown(s, HARD_LIMITS)).toBe(s);
    const tripped = evaluateDrawdown(s, tightenLimits(HARD_LIMITS, { maxDrawdownPct: 14 }), T0);
    expect(tripped.emergencyShutdown).toMatchObject({ active: true, triggeredAt: T0 });
    const again = evaluateDrawdown({ ...tripped, equity: '5000' }, HARD_LIMITS, T0 + MIN);
    expect(again.emergencyShutdown.triggeredAt).toBe(T0);
  });

  it('the validator asks for the shutdown; applyDecisionEffects performs it', () => {
    const s = { ...fresh(), equity: '8500' };
    const d = validateTrade(REQ, s, HARD_LIMITS, T0);
    expect(d.effects.triggerShutdown).toBe(true);
    const after = applyDecisionEffects(s, d);
    expect(after.emergencyShutdown).toMatchObject({ active: true, triggeredAt: T0 });
    const ok = validateTrade(REQ, fresh(), HARD_LIMITS, T0);
    expect(applyDecisionEffects(fresh(), ok).emergencyShutdown.active).toBe(false);
  });

  it('resetEmergencyShutdown requires who and why; without rebasing the peak the breaker trips again', () => {
    const tripped = applyTradeResult(fresh(), { strategyId: 'a', pnl: '-2000' }, T0);
    expect(() => resetEmergencyShutdown(tripped, { by: 'admin', reason: '', now: T0 })).toThrow(/reason/);
    expect(() => resetEmergencyShutdown(tripped, { by: 'admin', reason: '   ', now: T0 })).toThrow(/reason/);
    expect(() => resetEmergencyShutdown(tripped, { by: '', reason: 'ok', now: T0 })).toThrow(/by/);
    expect(() =>
      resetEmergencyShutdown(tripped, { by: 'admin', reason: undefined as unknown as string, now: T0 }),
    ).toThrow(/reason/);
    const reset = resetEmergencyShutdown(tripped, { by: 'admin', reason: 'reviewed', now: T0 + MIN });
    expect(reset.emergencyShutdown).toEqual({
      active: false,
      resetBy: 'admin',
      resetReason: 'reviewed',
      resetAt: T0 + MIN,
    });
    const d = validateTrade(REQ, reset, HARD_LIMITS, T0 + 2 * MIN);
    expect(d.firstFailure).toBe('drawdown');
    expect(d.effects.triggerShutdown).toBe(true);
    const rebased = resetEmergencyShutdown(tripped, {
      by: 'admin',
      reason: 'new baseline',
      now: T0 + MIN,
      rebasePeak: true,
    });
    expect(rebased.peakEquity).toBe('8000');
    // the same day the 20% daily loss still blocks; the next day trading resumes
    expect(validateTrade(REQ, rebased, HARD_LIMITS, T0 + 2 * MIN).firstFailure).toBe('dailyLoss');
    expect(validateTrade(REQ, rebased, HARD_LIMITS, Date.UTC(2026, 2, 3)).approved).toBe(true);
  });

  it('a new UTC day resets daily P&L and re-bases the daily loss on the equity at the roll', () => {
    let s: AccountRiskState = fresh();
    s = applyTradeResult(s, { strategyId: 'a', pnl: '-499.99' }, T0);
    expect(validateTrade(REQ, s, HARD_LIMITS, T0).approved).toBe(true);
    s = applyTradeResult(s, { strategyId: 'b', pnl: '-0.01' }, T0 + MIN);
    expect(s.dailyPnl).toBe('-500');
    expect(validateTrade(REQ, s, HARD_LIMITS, T0 + 2 * MIN).firstFailure).toBe('dailyLoss');
    const nextDay = Date.UTC(2026, 2, 3, 0, 0, 0);
    expect(validateTrade(REQ, s, HARD_LIMITS, nextDay - 1).firstFailure).toBe('dailyLoss');
    expect(validateTrade(REQ, s, HARD_LIMITS, nextDay).approved).toBe(true);
    const rolled = rollRiskDay(s, nextDay);
    expect(rolled).toMatchObject({ dailyPnl: '0', dayStartEquity: '9500', dayStart: nextDay });
    // 5% of 9,500 is 475
    const hit = applyTradeResult(rolled, { strategyId: 'c', pnl: '-475' }, nextDay + MIN);
    expect(validateTrade(REQ, hit, HARD_LIMITS, nextDay + 2 * MIN).firstFailure).toBe('dailyLoss');
    // a clock step back does not reopen a closed day
    expect(rollRiskDay(rolled, T0)).toBe(rolled);
  });

  it('recordTradeOpened feeds the per-hour and per-day counts and prunes what no count needs', () => {
    let s: AccountRiskState = fresh();
    for (let i = 0; i < 5; i++) s = recordTradeOpened(s, {}, T0 + i * MIN);
    expect(s.openPositions).toBe(5);
    expect(validateTrade(REQ, s, HARD_LIMITS, T0 + 5 * MIN).firstFailure).toBe('tradesThisHour');
    expect(validateTrade(REQ, s, HARD_LIMITS, T0 + 60 * MIN).approved).toBe(true);
    const tomorrow = Date.UTC(2026, 2, 3, 12);
    s = recordTradeOpened(s, {}, tomorrow);
    expect(s.tradeTimes).toEqual([tomorrow]);
  });

  it('transitions never mutate their input (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('a', 'b'),
            fc.integer({ min: -400, max: 300 }),
            fc.integer({ min: 0, max: 3 * 24 * 60 }),
          ),
          { maxLength: 30 },
        ),
        (events) => {
          let s: AccountRiskState = fresh();
          let bal = money('10000');
          let peak = bal;
          let tripped = false;
          for (const [id, pnl, minute] of events) {
            const before = JSON.stringify(s);
            const next = applyTradeResult(deepFreeze(s), { strategyId: id, pnl: String(pnl) }, T0 + minute * MIN);
            expect(JSON.stringify(s)).toBe(before);
            s = next;
            bal = bal.plus(pnl);
            if (bal.gt(peak)) peak = bal;
            if (peak.minus(bal).times(100).gte(peak.times(15))) tripped = true;
          }
          expect(money(String(s.balance)).eq(bal)).toBe(true);
          expect(money(String(s.peakEquity)).eq(peak)).toBe(true);
          // the breaker trips the first time drawdown reaches 15% and stays on until an admin resets it
          expect(s.emergencyShutdown.active).toBe(tripped);
          if (accountDrawdownPct(s.equity, s.peakEquity).gte(HARD_LIMITS.maxDrawdownPct))
            expect(s.emergencyShutdown.active).toBe(true);
        },
      ),
    );
  });
});

describe('risk schemas (JSON edges)', () => {
  it('a stored state round-trips through JSON and the schema, and validates the same', async () => {
    const { AccountRiskStateSchema, TradeRequestSchema, RiskLimitSettingsSchema } = await import(
      '../src/risk/index.js'
    );
    let s: AccountRiskState = fresh();
    s = recordTradeOpened(s, { notional: '50' }, T0);
    s = applyTradeResult(s, { strategyId: 'trend', pnl: '-12.5' }, T0 + MIN);
    const parsed = AccountRiskStateSchema.parse(JSON.parse(JSON.stringify(s)));
    const req = TradeRequestSchema.parse(JSON.parse(JSON.stringify(REQ)));
    expect(validateTrade(req, parsed, HARD_LIMITS, T0 + 2 * MIN)).toEqual(
      validateTrade(REQ, s, HARD_LIMITS, T0 + 2 * MIN),
    );
    expect(TradeRequestSchema.safeParse({ ...REQ, quantity: 0.5 }).success).toBe(false);
    expect(TradeRequestSchema.safeParse({ ...REQ, entry: '1e2' }).success).toBe(false);
    expect(TradeRequestSchema.safeParse({ ...REQ, extra: 1 }).success).toBe(false);
    expect(AccountRiskStateSchema.safeParse({ ...s, equity: 10000 }).success).toBe(false);
    expect(RiskLimitSettingsSchema.safeParse({ maxOpenPositions: 3 }).success).toBe(true);
    expect(RiskLimitSettingsSchema.safeParse({ maxOpenPositions: 2.5 }).success).toBe(false);
    expect(RiskLimitSettingsSchema.safeParse({ maxLeverage: 3 }).success).toBe(false);
  });
});

describe('trading days anchored on the state (the daily reset)', () => {
  const NY_MIDNIGHT = Date.UTC(2027, 2, 1, 5);
  it('startRiskDay starts the day at the given midnight; the automatic roll then keeps that anchor', () => {
    let s = createAccountRiskState({ balance: '10000', now: Date.UTC(2027, 2, 1, 4) });
    expect(s.dayStart).toBe(Date.UTC(2027, 2, 1));
    s = applyTradeResult(s, { strategyId: 'trend', pnl: '-100' }, Date.UTC(2027, 2, 1, 4, 30));
    expect(s.dailyPnl).toBe('-100');
    const reset = startRiskDay(s, NY_MIDNIGHT);
    expect(reset).toMatchObject({ dayStart: NY_MIDNIGHT, dailyPnl: '0', dayStartEquity: '9900' });
    // a redelivered reset for the same midnight changes nothing
    expect(startRiskDay(reset, NY_MIDNIGHT)).toBe(reset);
    // UTC midnight is no longer a day boundary for this state; New York's next midnight is
    expect(rollRiskDay(reset, Date.UTC(2027, 2, 2, 1))).toBe(reset);
    const next = rollRiskDay(
      applyTradeResult(reset, { strategyId: 'trend', pnl: '-50' }, Date.UTC(2027, 2, 1, 20)),
      Date.UTC(2027, 2, 2, 5),
    );
    expect(next).toMatchObject({ dayStart: Date.UTC(2027, 2, 2, 5), dailyPnl: '0' });
  });
});
