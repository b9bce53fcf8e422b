// Volume profile and value area (auction market theory).

/** One price row of a profile. */
export interface VolumeLevel {
  price: number;
  volume: number;
}

/** A row built by `volumeProfile`: `price` is the row's midpoint, [low, high) its bounds. */
export interface ProfileRow extends VolumeLevel {
  low: number;
  high: number;
}

export interface ValueArea {
  /** point of control: price of the highest-volume row */
  poc: number;
  /** value area low / high: prices of the lowest and highest rows inside the value area */
  val: number;
  vah: number;
  /** volume inside the value area (≥ pct of the total) */
  volume: number;
  /** volume of the whole profile */
  totalVolume: number;
}

/**
 * Value area of a profile (rows in any order; rows with the same price are merged):
 * - POC = the highest-volume row; ties go to the row whose price is closest to the profile's
 *   centre, (lowest price + highest price)/2; a row above and one below at equal distance →
 *   the upper one.
 * - From the POC the area grows by the CBOT rule: compare the sum of the next two rows above
 *   with the next two rows below and add the larger PAIR (ties go up; near an edge a "pair" is
 *   the one row left, or nothing), until the area holds at least `pct` of the total volume.
 * The area can therefore overshoot `pct` by up to one pair. Throws RangeError on an empty
 * profile, pct outside (0, 1], or a negative / non-finite volume.
 */
export function valueArea(levels: readonly VolumeLevel[], pct = 0.7): ValueArea {
  if (!(pct > 0 && pct <= 1)) throw new RangeError(`pct must be in (0, 1], got ${pct}`);
  if (levels.length === 0) throw new RangeError('valueArea needs at least one level');
  const rows = mergeSorted(levels);
  const n = rows.length;
  let total = 0;
  for (const r of rows) total += r.volume;

  const centre = (rows[0].price + rows[n - 1].price) / 2;
  let poc = 0;
  for (let i = 1; i < n; i++) {
    const v = rows[i].volume;
    const best = rows[poc].volume;
    if (v > best) poc = i;
    else if (v === best) {
      const d = Math.abs(rows[i].price - centre);
      const dBest = Math.abs(rows[poc].price - centre);
      // rows are ascending, so on an equal distance `i` is the upper row
      if (d <= dBest) poc = i;
    }
  }

  let lo = poc;
  let hi = poc;
  let covered = rows[poc].volume;
  const target = pct * total;
  while (covered < target && (lo > 0 || hi < n - 1)) {
    const up = pairVolume(rows, hi + 1, hi + 2, n);
    const down = pairVolume(rows, lo - 1, lo - 2, n);
    const canUp = hi < n - 1;
    const canDown = lo > 0;
    if (canUp && (!canDown || up >= down)) {
      const step = Math.min(2, n - 1 - hi);
      hi += step;
      covered += up;
    } else {
      const step = Math.min(2, lo);
      lo -= step;
      covered += down;
    }
  }
  return { poc: rows[poc].price, val: rows[lo].price, vah: rows[hi].price, volume: covered, totalVolume: total };
}

function pairVolume(rows: readonly VolumeLevel[], a: number, b: number, n: number): number {
  let s = 0;
  if (a >= 0 && a < n) s += rows[a].volume;
  if (b >= 0 && b < n) s += rows[b].volume;
  return s;
}

function mergeSorted(levels: readonly VolumeLevel[]): VolumeLevel[] {
  const sorted = levels.map((l) => {
    if (!Number.isFinite(l.price)) throw new RangeError(`level price must be finite, got ${l.price}`);
    if (!(l.volume >= 0) || !Number.isFinite(l.volume)) {
      throw new RangeError(`level volume must be finite and >= 0, got ${l.volume}`);
    }
    return { price: l.price, volume: l.volume };
  });
  sorted.sort((a, b) => a.price - b.price);
  const out: VolumeLevel[] = [];
  for (const l of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.price === l.price) last.volume += l.volume;
    else out.push(l);
  }
  return out;
}

/** Candles as parallel arrays (e.g. the backtest's Float64Arrays) … */
export interface CandleColumns {
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  volume: ArrayLike<number>;
}

/** … or as rows. Only high, low and volume are read. */
export interface CandleRow {
  high: number;
  low: number;
  volume: number;
}

/** Guards against a row size far below the price range (millions of empty rows). */
export const MAX_ROWS = 100_000;

export interface VolumeProfileOptions {
  /** row height in price units; rows are aligned to multiples of it (so profiles of
   * different windows share row boundaries). Give this or `rows`. */
  rowSize?: number;
  /** number of equal rows spanning [lowest low, highest high]; default 24 when no rowSize */
  rows?: number;
  /** bar index range [from, to) to profile; default all bars */
  from?: number;
  to?: number;
}

