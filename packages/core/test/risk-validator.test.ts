import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalString, money } from '../src/money.js';
import {
  HARD_LIMITS,
  RISK_LIMIT_KEYS,
  createAccountRiskState,
  tightenLimits,
  validateTrade,
  type AccountRiskState,
  type RiskCheckId,
  type RiskLimits,
  type TradeRequest,
} from '../src/risk/index.js';

const NOW = Date.UTC(2026, 0, 5, 20, 0, 0); // 2026-01-05 20:00 UTC
const HOUR = 3_600_000;
const DAY_START = Date.UTC(2026, 0, 5);

const ORDER: RiskCheckId[] = [
  'emergencyShutdown',
  'drawdown',
  'openPositions',
  'tradesToday',
  'tradesThisHour',
  'positionLots',
  'positionPctOfEquity',
  'riskReward',
  'strategyEnabled',
  'dailyLoss',
  'riskPerTrade',
];

function baseState(over: Partial<AccountRiskState> = {}): AccountRiskState {
  return { ...createAccountRiskState({ balance: '100000', now: NOW }), ...over };
}

/** A trade that passes every check: 0.1 lot of 100,000 units, RR 2, 0.2% at risk, 10% notional... */
const REQ: TradeRequest = {
  strategyId: 'trend',
  symbol: 'EURUSD',
  side: 'long',
  quantity: '10000',
  lotSize: '100000',
  entry: '1.0',
  stop: '0.99',
  target: '1.02',
};

function decide(
  over: Partial<TradeRequest> = {},
  state: AccountRiskState = baseState(),
  limits: RiskLimits = HARD_LIMITS,
  now: number = NOW,
) {
  return validateTrade({ ...REQ, ...over }, state, limits, now);
}

