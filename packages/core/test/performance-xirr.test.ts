import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import {
  timeWeightedReturn,
  xirr,
  xnpv,
  type CashFlow,
  type XirrInput,
  type XirrResult,
} from '../src/performance/index.js';
import { addDays } from '../src/performance/dates.js';

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

function rateOf(result: XirrResult): number {
  if (!result.ok) throw new Error(`expected a rate, got ${result.reason}: ${result.detail}`);
  return result.rate;
}

describe('xirr: hand-computed', () => {
  it('one year of 365 days: −1000 then 1100 is 10%', () => {
    // 2025-01-01 → 2026-01-01 = 365 days, t = 365/365 = 1; 1100/1000 = (1 + r)^1 → r = 10%.
    const r = rateOf(
      xirr({ flows: [{ date: '2025-01-01', amount: -1000 }], terminal: { date: '2026-01-01', value: 1100 } }),
    );
    expect(r).toBeCloseTo(0.1, 12);
  });

  it('Actual/365 counts the leap day: 2024-01-01 → 2025-01-01 is 366/365 years', () => {
    // (1 + r)^(366/365) = 1.1 → r = 1.1^(365/366) − 1 = 0.0997135859…
    const r = rateOf(
      xirr({ flows: [{ date: '2024-01-01', amount: -1000 }], terminal: { date: '2025-01-01', value: 1100 } }),
    );
    expect(r).toBeCloseTo(1.1 ** (365 / 366) - 1, 12);
    expect(r).toBeCloseTo(0.0997135859, 9);
  });

  it('half a year, annualised: +5% over 182 days', () => {
    // 2025-01-01 → 2025-07-02 = 181 (Jan–Jun) + 1 = 182 days; r = 1.05^(365/182) − 1 = 0.1027955954…
    const r = rateOf(
      xirr({ flows: [{ date: '2025-01-01', amount: -1000 }], terminal: { date: '2025-07-02', value: 1050 } }),
    );
    expect(r).toBeCloseTo(0.1027955954, 9);
  });

  it('a loss: 1000 → 800 over 730 days is √0.8 − 1', () => {
    // t = 730/365 = 2; (1 + r)^2 = 0.8 → r = √0.8 − 1 = −0.1055728090…
    const r = rateOf(
      xirr({ flows: [{ date: '2025-01-01', amount: -1000 }], terminal: { date: '2027-01-01', value: 800 } }),
    );
    expect(r).toBeCloseTo(Math.sqrt(0.8) - 1, 12);
  });

  it("Excel's documented XIRR example: 0.373362535", () => {
    // Microsoft's XIRR help page: −10000 on 2008-01-01, 2750 on 2008-03-01, 4250 on 2008-10-30,
    // 3250 on 2009-02-15, 2750 on 2009-04-01 → 0.373362535 (37.34%).
    const flows: CashFlow[] = [
      { date: '2008-01-01', amount: -10000 },
      { date: '2008-03-01', amount: 2750 },
      { date: '2008-10-30', amount: 4250 },
      { date: '2009-02-15', amount: 3250 },
      { date: '2009-04-01', amount: 2750 },
    ];
    expect(rateOf(xirr({ flows }))).toBeCloseTo(0.373362535, 8);
    // The order of the input does not matter.
    expect(rateOf(xirr({ flows: [...flows].reverse() }))).toBeCloseTo(0.373362535, 8);
  });

  it('several deposits, a withdrawal and a terminal value', () => {
    // −1000 on 2025-01-01 (t 0), −1000 on 2026-01-01 (t 1), +500 on 2027-01-01 (t 2),
    // terminal 1815 on 2027-01-01 (t 2): net +2315 at t 2.
    // At r = 10%: −1000 − 1000/1.1 + 2315/1.21 = −1000 − 909.0909… + 1913.2231… = 4.1322… > 0;
    // so r is a little above 10%. Solve (with v = 1/(1 + r)): 2315 v² − 1000 v − 1000 = 0,
    // v = (1000 + √(1000² + 4·2315·1000)) / (2·2315) = (1000 + √10 260 000) / 4630 = 0.9078…,
    // r = 1/v − 1.
    const v = (1000 + Math.sqrt(1000 ** 2 + 4 * 2315 * 1000)) / (2 * 2315);
    const r = rateOf(
      xirr({
        flows: [
          { date: '2025-01-01', amount: -1000 },
          { date: '2026-01-01', amount: -1000 },
          { date: '2027-01-01', amount: 500 },
        ],
        terminal: { date: '2027-01-01', value: 1815 },
      }),
    );
    expect(r).toBeCloseTo(1 / v - 1, 12);
    expect(r).toBeGreaterThan(0.1);
  });

  it('two rates solve −100, +230, −132 (10% and 20%): the one nearest 0% is returned', () => {
    // Yearly steps of 365 days, y = 1 + r: −100 y² + 230 y − 132 = 0 → y = (230 ± 10)/200 = 1.1 or 1.2.
    const input: XirrInput = {
      flows: [
        { date: '2025-01-01', amount: -100 },
        { date: '2026-01-01', amount: 230 },
        { date: '2027-01-01', amount: -132 },
      ],
    };
    expect(rateOf(xirr(input))).toBeCloseTo(0.1, 12);
    expect(xnpv(0.2, input)).toBeCloseTo(0, 10);
  });

  it('two roots 0.5 points apart (30% and 30.5%) are not stepped over', () => {
    // −100 y² + 260.5 y − 169.65 = −100 (y − 1.3)(y − 1.305): both roots lie between two search
    // points (ln 1.3 ≈ 0.2624 and ln 1.305 ≈ 0.2662, inside [0.2274, 0.2842]), so the NPV shows
    // no sign change on the grid; its extremum between them (y = 1.3025) does, and the root
    // nearer 0, 30%, is returned. (Without that extremum check, and with Newton from 10% also
    // missing it, this input was answered 'no-root'.)
    const input: XirrInput = {
      flows: [
        { date: '2025-01-01', amount: -100 },
        { date: '2026-01-01', amount: 260.5 },
        { date: '2027-01-01', amount: -169.65 },
      ],
    };
    expect(rateOf(xirr(input))).toBeCloseTo(0.3, 12);
    expect(xnpv(0.305, input)).toBeCloseTo(0, 10);
  });

  it('no rate: −100, +250, −200 (discriminant 250² − 4·100·200 < 0) → reason no-root', () => {
    const result = xirr({
      flows: [
        { date: '2025-01-01', amount: -100 },
        { date: '2026-01-01', amount: 250 },
        { date: '2027-01-01', amount: -200 },
      ],
    });
    expect(result).toMatchObject({ ok: false, rate: undefined, reason: 'no-root' });
  });

  it('no sign change → reason no-sign-change, never a number', () => {
    const cases: XirrInput[] = [
      { flows: [] },
      { flows: [{ date: '2025-01-01', amount: -100 }] },
      { flows: [{ date: '2025-01-01', amount: -100 }], terminal: { date: '2026-01-01', value: 0 } },
      { flows: [{ date: '2025-01-01', amount: 100 }], terminal: { date: '2026-01-01', value: 50 } },
      // Netted on one date to zero: nothing left.
      {
        flows: [
          { date: '2025-01-01', amount: -100 },
          { date: '2025-01-01', amount: 100 },
        ],
      },
    ];
    for (const input of cases) {
      expect(xirr(input)).toMatchObject({ ok: false, rate: undefined, reason: 'no-sign-change' });
    }
  });

  it('every flow on one date nets to one amount → reason no-sign-change (no rate changes its value)', () => {
    const result = xirr({
      flows: [{ date: '2025-01-01', amount: -100 }],
      terminal: { date: '2025-01-01', value: 110 },
    });
    expect(result).toMatchObject({ ok: false, rate: undefined, reason: 'no-sign-change' });
  });

  it('same-date flows are netted: −600 and −400 on one day is −1000', () => {
    const r = rateOf(
      xirr({
        flows: [
          { date: '2025-01-01', amount: -600 },
          { date: '2025-01-01', amount: -400 },
        ],
        terminal: { date: '2026-01-01', value: 1100 },
      }),
    );
    expect(r).toBeCloseTo(0.1, 12);
  });

  it('extreme but representable: doubling in one day is 2^365 − 1; beyond a double is out-of-range', () => {
    const day = (value: number): XirrInput => ({
      flows: [{ date: '2025-01-01', amount: -1 }],
      terminal: { date: '2025-01-02', value },
    });
    expect(close(rateOf(xirr(day(2))), 2 ** 365 - 1, 1e-9)).toBe(true);
    // 100× in a day: ln(1 + r) = 365 · ln 100 ≈ 1681 > 709, so 1 + r overflows a double.
    expect(xirr(day(100))).toMatchObject({ ok: false, reason: 'out-of-range' });
    expect(xirr(day(0.01))).toMatchObject({ ok: false, reason: 'out-of-range' });
  });

  it('validates with zod: real dates, finite amounts, no extra fields', () => {
    const bad: unknown[] = [
      { flows: [{ date: '2025-02-30', amount: -1 }] },
      { flows: [{ date: '2025-01-01', amount: Number.NaN }] },
      { flows: [{ date: '2025-01-01', amount: -1, note: 'x' }] },
      { flows: [{ date: '2025-01-01', amount: '-1' }] },
      { flows: [], terminal: { date: '2025-01-01', value: Number.POSITIVE_INFINITY } },
    ];
    for (const input of bad) expect(() => xirr(input as XirrInput)).toThrow();
  });
});

