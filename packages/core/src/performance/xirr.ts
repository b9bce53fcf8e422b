// Money-weighted return: XIRR of dated cash flows plus a terminal value, Actual/365.
//
// Floats, not Decimals: a rate of return is a metric, not money; nothing here is booked. The
// solver works in x = ln(1 + rate), where the NPV is a sum of exponentials, defined for every
// real x (rate > −100% by construction), and can be scaled so it never overflows.
//
// Conventions:
// - Sign: the INVESTOR's cash, as in Excel's XIRR: money paid in (deposits, transfers in) is
//   negative, money taken out (withdrawals, transfers out) is positive, and the terminal value
//   counts as money taken out on its date. (A TWR chain's `flow` is the portfolio's view:
//   amount = −flow.)
// - Day count Actual/365 (Excel's XIRR): t = (days since the earliest flow) / 365, leap days
//   included in the count, and NPV(rate) = Σ amount · (1 + rate)^(−t).
// - Flows on the same date are netted first; zero amounts carry no information and are dropped.
// - The rate is e^x − 1 (Math.expm1), exact to rounding; below x ≈ −37 that rounds to exactly
//   −1 (−100%: e.g. −1, −1, +1 on three consecutive days solves at 1 + rate = φ^−365), and near
//   −1 generally 1 + rate keeps few digits; the result carries x itself as `logRate`.
// - When flows change sign more than once, several rates can zero the NPV: the one found first
//   walking outward from 0% is returned (in practice the one nearest 0%). A pair of roots very
//   close together between two extrema of the NPV may be missed (then 'no-root'): with many
//   sign changes the equation itself is ill-posed, and no XIRR is the honest answer.
// - No answer is ever invented: the result is `{ ok: false, rate: undefined, reason, detail }`
//   without both a negative and a positive amount once each date is netted (so also when every
//   flow is on one date), when the rate is too large for a double (|ln(1 + rate)| > 709, while
//   doubling in one day is only 365 · ln 2 ≈ 253), or when no rate zeroes the NPV. Every loop
//   of the solver has a fixed bound, so it always ends.
import * as z from 'zod/mini';
import { IsoDateSchema, toDayNumber } from './dates.js';

export interface CashFlow {
  /** 'YYYY-MM-DD'. */
  date: string;
  /** Investor's view: paid in −, taken out +. */
  amount: number;
}

export interface XirrInput {
  flows: readonly CashFlow[];
  /** The holding's value on a date, counted as if taken out then (optional for a closed position). */
  terminal?: { date: string; value: number };
}

export type XirrFailure = 'no-sign-change' | 'out-of-range' | 'no-root';

export type XirrResult =
  | {
      ok: true;
      /** Annual rate, 0.1 = 10% (Actual/365, annually compounded). */
      rate: number;
      /**
       * ln(1 + rate), the continuously compounded annual rate: what the solver finds. Precise
       * where `rate` is not: near −100%, 1 + rate keeps only a few digits of a double.
       */
      logRate: number;
      /** NPV evaluations after bracketing (0 when a grid point was the root). */
      iterations: number;
    }
  | { ok: false; rate: undefined; reason: XirrFailure; detail: string };

export const CashFlowSchema = z.strictObject({ date: IsoDateSchema, amount: z.number() });

export const XirrInputSchema = z.strictObject({
  flows: z.array(CashFlowSchema),
  terminal: z.optional(z.strictObject({ date: IsoDateSchema, value: z.number() })),
});

/** Actual/365: year fraction between two day numbers. */
const DAYS_PER_YEAR = 365;
/** |x| beyond which e^x − 1 overflows a double: the solver's search range in x = ln(1 + rate). */
const X_LIMIT = 709;
const MAX_ITERATIONS = 300;

interface Terms {
  /** Year fractions, ascending, the first 0. */
  t: number[];
  amount: number[];
}

function netTerms(input: XirrInput): Terms {
  const byDay = new Map<number, number>();
  const add = (date: string, amount: number) => {
    const day = toDayNumber(date);
    byDay.set(day, (byDay.get(day) ?? 0) + amount);
  };
  for (const flow of input.flows) add(flow.date, flow.amount);
  if (input.terminal) add(input.terminal.date, input.terminal.value);
  const days = [...byDay.entries()].filter(([, amount]) => amount !== 0).sort(([a], [b]) => a - b);
  const first = days.length > 0 ? days[0][0] : 0;
  return { t: days.map(([day]) => (day - first) / DAYS_PER_YEAR), amount: days.map(([, amount]) => amount) };
}