function check(d: ReturnType<typeof decide>, id: RiskCheckId) {
  const c = d.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

/** Expect exactly `id` to fail (and so to be decisive). */
function expectOnly(d: ReturnType<typeof decide>, id: RiskCheckId) {
  expect(d.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual([id]);
  expect(d.approved).toBe(false);
  expect(d.firstFailure).toBe(id);
}

function expectApproved(d: ReturnType<typeof decide>) {
  expect(d.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual([]);
  expect(d.approved).toBe(true);
  expect(d.firstFailure).toBeUndefined();
}

describe('validateTrade: report shape', () => {
  it('approves a sound trade and reports every check in SPEC order', () => {
    const d = decide();
    expectApproved(d);
    expect(d.checks.map((c) => c.id)).toEqual(ORDER);
    expect(d.checks.map((c) => c.step)).toEqual([1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10]);
    expect(d.effects.triggerShutdown).toBe(false);
    expect(d.at).toBe(NOW);
    for (const c of d.checks) expect(c.detail.length).toBeGreaterThan(0);
    expect(check(d, 'riskReward').value).toBe(2);
    expect(check(d, 'positionPctOfEquity').value).toBe(10);
  });

  it('accepts a Date for now, and the same decision as epoch ms', () => {
    expect(validateTrade(REQ, baseState(), HARD_LIMITS, new Date(NOW))).toEqual(decide());
    expect(() => validateTrade(REQ, baseState(), HARD_LIMITS, new Date(Number.NaN))).toThrow(RangeError);
  });

  it('evaluates every check even after a failure; the first failure decides', () => {
    const state = baseState({ emergencyShutdown: { active: true, reason: 'manual' }, openPositions: 10 });
    const d = decide({ target: '1.001' }, state);
    expect(d.checks).toHaveLength(11);
    expect(d.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual([
      'emergencyShutdown',
      'openPositions',
      'riskReward',
    ]);
    expect(d.firstFailure).toBe('emergencyShutdown');
  });

  it('refuses limits looser than the hard limits', () => {
    expect(() => decide({}, baseState(), { ...HARD_LIMITS, maxOpenPositions: 11 })).toThrow(/maxOpenPositions/);
    expect(() => decide({}, baseState(), { ...HARD_LIMITS, minRiskReward: 1.4 })).toThrow(/minRiskReward/);
  });

  it('refuses malformed requests', () => {
    expect(() => decide({ quantity: '0' })).toThrow(RangeError);
    expect(() => decide({ quantity: '-1' })).toThrow(RangeError);
    expect(() => decide({ entry: '0' })).toThrow(RangeError);
    expect(() => decide({ quantity: 1 as unknown as string })).toThrow(TypeError);
    expect(() => decide({ side: 'buy' as 'long' })).toThrow(RangeError);
  });

  it('does not mutate its inputs', () => {
    const state = baseState({ tradeTimes: [NOW - 10], dailyPnl: '-10' });
    const snapshot = JSON.stringify(state);
    decide({}, Object.freeze(state));
    expect(JSON.stringify(state)).toBe(snapshot);
  });
});

describe('validateTrade: each limit at its exact boundary', () => {
  it('1. emergency shutdown active rejects', () => {
    expectOnly(decide({}, baseState({ emergencyShutdown: { active: true, reason: 'drawdown' } })), 'emergencyShutdown');
  });

  it('2. drawdown ≥ 15% rejects at exactly 15% and trips the breaker; 14.99999% passes', () => {
    const at = decide({ quantity: '8500' }, baseState({ equity: '85000', peakEquity: '100000' }));
    expectOnly(at, 'drawdown');
    expect(check(at, 'drawdown').value).toBe(15);
    expect(at.effects.triggerShutdown).toBe(true);
    expect(at.effects.shutdownReason).toMatch(/15/);
    const inside = decide({ quantity: '8500' }, baseState({ equity: '85000.01', peakEquity: '100000' }));
    expectApproved(inside);
    expect(inside.effects.triggerShutdown).toBe(false);
  });

  it('2. an already-active breaker is not re-triggered', () => {
    const d = decide({}, baseState({ equity: '80000', peakEquity: '100000', emergencyShutdown: { active: true } }));
    expect(d.effects.triggerShutdown).toBe(false);
    expect(d.firstFailure).toBe('emergencyShutdown');
  });

  it('3. open positions ≥ 10 rejects at 10, passes at 9', () => {
    expectOnly(decide({}, baseState({ openPositions: 10 })), 'openPositions');
    expectApproved(decide({}, baseState({ openPositions: 9 })));
  });

  it('4. trades today ≥ 20 rejects at 20 (UTC day), passes at 19', () => {
    const times = (n: number) => Array.from({ length: n }, (_, i) => DAY_START + i * 60_000); // all before 19:00
    expectOnly(decide({}, baseState({ tradeTimes: times(20) })), 'tradesToday');
    expectApproved(decide({}, baseState({ tradeTimes: times(19) })));
    // the day starts at 00:00:00.000 UTC: a trade 1 ms earlier belongs to yesterday
    expectApproved(decide({}, baseState({ tradeTimes: [...times(19), DAY_START - 1] })));
    expectOnly(decide({}, baseState({ tradeTimes: [...times(19).map((t) => t + 1), DAY_START] })), 'tradesToday');
  });

  it('5. trades in the last hour ≥ 5 rejects at 5; a trade exactly one hour old no longer counts', () => {
    const recent = [NOW, NOW - 1, NOW - 30 * 60_000, NOW - HOUR + 1];
    expectOnly(decide({}, baseState({ tradeTimes: [...recent, NOW - HOUR + 2] })), 'tradesThisHour');
    expectApproved(decide({}, baseState({ tradeTimes: [...recent, NOW - HOUR] })));
    // a timestamp after `now` has not happened for this decision
    expectApproved(decide({}, baseState({ tradeTimes: [...recent, NOW + 1] })));
  });

  it('5. the hour window crosses midnight although the day count does not', () => {
    const now = Date.UTC(2026, 0, 6, 0, 10);
    const times = [1, 2, 3, 4, 5].map((m) => now - m * 60_000 - 10 * 60_000); // 23:55..23:59 yesterday
    const d = decide({}, baseState({ tradeTimes: times, dayStart: Date.UTC(2026, 0, 5) }), HARD_LIMITS, now);
    expectOnly(d, 'tradesThisHour');
    expect(check(d, 'tradesToday').value).toBe(0);
  });

  it('6. position > 1.0 lots rejects; exactly 1.0 lots passes', () => {
    const rich = baseState({ equity: '10000000', peakEquity: '10000000', dayStartEquity: '10000000' });
    expectApproved(decide({ quantity: '100000' }, rich));
    expect(check(decide({ quantity: '100000' }, rich), 'positionLots').value).toBe(1);
    expectOnly(decide({ quantity: '100000.000001' }, rich), 'positionLots');
    // a lot size of 1: the quantity is in lots
    const units = { entry: '1000', stop: '990', target: '1020' };
    expectApproved(decide({ quantity: '1', lotSize: '1', ...units }));
    expectOnly(decide({ quantity: '1.00000001', lotSize: '1', ...units }), 'positionLots');
    expectOnly(decide({ quantity: '5', lotSize: '1', ...units }), 'positionLots');
  });

  it('6. without a lot size (a share, a coin) the lot check does not apply; the % of equity still does', () => {
    const units = { lotSize: undefined, entry: '1000', stop: '990', target: '1020' };
    // 5 units would be 5 lots of 1; 5,000 notional is 5% of equity
    const d = decide({ quantity: '5', ...units });
    expectApproved(d);
    expect(check(d, 'positionLots')).toMatchObject({
      step: 6,
      passed: true,
      applicable: false,
      detail: 'not applicable: the instrument has no lot size',
    });
    expect(d.checks.filter((c) => c.applicable === false).map((c) => c.id)).toEqual(['positionLots']);
    // with a lot size every check applies
    expect(decide().checks.some((c) => c.applicable !== undefined)).toBe(false);
    expectOnly(decide({ quantity: '10.00001', ...units }), 'positionPctOfEquity');
  });

  it('6. position > 10% of equity rejects; exactly 10% passes', () => {
    expectApproved(decide({ quantity: '10000' }));
    expectOnly(decide({ quantity: '10000.01' }), 'positionPctOfEquity');
    expectOnly(decide({ quantity: '5000', entry: '2.0000002', stop: '1.99', target: '2.1' }), 'positionPctOfEquity');
  });

  it('7. reward/risk < 1.5 rejects; exactly 1.5 passes, long and short', () => {
    expectApproved(decide({ entry: '1.0', stop: '0.99', target: '1.015' }));
    expectOnly(decide({ entry: '1.0', stop: '0.99', target: '1.01499' }), 'riskReward');
    expectApproved(decide({ side: 'short', entry: '1.0', stop: '1.01', target: '0.985' }));
    expectOnly(decide({ side: 'short', entry: '1.0', stop: '1.01', target: '0.98501' }), 'riskReward');
    expect(check(decide({ entry: '1.0', stop: '0.99', target: '1.015' }), 'riskReward').value).toBe(1.5);
  });

  it('7. a stop or target on the wrong side of the entry fails', () => {
    const wrongStop = decide({ stop: '1.01', target: '1.05' });
    expect(wrongStop.firstFailure).toBe('riskReward');
    expect(check(wrongStop, 'riskReward').detail).toMatch(/stop must be below/);
    expect(decide({ stop: '1.0' }).firstFailure).toBe('riskReward');
    expect(check(decide({ side: 'short', stop: '1.01', target: '1.02' }), 'riskReward').detail).toMatch(
      /target must be below/,
    );
  });

  it('8. a disabled strategy rejects; a streak at the limit counts as disabled; below it passes', () => {
    const s = (consecutiveLosses: number, disabled = false) =>
      baseState({
        strategies: { trend: { consecutiveLosses, disabled, wins: 0, losses: consecutiveLosses, realisedPnl: '0' } },
      });
    expectOnly(decide({}, s(0, true)), 'strategyEnabled');
    expectOnly(decide({}, s(5)), 'strategyEnabled');
    expectApproved(decide({}, s(4)));
    expectApproved(decide({ strategyId: 'other' }, s(5)));
  });

  it('9. daily loss ≥ 5% rejects at exactly 5% of day-start equity; 4.99999% passes; a new UTC day resets it', () => {
    const lost = (pnl: string) =>
      baseState({ dailyPnl: pnl, equity: money('100000').plus(money(pnl)).toFixed(), balance: '95000' });
    // equity falls with the loss, so keep the position within 10% of the lower equity
    expectOnly(decide({ quantity: '9000' }, lost('-5000')), 'dailyLoss');
    expect(check(decide({ quantity: '9000' }, lost('-5000')), 'dailyLoss').value).toBe(5);
    expectApproved(decide({ quantity: '9000' }, lost('-4999.99')));
    expectApproved(decide({ quantity: '9000' }, lost('5000')));
    const yesterday = { ...lost('-5000'), dayStart: DAY_START - 86_400_000 };
    expectApproved(decide({ quantity: '9000' }, yesterday));
  });

  it('10. risk per trade > 2% of equity rejects; exactly 2% passes', () => {
    // 8,000 units, 0.25 from entry to stop: 2,000 at risk of 100,000 equity; notional 8%
    expectApproved(decide({ quantity: '8000', entry: '1', stop: '0.75', target: '2' }));
    expect(check(decide({ quantity: '8000', entry: '1', stop: '0.75', target: '2' }), 'riskPerTrade').value).toBe(2);
    expectOnly(decide({ quantity: '8000.01', entry: '1', stop: '0.75', target: '2' }), 'riskPerTrade');
  });

  it('tightened limits move every boundary with them', () => {
    const tight = tightenLimits(HARD_LIMITS, {
      maxOpenPositions: 3,
      maxDrawdownPct: 10,
      minRiskReward: 2,
      maxTradesPerHour: 1,
    });
    expectOnly(decide({}, baseState({ openPositions: 3 }), tight), 'openPositions');
    expectApproved(decide({}, baseState({ openPositions: 2 }), tight));
    expectOnly(decide({ quantity: '9000' }, baseState({ equity: '90000' }), tight), 'drawdown');
    expectOnly(decide({ target: '1.0199' }, baseState(), tight), 'riskReward');
    expectOnly(decide({}, baseState({ tradeTimes: [NOW - 5] }), tight), 'tradesThisHour');
  });
});

// ---- properties: for any tightened limit and any value, the check fails exactly when the SPEC says

const cents = (n: bigint) => decimalString(money(`${n / 100n}.${(n % 100n).toString().padStart(2, '0')}`));

describe('validateTrade: boundary properties', () => {
  it('counts: rejects iff count ≥ limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 7 }),
        (maxOpen, maxDay, maxHour, open, older, recent) => {
          const limits = tightenLimits(HARD_LIMITS, {
            maxOpenPositions: maxOpen,
            maxTradesPerDay: maxDay,
            maxTradesPerHour: maxHour,
          });
          const tradeTimes = [
            ...Array.from({ length: older }, (_, i) => DAY_START + i * 1000),
            ...Array.from({ length: recent }, (_, i) => NOW - i * 1000),
          ];
          const d = decide({}, baseState({ openPositions: open, tradeTimes }), limits);
          expect(check(d, 'openPositions').passed).toBe(open < maxOpen);
          expect(check(d, 'tradesToday').passed).toBe(older + recent < maxDay);
          expect(check(d, 'tradesThisHour').passed).toBe(recent < maxHour);
          expect(d.approved).toBe(open < maxOpen && older + recent < maxDay && recent < maxHour);
        },
      ),
    );
  });

  it('drawdown: rejects iff (peak − equity) × 100 ≥ limit × peak, exactly at the limit included', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 100n, max: 10n ** 14n }),
        fc.integer({ min: 1, max: 15 }),
        fc.bigInt({ min: -3n, max: 3n }),
        (peak, limit, nudge) => {
          // equity at exactly `limit`% below the peak (in cents, peak × 100 so it divides), nudged by a few cents
          const peakC = peak * 100n;
          const equityC = peakC - (peakC * BigInt(limit)) / 100n + nudge;
          const limits = tightenLimits(HARD_LIMITS, { maxDrawdownPct: limit });
          const state = baseState({ equity: cents(equityC), peakEquity: cents(peakC) });
          const d = decide({ quantity: '1' }, state, limits);
          const rejects = (peakC - equityC) * 100n >= BigInt(limit) * peakC;
          expect(rejects).toBe(nudge <= 0n);
          expect(check(d, 'drawdown').passed).toBe(!rejects);
          expect(d.effects.triggerShutdown).toBe(rejects);
        },
      ),
    );
  });

  it('position % of equity, risk per trade, reward/risk: exact at the boundary', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 15, max: 40 }),
        fc.bigInt({ min: 10_000n, max: 10n ** 9n }),
        fc.bigInt({ min: -2n, max: 2n }),
        (pctLimit, riskLimit, rr10, equityUnits, nudge) => {
          const limits = tightenLimits(HARD_LIMITS, {
            maxPositionPctOfEquity: pctLimit,
            maxRiskPerTradePct: riskLimit,
            minRiskReward: rr10 / 10,
          });
          const equity = equityUnits * 100n; // whole money units, divisible by 100
          // entry 1: quantity = notional. Exactly at the % limit, nudged in units of 0.01
          const qCents = equity * BigInt(pctLimit) + nudge; // quantity in hundredths
          const lotSize = (qCents / 100n + 10n).toString();
          const stopDist = '0.01';
          const reward = money(stopDist).times(rr10).div(10);
          const d = decide(
            { quantity: cents(qCents), entry: '1', stop: '0.99', target: money('1').plus(reward).toFixed(), lotSize },
            baseState({ equity: equity.toString(), peakEquity: equity.toString(), dayStartEquity: equity.toString() }),
            limits,
          );
          expect(check(d, 'positionLots').passed).toBe(true);
          expect(check(d, 'positionPctOfEquity').passed).toBe(nudge <= 0n);
          expect(check(d, 'riskReward').passed).toBe(true);
          // at risk: quantity × 0.01 against riskLimit% of equity
          expect(check(d, 'riskPerTrade').passed).toBe(qCents <= BigInt(riskLimit) * equity * 100n);
          const tighter = decide(
            {
              quantity: '1',
              entry: '1',
              stop: '0.99',
              target: money('1').plus(reward).minus('0.00000001').toFixed(),
              lotSize,
            },
            baseState(),
            limits,
          );
          expect(check(tighter, 'riskReward').passed).toBe(false);
        },
      ),
    );
  });

  it('risk per trade: rejects iff quantity × |entry − stop| > limit% of equity (the limit itself passes)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0.5, 1, 1.5, 2),
        fc.bigInt({ min: 1n, max: 10n ** 10n }),
        fc.bigInt({ min: -2n, max: 2n }),
        (limit, e, nudge) => {
          const equity = e * 100n;
          // entry 1, stop 0.75: quantity at the limit is equity × limit% / 0.25, in hundredths of a unit
          const limit2 = BigInt(limit * 2); // limit in halves of a percent
          // equity × limit / 25 units = equity × limit × 4 hundredths
          const qHundredths = equity * limit2 * 2n + nudge;
          const d = decide(
            { quantity: cents(qHundredths), entry: '1', stop: '0.75', target: '2', lotSize: (equity + 1n).toString() },
            baseState({ equity: equity.toString(), peakEquity: equity.toString(), dayStartEquity: equity.toString() }),
            tightenLimits(HARD_LIMITS, { maxRiskPerTradePct: limit }),
          );
          expect(check(d, 'riskPerTrade').passed).toBe(nudge <= 0n);
          expect(check(d, 'positionPctOfEquity').passed).toBe(true);
          expect(d.approved).toBe(nudge <= 0n);
        },
      ),
    );
  });

  it('approved iff every check passed, and firstFailure is the first failed check in order', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 12 }),
        fc.constantFrom('84000', '85000', '85000.01', '100000'),
        fc.constantFrom('1.01', '1.015', '1.02', '0.9'),
        fc.constantFrom('-6000', '-5000', '0'),
        fc.integer({ min: 0, max: 6 }),
        (shutdown, open, equity, target, dailyPnl, streak) => {
          const state = baseState({
            emergencyShutdown: { active: shutdown },
            openPositions: open,
            equity,
            dailyPnl,
            strategies: { trend: { consecutiveLosses: streak, disabled: false, wins: 0, losses: 0, realisedPnl: '0' } },
          });
          const d = decide({ quantity: '1000', target }, state);
          const failed = d.checks.filter((c) => !c.passed);
          expect(d.approved).toBe(failed.length === 0);
          expect(d.firstFailure).toBe(failed[0]?.id);
          expect(d.checks.map((c) => c.id)).toEqual(ORDER);
        },
      ),
    );
  });
});

