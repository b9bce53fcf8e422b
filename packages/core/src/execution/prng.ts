// A seeded PRNG whose whole state is one uint32, so a simulation can persist it between
// requests and replay exactly. The algorithm is the optimiser's mulberry32, not a copy of it.
import { mulberry32Advance, mulberry32Output } from '../optimiser/prng.js';

const UINT32_MAX = 0xffffffff;

/** The next draw in [0, 1) and the state to store for the one after. */
export function nextRandom(state: number): { value: number; state: number } {
  if (!Number.isInteger(state) || state < 0 || state > UINT32_MAX) {
    throw new RangeError('PRNG state must be a uint32');
  }
  const next = mulberry32Advance(state);
  return { value: mulberry32Output(next), state: next };
}

/**
 * The starting state for a seed: the seed modulo 2^32, as `mulberry32(seed)` takes it, so
 * `nextRandom` from `seedState(seed)` draws exactly `mulberry32(seed)`'s stream.
 */
export function seedState(seed: number): number {
  if (!Number.isInteger(seed)) throw new RangeError('seed must be a finite integer');
  return seed >>> 0;
}
