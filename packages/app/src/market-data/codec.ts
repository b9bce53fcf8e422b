import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { COLUMN_NAMES, type CandleColumns, emptyColumns } from './chunks.js';

/**
 * How one chunk of bars is stored. Bars arrive as decimals (prices of a few places, whole volumes,
 * times in ms), so each column is kept as integers ×10^scale wherever that gives back every
 * float64 bit for bit — a value is read back as `integer / 10^scale`, one correctly rounded
 * division, which is the very double the decimal was stored as (the encoder checks it for every
 * value before it picks a scale) — and as raw float64 where it does not. Integers are stored as the
 * small residuals of a prediction, in 1, 2 or 4 bytes each (the fewest that hold them all):
 *
 * - time and volume: the step from the previous bar (a regular grid of bar times is one step);
 * - open, high, low, close, at one common scale: close as the step from the previous close, open
 *   as its gap to the previous close, high above max(open, close), low below min(open, close) —
 *   small numbers for any market that trades continuously.
 *
 * Then the whole chunk is deflated (raw deflate, level 6: once written, a chunk is read many
 * times). A day of one-minute bars with cent prices is ~8 KB (69 KB raw), 1,000,000 bars ~6 MB to
 * move. Decoding is one inflate and one pass per column, written straight into the caller's
 * Float64Arrays at the chunk's offset: a window of many chunks is assembled with no per-value
 * parsing and no second copy.
 *
 * Little-endian only (typed arrays use the platform's order: x86-64 and arm64, the Lambda
 * architectures, both are): a big-endian platform refuses to load this module rather than misread.
 */
export const CHUNK_CODEC = 'columns/predicted-ints/deflate-raw/3';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('the candle codec reads little-endian typed arrays: this platform is big-endian');
}

/** float64 as it is */
const RAW = 0;
/** integers ×10^scale: a first value (float64) and residuals */
const INTS = 1;
/** integers ×10^scale on a regular grid: a first value and one step (float64 each) */
const GRID = 2;

const MAX_SCALE = 9;
const POW10 = Array.from({ length: MAX_SCALE + 1 }, (_, s) => 10 ** s);
/** per column: kind, scale, residual width, layout (1 = the OHLC prediction), bar count (uint32) */
const DESCRIPTOR_BYTES = 8;
const HEADER_BYTES = DESCRIPTOR_BYTES * COLUMN_NAMES.length;
const [OPEN, HIGH, LOW, CLOSE] = [1, 2, 3, 4];

type Width = 1 | 2 | 4;

interface ColumnPlan {
  kind: number;
  scale: number;
  width: Width;
  /** first value (INTS, GRID), grid step (GRID) */
  head: number[];
  /** residuals (INTS) */
  residuals?: Float64Array;
  /** OHLC prediction */
  predicted: boolean;
}

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

/** Bytes a column's payload takes, from its descriptor (the decoder computes the same). */
function payloadBytes(kind: number, width: number, residualCount: number, count: number): number {
  if (kind === RAW) return 8 * count;
  if (kind === GRID) return 16;
  return 8 + pad8(width * residualCount);
}

function widthOf(residuals: Float64Array): Width | undefined {
  let max = 0;
  for (const r of residuals) max = Math.max(max, r < 0 ? -r - 1 : r);
  if (max <= 127) return 1;
  if (max <= 32_767) return 2;
  return max <= 2_147_483_647 ? 4 : undefined;
}

/** The values as exact safe integers ×10^scale (the smallest scale ≥ `atLeast` that works), if any. */
function scaled(values: Float64Array, atLeast = 0): { scale: number; ints: Float64Array } | undefined {
  const ints = new Float64Array(values.length);
  scales: for (let scale = atLeast; scale <= MAX_SCALE; scale++) {
    const p = POW10[scale];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const x = Math.round(v * p);
      // -0 has no integer: it is kept as it is
      if (!Number.isSafeInteger(x) || x / p !== v || Object.is(v, -0)) continue scales;
      ints[i] = x;
    }
    return { scale, ints };
  }
  return undefined;
}

function steps(ints: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(0, ints.length - 1));
  for (let i = 1; i < ints.length; i++) out[i - 1] = ints[i] - ints[i - 1];
  return out;
}

const raw = (): ColumnPlan => ({ kind: RAW, scale: 0, width: 1, head: [], predicted: false });

