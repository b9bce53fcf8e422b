import * as z from 'zod/mini';

export type ParamValue = number | string | boolean;
/** A discrete list, or an inclusive stepped range min, min+step, …, max. */
export type ParamDomain = { values: readonly ParamValue[] } | { min: number; max: number; step: number };
export type ParamSpace = Record<string, ParamDomain>;
export type ParamPoint = Record<string, ParamValue>;

/** Largest space we enumerate by index (indices stay exact integers). */
const MAX_COUNT = Number.MAX_SAFE_INTEGER;
const MAX_AXIS = 10_000_000;

// z.number() refuses NaN and ±Infinity, so every value and bound below is finite.
const ValuesDomain = z
  .strictObject({
    values: z.array(z.union([z.number(), z.string(), z.boolean()])).check(z.minLength(1)),
  })
  .check(z.refine((d) => new Set(d.values).size === d.values.length, 'values must be distinct'));

const RangeDomain = z.strictObject({ min: z.number(), max: z.number(), step: z.number().check(z.gt(0)) }).check(
  z.refine((d) => d.min <= d.max, 'min must not exceed max'),
  z.refine((d) => isWholeSteps(d.min, d.max, d.step), 'max - min must be a whole number of steps'),
  z.refine((d) => Math.round((d.max - d.min) / d.step) + 1 <= MAX_AXIS, `at most ${MAX_AXIS} values per range`),
);

export const ParamSpaceSchema = z
  .record(z.string().check(z.minLength(1)), z.union([ValuesDomain, RangeDomain]))
  .check(z.refine((s) => Object.keys(s).length > 0, 'a space needs at least one parameter'));

function isWholeSteps(min: number, max: number, step: number): boolean {
  const k = (max - min) / step;
  return Math.abs(k - Math.round(k)) <= 1e-9 * Math.max(1, Math.abs(k));
}

/** A validated space with each axis materialised; points are addressed by a mixed-radix index. */
export interface CompiledSpace {
  /** parameter names, sorted, so indices do not depend on object key order */
  names: string[];
  axes: ParamValue[][];
  count: number;
}

/**
 * Validate and materialise a space. Range values are min + k·step rounded to 12 significant
 * digits, so 0.1-steps give 0.3, not 0.30000000000000004.
 */
export function compileSpace(space: ParamSpace): CompiledSpace {
  const parsed = ParamSpaceSchema.parse(space);
  const names = Object.keys(parsed).sort();
  const axes: ParamValue[][] = [];
  let count = 1;
  for (const name of names) {
    const d = parsed[name];
    let axis: ParamValue[];
    if ('values' in d) axis = [...d.values];
    else {
      const k = Math.round((d.max - d.min) / d.step);
      axis = [];
      for (let j = 0; j <= k; j++) axis.push(j === k ? d.max : Number((d.min + j * d.step).toPrecision(12)));
    }
    axes.push(axis);
    count *= axis.length;
    if (count > MAX_COUNT) throw new RangeError(`parameter space has more than ${MAX_COUNT} points`);
  }
  return { names, axes, count };
}

/** Number of points of a space (the product of the axis sizes). Throws on an invalid space. */
export function countSpace(space: ParamSpace): number {
  return compileSpace(space).count;
}

/** Axis coordinates of point `index`; the last name (alphabetically) varies fastest. */
export function coordinatesAt(cs: CompiledSpace, index: number): number[] {
  const coords = new Array<number>(cs.axes.length);
  let rest = index;
  for (let d = cs.axes.length - 1; d >= 0; d--) {
    const size = cs.axes[d].length;
    coords[d] = rest % size;
    rest = Math.floor(rest / size);
  }
  return coords;
}

export function indexOf(cs: CompiledSpace, coords: readonly number[]): number {
  let index = 0;
  for (let d = 0; d < cs.axes.length; d++) index = index * cs.axes[d].length + coords[d];
  return index;
}

export function pointAt(cs: CompiledSpace, index: number): ParamPoint {
  if (!Number.isInteger(index) || index < 0 || index >= cs.count)
    throw new RangeError(`point index ${index} outside 0..${cs.count - 1}`);
  const coords = coordinatesAt(cs, index);
  const p: ParamPoint = {};
  for (let d = 0; d < cs.names.length; d++) p[cs.names[d]] = cs.axes[d][coords[d]];
  return p;
}
