import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import {
  dayReturn,
  periodChain,
  periodStart,
  periodTwr,
  timeWeightedReturn,
  type PerformancePeriod,
  type ValuationDay,
} from '../src/performance/index.js';
import { addDays } from '../src/performance/dates.js';

/** |a − b| within `tol`, relative to the larger magnitude once it exceeds 1. */
const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

const chain = (start: string, rows: Array<[value: number, flow: number]>): ValuationDay[] =>
  rows.map(([value, flow], i) => ({ date: addDays(start, i), value, flow }));

describe('timeWeightedReturn: hand-computed chains', () => {
  it('no flows: the product of daily returns, which telescopes to end/start − 1', () => {
    // 100 → 110: r1 = 110/100 − 1 = +10%; 110 → 99: r2 = 99/110 − 1 = −10%.
    // TWR = 1.1 × 0.9 − 1 = −0.01 = 99/100 − 1.
    const { twr, series } = timeWeightedReturn(
      chain('2025-03-03', [
        [100, 0],
        [110, 0],
        [99, 0],
      ]),
    );
    expect(twr).toBeCloseTo(-0.01, 14);
    expect(series.map((p) => p.cumulativeReturn)).toEqual([0, expect.closeTo(0.1, 14), expect.closeTo(-0.01, 14)]);
    expect(series.map((p) => [p.date, p.value])).toEqual([
      ['2025-03-03', 100],
      ['2025-03-04', 110],
      ['2025-03-05', 99],
    ]);
  });

  it('flows at the start of the day: the day is measured on value after the flow', () => {
    // Day 1: opening valuation 100 (no flow, nothing before it): r = 0.
    // Day 2: deposit 100 at the start, 220 at the close: r = 220 / (100 + 100) − 1 = +10%.
    // Day 3: withdraw 100 at the start, 110 at the close: r = 110 / (220 − 100) − 1 = −1/12.
    // TWR = 1.1 × 11/12 − 1 = 12.1/12 − 1 = 1/120 ≈ 0.008333.
    // (Value went 100 → 110 with net flow 0, yet TWR is not 10%: the +10% day had twice the capital.)
    const { twr, series } = timeWeightedReturn(
      chain('2025-03-03', [
        [100, 0],
        [220, 100],
        [110, -100],
      ]),
    );
    expect(twr).toBeCloseTo(1 / 120, 14);
    expect(series[1].cumulativeReturn).toBeCloseTo(0.1, 14);
  });

  it('a chain that starts at zero waits for its first flow', () => {
    // Days 1–2: value 0, no flow: nothing at risk, r = 0.
    // Day 3: deposit 1000, close 1010: r = 1010 / (0 + 1000) − 1 = +1%.
    // Day 4: deposit 1000, close 2121: r = 2121 / (1010 + 1000) − 1 = 2121/2010 − 1 ≈ 5.52239%.
    // TWR = 1.01 × 2121/2010 − 1 = 0.0657761194…
    const { twr, series } = timeWeightedReturn(
      chain('2025-01-01', [
        [0, 0],
        [0, 0],
        [1010, 1000],
        [2121, 1000],
      ]),
    );
    expect(series.map((p) => p.cumulativeReturn)).toEqual([0, 0, expect.closeTo(0.01, 14), expect.closeTo(twr, 14)]);
    expect(twr).toBeCloseTo((1.01 * 2121) / 2010 - 1, 14);
  });

  it('the first row is a funding day when it carries a flow (the value before the chain is 0)', () => {
    // Deposit 1000 at the start of the first day, close 1010: r = 1010/1000 − 1 = +1%.
    expect(timeWeightedReturn(chain('2025-01-01', [[1010, 1000]])).twr).toBeCloseTo(0.01, 14);
    // Without a flow the first row is the opening valuation: r = 0.
    expect(timeWeightedReturn(chain('2025-01-01', [[1010, 0]])).twr).toBe(0);
  });

  it('an outflow of everything or more is taken at the end of its day', () => {
    // 100, then withdraw 105 and close at 0: the 5 was earned during the day.
    // Start-of-day capital would be 100 − 105 < 0, so: r = (0 − (−105)) / 100 − 1 = +5%.
    expect(
      timeWeightedReturn(
        chain('2025-01-01', [
          [100, 0],
          [0, -105],
        ]),
      ).twr,
    ).toBeCloseTo(0.05, 14);
    // A plain full withdrawal is 0% either way: (0 + 100)/100 − 1 = 0.
    // Then the account sits empty (0%), and a re-deposit of 50 closing at 55 earns 55/50 − 1 = +10%.
    const { twr } = timeWeightedReturn(
      chain('2025-01-01', [
        [100, 0],
        [0, -100],
        [0, 0],
        [55, 50],
      ]),
    );
    expect(twr).toBeCloseTo(0.1, 14);
  });

  it('a total loss stays −100%: later deposits cannot undo a chained factor of 0', () => {
    // 100 → 0: r = −100%; deposit 100 → 150: r = +50%; TWR = 0 × 1.5 − 1 = −1.
    expect(
      timeWeightedReturn(
        chain('2025-01-01', [
          [100, 0],
          [0, 0],
          [150, 100],
        ]),
      ).twr,
    ).toBe(-1);
  });

  it('gaps between rows are fine: a row covers the span since the previous one', () => {
    // Friday 100, Monday 103 (the weekend has no rows): r = +3%.
    const rows = [
      { date: '2025-03-07', value: 100, flow: 0 },
      { date: '2025-03-10', value: 103, flow: 0 },
    ];
    expect(timeWeightedReturn(rows).twr).toBeCloseTo(0.03, 14);
  });

  it('an empty chain has no return (0) and no series', () => {
    expect(timeWeightedReturn([])).toEqual({ twr: 0, series: [] });
  });

  it('refuses an outflow from nothing, naming the day', () => {
    expect(() =>
      timeWeightedReturn(
        chain('2025-01-01', [
          [0, 0],
          [0, -5],
        ]),
      ),
    ).toThrow(/2025-01-02.*outflow/);
  });

  it('validates the chain with zod: finite numbers, value ≥ 0, real ascending dates, no extra fields', () => {
    const ok = { date: '2025-01-01', value: 1, flow: 0 };
    const bad: unknown[] = [
      [{ ...ok, value: -1 }],
      [{ ...ok, value: Number.NaN }],
      [{ ...ok, flow: Number.POSITIVE_INFINITY }],
      [{ ...ok, date: '2025-02-29' }],
      [{ ...ok, date: '2025-1-01' }],
      [{ ...ok, extra: 1 }],
      [ok, ok],
      [{ ...ok, date: '2025-01-02' }, ok],
      [{ ...ok, value: '1' }],
    ];
    for (const rows of bad) expect(() => timeWeightedReturn(rows as ValuationDay[])).toThrow();
  });

  it('dayReturn is the rule the chain applies', () => {
    expect(dayReturn(100, 100, 220)).toBeCloseTo(0.1, 15);
    expect(dayReturn(0, 0, 50)).toBe(0);
    expect(dayReturn(100, -105, 0)).toBeCloseTo(0.05, 15);
  });
});

