import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { valueArea, volumeProfile, type VolumeLevel } from '../src/volume-profile.js';

const lv = (pairs: [number, number][]): VolumeLevel[] => pairs.map(([price, volume]) => ({ price, volume }));

describe('valueArea — hand-computed', () => {
  it('grows by the larger pair of rows (CBOT rule) until 70% is covered', () => {
    // prices 1..9, total 100; POC = 5 (30)
    const rows = lv([
      [1, 2],
      [2, 3],
      [3, 10],
      [4, 15],
      [5, 30],
      [6, 12],
      [7, 8],
      [8, 12],
      [9, 8],
    ]);
    // step 1: up (6,7) = 20 vs down (4,3) = 25 → down: covered 55, area 3..5
    // step 2: up (6,7) = 20 vs down (2,1) = 5 → up: covered 75 ≥ 70, area 3..7
    expect(valueArea(rows)).toEqual({ poc: 5, val: 3, vah: 7, volume: 75, totalVolume: 100 });
  });

  it('ties between the pairs go up', () => {
    const rows = lv([
      [1, 5],
      [2, 5],
      [3, 20],
      [4, 5],
      [5, 5],
    ]);
    // up (4,5) = 10 = down (2,1) = 10 → up: covered 30/40 = 75%
    expect(valueArea(rows)).toMatchObject({ poc: 3, val: 3, vah: 5, volume: 30 });
  });

  it('at an edge only the remaining side (or the single last row) is added', () => {
    const rows = lv([
      [10, 50],
      [11, 10],
      [12, 30],
      [13, 10],
    ]);
    // POC 10 at the bottom: up pair (11,12) = 40 → 90/100
    expect(valueArea(rows)).toMatchObject({ poc: 10, val: 10, vah: 12, volume: 90 });
    expect(valueArea(rows, 0.95)).toMatchObject({ val: 10, vah: 13, volume: 100 });
  });

  it('POC ties go to the row closest to the centre, the upper one on equal distance', () => {
    expect(
      valueArea(
        lv([
          [1, 10],
          [2, 3],
          [3, 10],
          [4, 3],
          [5, 10],
        ]),
        0.1,
      ).poc,
    ).toBe(3);
    expect(
      valueArea(
        lv([
          [1, 10],
          [2, 10],
          [3, 10],
          [4, 10],
        ]),
        0.1,
      ).poc,
    ).toBe(3);
    expect(
      valueArea(
        lv([
          [1, 10],
          [2, 1],
          [3, 1],
          [4, 10],
        ]),
        0.1,
      ).poc,
    ).toBe(4);
  });

  it('accepts unsorted rows and merges duplicate prices', () => {
    const a = valueArea(
      lv([
        [3, 1],
        [1, 1],
        [2, 4],
        [2, 4],
      ]),
    );
    expect(a).toMatchObject({ poc: 2, totalVolume: 10 });
  });

  it('rejects bad input', () => {
    expect(() => valueArea([])).toThrow(RangeError);
    expect(() => valueArea(lv([[1, 1]]), 0)).toThrow(RangeError);
    expect(() => valueArea(lv([[1, 1]]), 1.5)).toThrow(RangeError);
    expect(() => valueArea(lv([[1, -1]]))).toThrow(RangeError);
  });
});

describe('valueArea — properties', () => {
  const profile = fc
    .uniqueArray(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 40 })
    .chain((prices) =>
      fc.tuple(
        fc.constant(prices),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: prices.length, maxLength: prices.length }),
      ),
    );

  it('val ≤ poc ≤ vah, covered volume ≥ pct of the total, POC has the maximum volume', () => {
    fc.assert(
      fc.property(profile, fc.double({ min: 0.01, max: 1, noNaN: true }), ([prices, vols], pct) => {
        const rows = prices.map((price, i) => ({ price, volume: vols[i] }));
        const a = valueArea(rows, pct);
        expect(a.val).toBeLessThanOrEqual(a.poc);
        expect(a.poc).toBeLessThanOrEqual(a.vah);
        expect(a.volume).toBeGreaterThanOrEqual(pct * a.totalVolume - 1e-9);
        expect(a.volume).toBeLessThanOrEqual(a.totalVolume);
        const inside = rows.filter((r) => r.price >= a.val && r.price <= a.vah).reduce((s, r) => s + r.volume, 0);
        expect(inside).toBe(a.volume);
        const max = Math.max(...vols);
        expect(rows.find((r) => r.price === a.poc)?.volume).toBe(max);
      }),
    );
  });
});

