import { DECIMAL_RE } from '@ballast/core/decimal-grammar.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inferDecimalSeparator, normaliseNumber } from './numbers.js';

describe('normaliseNumber', () => {
  it.each([
    ['1234.50', '1234.50'],
    ['1,234.50', '1234.50'],
    ['1,234,567.8', '1234567.8'],
    ['  42 ', '42'],
    ['+7', '7'],
    ['-12.30', '-12.30'],
    ['\u221212.30', '-12.30'],
    ['(12.30)', '-12.30'],
    ['( 1,000 )', '-1000'],
    ['$1,234.50', '1234.50'],
    ['-$5', '-5'],
    ['(€5.10)', '-5.10'],
    ['1.234,56', '1234.56'],
    ['1.234.567', '1234567'],
    ['0,5', '0.5'],
    ['12,5', '12.5'],
    ['1,2345', '1.2345'],
    ['1,234', '1234'],
    ['1 234,56', '1234.56'],
    ['1\u00a0234,56', '1234.56'],
    ["1'234.50", '1234.50'],
    ['007', '7'],
    ['00.50', '0.50'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['-0.00', '0.00'],
    ['(0)', '0'],
    ['0', '0'],
  ])('reads %j as %j', (raw, expected) => {
    expect(normaliseNumber(raw)).toBe(expected);
    expect(expected).toMatch(DECIMAL_RE);
  });

  it.each([
    '',
    '   ',
    '-',
    '.',
    'abc',
    '12a',
    '1e3',
    '1E-2',
    '0x10',
    'NaN',
    'Infinity',
    '12%',
    '1,23.4',
    '12.34.5,6',
    '1,234 567',
    '--5',
    '(-5)',
    '1.2.3',
    '1,,234',
    '12-',
    '$-5',
    '1'.repeat(40),
  ])('refuses %j', (raw) => {
    expect(normaliseNumber(raw)).toBeUndefined();
  });

  it('reads ambiguous numbers by the file’s decimal separator when it is given', () => {
    expect(normaliseNumber('1,234', '.')).toBe('1234');
    expect(normaliseNumber('1,234', ',')).toBe('1.234');
    expect(normaliseNumber('1.234', '.')).toBe('1.234');
    expect(normaliseNumber('1.234', ',')).toBe('1234');
    expect(normaliseNumber('1.234,56', ',')).toBe('1234.56');
    expect(normaliseNumber('-1.234.567,8', ',')).toBe('-1234567.8');
  });

  it('refuses a number that contradicts the file’s decimal separator', () => {
    expect(normaliseNumber('12,5', '.')).toBeUndefined();
    expect(normaliseNumber('12.5', ',')).toBeUndefined();
    expect(normaliseNumber('1,234.56', ',')).toBeUndefined();
    expect(normaliseNumber('1.234,56', '.')).toBeUndefined();
  });

  const canonical = fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.option(fc.stringMatching(/^\d{1,8}$/), { nil: undefined }))
    .map(([integer, fraction]) => (fraction === undefined ? `${integer}` : `${integer}.${fraction}`));

  it('keeps every plain decimal string as it is (property)', () => {
    fc.assert(
      fc.property(canonical, fc.boolean(), (value, negative) => {
        const signed = negative && /[1-9]/.test(value) ? `-${value}` : value;
        expect(normaliseNumber(signed)).toBe(signed);
        expect(normaliseNumber(signed, '.')).toBe(signed);
      }),
    );
  });

  it('reads back a number grouped in either convention (property)', () => {
    fc.assert(
      fc.property(canonical, fc.constantFrom('.', ','), fc.constantFrom('', ' ', '\u00a0'), (value, decimal, space) => {
        const [integer, fraction] = value.split('.');
        const grouping = space || (decimal === '.' ? ',' : '.');
        const grouped = integer.replace(/\B(?=(\d{3})+(?!\d))/g, grouping);
        const written = fraction === undefined ? grouped : `${grouped}${decimal}${fraction}`;
        expect(normaliseNumber(written, decimal)).toBe(value);
        expect(normaliseNumber(`(${written})`, decimal)).toBe(/[1-9]/.test(value) ? `-${value}` : value);
      }),
    );
  });
});

describe('inferDecimalSeparator', () => {
  it('takes the separator the unambiguous numbers agree on', () => {
    expect(inferDecimalSeparator(['1,234', '12.5', '100'])).toBe('.');
    expect(inferDecimalSeparator(['1.234', '0,25', '100'])).toBe(',');
    expect(inferDecimalSeparator(['1,234.56'])).toBe('.');
    expect(inferDecimalSeparator(['1.234,56'])).toBe(',');
    expect(inferDecimalSeparator(['1.234.567'])).toBe(',');
    expect(inferDecimalSeparator(['0.123'])).toBe('.');
    expect(inferDecimalSeparator(['(1,234.5)', '-0,5'])).toBeUndefined();
  });

  it('falls back when nothing tells, and gives up when the file contradicts itself', () => {
    expect(inferDecimalSeparator(['1,234', '1.234', '7', ''], ',')).toBe(',');
    expect(inferDecimalSeparator([], '.')).toBe('.');
    expect(inferDecimalSeparator(['12.5', '12,5'], '.')).toBeUndefined();
  });

  it('ignores cells that are not numbers', () => {
    expect(inferDecimalSeparator(['2026-08-26', 'Cash Dividend USD 0.24 per Share', 'U1234567', '12,5'])).toBe(',');
  });
});