describe('periodStart', () => {
  // 2026-12-01 is a Tuesday; 2026-11-29 a Sunday; 2027-01-01 a Friday; 2024-02-29 a Thursday.
  const table: Array<[string, Record<PerformancePeriod, string | null>]> = [
    [
      '2026-12-01',
      {
        '1D': '2026-12-01',
        WTD: '2026-11-30',
        MTD: '2026-12-01',
        YTD: '2026-01-01',
        '1Y': '2025-12-02',
        '5Y': '2021-12-02',
        MAX: null,
      },
    ],
    [
      '2026-11-29',
      {
        '1D': '2026-11-29',
        WTD: '2026-11-23',
        MTD: '2026-11-01',
        YTD: '2026-01-01',
        '1Y': '2025-11-30',
        '5Y': '2021-11-30',
        MAX: null,
      },
    ],
    [
      '2027-01-01',
      {
        '1D': '2027-01-01',
        WTD: '2026-12-28',
        MTD: '2027-01-01',
        YTD: '2027-01-01',
        '1Y': '2026-01-02',
        '5Y': '2022-01-02',
        MAX: null,
      },
    ],
    // 29 February: one year back is 2023-02-28 (clamped), so the period starts on 2023-03-01.
    [
      '2024-02-29',
      {
        '1D': '2024-02-29',
        WTD: '2024-02-26',
        MTD: '2024-02-01',
        YTD: '2024-01-01',
        '1Y': '2023-03-01',
        '5Y': '2019-03-01',
        MAX: null,
      },
    ],
    // Monday: WTD is the day itself. One year after a leap day's year: 2025-03-01 − 1y = 2024-03-01.
    [
      '2025-03-03',
      {
        '1D': '2025-03-03',
        WTD: '2025-03-03',
        MTD: '2025-03-01',
        YTD: '2025-01-01',
        '1Y': '2024-03-04',
        '5Y': '2020-03-04',
        MAX: null,
      },
    ],
  ];
  it.each(table)('as of %s', (asOf, expected) => {
    for (const [period, start] of Object.entries(expected)) {
      expect(periodStart(period as PerformancePeriod, asOf), period).toBe(start);
    }
  });

  it('refuses an unknown period or a date that is not YYYY-MM-DD', () => {
    expect(() => periodStart('3M' as PerformancePeriod, '2026-12-01')).toThrow();
    expect(() => periodStart('YTD', '2026-13-01')).toThrow();
    expect(() => periodStart('YTD', '2026-12-01T00:00:00Z')).toThrow();
  });

  it('WTD always starts on a Monday at most 6 days back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), (n) => {
        const asOf = addDays('1990-01-01', n); // 1990-01-01 was a Monday
        const start = periodStart('WTD', asOf) as string;
        expect(start).toBe(addDays(asOf, -(n % 7)));
      }),
    );
  });
});