// ── Properties ───────────────────────────────────────────────────────────────────────────────

/** Independent reference: plain bisection on NPV(r) = Σ a (1 + r)^(−days/365) over r ∈ [lo, hi]. */
function bisectionIrr(flows: Array<{ days: number; amount: number }>, lo = -0.99, hi = 10): number {
  const npv = (r: number) => flows.reduce((sum, f) => sum + f.amount / (1 + r) ** (f.days / 365), 0);
  let a = lo;
  let b = hi;
  const signA = Math.sign(npv(a));
  if (signA === Math.sign(npv(b))) throw new Error('reference needs a bracket');
  for (let i = 0; i < 200; i++) {
    const mid = (a + b) / 2;
    if (Math.sign(npv(mid)) === signA) a = mid;
    else b = mid;
  }
  return (a + b) / 2;
}

const toInput = (flows: Array<{ days: number; amount: number }>): XirrInput => ({
  flows: flows.map((f) => ({ date: addDays('2015-06-15', f.days), amount: f.amount })),
});

describe('xirr: properties', () => {
  it('one investment and a terminal value: rate = (end/start)^(365/days) − 1', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e7, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.integer({ min: 7, max: 40 * 365 }),
        (start, ratio, days) => {
          const r = rateOf(
            xirr({
              flows: [{ date: '2001-03-01', amount: -start }],
              terminal: { date: addDays('2001-03-01', days), value: start * ratio },
            }),
          );
          expect(close(r, ratio ** (365 / days) - 1, 1e-9)).toBe(true);
        },
      ),
    );
  });

  /** Flows over up to 10 years, amounts ±[1, 1e6], at least one of each sign. */
  const flowSetArb = fc
    .array(
      fc.record({
        days: fc.integer({ min: 0, max: 3650 }),
        amount: fc.oneof(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -1, noNaN: true })),
      }),
      { minLength: 2, maxLength: 25 },
    )
    .filter((fs) => fs.some((f) => f.amount > 0) && fs.some((f) => f.amount < 0));

  // A root provably exists when the first and last netted amounts differ in sign (the NPV tends to
  // each of them at the two ends of the rate axis): then the answer is a rate or, at worst, 'out-of-range'.
  it('NPV at the solution is ~0 over random flow sets with a sign change', () => {
    fc.assert(
      fc.property(flowSetArb, (flows) => {
        const input = toInput(flows);
        const result = xirr(input);
        // Net the way xirr does, to know the first and last dated amounts.
        const byDay = new Map<number, number>();
        for (const f of flows) byDay.set(f.days, (byDay.get(f.days) ?? 0) + f.amount);
        const net = [...byDay].filter(([, a]) => a !== 0).sort(([a], [b]) => a - b);
        const spans = net.length > 1;
        const opposite = spans && Math.sign(net[0][1]) !== Math.sign(net[net.length - 1][1]);
        if (opposite) expect(result.ok || (!result.ok && result.reason === 'out-of-range')).toBe(true);
        if (result.ok) {
          // NPV at x = logRate = ln(1 + rate), discounted to the earliest date as xirr does: the
          // terms a·e^(−t·x) stay accurate even where 1 + rate has lost its digits (rate near −1).
          const { rate, logRate } = result;
          expect(rate).toBe(Math.expm1(logRate));
          const first = net[0][0];
          const exponents = net.map(([d]) => -((d - first) / 365) * logRate);
          const top = Math.max(...exponents); // a common factor e^−top keeps every term finite
          const terms = net.map(([, a], i) => a * Math.exp(exponents[i] - top));
          const magnitude = terms.reduce((s, t) => s + Math.abs(t), 0);
          expect(Math.abs(terms.reduce((s, t) => s + t, 0))).toBeLessThanOrEqual(1e-9 * magnitude);
          // And through the public xnpv on the rate itself where 1 + rate is well conditioned.
          if (rate > -0.5 && rate < 1e6) {
            const scale = net.reduce((s, [d, a]) => s + Math.abs(a) * (1 + rate) ** (-(d - first) / 365), 0);
            expect(Math.abs(xnpv(rate, input))).toBeLessThanOrEqual(1e-8 * scale);
          }
        } else {
          expect(result.rate).toBeUndefined();
          expect(['no-sign-change', 'no-root', 'out-of-range']).toContain(result.reason);
        }
      }),
    );
  });

  it('agrees with a plain bisection on NPV over conventional flow sets (pay in first, take out later)', () => {
    // Deposits in the first 30 days, withdrawals and the terminal value at least 370 days later,
    // taking out 0.2×–5× what went in: exactly one root, inside the reference's [−99%, +1000%].
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ days: fc.integer({ min: 0, max: 30 }), amount: fc.double({ min: 1, max: 1e6, noNaN: true }) }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.array(
          fc.record({
            days: fc.integer({ min: 400, max: 5000 }),
            weight: fc.double({ min: 0.01, max: 1, noNaN: true }),
          }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        (deposits, withdrawals, multiple) => {
          const paidIn = deposits.reduce((s, d) => s + d.amount, 0);
          const totalWeight = withdrawals.reduce((s, w) => s + w.weight, 0);
          const flows = [
            ...deposits.map((d) => ({ days: d.days, amount: -d.amount })),
            ...withdrawals.map((w) => ({ days: w.days, amount: (paidIn * multiple * w.weight) / totalWeight })),
          ];
          const r = rateOf(xirr(toInput(flows)));
          expect(Math.abs(r - bisectionIrr(flows))).toBeLessThanOrEqual(1e-9);
        },
      ),
    );
  });

  it('is unchanged when every amount is scaled by the same positive factor', () => {
    fc.assert(
      fc.property(flowSetArb, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (flows, k) => {
        const a = xirr(toInput(flows));
        const b = xirr(toInput(flows.map((f) => ({ ...f, amount: f.amount * k }))));
        expect(b.ok).toBe(a.ok);
        if (a.ok && b.ok) expect(close(a.rate, b.rate, 1e-8)).toBe(true);
      }),
    );
  });

  it('without intermediate flows it is the TWR annualised: (1 + TWR)^(365/days) − 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        (growth, start) => {
          const rows = [{ date: '2022-01-03', value: start, flow: 0 }];
          for (const g of growth) {
            rows.push({
              date: addDays(rows[rows.length - 1].date, 7),
              value: rows[rows.length - 1].value * g,
              flow: 0,
            });
          }
          const last = rows[rows.length - 1];
          const { twr } = timeWeightedReturn(rows);
          const days = 7 * growth.length;
          const r = xirr({
            flows: [{ date: rows[0].date, amount: -start }],
            terminal: { date: last.date, value: last.value },
          });
          if (!r.ok) {
            // A multiple of 2^60 over 60 weeks would fit; only a degenerate terminal of 0 would not.
            throw new Error(r.detail);
          }
          expect(close(r.rate, (1 + twr) ** (365 / days) - 1, 1e-8)).toBe(true);
        },
      ),
    );
  });
});
