import { isDecimalString } from '@ballast/core/decimal-grammar.js';

/** The character that separates a number's integer part from its fraction. */
export type DecimalSeparator = '.' | ',';

/** Grouping characters other than '.' and ',': spaces (also no-break and thin) and the Swiss apostrophes. */
const GROUPING_MARKS = new Set([' ', '\u00a0', '\u202f', '\u2009', "'", '\u2019']);
const CURRENCY_SIGNS = new Set(['$', '€', '£', '¥']);
const BODY = /^[\d.,' \u00a0\u202f\u2009\u2019]+$/;

/**
 * A number as a spreadsheet or broker writes it → a plain decimal string of the ledger's grammar
 * (DECIMAL_RE), or undefined when it is not a number.
 *
 * - Digits are kept as written: "1,234.50" → "1234.50" (trailing zeros too; a leading zero is
 *   dropped: "007" → "7", ".5" → "0.5"); "-0.00" → "0.00".
 * - Negatives: "-12.30", "−12.30" (U+2212) and the accountant's "(12.30)" → "-12.30". A leading
 *   "+" is dropped. One leading currency sign ($ € £ ¥) is allowed and dropped.
 * - Grouping: ',' or '.' (whichever is not the decimal separator), spaces, no-break and thin
 *   spaces, apostrophes ("1'234.50"); groups must be three digits, so "1,23.4" is not a number.
 * - `decimal` says which of '.' and ',' is the decimal separator (the file's convention, see
 *   `inferDecimalSeparator`). Without it: when both occur the last one is the separator
 *   ("1.234,56" → "1234.56"); a lone ',' followed by exactly three digits is grouping
 *   ("1,234" → "1234"), otherwise the separator ("0,5" → "0.5"); a lone '.' is the separator.
 * - No exponents, hex, percent signs or words: those are not amounts a broker writes.
 */
export function normaliseNumber(raw: string, decimal?: DecimalSeparator): string | undefined {
  let text = raw.trim();
  let negative = false;
  if (text.startsWith('(') && text.endsWith(')')) {
    negative = true;
    text = text.slice(1, -1).trim();
  }
  const sign = text[0];
  if (sign === '-' || sign === '\u2212' || sign === '+') {
    if (negative && sign !== '+') return undefined; // "(-5)" has two minus signs
    negative = negative || sign !== '+';
    text = text.slice(1);
  }
  if (CURRENCY_SIGNS.has(text[0])) text = text.slice(1);
  if (text === '' || !BODY.test(text)) return undefined;

  const separator = decimalSeparatorOf(text, decimal);
  const point = separator === undefined ? -1 : text.indexOf(separator);
  if (point >= 0 && text.indexOf(separator as string, point + 1) >= 0) return undefined;
  const integerPart = point >= 0 ? text.slice(0, point) : text;
  const fraction = point >= 0 ? text.slice(point + 1) : '';
  if (!/^\d*$/.test(fraction)) return undefined;
  const integer = ungroup(integerPart);
  if (integer === undefined || (integer === '' && fraction === '')) return undefined;

  const digits = integer.replace(/^0+(?=\d)/, '') || '0';
  const magnitude = fraction === '' ? digits : `${digits}.${fraction}`;
  const isZero = !/[1-9]/.test(magnitude);
  const result = negative && !isZero ? `-${magnitude}` : magnitude;
  return isDecimalString(result) ? result : undefined;
}

/** Which character of `text` (sign and currency already stripped) is the decimal separator. */
function decimalSeparatorOf(text: string, decimal: DecimalSeparator | undefined): DecimalSeparator | undefined {
  const dot = text.lastIndexOf('.');
  const comma = text.lastIndexOf(',');
  if (decimal !== undefined) return decimal;
  if (dot >= 0 && comma >= 0) return dot > comma ? '.' : ',';
  if (comma >= 0) {
    if (text.indexOf(',') !== comma) return undefined; // several commas: all grouping
    return /,\d{3}$/.test(text) && /^[1-9]\d{0,2},/.test(text) ? undefined : ',';
  }
  if (dot >= 0 && text.indexOf('.') !== dot) return undefined; // several dots: grouping
  return dot >= 0 ? '.' : undefined;
}

/** The integer part without its grouping marks, or undefined when the groups are not thousands. */
function ungroup(integerPart: string): string | undefined {
  if (/^\d*$/.test(integerPart)) return integerPart;
  const marks = new Set([...integerPart].filter((char) => !/\d/.test(char)));
  if (marks.size !== 1) return undefined; // "1,234 567": two kinds of grouping in one number
  const [mark] = marks;
  if (mark !== '.' && mark !== ',' && !GROUPING_MARKS.has(mark)) return undefined;
  const groups = integerPart.split(mark);
  const wellFormed = /^[1-9]\d{0,2}$/.test(groups[0]) && groups.slice(1).every((group) => /^\d{3}$/.test(group));
  return wellFormed ? groups.join('') : undefined;
}

/**
 * The decimal separator a file's numbers use, from the ones that cannot be read two ways:
 * "12.5", "0.125", "1,234.56" say '.'; "12,5", "1.234,56", "1.234.567" say ','. "1,234" and
 * "1.234" say nothing. A file that says nothing gets `fallback` (the convention of its
 * delimiter, say); one that disagrees with itself gets undefined, so each number is then read on
 * its own by `normaliseNumber`'s rules.
 */
export function inferDecimalSeparator(
  values: Iterable<string>,
  fallback?: DecimalSeparator,
): DecimalSeparator | undefined {
  let dot = 0;
  let comma = 0;
  for (const value of values) {
    const vote = unambiguousSeparator(value);
    if (vote === '.') dot++;
    else if (vote === ',') comma++;
  }
  if (dot > 0 && comma === 0) return '.';
  if (comma > 0 && dot === 0) return ',';
  return dot === 0 ? fallback : undefined;
}

function unambiguousSeparator(value: string): DecimalSeparator | undefined {
  const text = value.replace(/[\s()+\-\u2212$€£¥']/g, '');
  if (!/^[\d.,]+$/.test(text)) return undefined;
  const dot = text.lastIndexOf('.');
  const comma = text.lastIndexOf(',');
  if (dot >= 0 && comma >= 0) return dot > comma ? '.' : ',';
  const mark = dot >= 0 ? '.' : comma >= 0 ? ',' : undefined;
  if (mark === undefined) return undefined;
  const other: DecimalSeparator = mark === '.' ? ',' : '.';
  if (text.indexOf(mark) !== text.lastIndexOf(mark)) return other; // repeated: it is the grouping
  // One mark followed by three digits after a 1-3 digit non-zero head reads both ways.
  if (/^[1-9]\d{0,2}[.,]\d{3}$/.test(text)) return undefined;
  return mark;
}
