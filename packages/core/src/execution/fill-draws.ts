// Seeded fill draws for the simulation broker: whether an order that could fill does, and
// whether it fills in part. Each call takes exactly two draws whatever happens, so an order's
// n-th update always reads the same numbers and a stored state replays the run.
import * as z from 'zod/mini';
import { Dec, money, type D, type DecimalInput } from '../money.js';
import { NonNegativeDecimalStringSchema } from '../money-schema.js';
import { nextRandom } from './prng.js';

export interface FillDrawConfig {
  /** 0..1: chance an order that could fill does fill on this update */
  fillProbability: number;
  /** 0..1: chance a fill is partial */
  partialFillProbability: number;
  /** quantity increment, default 0 = fractional; partial quantities are floored to it */
  quantityStep?: DecimalInput;
}

const probability = z.number().check(z.gte(0), z.lte(1));

/** A fill-draw config arriving as JSON (simulation settings). */
export const FillDrawConfigSchema = z.strictObject({
  fillProbability: probability,
  partialFillProbability: probability,
  quantityStep: z.optional(NonNegativeDecimalStringSchema),
});

export interface FillDraw {
  /** store this for the next draw */
  state: number;
  outcome: 'none' | 'partial' | 'full';
  /** "0" for none, the remaining quantity for full */
  quantity: D;
}

// A partial fill takes 10%..90% of what remains, on a grid of 1e-6, so the quantity carries at
// most six more decimals than the remaining one instead of a 34-digit float image.
const FRACTION_MIN = 100_000;
const FRACTION_SPAN = 800_001;
const FRACTION_SCALE = new Dec(1_000_000);

function checkProbability(name: string, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${name} must be a number in [0, 1]`);
}

/**
 * Draw whether (and how much of) `remaining` fills. The first draw decides the outcome: below
 * fillProbability × partialFillProbability a partial, below fillProbability a full fill. The
 * second gives a partial's fraction, uniform in [0.1, 0.9], of `remaining`, floored to
 * quantityStep; a partial that floors to 0 becomes none and one that reaches `remaining` full.
 * Nothing remaining: none (still two draws).
 */
export function drawFill(state: number, remaining: DecimalInput, config: FillDrawConfig): FillDraw {
  checkProbability('fillProbability', config.fillProbability);
  checkProbability('partialFillProbability', config.partialFillProbability);
  const rest = money(remaining);
  if (rest.isNegative() && !rest.isZero()) throw new RangeError('remaining must not be negative');
  const step = config.quantityStep === undefined ? new Dec(0) : money(config.quantityStep);
  if (step.isNegative() && !step.isZero()) throw new RangeError('quantityStep must not be negative');

  const first = nextRandom(state);
  const second = nextRandom(first.state);
  const none: FillDraw = { state: second.state, outcome: 'none', quantity: new Dec(0) };
  if (rest.isZero() || !(first.value < config.fillProbability)) return none;
  if (!(first.value < config.fillProbability * config.partialFillProbability)) {
    return { state: second.state, outcome: 'full', quantity: rest };
  }
  const fraction = new Dec(FRACTION_MIN + Math.floor(second.value * FRACTION_SPAN)).div(FRACTION_SCALE);
  let quantity = rest.times(fraction);
  if (step.gt(0)) quantity = quantity.div(step).floor().times(step);
  if (quantity.lte(0)) return none;
  if (quantity.gte(rest)) return { state: second.state, outcome: 'full', quantity: rest };
  return { state: second.state, outcome: 'partial', quantity };
}
