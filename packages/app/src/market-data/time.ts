/**
 * Times as market data arrives: an ISO date (`2026-03-06`, 00:00 UTC), an ISO date-time with `Z`
 * or an offset, the same with a space and no zone (`2026-03-06 14:30:00`, read as UTC — how vendors
 * and spreadsheets print it), and in CSV files also Unix epoch seconds or milliseconds.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const EPOCH = /^\d{9,13}$/;

/** Bars and events Ballast keeps lie in these years. */
export const EARLIEST_MS = Date.UTC(1900, 0, 1);
export const LATEST_MS = Date.UTC(2200, 0, 1);

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function inRange(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= EARLIEST_MS && ms < LATEST_MS ? ms : undefined;
}

/** Epoch ms of a date or date-time (see above); undefined when it is neither or out of range. */
export function parseTimestamp(text: string, o: { epoch?: boolean } = {}): number | undefined {
  const value = text.trim();
  const date = DATE.exec(value);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    return validDate(year, month, day) ? inRange(Date.UTC(year, month - 1, day)) : undefined;
  }
  const dateTime = DATE_TIME.exec(value);
  if (dateTime) {
    const [year, month, day, hour, minute] = dateTime.slice(1, 6).map(Number);
    const second = Number(dateTime[6] ?? 0);
    if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
    const fraction = dateTime[7] ? Math.floor(Number(`0${dateTime[7]}`) * 1000) : 0;
    let ms = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
    const zone = dateTime[8];
    if (zone && zone.toUpperCase() !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const [zoneHours, zoneMinutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2))];
      if (zoneHours > 23 || zoneMinutes > 59) return undefined;
      ms -= sign * (zoneHours * 60 + zoneMinutes) * 60_000;
    }
    return inRange(ms);
  }
  if (o.epoch && EPOCH.test(value)) {
    const n = Number(value);
    return inRange(n < 1e11 ? n * 1000 : n);
  }
  return undefined;
}

export const isoOf = (ms: number): string => new Date(ms).toISOString();
export const dateOf = (ms: number): string => isoOf(ms).slice(0, 10);
export const isDateOnly = (text: string): boolean => DATE.test(text.trim());