/** A column on its own: the step from the previous value. */
function planAlone(values: Float64Array): ColumnPlan {
  const found = scaled(values);
  if (!found) return raw();
  const residuals = steps(found.ints);
  if (residuals.length && residuals.every((r) => r === residuals[0])) {
    return { kind: GRID, scale: found.scale, width: 1, head: [found.ints[0], residuals[0]], predicted: false };
  }
  const width = widthOf(residuals);
  if (!width) return raw();
  return { kind: INTS, scale: found.scale, width, head: [found.ints[0]], residuals, predicted: false };
}

/** Open, high, low and close at one scale, each predicted from the others (see above); undefined if they do not fit. */
function planPrices(bars: CandleColumns): ColumnPlan[] | undefined {
  let scale = 0;
  for (const column of [OPEN, HIGH, LOW, CLOSE]) {
    const found = scaled(bars[COLUMN_NAMES[column]], scale);
    if (!found) return undefined;
    scale = Math.max(scale, found.scale);
  }
  const at = [OPEN, HIGH, LOW, CLOSE].map((column) => scaled(bars[COLUMN_NAMES[column]], scale));
  if (at.some((found) => !found || found.scale !== scale)) return undefined;
  const [open, high, low, close] = at.map((found) => found?.ints ?? new Float64Array(0));
  const n = bars.length;
  const gap = new Float64Array(n);
  const above = new Float64Array(n);
  const below = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    gap[i] = open[i] - (i ? close[i - 1] : close[0]);
    above[i] = high[i] - Math.max(open[i], close[i]);
    below[i] = Math.min(open[i], close[i]) - low[i];
  }
  const plans: ColumnPlan[] = [];
  // open, high and low are all residuals (their first value slot is unused); close starts from its first value
  for (const [residuals, head] of [
    [gap, 0],
    [above, 0],
    [below, 0],
    [steps(close), close[0]],
  ] as const) {
    const width = widthOf(residuals);
    if (!width) return undefined;
    plans.push({ kind: INTS, scale, width, head: [head], residuals, predicted: true });
  }
  return plans;
}

function writeInts(buffer: ArrayBuffer, offset: number, residuals: Float64Array, width: Width): void {
  const view =
    width === 1
      ? new Int8Array(buffer, offset, residuals.length)
      : width === 2
        ? new Int16Array(buffer, offset, residuals.length)
        : new Int32Array(buffer, offset, residuals.length);
  view.set(residuals);
}

export function encodeChunk(bars: CandleColumns): Uint8Array {
  const n = bars.length;
  if (n < 1) throw new RangeError('a chunk holds at least one bar');
  const prices = planPrices(bars);
  const plans = COLUMN_NAMES.map((name, c) => prices?.[c - 1] ?? planAlone(bars[name]));
  const sizes = plans.map((p) => payloadBytes(p.kind, p.width, p.residuals?.length ?? 0, n));
  const buffer = new ArrayBuffer(HEADER_BYTES + sizes.reduce((sum, size) => sum + size, 0));
  const header = new DataView(buffer, 0, HEADER_BYTES);
  let offset = HEADER_BYTES;
  plans.forEach((plan, c) => {
    const at = c * DESCRIPTOR_BYTES;
    header.setUint8(at, plan.kind);
    header.setUint8(at + 1, plan.scale);
    header.setUint8(at + 2, plan.width);
    header.setUint8(at + 3, plan.predicted ? 1 : 0);
    header.setUint32(at + 4, n, true);
    if (plan.kind === RAW) new Float64Array(buffer, offset, n).set(bars[COLUMN_NAMES[c]]);
    else {
      new Float64Array(buffer, offset, plan.head.length).set(plan.head);
      if (plan.residuals) writeInts(buffer, offset + 8, plan.residuals, plan.width);
    }
    offset += sizes[c];
  });
  return deflateRawSync(new Uint8Array(buffer), { level: 6 });
}

/** The most bytes a chunk of `count` bars can inflate to: nothing past it is ever produced. */
const maxInflated = (count: number) => HEADER_BYTES + COLUMN_NAMES.length * Math.max(8 * count, 16);

function readInts(buffer: ArrayBufferLike, offset: number, length: number, width: number) {
  if (width === 1) return new Int8Array(buffer, offset, length);
  if (width === 2) return new Int16Array(buffer, offset, length);
  return new Int32Array(buffer, offset, length);
}

/** scratch for the OHLC prediction's integers, grown to the largest chunk seen */
let scratch = { open: new Float64Array(0), close: new Float64Array(0) };

