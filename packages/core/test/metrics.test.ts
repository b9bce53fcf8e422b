import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import {
  annualReturn,
  annualVolatility,
  annualizationFactor,
  averageTradeDuration,
  calmarRatio,
  cumReturns,
  cumReturnsFinal,
  downsideRisk,
  expectancy,
  maxDrawdown,
  omegaRatio,
  profitFactor,
  recoveryFactor,
  sharpeRatio,
  sortinoRatio,
  winRate,
  type TradePnl,
} from '../src/metrics/index.js';
import { equitySummary } from '../src/metrics/summary.js';

/*
 * Fixtures and expected values are empyrical's own regression tests: quantopian/empyrical
 * master (release 0.5.5), empyrical/tests/test_stats.py, class TestStats — asserted there with
 * assert_almost_equal(DECIMAL_PLACES = 8), reproduced here to the same 1.5e-8. (The copy read
 * was the one vendored unchanged in anfederico/gemini, empyrical/tests/test_stats.py; the same
 * values are in stefan-jansen/empyrical-reloaded's tests.) (Older
 * revisions of that file carry different weekly/monthly Sortino values: before 0.5.x
 * sortino_ratio annualised the downside risk with the DAILY factor whatever the period.)
 */
const pct = (xs: number[]) => xs.map((x) => x / 100);
const simple_benchmark = pct([0, 1, 0, 1, 0, 1, 0, 1, 0]);
const positive_returns = pct([1, 2, 1, 1, 1, 1, 1, 1, 1]);
const negative_returns = pct([0, -6, -7, -1, -9, -2, -6, -8, -5]);
const all_negative_returns = pct([-2, -6, -7, -1, -9, -2, -6, -8, -5]);
const mixed_returns = pct([NaN, 1, 10, -4, 2, 3, 2, 1, -10]);
const flat_line_1 = pct([1, 1, 1, 1, 1, 1, 1, 1, 1]);
const weekly_returns = pct([0, 1, 10, -4, 2, 3, 2, 1, -10]);
const monthly_returns = weekly_returns;
const one_return = pct([1]);
const empty_returns: number[] = [];
const flat_line_1_tz = new Array<number>(1000).fill(0.01);
const one = [-0.00171614, 0.01322056, 0.03063862, -0.01422057, -0.00489779, 0.01268925, -0.03357711, 0.01797036];
const two = [0.01846232, 0.00793951, -0.01448395, 0.00422537, -0.00339611, 0.03756813, 0.0151531, 0.03549769];

function close8(actual: number, expected: number): void {
  if (Number.isNaN(expected)) return void expect(actual).toBeNaN();
  if (!Number.isFinite(expected)) return void expect(actual).toBe(expected);
  // numpy's assert_almost_equal(decimal=8): |a - e| < 1.5e-8
  expect(Math.abs(actual - expected)).toBeLessThan(1.5e-8);
}