describe('volumeProfile', () => {
  it('spreads a bar uniformly over its range, proportional to overlap', () => {
    // one bar 100..103 with volume 300 over rowSize 1 → 100 per row
    const rows = volumeProfile({ high: [103], low: [100], volume: [300] }, { rowSize: 1 });
    expect(rows.map((r) => [r.low, r.volume])).toEqual([
      [100, 100],
      [101, 100],
      [102, 100],
      [103, 0],
    ]);
    // a bar 100.5..101.5 (volume 10) over rowSize 1 → 5 and 5; price = row midpoint
    const half = volumeProfile([{ high: 101.5, low: 100.5, volume: 10 }], { rowSize: 1 });
    expect(half.map((r) => [r.price, r.volume])).toEqual([
      [100.5, 5],
      [101.5, 5],
    ]);
  });

  it('a zero-range bar goes to the row containing its price; rows option spans low..high', () => {
    const rows = volumeProfile({ high: [10, 20, 15], low: [10, 12, 15], volume: [7, 80, 3] }, { rows: 5 });
    expect(rows).toHaveLength(5);
    expect(rows[0].low).toBe(10);
    expect(rows[4].high).toBe(20);
    // bar 2 (12..20, 80 volume over 8 points = 10/pt): rows [10,12)=0, [12,14)=20, [14,16)=20, …
    expect(rows.map((r) => r.volume)).toEqual([7, 20, 23, 20, 20]);
  });

  it('conserves volume and feeds valueArea (property)', () => {
    const bars = fc.array(
      fc.record({
        low: fc.double({ min: 1, max: 200, noNaN: true }),
        span: fc.double({ min: 0, max: 20, noNaN: true }),
        volume: fc.double({ min: 0, max: 1e5, noNaN: true }),
      }),
      { minLength: 1, maxLength: 50 },
    );
    fc.assert(
      fc.property(
        bars,
        fc.oneof(
          fc.record({ rows: fc.integer({ min: 1, max: 40 }) }),
          fc.record({ rowSize: fc.double({ min: 0.05, max: 10, noNaN: true }) }),
        ),
        (bs, opts) => {
          const candles = bs.map((b) => ({ high: b.low + b.span, low: b.low, volume: b.volume }));
          const rows = volumeProfile(candles, opts);
          const total = bs.reduce((s, b) => s + b.volume, 0);
          const got = rows.reduce((s, r) => s + r.volume, 0);
          expect(Math.abs(got - total)).toBeLessThanOrEqual(1e-9 * Math.max(1, total));
          for (let i = 1; i < rows.length; i++) expect(rows[i].price).toBeGreaterThan(rows[i - 1].price);
          const a = valueArea(rows);
          expect(a.val).toBeLessThanOrEqual(a.vah);
        },
      ),
    );
  });

  it('a range below float resolution is treated as flat, keeping rows strictly ascending', () => {
    const rows = volumeProfile(
      [
        { high: 1, low: 1, volume: 1 },
        { high: 1.0000000000000002, low: 1.0000000000000002, volume: 2 },
      ],
      { rows: 2 },
    );
    expect(rows[1].price).toBeGreaterThan(rows[0].price);
    expect(rows.reduce((s, r) => s + r.volume, 0)).toBe(3);
  });

  it('honours a bar range and rejects bad options', () => {
    const c = { high: [2, 12], low: [1, 11], volume: [5, 9] };
    expect(volumeProfile(c, { rowSize: 1, from: 1 }).reduce((s, r) => s + r.volume, 0)).toBe(9);
    expect(volumeProfile(c, { from: 1, to: 1 })).toEqual([]);
    expect(() => volumeProfile(c, { rowSize: 1, rows: 3 })).toThrow(RangeError);
    expect(() => volumeProfile(c, { rowSize: 0 })).toThrow(RangeError);
    expect(() => volumeProfile(c, { rowSize: 1e-6 })).toThrow(RangeError);
    expect(() => volumeProfile(c, { rows: 0 })).toThrow(RangeError);
    expect(() => volumeProfile({ high: [1], low: [2], volume: [1] })).toThrow(RangeError);
  });
});
