import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_PERIOD,
  type CandleColumns,
  emptyColumns,
  isAligned,
  MAX_BARS_PER_CHUNK,
  mergeColumns,
  nextPeriodStart,
  periodKey,
  periodStart,
  periodsBetween,
  sortedUnique,
} from './chunks.js';
import { decodeChunk, decodeChunkInto, encodeChunk } from './codec.js';
import { decimalString, floatOf } from './numbers.js';
import { CANDLE_INTERVALS } from './provider.js';
import { parseTimestamp } from './time.js';

const DAY = 86_400_000;

function bars(times: number[], price = (i: number) => 100 + i / 100): CandleColumns {
  const out = emptyColumns(times.length);
  times.forEach((t, i) => {
    out.time[i] = t;
    out.open[i] = price(i);
    out.high[i] = price(i) + 1;
    out.low[i] = price(i) - 1;
    out.close[i] = price(i) + 0.5;
    out.volume[i] = 1000 + i;
  });
  return out;
}

const rows = (b: CandleColumns) =>
  Array.from({ length: b.length }, (_, i) => [b.time[i], b.open[i], b.high[i], b.low[i], b.close[i], b.volume[i]]);

describe('chunk periods', () => {
  it('weeks start on Monday, quarters and decades on their first day (UTC)', () => {
    // 2026-03-08 is a Sunday: its week began on Monday 2026-03-02
    expect(periodKey(periodStart(Date.UTC(2026, 2, 8, 23, 59), 'week'))).toBe('2026-03-02');
    expect(periodKey(periodStart(Date.UTC(2026, 2, 2), 'week'))).toBe('2026-03-02');
    expect(periodKey(periodStart(Date.UTC(2026, 7, 19), 'quarter'))).toBe('2026-07-01');
    expect(periodKey(periodStart(Date.UTC(2026, 7, 19), 'decade'))).toBe('2020-01-01');
    expect(periodKey(periodStart(Date.UTC(1999, 11, 31, 23, 59), 'decade'))).toBe('1990-01-01');
    expect(periodKey(periodStart(Date.UTC(1965, 5, 1), 'week'))).toBe('1965-05-31');
    expect(periodKey(nextPeriodStart(Date.UTC(2026, 9, 1), 'quarter'))).toBe('2027-01-01');
  });

  it('every time falls in exactly one period, and the periods between two times cover them in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2199, 0, 1) }),
        fc.integer({ min: 0, max: 400 * DAY }),
        fc.constantFrom(...CANDLE_INTERVALS),
        (from, span, interval) => {
          const period = CHUNK_PERIOD[interval];
          const start = periodStart(from, period);
          expect(start).toBeLessThanOrEqual(from);
          expect(nextPeriodStart(start, period)).toBeGreaterThan(from);
          const all = periodsBetween(from, from + span, period);
          expect(all[0]).toBe(start);
          for (let i = 1; i < all.length; i++) expect(all[i]).toBe(nextPeriodStart(all[i - 1], period));
          expect(nextPeriodStart(all[all.length - 1], period)).toBeGreaterThan(from + span);
        },
      ),
    );
  });

  it('no period holds more bars than MAX_BARS_PER_CHUNK says', () => {
    const MINUTE = 60_000;
    const length = { day: DAY, week: 7 * DAY, month: 31 * DAY, quarter: 92 * DAY, year: 366 * DAY, decade: 3653 * DAY };
    const barMs = { '1min': MINUTE, '5min': 5 * MINUTE, '15min': 15 * MINUTE, '30min': 30 * MINUTE };
    for (const [interval, ms] of Object.entries(barMs)) {
      const key = interval as keyof typeof barMs;
      expect(Math.ceil(length[CHUNK_PERIOD[key]] / ms), interval).toBeLessThanOrEqual(MAX_BARS_PER_CHUNK[key]);
    }
    expect(Math.ceil(length.quarter / (60 * MINUTE))).toBeLessThanOrEqual(MAX_BARS_PER_CHUNK['1h']);
    expect(Math.ceil(length.year / (240 * MINUTE))).toBeLessThanOrEqual(MAX_BARS_PER_CHUNK['4h']);
  });

  it('aligns intraday bars on the minute and daily, weekly and monthly bars on 00:00 UTC', () => {
    expect(isAligned(Date.UTC(2026, 2, 6, 14, 30), '1min')).toBe(true);
    expect(isAligned(Date.UTC(2026, 2, 6, 14, 30, 1), '1min')).toBe(false);
    expect(isAligned(Date.UTC(2026, 2, 6), '1day')).toBe(true);
    expect(isAligned(Date.UTC(2026, 2, 6, 1), '1day')).toBe(false);
    expect(isAligned(Date.UTC(2026, 2, 1), '1month')).toBe(true);
    expect(isAligned(Date.UTC(2026, 2, 2), '1month')).toBe(false);
  });
});