/**
 * NPV at x = ln(1 + rate) and its derivative in x, both multiplied by the same positive factor
 * e^(−M) with M the largest exponent, so no term overflows; signs and the ratio g/dg (the
 * Newton step) are those of the true NPV.
 */
function scaledNpv({ t, amount }: Terms, x: number): { g: number; dg: number } {
  const tMax = t[t.length - 1];
  const m = x >= 0 ? 0 : -x * tMax; // max over i of −t_i·x, with t_0 = 0
  let g = 0;
  let dg = 0;
  for (let i = 0; i < t.length; i++) {
    const term = amount[i] * Math.exp(-t[i] * x - m);
    g += term;
    dg -= t[i] * term;
  }
  return { g, dg };
}

/** The true NPV at `rate` (unscaled), for callers and tests: Σ amount · (1 + rate)^(−t). */
export function xnpv(rate: number, input: XirrInput): number {
  const terms = netTerms(XirrInputSchema.parse(input));
  let npv = 0;
  for (let i = 0; i < terms.t.length; i++) npv += terms.amount[i] * Math.pow(1 + rate, -terms.t[i]);
  return npv;
}

/**
 * Search points in x, ordered outward from 0 and alternating sides: 0, ±0.01, ±0.0125, … growing
 * by 25% a step up to ±709 (about 100 points). Positive side first at each step.
 */
function gridOutward(): number[] {
  const steps: number[] = [];
  for (let step = 0.01; step < X_LIMIT; step *= 1.25) steps.push(step);
  steps.push(X_LIMIT);
  return [0, ...steps.flatMap((step) => [step, -step])];
}
const GRID = gridOutward();

const sign = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);

/**
 * Safeguarded Newton inside a bracket [lo, hi] whose ends have NPVs of opposite sign
 * (Numerical Recipes' rtsafe): a Newton step is taken when it stays inside the bracket and at
 * least halves the step before it, a bisection otherwise; the bracket shrinks every iteration.
 */
function solveBracketed(terms: Terms, lo: number, hi: number): { x: number; iterations: number } {
  let a = lo;
  let b = hi;
  const signA = sign(scaledNpv(terms, a).g);
  let x = (a + b) / 2;
  let previousStep = b - a;
  for (let iterations = 1; iterations <= MAX_ITERATIONS; iterations++) {
    const { g, dg } = scaledNpv(terms, x);
    if (g === 0) return { x, iterations };
    if (sign(g) === signA) a = x;
    else b = x;
    const newton = x - g / dg;
    const step =
      Number.isFinite(newton) && newton > a && newton < b && Math.abs(newton - x) < Math.abs(previousStep) / 2
        ? newton - x
        : (a + b) / 2 - x;
    previousStep = step;
    x += step;
    const tolerance = 1e-15 * Math.max(1, Math.abs(x));
    if (Math.abs(step) <= tolerance || b - a <= tolerance) return { x, iterations };
  }
  return { x, iterations: MAX_ITERATIONS };
}

/**
 * Walks the grid outward from 0 and solves in the first interval that holds a root: either the
 * NPV changes sign across it, or the NPV's slope does and the NPV at that extremum has the
 * other sign (two roots close together, bracketed on each side of the extremum; the one nearer
 * 0 is taken). Flows that change sign many times can still hide a pair of roots between two
 * extrema inside one interval; `newtonFallback` is the last try.
 */
