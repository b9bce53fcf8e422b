import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDecimals, divideDecimals, multiplyDecimals } from './decimal-math.js';

describe('decimal arithmetic for derived figures', () => {
  it('divides exactly when the quotient ends within 12 places', () => {
    expect(divideDecimals('2500.0000', '0.0500000000')).toEqual({ value: '50000', exact: true });
    expect(divideDecimals('1', '1024')).toEqual({ value: '0.0009765625', exact: true });
    expect(divideDecimals('-7.5', '2.5')).toEqual({ value: '-3', exact: true });
    expect(divideDecimals('0', '3')).toEqual({ value: '0', exact: true });
  });

  it('rounds a longer quotient once, half-even, to 12 places', () => {
    expect(divideDecimals('100', '3')).toEqual({ value: '33.333333333333', exact: false });
    expect(divideDecimals('200', '3')).toEqual({ value: '66.666666666667', exact: false });
    expect(divideDecimals('-200', '3')).toEqual({ value: '-66.666666666667', exact: false });
    // Ties: 1/2^13 = 0.0001220703125 has 13 places; the 12th digit decides.
    expect(divideDecimals('1', '8192')).toEqual({ value: '0.000122070312', exact: false });
    expect(divideDecimals('3', '8192')).toEqual({ value: '0.000366210938', exact: false });
  });

  it('refuses to divide by zero', () => {
    expect(() => divideDecimals('1', '0.000')).toThrow(RangeError);
  });

  it('adds and multiplies exactly, writing the result without trailing zeros', () => {
    expect(addDecimals('4.0000', '2.88')).toBe('6.88');
    expect(addDecimals('500.0000', '-500.0000')).toBe('0');
    expect(addDecimals('0.1', '0.2')).toBe('0.3');
    expect(multiplyDecimals('0.0016000000', '1800.0000')).toBe('2.88');
    expect(multiplyDecimals('-1.5', '2')).toBe('-3');
  });

  it('a product divided by one factor gives the other back (property)', () => {
    const decimal = fc
      .tuple(fc.integer({ min: 1, max: 10 ** 9 }), fc.integer({ min: 0, max: 6 }))
      .map(([units, scale]) =>
        scale === 0
          ? `${units}`
          : `${Math.trunc(units / 10 ** scale)}.${String(units % 10 ** scale).padStart(scale, '0')}`,
      );
    fc.assert(
      fc.property(decimal, decimal, (left, right) => {
        const quotient = divideDecimals(multiplyDecimals(left, right), right);
        expect(quotient.exact).toBe(true);
        expect(addDecimals(quotient.value, `-${left}`)).toBe('0');
      }),
    );
  });
});