describe('empyrical test_stats.py values', () => {
  it.each([
    ['empty', empty_returns, NaN],
    ['one_return', one_return, 0],
    ['simple_benchmark', simple_benchmark, 0],
    ['mixed', mixed_returns, -0.1],
    ['positive', positive_returns, -0.0],
    ['negative', negative_returns, cumReturnsFinal(negative_returns)],
    ['all_negative', all_negative_returns, cumReturnsFinal(all_negative_returns)],
    ['negative (value)', negative_returns, -0.36590730349873601],
    ['[10,-10,10]%', pct([10, -10, 10]), -0.1],
  ])('max_drawdown %s', (_, r, e) => close8(maxDrawdown(r), e));

  it.each([
    ['mixed daily', mixed_returns, 'daily', 1.9135925373194231],
    ['weekly', weekly_returns, 'weekly', 0.24690830513998208],
    ['monthly', monthly_returns, 'monthly', 0.052242061386048144],
  ] as const)('annual_return %s', (_, r, period, e) => close8(annualReturn(r, { period }), e));

  it.each([
    ['flat_line_1_tz', flat_line_1_tz, 'daily', 0.0],
    ['mixed daily', mixed_returns, 'daily', 0.9136465399704637],
    ['weekly', weekly_returns, 'weekly', 0.38851569394870583],
    ['monthly', monthly_returns, 'monthly', 0.18663690238892558],
  ] as const)('annual_volatility %s', (_, r, period, e) => close8(annualVolatility(r, { period }), e));

  it.each([
    ['empty', empty_returns, 'daily', NaN],
    ['one_return', one_return, 'daily', NaN],
    ['mixed', mixed_returns, 'daily', 19.135925373194233],
    ['weekly', weekly_returns, 'weekly', 2.4690830513998208],
    ['monthly', monthly_returns, 'monthly', 0.52242061386048144],
  ] as const)('calmar_ratio %s', (_, r, period, e) => close8(calmarRatio(r, { period }), e));

  it.each([
    ['empty', empty_returns, 0, 0, NaN],
    ['one_return', one_return, 0, 0, NaN],
    ['mixed, required 10', mixed_returns, 0, 10, 0.83354263497557934],
    ['mixed, required -10', mixed_returns, 0, -10, NaN],
    ['mixed, rf flat_line_1', mixed_returns, flat_line_1, 0, 0.8125],
    ['positive, rf 0.01', positive_returns, 0.01, 0, NaN],
    ['positive, rf 0.011', positive_returns, 0.011, 0, 1.125],
    ['positive, rf 0.02', positive_returns, 0.02, 0, 0.0],
    ['negative, rf 0.01', negative_returns, 0.01, 0, 0.0],
  ] as const)('omega_ratio %s', (_, r, riskFree, requiredReturn, e) =>
    close8(omegaRatio(r, { riskFree, requiredReturn }), e),
  );

  it.each([
    ['empty', empty_returns, 0, NaN],
    ['one_return', one_return, 0, NaN],
    ['mixed vs itself', mixed_returns, mixed_returns, NaN],
    ['mixed', mixed_returns, 0, 1.7238613961706866],
    ['mixed vs simple_benchmark', mixed_returns, simple_benchmark, 0.34111411441060574],
    ['positive', positive_returns, 0, 52.915026221291804],
    ['negative', negative_returns, 0, -24.406808633910085],
    ['flat_line_1', flat_line_1, 0, Infinity],
  ] as const)('sharpe_ratio %s', (_, r, riskFree, e) => close8(sharpeRatio(r, { riskFree }), e));

  it.each([
    ['empty', empty_returns, 0, 'daily', NaN],
    ['one_return', one_return, 0, 'daily', 0.0],
    ['mixed vs itself', mixed_returns, mixed_returns, 'daily', 0.0],
    ['mixed', mixed_returns, 0, 'daily', 0.60448325038829653],
    ['mixed, 0.1', mixed_returns, 0.1, 'daily', 1.7161730681956295],
    ['weekly', weekly_returns, 0, 'weekly', 0.25888650451930134],
    ['weekly, 0.1', weekly_returns, 0.1, 'weekly', 0.7733045971672482],
    ['monthly', monthly_returns, 0, 'monthly', 0.1243650540411842],
    ['monthly, 0.1', monthly_returns, 0.1, 'monthly', 0.37148351242013422],
    ['df_simple.one', one, 0, 'daily', 0.20671788246185202],
    ['df_simple.two', two, 0, 'daily', 0.083495680595704475],
    ['df_week.one', one, 0, 'weekly', 0.093902996054410062],
    ['df_week.two', two, 0, 'weekly', 0.037928477556776516],
    ['df_month.one', one, 0, 'monthly', 0.045109540184877193],
    ['df_month.two', two, 0, 'monthly', 0.018220251263412916],
  ] as const)('downside_risk %s', (_, r, requiredReturn, period, e) =>
    close8(downsideRisk(r, { requiredReturn, period }), e),
  );

  it.each([
    ['empty', empty_returns, 0, 'daily', NaN],
    ['one_return', one_return, 0, 'daily', NaN],
    ['mixed vs itself', mixed_returns, mixed_returns, 'daily', NaN],
    ['mixed', mixed_returns, 0, 'daily', 2.605531251673693],
    ['mixed vs flat_line_1', mixed_returns, flat_line_1, 'daily', -1.3934779588919977],
    ['positive', positive_returns, 0, 'daily', Infinity],
    ['negative', negative_returns, 0, 'daily', -13.532743075043401],
    ['simple_benchmark', simple_benchmark, 0, 'daily', Infinity],
    ['weekly', weekly_returns, 0, 'weekly', 1.1158901056866439],
    ['monthly', monthly_returns, 0, 'monthly', 0.53605626741889756],
    ['df_simple.one', one, 0, 'daily', 3.0639640966566306],
    ['df_simple.two', two, 0, 'daily', 38.090963117002495],
    ['df_week.one', one, 0, 'weekly', 1.3918264112070571],
    ['df_week.two', two, 0, 'weekly', 17.303077589064618],
    ['df_month.one', one, 0, 'monthly', 0.6686117809312383],
    ['df_month.two', two, 0, 'monthly', 8.3121296084492844],
  ] as const)('sortino_ratio %s', (_, r, requiredReturn, period, e) =>
    close8(sortinoRatio(r, { requiredReturn, period }), e),
  );

  it.each([
    ['mixed, 0', mixed_returns, 0, [0.0, 0.01, 0.111, 0.066559, 0.08789, 0.12052, 0.14293, 0.15436, 0.03893]],
    [
      'mixed, 100',
      mixed_returns,
      100,
      [100.0, 101.0, 111.1, 106.65599, 108.78912, 112.05279, 114.29384, 115.43678, 103.8931],
    ],
    [
      'negative, 0',
      negative_returns,
      0,
      [0.0, -0.06, -0.1258, -0.13454, -0.21243, -0.22818, -0.27449, -0.33253, -0.3659],
    ],
  ] as const)('cum_returns %s (empyrical asserts 4 decimals)', (_, r, start, e) => {
    const c = cumReturns(r, start);
    e.forEach((x, i) => expect(Math.abs(c[i] - x)).toBeLessThan(1.5e-4));
  });

  it('cum_returns_final', () => {
    expect(cumReturnsFinal(empty_returns)).toBeNaN();
    close8(cumReturnsFinal(one_return), 0.01);
    expect(Math.abs(cumReturnsFinal(mixed_returns) - 0.03893)).toBeLessThan(1.5e-4);
  });
});

