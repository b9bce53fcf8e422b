// An independent check of valuationSeries + periodTwr / xirr. The reference here shares no code
// with the engine: it keeps its own holdings and cash, values them at 40 digits, and computes
// - TWR by geometric linking of the sub-periods BETWEEN flows (not day by day): a sub-period
//   opens at the start of a flow day with capital V(day before) + flow and closes at the end of
//   the day before the next flow; TWR = Π V(close) / capital − 1;
// - XIRR by plain bisection on the NPV in the rate itself, in 40-digit decimals.
import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { Decimal } from 'decimal.js';
import type { LedgerEntry } from '../src/ledger/index.js';
import { addDays, daysBetween } from '../src/performance/dates.js';
import { periodPerformance, type PerformancePeriod, type XirrResult } from '../src/performance/index.js';

const Ref = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });
type R = Decimal;
const ref = (value: string | number | R) => new Ref(value);

// ── The reference ────────────────────────────────────────────────────────────────────────────

interface ReferenceDay {
  date: string;
  /** End-of-day value, exact. */
  value: R;
  /** Net external flow of the day (deposits +, withdrawals −), exact. */
  flow: R;
}

/** TWR of days[base+1 ..], measured from the end of days[base], by linking sub-periods between flows. */
function referenceTwr(days: readonly ReferenceDay[], base: number): R {
  let growth = ref(1);
  let capital = days[base].value;
  for (let i = base + 1; i < days.length; i++) {
    if (days[i].flow.isZero()) continue;
    if (capital.gt(0)) growth = growth.times(days[i - 1].value.div(capital));
    capital = days[i - 1].value.plus(days[i].flow);
  }
  if (capital.gt(0)) growth = growth.times(days[days.length - 1].value.div(capital));
  return growth.minus(1);
}

interface ReferenceFlow {
  date: string;
  amount: R;
}

/** The investor's flows of the same period: base value paid in, flows turned, end value taken out. */
function referenceFlows(days: readonly ReferenceDay[], base: number): ReferenceFlow[] {
  const flows: ReferenceFlow[] = [{ date: days[base].date, amount: days[base].value.negated() }];
  for (let i = base + 1; i < days.length; i++) {
    if (!days[i].flow.isZero()) flows.push({ date: days[i].date, amount: days[i].flow.negated() });
  }
  const last = days[days.length - 1];
  flows.push({ date: last.date, amount: last.value });
  // Net each date, drop zeros: a zero amount has no date to discount.
  const byDate = new Map<string, R>();
  for (const flow of flows) byDate.set(flow.date, (byDate.get(flow.date) ?? ref(0)).plus(flow.amount));
  return [...byDate.entries()]
    .filter(([, amount]) => !amount.isZero())
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, amount]) => ({ date, amount }));
}

/**
 * Σ amount · (1 + rate)^(−days/365), and Σ |same|, at 40 digits. The daily discount factor
 * (1 + rate)^(−1/365) is taken once; each term is then an integer power of it.
 */
function referenceNpv(flows: readonly ReferenceFlow[], rate: R): { npv: R; magnitude: R } {
  const dailyDiscount = rate.plus(1).ln().div(-365).exp();
  let npv = ref(0);
  let magnitude = ref(0);
  for (const flow of flows) {
    const term = flow.amount.times(dailyDiscount.pow(daysBetween(flows[0].date, flow.date)));
    npv = npv.plus(term);
    magnitude = magnitude.plus(term.abs());
  }
  return { npv, magnitude };
}

const signChanges = (flows: readonly ReferenceFlow[]) =>
  flows.slice(1).filter((flow, i) => flow.amount.isNegative() !== flows[i].amount.isNegative()).length;

/**
 * The rate, by plain bisection, for flows that change sign once (paid in, then taken out): the
 * NPV is then positive near −100% (the late inflows dominate) and negative for huge rates (only
 * the first amount is left), with exactly one root between. The bracket is widened first (the
 * high end ×10, the low end halving 1 + rate), so bisection starts from a narrow interval.
 */
