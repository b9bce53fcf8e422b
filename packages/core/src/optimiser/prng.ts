/**
 * mulberry32: a tiny seeded PRNG (32-bit state, period 2^32), uniform in [0, 1). Enough for
 * sampling parameter grids reproducibly; not for cryptography. Math.random is never used, so a
 * seed fully determines every optimiser run.
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = mulberry32Advance(s);
    return mulberry32Output(s);
  };
}

/**
 * One step of mulberry32's state (a Weyl sequence). Split from the output so that a caller
 * keeping the state outside a closure (the simulation broker persists it between requests)
 * runs exactly the optimiser's stream, without an allocation per draw here.
 */
export function mulberry32Advance(state: number): number {
  return (state + 0x6d2b79f5) >>> 0;
}

/** mulberry32's output for an already advanced state: a uint32 / 2^32, in [0, 1). */
export function mulberry32Output(state: number): number {
  let t = state >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Mix integers into one 32-bit seed (murmur3-style finaliser), for per-round PRNG streams. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    // Split into 32-bit halves so large integers (grid indices up to 2^53) keep all their bits.
    const lo = p >>> 0;
    const hi = Math.floor(p / 4294967296) >>> 0;
    for (const w of [lo, hi]) {
      h = Math.imul(h ^ w, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}