describe('the chunk codec', () => {
  it('round-trips every float64 exactly, times included', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
          ),
          { minLength: 1, maxLength: 300 },
        ),
        fc.integer({ min: Date.UTC(1900, 0, 1) / 60_000, max: Date.UTC(2100, 0, 1) / 60_000 }),
        (values, startMinute) => {
          const input = emptyColumns(values.length);
          values.forEach(([a, b, v], i) => {
            input.time[i] = (startMinute + i * 7) * 60_000;
            input.open[i] = a;
            input.high[i] = Math.max(a, b);
            input.low[i] = Math.min(a, b);
            input.close[i] = b;
            input.volume[i] = v;
          });
          const decoded = decodeChunk(encodeChunk(input), input.length);
          expect(rows(decoded)).toEqual(rows(input));
          expect(decoded.close).toBeInstanceOf(Float64Array);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('keeps the largest chunk of any interval far below the 400 KB item limit, even incompressible', () => {
    let seed = 1;
    const noise = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const interval of CANDLE_INTERVALS) {
      const n = MAX_BARS_PER_CHUNK[interval];
      const worst = bars(
        Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 60_000),
        () => noise() * 1000,
      );
      expect(encodeChunk(worst).byteLength, interval).toBeLessThan(160_000);
    }
  });

  it('compresses a day of one-minute bars with cent prices to a fifth of their 48 bytes a bar', () => {
    const day = bars(
      Array.from({ length: 1440 }, (_, i) => Date.UTC(2026, 2, 6) + i * 60_000),
      (i) => Math.round((100 + Math.sin(i / 30) * 5) * 100) / 100,
    );
    expect(encodeChunk(day).byteLength).toBeLessThan((1440 * 48) / 5);
  });

  it('gives back decimals of up to 9 places bit for bit, compactly, and other doubles as they are', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 9 })), {
          minLength: 1,
          maxLength: 200,
        }),
        (values) => {
          const input = emptyColumns(values.length);
          values.forEach(([digits, scale], i) => {
            input.time[i] = Date.UTC(1990, 0, 1) + i * 31 * DAY; // steps past int32: float deltas
            input.open[i] = Number(`${digits}e-${scale}`);
            input.high[i] = digits / 3; // no short decimal: kept as float64
            input.low[i] = Number(`${digits}e-2`);
            input.close[i] = digits;
            input.volume[i] = Math.abs(digits) / 10;
          });
          expect(rows(decodeChunk(encodeChunk(input), input.length))).toEqual(rows(input));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('gives back bars of any shape bit for bit: gaps, jumps, negative prices, bars out of order', () => {
    const bar = fc.tuple(
      fc.integer({ min: -5_000_000, max: 5_000_000 }),
      fc.integer({ min: -5_000_000, max: 5_000_000 }),
      fc.nat({ max: 3_000_000_000 }),
      fc.nat({ max: 3_000_000_000 }),
    );
    fc.assert(
      fc.property(
        fc.array(bar, { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0, 2, 4, 8),
        fc.boolean(),
        (raw, scale, inverted) => {
          const input = emptyColumns(raw.length);
          raw.forEach(([open, close, up, down], i) => {
            const top = Math.max(open, close) + (inverted ? -up : up);
            const bottom = Math.min(open, close) - down;
            input.time[i] = Date.UTC(2026, 0, 1) + i * 60_000;
            input.open[i] = Number(`${open}e-${scale}`);
            input.high[i] = Number(`${top}e-${scale}`);
            input.low[i] = Number(`${bottom}e-${scale}`);
            input.close[i] = Number(`${close}e-${scale}`);
            input.volume[i] = up;
          });
          expect(rows(decodeChunk(encodeChunk(input), input.length))).toEqual(rows(input));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decodes chunks straight into one set of columns at their offsets', () => {
    const a = bars([0, 60_000, 120_000]);
    const b = bars([180_000, 240_000], () => 7.25);
    const out = emptyColumns(5);
    decodeChunkInto(encodeChunk(a), 3, out, 0);
    decodeChunkInto(encodeChunk(b), 2, out, 3);
    expect(rows(out)).toEqual([...rows(a), ...rows(b)]);
    expect(() => decodeChunkInto(encodeChunk(b), 2, out, 4)).toThrow(RangeError);
  });

  it('refuses a chunk that does not hold the bars it claims', () => {
    const encoded = encodeChunk(bars([0, 60_000]));
    expect(() => decodeChunk(encoded, 3)).toThrow();
    expect(() => decodeChunk(encoded, 1)).toThrow();
  });
});

describe('merging bars', () => {
  it('sorts, keeps the last bar of a time, and lets incoming bars replace stored ones', () => {
    const unsorted = bars([3, 1, 2, 1].map((m) => m * 60_000));
    const unique = sortedUnique(unsorted);
    expect(Array.from(unique.time)).toEqual([60_000, 120_000, 180_000]);
    expect(unique.open[0]).toBe(unsorted.open[3]);
    const stored = bars([1, 2, 3].map((m) => m * 60_000));
    const incoming = bars(
      [2, 4].map((m) => m * 60_000),
      () => 7,
    );
    const merged = mergeColumns(stored, incoming);
    expect(Array.from(merged.time)).toEqual([1, 2, 3, 4].map((m) => m * 60_000));
    expect(Array.from(merged.open)).toEqual([stored.open[0], 7, stored.open[2], 7]);
  });
});

describe('decimals out of float64', () => {
  it('the shortest round-trip string: what was sent comes back for up to 15 significant digits', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }),
        fc.integer({ min: 0, max: 12 }),
        (digits, scale) => {
          const negative = digits < 0n;
          const abs = (negative ? -digits : digits).toString().padStart(scale + 1, '0');
          const text = scale ? `${abs.slice(0, -scale)}.${abs.slice(-scale)}` : abs;
          const magnitude = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
          const expected = magnitude === '0' ? '0' : negative ? `-${magnitude}` : magnitude;
          expect(decimalString(floatOf(negative ? `-${text}` : text))).toBe(expected);
        },
      ),
    );
  });

  it('never answers in exponent notation, and refuses what is not finite', () => {
    expect(decimalString(1.5e-7)).toBe('0.00000015');
    expect(decimalString(-2.5e-10)).toBe('-0.00000000025');
    expect(decimalString(1.2e21)).toBe('1200000000000000000000');
    expect(decimalString(-0)).toBe('0');
    expect(decimalString(187.43)).toBe('187.43');
    expect(() => decimalString(Number.NaN)).toThrow(RangeError);
    expect(() => decimalString(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('timestamps', () => {
  it('reads ISO dates and date-times, with a zone or as UTC, and epochs where allowed', () => {
    expect(parseTimestamp('2026-03-06')).toBe(Date.UTC(2026, 2, 6));
    expect(parseTimestamp('2026-03-06T14:30:00Z')).toBe(Date.UTC(2026, 2, 6, 14, 30));
    expect(parseTimestamp('2026-03-06 14:30')).toBe(Date.UTC(2026, 2, 6, 14, 30));
    expect(parseTimestamp('2026-03-06T09:30:00-05:00')).toBe(Date.UTC(2026, 2, 6, 14, 30));
    expect(parseTimestamp('2026-03-06T14:30:00.250+0000')).toBe(Date.UTC(2026, 2, 6, 14, 30, 0, 250));
    expect(parseTimestamp('1772807400', { epoch: true })).toBe(1_772_807_400_000);
    expect(parseTimestamp('1772807400000', { epoch: true })).toBe(1_772_807_400_000);
    expect(parseTimestamp('1772807400')).toBeUndefined();
  });

  it('refuses impossible dates and times, and years outside 1900–2199', () => {
    for (const bad of [
      '2026-02-30',
      '2026-13-01',
      '2026-03-06T24:00',
      '2026-03-06T12:60',
      '1899-12-31',
      '2200-01-01',
    ]) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
    expect(parseTimestamp('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });
});
