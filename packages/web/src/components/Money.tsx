/**
 * Money as the API sends it (a decimal string) in the currency's minor units: Intl formats the
 * string itself (ECMA-402 v3), so `1234.565` never becomes a float on the way and is rounded half
 * away from zero to 2 places for USD, 0 for JPY.
 */
export function formatMoney(amount: string | null | undefined, currency = 'USD'): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount as `${number}`);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** A decimal string (quantity, percentage) with at most `digits` places, never via a float. */
export function formatDecimal(value: string | null | undefined, digits = 4): string {
  if (value === null || value === undefined || value === '') return '—';
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: digits }).format(value as `${number}`);
}

export function Money({ amount, currency }: { amount: string | null | undefined; currency?: string }) {
  const text = formatMoney(amount, currency);
  const negative = typeof amount === 'string' && amount.trim().startsWith('-');
  return <span className={negative ? 'money negative' : 'money'}>{text}</span>;
}