describe('tightenLimits / HARD_LIMITS', () => {
  it('HARD_LIMITS are the SPEC values and frozen', () => {
    expect(HARD_LIMITS).toEqual({
      maxDrawdownPct: 15,
      maxOpenPositions: 10,
      maxTradesPerDay: 20,
      maxTradesPerHour: 5,
      maxPositionLots: 1,
      maxPositionPctOfEquity: 10,
      minRiskReward: 1.5,
      maxConsecutiveLosses: 5,
      maxDailyLossPct: 5,
      maxRiskPerTradePct: 2,
    });
    expect(Object.isFrozen(HARD_LIMITS)).toBe(true);
    expect(() => {
      (HARD_LIMITS as { maxDrawdownPct: number }).maxDrawdownPct = 50;
    }).toThrow(TypeError);
    expect(HARD_LIMITS.maxDrawdownPct).toBe(15);
  });

  it('keeps equal values, applies tighter ones, and returns a frozen copy', () => {
    const t = tightenLimits(HARD_LIMITS, { maxDrawdownPct: 10, minRiskReward: 2, maxTradesPerHour: 5 });
    expect(t.maxDrawdownPct).toBe(10);
    expect(t.minRiskReward).toBe(2);
    expect(t.maxTradesPerHour).toBe(5);
    expect(t.maxOpenPositions).toBe(10);
    expect(Object.isFrozen(t)).toBe(true);
    expect(tightenLimits(HARD_LIMITS)).toEqual(HARD_LIMITS);
  });

  it('throws a RangeError naming the field for every looser value (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RISK_LIMIT_KEYS), fc.integer({ min: 1, max: 100 }), (field, extra) => {
        const v = field === 'minRiskReward' ? HARD_LIMITS[field] - extra / 101 : HARD_LIMITS[field] + extra;
        expect(() => tightenLimits(HARD_LIMITS, { [field]: v })).toThrow(RangeError);
        expect(() => tightenLimits(HARD_LIMITS, { [field]: v })).toThrow(field);
      }),
    );
  });

  it('refuses unknown fields, fractional counts and non-numbers', () => {
    expect(() => tightenLimits(HARD_LIMITS, { maxLeverage: 2 } as Partial<RiskLimits>)).toThrow(/maxLeverage/);
    expect(() => tightenLimits(HARD_LIMITS, { maxOpenPositions: 2.5 })).toThrow(/maxOpenPositions/);
    expect(() => tightenLimits(HARD_LIMITS, { maxDrawdownPct: Number.NaN })).toThrow(/maxDrawdownPct/);
    expect(() => tightenLimits(HARD_LIMITS, { maxDrawdownPct: '10' as unknown as number })).toThrow(/maxDrawdownPct/);
    expect(() => tightenLimits(HARD_LIMITS, { minRiskReward: 0 } as Partial<RiskLimits>)).toThrow(/minRiskReward/);
    expect(() => tightenLimits(HARD_LIMITS, { maxDrawdownPct: 0 })).toThrow(/maxDrawdownPct must be positive/);
    expect(() => tightenLimits(HARD_LIMITS, { maxOpenPositions: 0 })).toThrow(/maxOpenPositions/);
    expect(() => tightenLimits({ ...HARD_LIMITS, maxDrawdownPct: 20 }, {})).toThrow(/maxDrawdownPct/);
  });
});