describe('annualisation and NaN handling', () => {
  it('period factors and an explicit annualization', () => {
    expect(annualizationFactor()).toBe(252);
    expect(annualizationFactor({ period: 'weekly' })).toBe(52);
    expect(annualizationFactor({ period: 'monthly' })).toBe(12);
    expect(annualizationFactor({ period: 'monthly', annualization: 365 })).toBe(365);
    expect(() => annualizationFactor({ annualization: 0 })).toThrow(RangeError);
    close8(annualVolatility(mixed_returns, { annualization: 252 }), 0.9136465399704637);
  });

  it('NaN is skipped in means and deviations but counted in the annualising length', () => {
    const without = mixed_returns.slice(1);
    // same mean/std ⇒ same Sharpe…
    close8(sharpeRatio(mixed_returns), sharpeRatio(without));
    // …but 9 periods vs 8 periods for the CAGR exponent
    const total = cumReturnsFinal(without);
    close8(annualReturn(mixed_returns), (1 + total) ** (252 / 9) - 1);
    close8(annualReturn(without), (1 + total) ** (252 / 8) - 1);
  });

  it('a loss on the very first period is a drawdown from the starting equity', () => {
    close8(maxDrawdown([-0.1, 0.05]), -0.1);
  });

  it('rejects a risk-free series of another length', () => {
    expect(() => sharpeRatio([0.01, 0.02], { riskFree: [0.01] })).toThrow(RangeError);
  });
});

