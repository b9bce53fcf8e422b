// Currency facts with no arithmetic attached, so code that only validates currency codes
// (request schemas) does not pull decimal.js into its bundle.

/** ISO 4217 minor units (digits after the decimal point) of the currencies we price in. */
export const CURRENCY_MINOR_UNITS: Readonly<Record<string, number>> = Object.freeze({
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  NZD: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  HKD: 2,
  SGD: 2,
  CNY: 2,
  INR: 2,
  MXN: 2,
  BRL: 2,
  ZAR: 2,
  ILS: 2,
  TRY: 2,
  HUF: 2,
  JPY: 0,
  KRW: 0,
  ISK: 0,
  CLP: 0,
  VND: 0,
  BHD: 3,
  KWD: 3,
  JOD: 3,
  OMR: 3,
  TND: 3,
});

/** Minor-unit digits of an ISO 4217 code; an unknown code throws a RangeError. */
export function minorUnits(currency: string): number {
  const digits = Object.hasOwn(CURRENCY_MINOR_UNITS, currency) ? CURRENCY_MINOR_UNITS[currency] : undefined;
  if (digits === undefined) throw new RangeError(`unknown currency: ${JSON.stringify(currency)}`);
  return digits;
}