describe('periodChain / periodTwr', () => {
  const rows: ValuationDay[] = [
    { date: '2026-10-30', value: 1000, flow: 0 },
    { date: '2026-11-27', value: 1100, flow: 500 }, // flow in November: not part of December
    { date: '2026-11-30', value: 1210, flow: 0 },
    { date: '2026-12-01', value: 1452, flow: 0 },
    { date: '2026-12-02', value: 2000, flow: 500 },
    { date: '2026-12-03', value: 9999, flow: 0 }, // after asOf: ignored
  ];

  it('MTD: the last row before the 1st becomes the flow-free base; rows after asOf are dropped', () => {
    const part = periodChain(rows, 'MTD', '2026-12-02');
    expect(part).toEqual([
      { date: '2026-11-30', value: 1210, flow: 0 },
      { date: '2026-12-01', value: 1452, flow: 0 },
      { date: '2026-12-02', value: 2000, flow: 500 },
    ]);
    // 12-01: 1452/1210 − 1 = +20%; 12-02: 2000/(1452 + 500) − 1 = 2000/1952 − 1 ≈ +2.459%.
    // MTD = 1.2 × 2000/1952 − 1 = 0.2295081967…
    expect(periodTwr(rows, 'MTD', '2026-12-02').twr).toBeCloseTo((1.2 * 2000) / 1952 - 1, 14);
    // 1D on 12-02: base 12-01 (1452): 2000/1952 − 1.
    expect(periodTwr(rows, '1D', '2026-12-02').twr).toBeCloseTo(2000 / 1952 - 1, 14);
  });

  it('an account opened inside the period starts at its first row (its flow counts)', () => {
    const opened: ValuationDay[] = [
      { date: '2026-12-01', value: 1010, flow: 1000 },
      { date: '2026-12-02', value: 1111, flow: 0 },
    ];
    // 1010/1000 × 1111/1010 − 1 = 1111/1000 − 1 = 11.1%.
    expect(periodTwr(opened, 'YTD', '2026-12-02').twr).toBeCloseTo(0.111, 14);
    expect(periodChain(opened, 'MAX', '2026-12-02')).toEqual(opened);
  });
});

// ── Properties ───────────────────────────────────────────────────────────────────────────────

/** Per-day inputs: a return in (−50%, +50%) and a flow as a fraction of the previous value. */
const dayArb = fc.record({
  r: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
  flowFraction: fc.double({ min: -0.9, max: 3, noNaN: true }),
  gap: fc.integer({ min: 1, max: 4 }),
});

/** A chain with fixed daily returns `r` and arbitrary flows (start capital always > 0). */
function buildChain(start: number, days: Array<{ r: number; flowFraction: number; gap: number }>): ValuationDay[] {
  let date = '2020-01-06';
  const rows: ValuationDay[] = [{ date, value: start, flow: 0 }];
  for (const { r, flowFraction, gap } of days) {
    const previous = rows[rows.length - 1].value;
    const flow = flowFraction * previous;
    date = addDays(date, gap);
    rows.push({ date, value: (previous + flow) * (1 + r), flow });
  }
  return rows;
}

const startArb = fc.double({ min: 1, max: 1e7, noNaN: true });

/** Independent reference: Modified Dietz for each day with the flow weighted 1 (start of day). */
function modifiedDietzProduct(rows: readonly ValuationDay[]): number {
  let product = 1;
  for (let i = 1; i < rows.length; i++) {
    const begin = rows[i - 1].value;
    const gain = rows[i].value - begin - rows[i].flow;
    const weightedCapital = begin + 1 * rows[i].flow;
    product *= weightedCapital === 0 ? 1 : 1 + gain / weightedCapital;
  }
  return product - 1;
}