function referenceXirr(flows: readonly ReferenceFlow[]): R {
  const positiveAt = (rate: R) => referenceNpv(flows, rate).npv.gt(0);
  let high = ref(1);
  for (let i = 0; i < 20 && positiveAt(high); i++) high = high.times(10);
  let low = ref(0);
  for (let i = 0; i < 60 && !positiveAt(low); i++) low = low.plus(1).div(2).minus(1);
  expect([positiveAt(low), positiveAt(high)]).toEqual([true, false]);
  // Until the bracket is 1e−15 of 1 + rate: tight in ln(1 + rate), the quantity compared below.
  for (let i = 0; i < 500 && high.minus(low).gt(low.plus(1).times('1e-15')); i++) {
    const middle = low.plus(high).div(2);
    if (positiveAt(middle)) low = middle;
    else high = middle;
  }
  return low.plus(high).div(2);
}

// ── Scenarios: the reference keeps its own book while it writes the ledger ──────────────────

/** X trades in USD, Y in EUR; the base is USD and EUR moves too. */
const X = 'XUS';
const Y = 'YEU';

interface DayPlan {
  /** Basis points, each symbol and EUR/USD. */
  moves: [number, number, number];
  depositCents: number | null;
  /** Per mille of min(cash, yesterday's value) to withdraw, at most half. */
  withdrawPerMille: number | null;
  buy: { symbol: 0 | 1; perMilleOfCash: number } | null;
  sell: { symbol: 0 | 1; eighths: number } | null;
  dividendCents: number | null;
  /** Units of X received by transfer (an external flow of securities). */
  transferInUnits: number | null;
}

const dayPlanArb: fc.Arbitrary<DayPlan> = fc.record({
  moves: fc.tuple(
    fc.integer({ min: -400, max: 400 }),
    fc.integer({ min: -400, max: 400 }),
    fc.integer({ min: -80, max: 80 }),
  ),
  depositCents: fc.option(fc.integer({ min: 1, max: 500_000 }), { freq: 8 }),
  withdrawPerMille: fc.option(fc.integer({ min: 1, max: 500 }), { freq: 8 }),
  buy: fc.option(
    fc.record({ symbol: fc.constantFrom<0 | 1>(0, 1), perMilleOfCash: fc.integer({ min: 1, max: 900 }) }),
    {
      freq: 3,
    },
  ),
  sell: fc.option(fc.record({ symbol: fc.constantFrom<0 | 1>(0, 1), eighths: fc.integer({ min: 1, max: 8 }) }), {
    freq: 4,
  }),
  dividendCents: fc.option(fc.integer({ min: 1, max: 5_000 }), { freq: 10 }),
  transferInUnits: fc.option(fc.integer({ min: 1, max: 50 }), { freq: 15 }),
});

interface Scenario {
  entries: LedgerEntry[];
  /** days[0] is the day before the first entry (nothing held). */
  days: ReferenceDay[];
  unitValue: (symbol: string, date: string) => string | undefined;
}

const cents = (value: R) => value.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
const roundDown = (value: R, places: number) => value.toDecimalPlaces(places, Decimal.ROUND_DOWN);

