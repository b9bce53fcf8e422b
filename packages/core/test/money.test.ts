import { Decimal } from 'decimal.js';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CURRENCY_MINOR_UNITS,
  Dec,
  decimalString,
  formatMoney,
  isDecimalString,
  minorUnits,
  money,
  parseDecimal,
  roundToMinor,
  type RoundingMode,
} from '../src/money.js';
import { DecimalStringSchema, NonNegativeDecimalStringSchema } from '../src/money-schema.js';
import { DECIMAL_RE, significantDigits } from '../src/decimal-grammar.js';
import * as z from 'zod/mini';

/** A decimal string from an integer of minor units and a scale, built without floats. */
function fromUnits(units: bigint, scale: number): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const s = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${s}` : s;
}

/** Canonical form: no leading zeros, no trailing fraction zeros, no "-0", no "+". */
function canonical(s: string): string {
  let neg = s.startsWith('-');
  let body = s.replace(/^[+-]/, '');
  let [int, frac = ''] = body.split('.');
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  body = frac ? `${int}.${frac}` : int;
  if (/^0(\.0*)?$/.test(body)) neg = false;
  return neg ? `-${body}` : body;
}

const decimalStr = fc
  .tuple(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 4 }))
  .map(([u, scale]) => fromUnits(u, scale));

const MODES: RoundingMode[] = ['half-even', 'half-up', 'half-down', 'up', 'down', 'ceil', 'floor'];
const currency = fc.constantFrom(...Object.keys(CURRENCY_MINOR_UNITS));

describe('parseDecimal / money', () => {
  it('accepts plain decimal strings', () => {
    expect(decimalString(parseDecimal('-1234.50'))).toBe('-1234.5');
    expect(decimalString(parseDecimal('0.5'))).toBe('0.5');
    expect(decimalString(parseDecimal('-0'))).toBe('0');
    expect(decimalString(money('0.00000001'))).toBe('0.00000001');
    expect(decimalString(money('123456789012345678901234567890.1234'))).toBe('123456789012345678901234567890.1234');
  });

  it.each([
    '',
    ' ',
    ' 1',
    '1 ',
    '1e3',
    '1E-2',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x10',
    '1.',
    '.5',
    '1,000',
    '1_000',
    '--1',
    '١٢',
    '+5',
    '007',
  ])('refuses %j with a RangeError', (s) => {
    expect(() => parseDecimal(s)).toThrow(RangeError);
    expect(isDecimalString(s)).toBe(false);
  });

  it('refuses more than 34 significant digits, but not leading or trailing zeros, and caps the length', () => {
    expect(() => parseDecimal('1'.repeat(35))).toThrow(RangeError);
    expect(() => parseDecimal(`0.${'1'.repeat(35)}`)).toThrow(RangeError);
    expect(() => parseDecimal(`1${'0'.repeat(33)}1`)).toThrow(RangeError);
    expect(decimalString(parseDecimal(`0.000${'9'.repeat(34)}`))).toBe(`0.000${'9'.repeat(34)}`);
    expect(decimalString(parseDecimal(`1${'0'.repeat(40)}`))).toBe(`1${'0'.repeat(40)}`);
    expect(decimalString(parseDecimal(`1.${'0'.repeat(40)}`))).toBe('1');
    expect(() => parseDecimal(`0.${'0'.repeat(99)}1`)).toThrow(/longer than 100/);
    expect(isDecimalString('1'.repeat(101))).toBe(false);
  });

  it('refuses every JS number with a TypeError (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 0.1, Number.NaN, Infinity)), (x) => {
        expect(() => money(x as unknown as string)).toThrow(TypeError);
        expect(() => parseDecimal(x as unknown as string)).toThrow(TypeError);
        expect(isDecimalString(x)).toBe(false);
      }),
    );
  });

  it('refuses other non-string values with a TypeError', () => {
    for (const v of [null, undefined, 1n, {}, [], true, new Date(0)]) {
      expect(() => money(v as unknown as string)).toThrow(TypeError);
    }
    expect(() => money(new Decimal(Infinity))).toThrow(RangeError);
    expect(() => money(new Decimal(Number.NaN))).toThrow(RangeError);
  });

  it('round-trips: decimalString(parse(s)) is the canonical form of s (property)', () => {
    fc.assert(
      fc.property(decimalStr, (s) => {
        const d = parseDecimal(s);
        expect(decimalString(d)).toBe(canonical(s));
        expect(decimalString(parseDecimal(decimalString(d)))).toBe(decimalString(d));
        expect(isDecimalString(s)).toBe(true);
        expect(DecimalStringSchema.safeParse(s).success).toBe(true);
      }),
    );
  });

  it('sums of money are exact (property, against bigint minor units)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 8 }),
        (units, scale) => {
          const sum = units.reduce((acc, u) => acc.plus(parseDecimal(fromUnits(u, scale))), new Dec(0));
          const expected = units.reduce((a, b) => a + b, 0n);
          expect(decimalString(sum)).toBe(canonical(fromUnits(expected, scale)));
        },
      ),
    );
  });

  it('0.1 + 0.2 is 0.3 exactly', () => {
    expect(money('0.1').plus(money('0.2')).eq(money('0.3'))).toBe(true);
  });

  it('is isolated from global Decimal settings', () => {
    const saved = { precision: Decimal.precision, rounding: Decimal.rounding };
    try {
      Decimal.set({ precision: 5, rounding: Decimal.ROUND_UP });
      expect(decimalString(money('1').div(money('3')))).toBe(`0.${'3'.repeat(34)}`);
      // a Decimal made by the reconfigured global constructor is re-homed before arithmetic
      const foreign = new Decimal('1');
      expect(decimalString(money(foreign).div(3))).toBe(`0.${'3'.repeat(34)}`);
      expect(decimalString(roundToMinor(money('0.125'), 'USD'))).toBe('0.12');
    } finally {
      Decimal.set(saved);
    }
  });
});

/**
 * The grammar spelled a second, independent way (no regex): optional "-", an integer part of
 * digits without a leading zero unless it is exactly "0", an optional "." and one or more digits.
 */
function inGrammar(s: string): boolean {
  const body = s.startsWith('-') ? s.slice(1) : s;
  const [int, frac, ...more] = body.split('.');
  const digits = (t: string) => t.length > 0 && [...t].every((c) => c >= '0' && c <= '9');
  if (more.length > 0 || !digits(int) || (int.length > 1 && int.startsWith('0'))) return false;
  return frac === undefined || digits(frac);
}

const NOT_DECIMAL = 'must be a decimal string like "1234.50"';
const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? [] : (result.error?.issues ?? []).map((issue) => issue.message);

describe('the decimal grammar (one for core and the HTTP layer)', () => {
  const accepted = [
    '0',
    '-0',
    '0.5',
    '-0.25',
    '0.00',
    '0.000001',
    '7',
    '10',
    '-10',
    '1234.50',
    '-1234.5000',
    '100000000000000000000',
    '9'.repeat(34),
    `0.${'9'.repeat(34)}`,
  ];
  const refused = [
    '+5',
    '+0',
    '+1.5',
    '+-1',
    '-+1',
    '007',
    '00',
    '01',
    '00.5',
    '-007',
    '-01.5',
    '.5',
    '-.5',
    '5.',
    '-5.',
    '.',
    '-',
    '+',
    '1.2.3',
    '1e3',
    '1E3',
    '1e-3',
    ' 1',
    '1 ',
    '\t1',
    '1\n',
    '1 000',
    '1,5',
    '0x1f',
    'Infinity',
    'NaN',
    '',
  ];

  it.each(accepted)('accepts %j everywhere: isDecimalString, parseDecimal, money() and both schemas', (s) => {
    expect(isDecimalString(s)).toBe(true);
    expect(parseDecimal(s).eq(money(s))).toBe(true);
    expect(DecimalStringSchema.safeParse(s)).toEqual({ success: true, data: s });
    if (!s.startsWith('-')) expect(NonNegativeDecimalStringSchema.safeParse(s)).toEqual({ success: true, data: s });
  });

  it.each(refused)('refuses %j everywhere, the schemas with one message', (s) => {
    expect(inGrammar(s)).toBe(false);
    expect(isDecimalString(s)).toBe(false);
    expect(() => parseDecimal(s)).toThrow(RangeError);
    expect(() => money(s)).toThrow(RangeError);
    expect(messages(DecimalStringSchema.safeParse(s))).toEqual([NOT_DECIMAL]);
    expect(messages(NonNegativeDecimalStringSchema.safeParse(s))).toEqual([NOT_DECIMAL]);
  });

  it('the schemas refuse non-strings with the same message (a JSON number is the usual mistake)', () => {
    for (const v of [12.5, 0, -1, null, undefined, true, {}, [], ['1'], 1n]) {
      expect(messages(DecimalStringSchema.safeParse(v)), String(v)).toEqual([NOT_DECIMAL]);
      expect(messages(NonNegativeDecimalStringSchema.safeParse(v)), String(v)).toEqual([NOT_DECIMAL]);
    }
  });

  it('NonNegativeDecimalStringSchema refuses a minus sign, "-0" included, with its own message', () => {
    for (const s of ['-1', '-0.01', '-1234.50', '-0', '-0.00']) {
      expect(DecimalStringSchema.safeParse(s).success, s).toBe(true);
      expect(messages(NonNegativeDecimalStringSchema.safeParse(s)), s).toEqual(['must not be negative']);
    }
    // a string outside the grammar gets the grammar's message only, never both
    expect(messages(NonNegativeDecimalStringSchema.safeParse('-x'))).toEqual([NOT_DECIMAL]);
    expect(messages(NonNegativeDecimalStringSchema.safeParse('-007'))).toEqual([NOT_DECIMAL]);
  });

  it('the caps still hold inside the grammar: 34 significant digits, 100 characters', () => {
    expect(inGrammar('1'.repeat(35))).toBe(true);
    expect(isDecimalString('1'.repeat(35))).toBe(false);
    expect(messages(DecimalStringSchema.safeParse('1'.repeat(35)))).toEqual([NOT_DECIMAL]);
    expect(isDecimalString(`0.${'0'.repeat(97)}1`)).toBe(true);
    expect(isDecimalString(`0.${'0'.repeat(98)}1`)).toBe(false);
  });

  it('short strings over its alphabet are accepted exactly when the independent spelling says so (property)', () => {
    const unit = fc.constantFrom('0', '0', '1', '5', '9', '.', '-', '+', 'e', ' ');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (s) => {
        const ok = inGrammar(s);
        expect(isDecimalString(s)).toBe(ok);
        expect(DecimalStringSchema.safeParse(s).success).toBe(ok);
        if (ok) expect(decimalString(parseDecimal(s))).toBe(canonical(s));
        else expect(() => parseDecimal(s)).toThrow(RangeError);
      }),
      { numRuns: 5000 },
    );
  });

  it('every string decimalString(parseDecimal(s)) produces is accepted again, and is a fixed point (property)', () => {
    const grammarString = fc.stringMatching(/^-?(0|[1-9]\d{0,40})(\.\d{1,40})?$/).filter((s) => isDecimalString(s));
    fc.assert(
      fc.property(fc.oneof(grammarString, decimalStr), (s) => {
        const out = decimalString(parseDecimal(s));
        expect(isDecimalString(out)).toBe(true);
        expect(DecimalStringSchema.safeParse(out).success).toBe(true);
        expect(decimalString(parseDecimal(out))).toBe(out);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('roundToMinor / formatMoney', () => {
  it('uses ISO 4217 minor units', () => {
    expect(minorUnits('USD')).toBe(2);
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('KRW')).toBe(0);
    expect(minorUnits('BHD')).toBe(3);
    expect(minorUnits('KWD')).toBe(3);
    for (const c of ['EUR', 'GBP', 'CHF', 'CAD', 'AUD']) expect(minorUnits(c)).toBe(2);
  });

  it('refuses unknown currencies', () => {
    for (const c of ['usd', 'XXX', '', 'BTC', 'toString', '__proto__']) {
      expect(() => minorUnits(c)).toThrow(RangeError);
      expect(() => roundToMinor('1', c)).toThrow(RangeError);
    }
  });

  it('defaults to half-even and allows an override', () => {
    expect(decimalString(roundToMinor('0.125', 'USD'))).toBe('0.12');
    expect(decimalString(roundToMinor('0.135', 'USD'))).toBe('0.14');
    expect(decimalString(roundToMinor('-0.125', 'USD'))).toBe('-0.12');
    expect(decimalString(roundToMinor('0.125', 'USD', 'half-up'))).toBe('0.13');
    expect(decimalString(roundToMinor('-0.125', 'USD', 'half-up'))).toBe('-0.13');
    expect(decimalString(roundToMinor('2.5', 'JPY'))).toBe('2');
    expect(decimalString(roundToMinor('3.5', 'JPY'))).toBe('4');
    expect(decimalString(roundToMinor('1.0005', 'BHD'))).toBe('1');
    expect(decimalString(roundToMinor('1.0015', 'KWD'))).toBe('1.002');
    expect(decimalString(roundToMinor('0.121', 'USD', 'up'))).toBe('0.13');
    expect(decimalString(roundToMinor('-0.129', 'USD', 'down'))).toBe('-0.12');
    expect(decimalString(roundToMinor('-0.121', 'USD', 'floor'))).toBe('-0.13');
    expect(decimalString(roundToMinor('0.121', 'USD', 'ceil'))).toBe('0.13');
    expect(() => roundToMinor('1', 'USD', 'bankers' as RoundingMode)).toThrow(RangeError);
  });

  it('is idempotent and moves a value by at most one minor unit (half a unit for half-* modes) (property)', () => {
    fc.assert(
      fc.property(decimalStr, currency, fc.constantFrom(...MODES), (s, ccy, mode) => {
        const once = roundToMinor(s, ccy, mode);
        const twice = roundToMinor(once, ccy, mode);
        expect(twice.eq(once)).toBe(true);
        expect(once.decimalPlaces()).toBeLessThanOrEqual(minorUnits(ccy));
        const unit = new Dec(10).pow(-minorUnits(ccy));
        const err = once.minus(parseDecimal(s)).abs();
        expect(err.lte(mode.startsWith('half') ? unit.div(2) : unit)).toBe(true);
        if (mode !== 'half-even' && mode !== 'half-up' && mode !== 'half-down') expect(err.lt(unit)).toBe(true);
      }),
    );
  });

  it('half-even sums of ties do not drift (the reason it is the default)', () => {
    const ties = Array.from({ length: 100 }, (_, i) => `${i}.${String(i).padStart(2, '0')}5`);
    const exact = ties.reduce((a, s) => a.plus(money(s)), new Dec(0));
    const even = ties.reduce((a, s) => a.plus(roundToMinor(s, 'USD')), new Dec(0));
    const up = ties.reduce((a, s) => a.plus(roundToMinor(s, 'USD', 'half-up')), new Dec(0));
    expect(decimalString(even.minus(exact))).toBe('0');
    expect(decimalString(up.minus(exact))).toBe('0.5');
  });

  it('formats with every minor digit and no negative zero', () => {
    expect(formatMoney('1234.5', 'USD')).toBe('1234.50');
    expect(formatMoney('-1234.505', 'USD')).toBe('-1234.50');
    expect(formatMoney('1234.5', 'JPY')).toBe('1234');
    expect(formatMoney('7', 'BHD')).toBe('7.000');
    expect(formatMoney('-0.001', 'USD')).toBe('0.00');
    expect(formatMoney('0.005', 'USD', 'half-up')).toBe('0.01');
    expect(formatMoney(money('12345678901234567890.125'), 'EUR')).toBe('12345678901234567890.12');
  });

  it('formatMoney output parses back to the rounded value (property)', () => {
    fc.assert(
      fc.property(decimalStr, currency, (s, ccy) => {
        const f = formatMoney(s, ccy);
        expect(isDecimalString(f)).toBe(true);
        expect(parseDecimal(f).eq(roundToMinor(s, ccy))).toBe(true);
        const frac = f.split('.')[1] ?? '';
        expect(frac.length).toBe(minorUnits(ccy));
      }),
    );
  });
});

// Found by mutation testing (npm run mutate -- core-money): what the refusals say, the exact
// length cap, re-homing, the significant-digit count, and the grammar as the API documents it.
describe('money: refusals say what was wrong, and no more', () => {
  it('a number is told that floats are refused; other types are named', () => {
    expect(() => parseDecimal(1.5 as unknown as string)).toThrow(
      /^parseDecimal expects a decimal string, got a JS number \(floats are refused; pass a string\)$/,
    );
    expect(() => parseDecimal(true as unknown as string)).toThrow(
      /^parseDecimal expects a decimal string, got boolean$/,
    );
    expect(() => money(12 as unknown as string)).toThrow(/^money expects a decimal string or Decimal, got a JS number/);
    expect(() => money({} as unknown as string)).toThrow(/^money expects a decimal string or Decimal, got object$/);
    expect(() => money(new Decimal(Infinity))).toThrow(/^money must be finite$/);
  });

  it('a refused string is quoted, cut at 64 characters', () => {
    expect(() => parseDecimal('1e3')).toThrow(/^not a plain decimal string: "1e3"$/);
    const long = `${'7'.repeat(80)}x`;
    expect(() => parseDecimal(long)).toThrow(new RangeError(`not a plain decimal string: "${'7'.repeat(64)}"`));
    expect(() => parseDecimal('9'.repeat(80))).toThrow(
      new RangeError(`more than 34 significant digits: ${'9'.repeat(64)}`),
    );
  });

  it('unknown currencies and rounding modes are named', () => {
    expect(() => minorUnits('XYZ')).toThrow(/^unknown currency: "XYZ"$/);
    expect(() => roundToMinor('1', 'USD', 'bogus' as RoundingMode)).toThrow(/^unknown rounding mode: bogus$/);
  });

  it('exactly 100 characters is still a decimal string; 101 is not', () => {
    const hundred = `0.${'0'.repeat(97)}1`;
    expect(hundred).toHaveLength(100);
    expect(isDecimalString(hundred)).toBe(true);
    expect(decimalString(parseDecimal(hundred))).toBe(hundred);
    expect(() => parseDecimal(`0.${'0'.repeat(98)}1`)).toThrow(/longer than 100/);
  });

  it('a Decimal of our own constructor is returned as is; a foreign one is copied into it', () => {
    const ours = parseDecimal('12.34');
    expect(money(ours)).toBe(ours);
    const foreign = new Decimal('12.34');
    const rehomed = money(foreign);
    expect(rehomed).not.toBe(foreign);
    expect(rehomed.constructor).toBe(Dec);
    expect(decimalString(rehomed)).toBe('12.34');
  });
});

describe('significantDigits: from the first to the last non-zero digit, the point and sign not counted', () => {
  it.each([
    ['0', 1],
    ['-0', 1],
    ['0.000', 1],
    ['7', 1],
    ['9', 1],
    ['99', 2],
    ['1000', 1],
    ['0.0010', 1],
    ['123.45', 5],
    ['-9.9', 2],
    ['100.001', 6],
    ['0.90', 1],
  ] as const)('%s → %i', (s, n) => {
    expect(significantDigits(s)).toBe(n);
  });

  it('35 nines are one digit too many', () => {
    expect(isDecimalString('9'.repeat(34))).toBe(true);
    expect(isDecimalString('9'.repeat(35))).toBe(false);
    expect(isDecimalString(`9.${'9'.repeat(34)}`)).toBe(false);
  });
});

describe('the decimal grammar as the OpenAPI document spells it (registry metadata)', () => {
  const unit = fc.constantFrom('0', '1', '5', '9', '.', '-', '+', 'e', ' ', 'x');
  it.each([
    ['DecimalStringSchema', DecimalStringSchema],
    ['NonNegativeDecimalStringSchema', NonNegativeDecimalStringSchema],
  ] as const)('%s: its documented pattern and length accept exactly what it accepts (property)', (_n, schema) => {
    const meta = z.globalRegistry.get(schema) as { pattern?: string; maxLength?: number; examples?: unknown[] };
    expect(meta.pattern).toBeDefined();
    expect(meta.maxLength).toBe(100);
    const documented = new RegExp(meta.pattern as string);
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (s) => {
        expect(documented.test(s)).toBe(schema.safeParse(s).success);
      }),
      { numRuns: 3000 },
    );
    expect(meta.examples?.length).toBeGreaterThan(0);
    for (const example of meta.examples ?? []) expect(schema.safeParse(example).success).toBe(true);
  });

  it('the pattern of the plain grammar is DECIMAL_RE', () => {
    expect((z.globalRegistry.get(DecimalStringSchema) as { pattern: string }).pattern).toBe(DECIMAL_RE.source);
  });
});