describe('timeWeightedReturn: properties', () => {
  it('is invariant to the size of flows when the daily returns are fixed: TWR = Π(1 + r) − 1', () => {
    fc.assert(
      fc.property(
        startArb,
        fc.array(dayArb, { minLength: 1, maxLength: 60 }),
        fc.array(fc.double({ min: -0.9, max: 3, noNaN: true }), { minLength: 60, maxLength: 60 }),
        (start, days, otherFlows) => {
          const expected = days.reduce((g, d) => g * (1 + d.r), 1) - 1;
          const a = timeWeightedReturn(buildChain(start, days)).twr;
          const b = timeWeightedReturn(
            buildChain(
              start * 7.5,
              days.map((d, i) => ({ ...d, flowFraction: otherFlows[i] })),
            ),
          ).twr;
          expect(close(a, expected)).toBe(true);
          expect(close(b, expected)).toBe(true);
        },
      ),
    );
  });

  it('with no flows equals end / start − 1', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 80 }),
        (values) => {
          const rows = values.map((value, i) => ({ date: addDays('2021-01-01', i), value, flow: 0 }));
          const { twr, series } = timeWeightedReturn(rows);
          expect(close(twr, values[values.length - 1] / values[0] - 1)).toBe(true);
          expect(series.at(-1)?.cumulativeReturn).toBe(twr);
        },
      ),
    );
  });

  it('chaining sub-periods equals the whole: Π(1 + TWR of each piece) = 1 + TWR of the chain', () => {
    // Cut the chain at arbitrary rows; each piece after the first starts from the previous
    // piece's last row as a flow-free base (its flow was already counted in that piece).
    fc.assert(
      fc.property(
        startArb,
        fc.array(dayArb, { minLength: 2, maxLength: 60 }),
        fc.array(fc.nat()),
        (start, days, cuts) => {
          const rows = buildChain(start, days);
          const ends = [...new Set(cuts.map((c) => 1 + (c % (rows.length - 1))))].sort((a, b) => a - b);
          let product = 1;
          let from = 0;
          for (const end of [...ends, rows.length]) {
            const piece = from === 0 ? rows.slice(0, end) : [{ ...rows[from - 1], flow: 0 }, ...rows.slice(from, end)];
            product *= 1 + timeWeightedReturn(piece).twr;
            from = end;
          }
          const { twr, series } = timeWeightedReturn(rows);
          expect(close(product, 1 + twr)).toBe(true);
          // The series says the same at every cut: 1 + cumulative(end − 1) = Π of the pieces so far.
          if (ends.length > 0) {
            const firstPiece = timeWeightedReturn(rows.slice(0, ends[0])).twr;
            expect(close(series[ends[0] - 1].cumulativeReturn, firstPiece)).toBe(true);
          }
        },
      ),
    );
  });

  it('for every period: (1 + TWR to the base day)(1 + period TWR) = 1 + TWR of the whole chain', () => {
    const periods: PerformancePeriod[] = ['1D', 'WTD', 'MTD', 'YTD', '1Y', '5Y', 'MAX'];
    fc.assert(
      fc.property(startArb, fc.array(dayArb, { minLength: 1, maxLength: 400 }), (start, days) => {
        const rows = buildChain(start, days);
        const asOf = rows[rows.length - 1].date;
        const whole = timeWeightedReturn(rows).twr;
        for (const period of periods) {
          const part = periodChain(rows, period, asOf);
          const baseDate = part[0].date;
          const before = timeWeightedReturn(rows.filter((row) => row.date <= baseDate)).twr;
          expect(close((1 + before) * (1 + periodTwr(rows, period, asOf).twr), 1 + whole), period).toBe(true);
        }
      }),
    );
  });

  it('agrees with a Modified-Dietz-per-day product computed directly', () => {
    // Leading zero rows exercise the empty start: then the first funded row is a deposit that
    // earns 2% on its day (flow = value / 1.02), which the chain must count like any other day.
    fc.assert(
      fc.property(fc.nat({ max: 3 }), startArb, fc.array(dayArb, { maxLength: 60 }), (zeros, start, days) => {
        const funded = buildChain(start, days);
        const rows = [
          ...Array.from({ length: zeros }, (_, i) => ({ date: addDays('2019-12-01', i), value: 0, flow: 0 })),
          zeros > 0 ? { ...funded[0], flow: funded[0].value / 1.02 } : funded[0],
          ...funded.slice(1),
        ];
        const reference = modifiedDietzProduct(rows);
        expect(close(timeWeightedReturn(rows).twr, reference)).toBe(true);
      }),
    );
  });
});
