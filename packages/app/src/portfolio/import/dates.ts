// Dates as brokers write them → YYYY-MM-DD. A time of day, when present, is dropped as written:
// the ledger records trade dates, and the exports below already give the date the broker booked.

/** YYYY-MM-DD when year, month and day name a real calendar day (no 2026-02-30). */
export function calendarDate(year: string, month: string, day: string): string | undefined {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return undefined;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= daysInMonth ? `${year}-${month}-${day}` : undefined;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** "2026-08-26", or an ISO date-time ("2026-08-26T11:00:00Z", "2026-08-26 11:00:00.123"): its date. */
export function parseIsoDate(raw: string): string | undefined {
  const match = ISO_DATE.exec(raw.trim());
  return match ? calendarDate(match[1], match[2], match[3]) : undefined;
}

const IBKR_DATE = /^(\d{4})-?(\d{2})-?(\d{2})(?:\s*[,;T ]\s*\d{1,2}:?\d{2}(?::?\d{2})?(?:\s*[A-Z]{2,5})?)?$/;

/**
 * IBKR dates: "2026-08-26", "20260826", "2026-08-26, 11:00:00" (Activity Statement),
 * "20260826;110000" (Flex with its default date/time separator).
 */
export function parseIbkrDate(raw: string): string | undefined {
  const match = IBKR_DATE.exec(raw.trim());
  return match ? calendarDate(match[1], match[2], match[3]) : undefined;
}

/** Kraken times are UTC: "2026-01-05 14:03:10.1234", ISO forms, or (old exports) Unix seconds. */
export function parseKrakenTime(raw: string): string | undefined {
  const text = raw.trim();
  if (/^\d{9,10}(?:\.\d+)?$/.test(text)) {
    const date = new Date(Number(text.split('.')[0]) * 1000);
    return date.toISOString().slice(0, 10);
  }
  return parseIsoDate(text);
}
