import { type CandleRequest, ProviderError } from '@ballast/app/market-data/provider.js';

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A request's window as epoch ms, both ends inclusive: a date `from` starts at its 00:00 UTC, a
 * date `to` runs to the end of its day (so `to: "2030-01-15"` includes that day's bars).
 */
export function windowOf(provider: string, request: CandleRequest): { fromMs: number; toMs: number } {
  const bound = (text: string, side: 'from' | 'to') => {
    const ms = DATE_ONLY.test(text)
      ? Date.parse(`${text}T00:00:00Z`) + (side === 'to' ? DAY_MS - 1 : 0)
      : /^\d{4}-\d{2}-\d{2}T/.test(text)
        ? Date.parse(text)
        : Number.NaN;
    if (!Number.isFinite(ms)) {
      throw new ProviderError(provider, 'bad-request', `${side} is not an ISO 8601 date or date-time: ${text}`);
    }
    return ms;
  };
  return { fromMs: bound(request.from, 'from'), toMs: bound(request.to, 'to') };
}

export const isoOf = (ms: number): string => new Date(ms).toISOString();

/** 00:00 UTC of the date `ms` falls on: where bars of a day or longer open, whatever the vendor stamped. */
export const dateStartOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** `YYYY-MM-DD` (UTC) */
export const dateOf = (ms: number): string => isoOf(ms).slice(0, 10);