describe('properties', () => {
  const rets = fc.array(fc.double({ min: -0.5, max: 0.5, noNaN: true }), { minLength: 2, maxLength: 60 });

  it('max drawdown is in [-1, 0]; shifting returns up never deepens it', () => {
    fc.assert(
      fc.property(rets, fc.double({ min: 0, max: 0.1, noNaN: true }), (r, c) => {
        const dd = maxDrawdown(r);
        expect(dd).toBeLessThanOrEqual(0);
        expect(dd).toBeGreaterThanOrEqual(-1);
        expect(maxDrawdown(r.map((x) => x + c))).toBeGreaterThanOrEqual(dd - 1e-12);
      }),
    );
  });

  it('Sharpe is unchanged when returns and the risk-free rate move together', () => {
    fc.assert(
      fc.property(rets, fc.double({ min: -0.01, max: 0.01, noNaN: true }), (r, t) => {
        const s = sharpeRatio(r);
        fc.pre(Number.isFinite(s) && annualVolatility(r) > 1e-6);
        expect(
          sharpeRatio(
            r.map((x) => x + t),
            { riskFree: t },
          ),
        ).toBeCloseTo(s, 6);
      }),
    );
  });

  it('downside risk grows with the required return; cumReturns ends at cumReturnsFinal', () => {
    fc.assert(
      fc.property(rets, (r) => {
        expect(downsideRisk(r, { requiredReturn: 0.01 })).toBeGreaterThanOrEqual(downsideRisk(r) - 1e-15);
        const c = cumReturns(r);
        expect(c[c.length - 1]).toBe(cumReturnsFinal(r));
      }),
    );
  });
});