function simulate(start: string, openingCents: number, plans: readonly DayPlan[]): Scenario {
  const entries: LedgerEntry[] = [];
  const prices = new Map<string, R>();
  const unitValues = new Map<string, R>();
  let price: [R, R] = [ref('100'), ref('50')];
  let eurUsd = ref('1.1');
  let cash = ref(0);
  const quantity: [R, R] = [ref(0), ref(0)];
  const days: ReferenceDay[] = [{ date: addDays(start, -1), value: ref(0), flow: ref(0) }];
  const push = (fields: Omit<LedgerEntry, 'entryId'>) =>
    entries.push({ entryId: `r${String(entries.length).padStart(5, '0')}`, ...fields });
  plans.forEach((plan, index) => {
    const date = addDays(start, index);
    price = [
      price[0].times(ref(plan.moves[0]).div(10_000).plus(1)).toDecimalPlaces(4),
      price[1].times(ref(plan.moves[1]).div(10_000).plus(1)).toDecimalPlaces(4),
    ];
    eurUsd = eurUsd.times(ref(plan.moves[2]).div(10_000).plus(1)).toDecimalPlaces(4);
    const fx = [ref(1), eurUsd];
    const unit = [price[0], price[1].times(eurUsd)];
    [X, Y].forEach((symbol, s) => {
      prices.set(`${symbol}@${date}`, price[s]);
      unitValues.set(`${symbol}@${date}`, unit[s]);
    });
    const currencyOf = (s: number) => (s === 0 ? { currency: 'USD' } : { currency: 'EUR', fxRate: eurUsd.toFixed() });
    const previousValue = days[days.length - 1].value;
    let flow = ref(0);
    const deposit = index === 0 ? openingCents : plan.depositCents;
    if (deposit !== null) {
      const amount = ref(deposit).div(100);
      push({ type: 'DEPOSIT', tradeDate: date, amount: amount.toFixed(), currency: 'USD' });
      cash = cash.plus(amount);
      flow = flow.plus(amount);
    }
    if (plan.withdrawPerMille !== null && index > 0) {
      // At most half of yesterday's value, so every sub-period starts with positive capital.
      const amount = roundDown(Decimal.min(cash, previousValue).times(plan.withdrawPerMille).div(1000), 2);
      if (amount.gt(0)) {
        push({ type: 'WITHDRAWAL', tradeDate: date, amount: amount.toFixed(), currency: 'USD' });
        cash = cash.minus(amount);
        flow = flow.minus(amount);
      }
    }
    if (plan.transferInUnits !== null) {
      push({
        type: 'TRANSFER_IN',
        tradeDate: date,
        symbol: X,
        quantity: String(plan.transferInUnits),
        price: price[0].toFixed(),
        currency: 'USD',
      });
      quantity[0] = quantity[0].plus(plan.transferInUnits);
      flow = flow.plus(price[0].times(plan.transferInUnits));
    }
    if (plan.buy) {
      const s = plan.buy.symbol;
      const fee = ref('1');
      const budget = cash.times(plan.buy.perMilleOfCash).div(1000);
      const units = roundDown(budget.div(unit[s].times('1.01')), 3);
      const debit = cents(units.times(price[s]).plus(fee).times(fx[s]));
      if (units.gt(0) && debit.lte(cash)) {
        push({
          type: 'BUY',
          tradeDate: date,
          symbol: [X, Y][s],
          quantity: units.toFixed(),
          price: price[s].toFixed(),
          fee: '1',
          ...currencyOf(s),
        });
        quantity[s] = quantity[s].plus(units);
        cash = cash.minus(debit);
      }
    }
    if (plan.sell) {
      const s = plan.sell.symbol;
      const units = roundDown(quantity[s].times(plan.sell.eighths).div(8), 3);
      if (units.gt(0)) {
        push({
          type: 'SELL',
          tradeDate: date,
          symbol: [X, Y][s],
          quantity: units.toFixed(),
          price: price[s].toFixed(),
          fee: '0.5',
          ...currencyOf(s),
        });
        quantity[s] = quantity[s].minus(units);
        cash = cash.plus(cents(units.times(price[s]).minus('0.5').times(fx[s])));
      }
    }
    if (plan.dividendCents !== null && quantity[0].gt(0)) {
      const amount = ref(plan.dividendCents).div(100);
      push({ type: 'DIVIDEND', tradeDate: date, symbol: X, amount: amount.toFixed(), currency: 'USD' });
      cash = cash.plus(amount);
    }
    const value = cash.plus(quantity[0].times(unit[0])).plus(quantity[1].times(unit[1]));
    days.push({ date, value, flow });
  });
  return {
    entries,
    days,
    unitValue: (symbol, date) => unitValues.get(`${symbol}@${date}`)?.toFixed(),
  };
}

const scenarioArb = fc
  .record({
    start: fc.constantFrom('2024-01-10', '2024-02-20', '2025-03-25', '2025-12-15'),
    openingCents: fc.integer({ min: 100_000, max: 10_000_000 }),
    plans: fc.array(dayPlanArb, { minLength: 40, maxLength: 120 }),
  })
  .map(({ start, openingCents, plans }) => simulate(start, openingCents, plans));

// ── Agreement ────────────────────────────────────────────────────────────────────────────────

function rateOf(result: XirrResult): { rate: number; logRate: number } {
  if (!result.ok) throw new Error(`expected a rate, got ${result.reason}: ${result.detail}`);
  return result;
}

