// Argument checks shared by every indicator. They run once per call, never per element.

/** Throws RangeError unless `period` is an integer ≥ `min`. */
export function assertPeriod(name: string, period: number, min = 1): void {
  if (!Number.isInteger(period) || period < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${String(period)}`);
  }
}

/** The caller's buffer when given (it must match the input length), else a fresh one. */
export function outBuffer(out: Float64Array | undefined, length: number, name = 'out'): Float64Array {
  if (out === undefined) return new Float64Array(length);
  if (out.length !== length) {
    throw new RangeError(`${name}.length must equal the input length ${length}, got ${out.length}`);
  }
  return out;
}

/** Multi-input indicators (high/low/close…) need series of one length. */
export function assertSameLength(...series: ArrayLike<number>[]): number {
  const n = series[0].length;
  for (let i = 1; i < series.length; i++) {
    if (series[i].length !== n) {
      throw new RangeError(`input series must have equal lengths (${n} vs ${series[i].length})`);
    }
  }
  return n;
}
