// Calendar arithmetic on ISO dates ('YYYY-MM-DD'), proleptic Gregorian, as whole day numbers.
// No `Date` object: a date string means a calendar day, not an instant, so there is no time zone
// to get wrong and no clock to read. Day numbers are days since 1970-01-01 (H. Hinnant's
// days_from_civil / civil_from_days, exact for every representable year).
import * as z from 'zod/mini';

const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `year` is a Gregorian leap year. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

interface Civil {
  year: number;
  month: number;
  day: number;
}

function parseCivil(date: string): Civil | undefined {
  const m = ISO_DATE_RE.exec(date);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** Whether `date` is a real calendar day written 'YYYY-MM-DD' ('2025-02-29' is not). */
export function isIsoDate(date: string): boolean {
  return parseCivil(date) !== undefined;
}

/** An ISO calendar date, 'YYYY-MM-DD', that exists. */
export const IsoDateSchema = z
  .string()
  .check(z.refine(isIsoDate, { error: 'must be a calendar date written YYYY-MM-DD' }));

function civilToDays({ year, month, day }: Civil): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12; // March = 0 … February = 11
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysToCivil(days: number): Civil {
  const z0 = days + 719468;
  const era = Math.floor(z0 / 146097);
  const doe = z0 - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function requireCivil(date: string): Civil {
  const civil = parseCivil(date);
  if (!civil) throw new RangeError(`not a calendar date written YYYY-MM-DD: ${JSON.stringify(date)}`);
  return civil;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function formatCivil({ year, month, day }: Civil): string {
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} cannot be written as YYYY`);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Days since 1970-01-01 of an ISO date. Throws RangeError on anything but a real 'YYYY-MM-DD'. */
export function toDayNumber(date: string): number {
  return civilToDays(requireCivil(date));
}

/** The ISO date of a day number (days since 1970-01-01). */
export function fromDayNumber(days: number): string {
  if (!Number.isSafeInteger(days)) throw new RangeError(`day number must be an integer, got ${days}`);
  return formatCivil(daysToCivil(days));
}

/** `date` plus `days` (negative to go back). */
export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Actual days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** ISO weekday of `date`: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  // 1970-01-01 was a Thursday (ISO 4).
  const d = toDayNumber(date);
  return ((((d + 3) % 7) + 7) % 7) + 1;
}

/**
 * `date` moved by whole years, the day clamped to the end of the month when it does not exist
 * there: 2024-02-29 minus one year is 2023-02-28 (the rule of date-fns `subYears` and of Java's
 * `LocalDate.minusYears`).
 */
export function addYears(date: string, years: number): string {
  const { year, month, day } = requireCivil(date);
  const y = year + years;
  return formatCivil({ year: y, month, day: Math.min(day, daysInMonth(y, month)) });
}

/** The first day of the month of `date`. */
export function startOfMonth(date: string): string {
  const { year, month } = requireCivil(date);
  return formatCivil({ year, month, day: 1 });
}

/** 1 January of the year of `date`. */
export function startOfYear(date: string): string {
  return formatCivil({ year: requireCivil(date).year, month: 1, day: 1 });
}