/**
 * Engine and reference value the same exact figures (both book cash to the cent by the same
 * ledger rules), so the TWRs differ only by the engine's floats: each value becomes a double
 * (relative error ≤ 2^−53 ≈ 1.1e−16) and ≤ 121 daily ratios are multiplied, so the growth factor
 * is off by at most ~3 · 121 · 1.1e−16 ≈ 4e−14 relative. 1e−12 leaves a margin of 25.
 */
const TWR_TOLERANCE = 1e-12;
/**
 * The engine's root in x = ln(1 + rate) is off by about (rounding of its double NPV) / |NPV′(x)|:
 * ≤ ~1e−13 for these flows (≤ ~40 amounts, horizon ≥ 40 days so the NPV's slope is not tiny),
 * plus its stopping step of 1e−15. The reference is good to 1e−15 in 1 + rate. 1e−9 in x (a
 * relative 1e−9 in 1 + rate) is far above both and far below any difference that matters.
 */
const LOG_RATE_TOLERANCE = 1e-9;

function checkPeriod(scenario: Scenario, period: PerformancePeriod): void {
  const asOf = scenario.days[scenario.days.length - 1].date;
  const engine = periodPerformance({
    baseCurrency: 'USD',
    entries: scenario.entries,
    unitValue: scenario.unitValue,
    period,
    asOf,
  });
  const base = scenario.days.findIndex((day) => day.date === engine.baseDate);
  // The period opens the day before the first entry at the latest, and the reference starts there.
  const baseIndex = base === -1 ? 0 : base;
  const referenceDays = scenario.days.slice(baseIndex);
  const engineRows = engine.series.values.slice(engine.series.values.length - referenceDays.length);
  // The exact figures agree first: same value and same flow on every day the reference knows.
  referenceDays.forEach((day, i) => {
    expect([engineRows[i].date, ref(engineRows[i].value).eq(day.value), ref(engineRows[i].flow).eq(day.flow)]).toEqual([
      day.date,
      true,
      true,
    ]);
  });
  expect(engine.series.unpricedDays).toEqual([]);

  const growthReference = referenceTwr(scenario.days, baseIndex).plus(1).toNumber();
  expect(Math.abs(engine.twr.twr + 1 - growthReference)).toBeLessThanOrEqual(TWR_TOLERANCE * growthReference);

  const flows = referenceFlows(scenario.days, baseIndex);
  if (signChanges(flows) === 1) {
    const { logRate } = rateOf(engine.xirr);
    const referenceLogRate = referenceXirr(flows).plus(1).ln().toNumber();
    expect(Math.abs(logRate - referenceLogRate)).toBeLessThanOrEqual(LOG_RATE_TOLERANCE);
  } else if (engine.xirr.ok) {
    // Several sign changes: the root need not be unique, but the engine's must zero the NPV.
    const { npv, magnitude } = referenceNpv(flows, ref(engine.xirr.rate));
    expect(npv.abs().lte(magnitude.times('1e-9'))).toBe(true);
  }
}

describe('valuationSeries + periodTwr / xirr agree with an independent reference', () => {
  it('MAX: since the first entry', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => checkPeriod(scenario, 'MAX')),
      { numRuns: 40 },
    );
  });

  it('MTD and WTD: from the close before the period, with a base value to pay in', () => {
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom<PerformancePeriod>('MTD', 'WTD'), (scenario, period) =>
        checkPeriod(scenario, period),
      ),
      { numRuns: 40 },
    );
  });

  it('deposits only: one sign change, so the XIRR comparison always runs', () => {
    const depositsOnly = fc
      .record({
        openingCents: fc.integer({ min: 100_000, max: 10_000_000 }),
        plans: fc.array(
          dayPlanArb.map((plan) => ({ ...plan, withdrawPerMille: null })),
          { minLength: 40, maxLength: 90 },
        ),
      })
      .map(({ openingCents, plans }) => simulate('2025-01-15', openingCents, plans));
    fc.assert(
      fc.property(depositsOnly, (scenario) => {
        expect(signChanges(referenceFlows(scenario.days, 0))).toBe(1);
        checkPeriod(scenario, 'MAX');
      }),
      { numRuns: 30 },
    );
  });
});

