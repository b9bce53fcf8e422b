/**
 * Fixed-size window kept in arrival order, so streaming indicators can sum it in the same
 * order as the batch loops (and get bit-identical results).
 */
export class RollingWindow {
  readonly size: number;
  private readonly ring: Float64Array;
  /** the window oldest-first; `ordered()` copies the ring into it */
  private readonly flat: Float64Array;
  private head = 0;
  count = 0;

  constructor(size: number) {
    this.size = size;
    this.ring = new Float64Array(size);
    this.flat = new Float64Array(size);
  }

  push(v: number): boolean {
    this.ring[this.head] = v;
    this.head = this.head + 1 === this.size ? 0 : this.head + 1;
    this.count++;
    return this.count >= this.size;
  }

  /** The last `size` values, oldest first (a reused buffer: read it before the next push). */
  ordered(): Float64Array {
    const { size, ring, flat } = this;
    let idx = this.head;
    for (let j = 0; j < size; j++) {
      flat[j] = ring[idx];
      idx = idx + 1 === size ? 0 : idx + 1;
    }
    return flat;
  }
}