function searchGrid(terms: Terms): { x: number; iterations: number } | undefined {
  const at = GRID.map((x) => scaledNpv(terms, x));
  if (sign(at[0].g) === 0) return { x: 0, iterations: 0 };
  // Intervals between neighbouring grid points on one side, nearest 0 first:
  // [0, 0.01], [−0.01, 0], [0.01, 0.0125], [−0.0125, −0.01], … (GRID[j − 2] is j's inner neighbour).
  for (let j = 1; j < GRID.length; j++) {
    const inner = j <= 2 ? 0 : j - 2;
    const [xInner, xOuter] = [GRID[inner], GRID[j]];
    const [gInner, gOuter] = [sign(at[inner].g), sign(at[j].g)];
    if (gOuter === 0) return { x: xOuter, iterations: 0 };
    if (gInner !== gOuter) return solveBracketed(terms, Math.min(xInner, xOuter), Math.max(xInner, xOuter));
    if (sign(at[inner].dg) !== sign(at[j].dg)) {
      const extremum = bisectSlope(terms, xInner, xOuter);
      const gExtremum = sign(scaledNpv(terms, extremum).g);
      if (gExtremum === 0) return { x: extremum, iterations: 0 };
      if (gExtremum !== gInner) {
        return solveBracketed(terms, Math.min(xInner, extremum), Math.max(xInner, extremum));
      }
    }
  }
  return undefined;
}

/** A zero of the NPV's slope between `from` and `to` (whose slopes differ in sign), by bisection. */
function bisectSlope(terms: Terms, from: number, to: number): number {
  let a = from;
  let b = to;
  const signA = sign(scaledNpv(terms, a).dg);
  for (let i = 0; i < 100 && Math.abs(b - a) > 1e-15 * Math.max(1, Math.abs(a)); i++) {
    const mid = (a + b) / 2;
    if (sign(scaledNpv(terms, mid).dg) === signA) a = mid;
    else b = mid;
  }
  return (a + b) / 2;
}

/** Unbracketed Newton from 10%, for a pair of roots the grid steps over (see `xirr`). */
function newtonFallback(terms: Terms): { x: number; iterations: number } | undefined {
  let x = Math.log1p(0.1);
  for (let iterations = 1; iterations <= 100; iterations++) {
    const { g, dg } = scaledNpv(terms, x);
    const step = -g / dg;
    if (!Number.isFinite(step)) return undefined;
    x += step;
    if (Math.abs(x) > X_LIMIT) return undefined;
    if (Math.abs(step) <= 1e-14 * Math.max(1, Math.abs(x))) return { x, iterations };
  }
  return undefined;
}

/** Whether the NPV at x is zero to rounding: small against the sum of the discounted |amounts|. */
function isRoot({ t, amount }: Terms, x: number): boolean {
  const m = x >= 0 ? 0 : -x * t[t.length - 1];
  let npv = 0;
  let magnitude = 0;
  for (let i = 0; i < t.length; i++) {
    const term = amount[i] * Math.exp(-t[i] * x - m);
    npv += term;
    magnitude += Math.abs(term);
  }
  return Math.abs(npv) <= 1e-9 * magnitude;
}

/**
 * The annual rate (0.1 = 10%) at which the flows' NPV is zero. Throws a ZodError on malformed
 * input (bad dates, non-finite amounts); every other case is a result, see `XirrResult`.
 */
export function xirr(input: XirrInput): XirrResult {
  const terms = netTerms(XirrInputSchema.parse(input));
  const fail = (reason: XirrFailure, detail: string): XirrResult => ({ ok: false, rate: undefined, reason, detail });
  // Netted per date first, so flows all on one date are one amount and fail here too.
  if (!terms.amount.some((a) => a > 0) || !terms.amount.some((a) => a < 0)) {
    return fail(
      'no-sign-change',
      'after netting each date, the flows need at least one amount paid in (−) and one taken out (+)',
    );
  }
  const found = searchGrid(terms);
  if (found) return { ok: true, rate: Math.expm1(found.x), logRate: found.x, iterations: found.iterations };
  // As x → +∞ the NPV tends to the earliest amount, as x → −∞ it is ruled by the latest one: a
  // sign that differs from those limits at ±X_LIMIT means a root beyond what a double can hold.
  const last = terms.amount.length - 1;
  if (
    sign(scaledNpv(terms, X_LIMIT).g) !== sign(terms.amount[0]) ||
    sign(scaledNpv(terms, -X_LIMIT).g) !== sign(terms.amount[last])
  ) {
    return fail('out-of-range', `the rate is beyond a double: |ln(1 + rate)| > ${X_LIMIT}`);
  }
  const fallback = newtonFallback(terms);
  if (fallback && isRoot(terms, fallback.x)) {
    return { ok: true, rate: Math.expm1(fallback.x), logRate: fallback.x, iterations: fallback.iterations };
  }
  return fail('no-root', 'no rate above −100% makes the NPV zero (the flows change sign more than once)');
}