/**
 * Builds profile rows from candles. Spreading rule: a bar's volume is spread uniformly over
 * its [low, high] range, so each row receives volume × (overlap of the row with the bar's
 * range) / (high − low). A bar with high = low puts all its volume in the row containing that
 * price. The top boundary belongs to the last row. Rows come back in ascending price order,
 * including empty ones; `price` is each row's midpoint. No bars → no rows.
 */
export function volumeProfile(
  candles: CandleColumns | readonly CandleRow[],
  opts: VolumeProfileOptions = {},
): ProfileRow[] {
  const cols = isRows(candles) ? toColumns(candles) : candles;
  const n = cols.high.length;
  if (cols.low.length !== n || cols.volume.length !== n) {
    throw new RangeError('high, low and volume must have equal lengths');
  }
  const from = opts.from ?? 0;
  const to = opts.to ?? n;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > n || from > to) {
    throw new RangeError(`invalid bar range [${from}, ${to}) for ${n} bars`);
  }
  if (opts.rowSize !== undefined && opts.rows !== undefined) {
    throw new RangeError('give either rowSize or rows, not both');
  }
  if (from === to) return [];

  let minLow = Infinity;
  let maxHigh = -Infinity;
  for (let i = from; i < to; i++) {
    const h = cols.high[i];
    const l = cols.low[i];
    if (!Number.isFinite(h) || !Number.isFinite(l) || l > h) {
      throw new RangeError(`bar ${i}: need finite low <= high, got low ${l}, high ${h}`);
    }
    if (l < minLow) minLow = l;
    if (h > maxHigh) maxHigh = h;
  }

  let base: number;
  let size: number;
  let count: number;
  if (opts.rowSize !== undefined) {
    size = opts.rowSize;
    if (!(size > 0) || !Number.isFinite(size)) throw new RangeError(`rowSize must be > 0, got ${size}`);
    base = Math.floor(minLow / size) * size;
    count = Math.max(1, Math.floor((maxHigh - base) / size) + 1);
    if (count > MAX_ROWS) {
      throw new RangeError(`rowSize ${size} would make ${count} rows over ${minLow}..${maxHigh} (max ${MAX_ROWS})`);
    }
  } else {
    count = opts.rows ?? 24;
    if (!Number.isInteger(count) || count < 1 || count > MAX_ROWS) {
      throw new RangeError(`rows must be an integer in 1..${MAX_ROWS}, got ${count}`);
    }
    base = minLow;
    const span = maxHigh - minLow;
    // A flat window still needs a non-zero row height; so does a range too small for float
    // resolution to tell its rows apart (rows must stay strictly ascending).
    const resolvable = span / count > Math.max(Math.abs(minLow), Math.abs(maxHigh)) * 64 * Number.EPSILON;
    size = resolvable ? span / count : 1;
  }

  const vol = new Float64Array(count);
  for (let i = from; i < to; i++) {
    const h = cols.high[i];
    const l = cols.low[i];
    const v = cols.volume[i];
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`bar ${i}: volume must be finite and >= 0, got ${v}`);
    if (v === 0) continue;
    const first = rowOf(l, base, size, count);
    const last = rowOf(h, base, size, count);
    if (first === last || h === l) {
      vol[first] += v;
      continue;
    }
    const range = h - l;
    for (let r = first; r <= last; r++) {
      // the outer rows are open-ended so rounding at the edges never loses volume
      const rLow = r === 0 ? -Infinity : base + r * size;
      const rHigh = r === count - 1 ? Infinity : base + (r + 1) * size;
      const overlap = Math.min(h, rHigh) - Math.max(l, rLow);
      if (overlap > 0) vol[r] += (v * overlap) / range;
    }
  }

  const rows: ProfileRow[] = [];
  for (let r = 0; r < count; r++) {
    const low = base + r * size;
    rows.push({ price: low + size / 2, volume: vol[r], low, high: low + size });
  }
  return rows;
}

function rowOf(price: number, base: number, size: number, count: number): number {
  const r = Math.floor((price - base) / size);
  return r < 0 ? 0 : r >= count ? count - 1 : r;
}

function isRows(c: CandleColumns | readonly CandleRow[]): c is readonly CandleRow[] {
  return Array.isArray(c);
}

function toColumns(rows: readonly CandleRow[]): CandleColumns {
  return {
    high: rows.map((r) => r.high),
    low: rows.map((r) => r.low),
    volume: rows.map((r) => r.volume),
  };
}