describe('a scripted history, by hand', () => {
  // Deposit 10000 and buy 50 ABC at 100 on 2025-01-02; ABC 110 from 03-03; a dividend of 100
  // and ABC 108 on 04-01; a withdrawal of 2100 and ABC 120 on 07-01; ABC 114 on 12-31.
  const entries: LedgerEntry[] = [
    { entryId: 's1', type: 'DEPOSIT', tradeDate: '2025-01-02', amount: '10000', currency: 'USD' },
    {
      entryId: 's2',
      type: 'BUY',
      tradeDate: '2025-01-02',
      symbol: 'ABC',
      quantity: '50',
      price: '100',
      currency: 'USD',
    },
    { entryId: 's3', type: 'DIVIDEND', tradeDate: '2025-04-01', symbol: 'ABC', amount: '100', currency: 'USD' },
    { entryId: 's4', type: 'WITHDRAWAL', tradeDate: '2025-07-01', amount: '2100', currency: 'USD' },
  ];
  const closes: Array<[string, string]> = [
    ['2025-01-02', '100'],
    ['2025-03-03', '110'],
    ['2025-04-01', '108'],
    ['2025-07-01', '120'],
    ['2025-12-31', '114'],
  ];
  const unitValue = (_symbol: string, date: string) => closes.filter(([day]) => day <= date).at(-1)?.[1];
  const result = periodPerformance({ baseCurrency: 'USD', entries, unitValue, period: 'MAX', asOf: '2025-12-31' });

  it('TWR: 1.05 × 15/14 × 29/30 − 1 = 0.0875', () => {
    // Values: 01-02 5000 + 5000 = 10000 (funding, r = 0); 03-03 5000 + 5500 = 10500 (×1.05);
    // 04-01 5100 + 5400 = 10500 (×1: the dividend is return, not flow); 07-01 after −2100 at the
    // start: 3000 + 6000 = 9000 on 10500 − 2100 = 8400 (×15/14); 12-31 3000 + 5700 = 8700
    // (×29/30). 15/14 × 29/30 = 29/28; 1.05 × 29/28 = 1.0875.
    expect(result.twr.twr).toBeCloseTo(0.0875, 13);
    const byDate = new Map(result.series.values.map((row) => [row.date, row.value]));
    expect(['2025-01-02', '2025-03-03', '2025-04-01', '2025-07-01', '2025-12-31'].map((d) => byDate.get(d))).toEqual([
      '10000',
      '10500',
      '10500',
      '9000',
      '8700',
    ]);
    // The reference, on the same figures, gives exactly 0.0875 too.
    const days: ReferenceDay[] = result.series.values.map((row) => ({
      date: row.date,
      value: ref(row.value),
      flow: ref(row.flow),
    }));
    expect(referenceTwr(days, 0).toFixed(40)).toBe(ref('0.0875').toFixed(40));
  });

  it('XIRR: −10000 on 01-02, +2100 on 07-01 (day 180), +8700 on 12-31 (day 363)', () => {
    // −10000 + 2100 (1 + r)^(−180/365) + 8700 (1 + r)^(−363/365) = 0, solved by bisection at
    // 50 digits with Python's decimal: r = 0.08976142088802571171…
    expect(rateOf(result.xirr).rate).toBeCloseTo(0.0897614208880257, 12);
    const flows = referenceFlows(
      result.series.values.map((row) => ({ date: row.date, value: ref(row.value), flow: ref(row.flow) })),
      0,
    );
    expect(flows.map((flow) => [flow.date, flow.amount.toFixed()])).toEqual([
      ['2025-01-02', '-10000'],
      ['2025-07-01', '2100'],
      ['2025-12-31', '8700'],
    ]);
    expect(referenceXirr(flows).toNumber()).toBeCloseTo(0.0897614208880257, 13);
  });

  it('MTD as of 2025-07-31: the withdrawal month, 15/14 − 1', () => {
    // Base 06-30: 5100 + 50 × 108 = 10500; 07-01: 9000 on 8400.
    const july = periodPerformance({ baseCurrency: 'USD', entries, unitValue, period: 'MTD', asOf: '2025-07-31' });
    expect(july.twr.twr).toBeCloseTo(1 / 14, 13);
  });
});