describe("equitySummary (the backtest report's metrics in two walks)", () => {
  // equity values with NaN holes, flat stretches (zero deviations), zero and negative equity
  const value = fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: 500, max: 2000, noNaN: true }) },
    { weight: 1, arbitrary: fc.constant(NaN) },
    { weight: 2, arbitrary: fc.constant(1000) },
    { weight: 1, arbitrary: fc.double({ min: -100, max: 100, noNaN: true }) },
  );

  /** The returns the report means: r = e[i] / e[i−1] − 1 from `start` on, the bar before worth `initial`. */
  const returnsOf = (eq: Float64Array, start: number, initial: number) =>
    Float64Array.from(eq.subarray(start), (e, i) => e / (i === 0 ? initial : eq[start + i - 1]) - 1);

  const check = (eq: Float64Array, start: number, initial: number, rf: number, annualization: number) => {
    const r = returnsOf(eq, start, initial);
    const s = equitySummary(eq, start, initial, { annualization, riskFree: rf });
    expect(Object.is(s.annualReturn, annualReturn(r, { annualization }))).toBe(true);
    expect(Object.is(s.annualVolatility, annualVolatility(r, { annualization }))).toBe(true);
    expect(Object.is(s.sharpe, sharpeRatio(r, { annualization, riskFree: rf }))).toBe(true);
    expect(Object.is(s.sortino, sortinoRatio(r, { annualization, requiredReturn: rf }))).toBe(true);
    expect(Object.is(s.maxDrawdown, maxDrawdown(r))).toBe(true);
    expect(Object.is(s.calmar, calmarRatio(r, { annualization }))).toBe(true);
  };

  it('equals each separate function over the returns bit for bit (Object.is), whatever the risk-free rate', () => {
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 80 }),
        fc.nat(),
        fc.double({ min: 100, max: 5000, noNaN: true }),
        fc.oneof(fc.constant(0), fc.double({ min: -0.01, max: 0.01, noNaN: true })),
        fc.constantFrom(252, 52, 12, 365 * 24 * 60),
        (xs, s, initial, rf, annualization) =>
          check(Float64Array.from(xs), xs.length === 0 ? 0 : s % (xs.length + 1), initial, rf, annualization),
      ),
    );
  });

  it('across many walking blocks', () => {
    let x = 1;
    const eq = Float64Array.from({ length: 20_000 }, () => {
      x = (x * 16807) % 2147483647;
      return 1000 + (x % 1000) - 500;
    });
    check(eq, 0, 1000, 0, 252);
    check(eq, 4100, 990, 0.0001, 52);
  });

  it('the branch-free downside falls back to the plain sum where it would be inexact (overflow, +Infinity)', () => {
    const plain = (xs: number[]) => {
      let s = 0;
      let k = 0;
      for (const v of xs) {
        if (v !== v) continue;
        s += v > 0 ? 0 : v * v;
        k++;
      }
      return Math.sqrt(s / k) * Math.sqrt(252);
    };
    for (const xs of [
      [-1e308, 0.1, -0.2],
      [Infinity, -0.01, 0.02],
      [-Infinity, 0.01],
      [-Number.MAX_VALUE, 1],
    ]) {
      expect(Object.is(downsideRisk(xs), plain(xs))).toBe(true);
      expect(Object.is(downsideRisk(Float64Array.from(xs)), plain(xs))).toBe(true);
    }
  });

  it('a scalar adjustment gives the same bits as the same adjustment as a series', () => {
    const series = fc.array(
      fc.oneof(fc.double({ min: -0.5, max: 0.5, noNaN: true }), fc.constant(NaN), fc.constant(0.001)),
      { maxLength: 80 },
    );
    fc.assert(
      fc.property(series, fc.double({ min: -0.01, max: 0.01, noNaN: true }), (xs, rf) => {
        const rfs = xs.map(() => rf);
        expect(Object.is(sharpeRatio(xs, { riskFree: rf }), sharpeRatio(xs, { riskFree: rfs }))).toBe(true);
        expect(Object.is(sortinoRatio(xs, { requiredReturn: rf }), sortinoRatio(xs, { requiredReturn: rfs }))).toBe(
          true,
        );
        expect(Object.is(downsideRisk(xs, { requiredReturn: rf }), downsideRisk(xs, { requiredReturn: rfs }))).toBe(
          true,
        );
        expect(Object.is(omegaRatio(xs, { riskFree: rf }), omegaRatio(xs, { riskFree: rfs }))).toBe(true);
      }),
    );
  });
});

describe('trade metrics', () => {
  const t = (pnl: number, entryTime = 0, exitTime = 60_000): TradePnl => ({ pnl, entryTime, exitTime });

  it('profit factor, win rate, expectancy, duration on a mixed log', () => {
    const log = [t(100, 0, 60_000), t(-50, 0, 120_000), t(0, 0, 30_000), t(150, 1000, 91_000)];
    expect(profitFactor(log)).toBe(250 / 50);
    expect(winRate(log)).toBe(2 / 4);
    expect(expectancy(log)).toBe(200 / 4);
    expect(averageTradeDuration(log)).toBe((60_000 + 120_000 + 30_000 + 90_000) / 4);
  });

  it('edge cases: no trades, no losses, only break-even', () => {
    expect(profitFactor([])).toBeNaN();
    expect(winRate([])).toBeNaN();
    expect(expectancy([])).toBeNaN();
    expect(averageTradeDuration([])).toBeNaN();
    expect(profitFactor([t(10), t(5)])).toBe(Infinity);
    expect(profitFactor([t(0), t(0)])).toBeNaN();
    expect(profitFactor([t(-10)])).toBe(0);
    expect(winRate([t(0)])).toBe(0);
  });

  it('recovery factor', () => {
    expect(recoveryFactor(500, 250)).toBe(2);
    expect(recoveryFactor(500, -250)).toBe(2);
    expect(recoveryFactor(-100, 200)).toBe(-0.5);
    expect(recoveryFactor(100, 0)).toBe(Infinity);
    expect(recoveryFactor(-100, 0)).toBe(-Infinity);
    expect(recoveryFactor(0, 0)).toBeNaN();
  });
});