/** Decodes a chunk of `count` bars into `out`'s columns from index `at` on. */
export function decodeChunkInto(data: Uint8Array, count: number, out: CandleColumns, at: number): void {
  if (!(Number.isInteger(count) && count >= 1) || at + count > out.length) {
    throw new RangeError(`a chunk of ${count} bars does not fit at ${at} of ${out.length}`);
  }
  const inflated = inflateRawSync(data, { maxOutputLength: maxInflated(count) });
  // Typed-array views need aligned offsets; a Buffer from the pool may not have one.
  const bytes = inflated.byteOffset % 8 === 0 ? inflated : Uint8Array.prototype.slice.call(inflated);
  if (bytes.byteLength < HEADER_BYTES) throw new Error('corrupt candle chunk (no header)');
  const { buffer, byteOffset } = bytes;
  const header = new DataView(buffer, byteOffset, HEADER_BYTES);
  const columns = COLUMN_NAMES.map((name, c) => {
    const d = c * DESCRIPTOR_BYTES;
    return {
      name,
      kind: header.getUint8(d),
      scale: header.getUint8(d + 1),
      width: header.getUint8(d + 2),
      predicted: header.getUint8(d + 3) === 1,
      bars: header.getUint32(d + 4, true),
    };
  });
  const predicted = columns.slice(OPEN, CLOSE + 1).every((c) => c.predicted);
  let offset = HEADER_BYTES;
  const payloads = columns.map((c, index) => {
    const residualCount = c.predicted && index !== CLOSE ? count : count - 1;
    const size = payloadBytes(c.kind, c.width, residualCount, count);
    const valid =
      c.bars === count &&
      c.kind <= GRID &&
      c.scale <= MAX_SCALE &&
      [1, 2, 4].includes(c.width) &&
      c.predicted === (predicted && index >= OPEN && index <= CLOSE) &&
      offset + size <= bytes.byteLength;
    if (!valid) throw new Error(`corrupt candle chunk (column ${c.name})`);
    const start = byteOffset + offset;
    offset += size;
    return { ...c, start, residualCount };
  });
  if (offset !== bytes.byteLength) throw new Error(`candle chunk holds ${bytes.byteLength} bytes, expected ${offset}`);

  const first = (start: number) => new Float64Array(buffer, start, 1)[0];
  for (const c of payloads) {
    if (c.predicted) continue;
    const target = out[c.name];
    const p = POW10[c.scale];
    if (c.kind === RAW) target.set(new Float64Array(buffer, c.start, count), at);
    else if (c.kind === GRID) {
      const [value, step] = new Float64Array(buffer, c.start, 2);
      for (let i = 0; i < count; i++) target[at + i] = (value + i * step) / p;
    } else {
      const residuals = readInts(buffer, c.start + 8, c.residualCount, c.width);
      let value = first(c.start);
      target[at] = value / p;
      for (let i = 0; i < c.residualCount; i++) {
        value += residuals[i];
        target[at + i + 1] = value / p;
      }
    }
  }
  if (!predicted) return;
  // Open, high, low, close in integers first (the predictions need them), then divided once.
  if (scratch.close.length < count) scratch = { open: new Float64Array(count), close: new Float64Array(count) };
  const { open, close } = scratch;
  const p = POW10[payloads[CLOSE].scale];
  const closeSteps = readInts(buffer, payloads[CLOSE].start + 8, count - 1, payloads[CLOSE].width);
  const gaps = readInts(buffer, payloads[OPEN].start + 8, count, payloads[OPEN].width);
  const above = readInts(buffer, payloads[HIGH].start + 8, count, payloads[HIGH].width);
  const below = readInts(buffer, payloads[LOW].start + 8, count, payloads[LOW].width);
  const [o, h, l, cl] = [out.open, out.high, out.low, out.close];
  let value = first(payloads[CLOSE].start);
  close[0] = value;
  for (let i = 1; i < count; i++) {
    value += closeSteps[i - 1];
    close[i] = value;
  }
  for (let i = 0; i < count; i++) {
    const opened = (i ? close[i - 1] : close[0]) + gaps[i];
    open[i] = opened;
    const top = opened > close[i] ? opened : close[i];
    const bottom = opened < close[i] ? opened : close[i];
    o[at + i] = opened / p;
    h[at + i] = (top + above[i]) / p;
    l[at + i] = (bottom - below[i]) / p;
    cl[at + i] = close[i] / p;
  }
}

export function decodeChunk(data: Uint8Array, count: number): CandleColumns {
  const out = emptyColumns(count);
  decodeChunkInto(data, count, out, 0);
  return out;
}
