/** The usual retracement ratios plus the common extensions. */
export const FIBONACCI_RATIOS: readonly number[] = Object.freeze([0, 0.236, 0.382, 0.5, 0.618, 0.786, 1, 1.272, 1.618]);

export interface FibonacciLevel {
  ratio: number;
  price: number;
}

/**
 * Fibonacci levels of the move from `from` to `to` (e.g. swing low → swing high for an up
 * move): price = to − (to − from)·ratio, so ratio 0 is `to`, ratio 1 is `from`, 0.618 is the
 * 61.8% retracement and ratios above 1 extend beyond `from`. It is a pure function of two
 * prices, so it is used incrementally by calling it again when a new swing is confirmed.
 */
export function fibonacciLevels(
  from: number,
  to: number,
  ratios: readonly number[] = FIBONACCI_RATIOS,
): FibonacciLevel[] {
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new RangeError(`fibonacciLevels needs finite prices, got ${from} → ${to}`);
  }
  const range = to - from;
  return ratios.map((ratio) => ({ ratio, price: to - range * ratio }));
}
