import { parseIsoDate } from './dates.js';

export interface GenerateGenericCsvOptions {
  /** How many different symbols trade (default 20). */
  symbols?: number;
  /** The same seed gives the same file, byte for byte (default 1). */
  seed?: number;
  /** YYYY-MM-DD of the first row (default 2026-01-02); later rows move forward over weekdays. */
  startDate?: string;
}

const HEADER = 'type,tradeDate,symbol,quantity,price,fee,amount,currency,externalId,note';
const FEE_CENTS = 100;

/**
 * A generic-format CSV of `rows` data rows for benchmarks: deterministic (a seeded PRNG, no clock)
 * and self-consistent, so a portfolio service can import all of it — the first row deposits
 * cash, a BUY never costs more than the cash at hand, a SELL never exceeds the holding, dividends
 * are paid only on holdings, and fees never overdraw. Amounts are kept in integer cents while
 * generating, so the written figures are exact. Some notes hold a comma, to exercise quoting.
 */
export function generateGenericCsv(rows: number, options: GenerateGenericCsvOptions = {}): string {
  const symbolCount = options.symbols ?? 20;
  if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`rows must be a whole number ≥ 0, got ${rows}`);
  if (!Number.isInteger(symbolCount) || symbolCount < 1) {
    throw new RangeError(`symbols must be a whole number ≥ 1, got ${symbolCount}`);
  }
  const start = options.startDate ?? '2026-01-02';
  if (parseIsoDate(start) !== start) throw new RangeError(`startDate must be YYYY-MM-DD, got ${start}`);

  const random = mulberry32(options.seed ?? 1);
  const pick = (count: number) => Math.floor(random() * count);
  const symbols = Array.from({ length: symbolCount }, (_, index) => `T${letters(index)}`);
  const prices = symbols.map(() => 1_000 + pick(49_000)); // cents
  const holdings = new Map<string, number>();
  let cash = 0; // cents
  let day = Date.parse(`${start}T00:00:00Z`);
  const lines = [HEADER];

  const write = (
    id: number,
    type: string,
    fields: Partial<Record<'symbol' | 'quantity' | 'price' | 'fee' | 'amount' | 'note', string>>,
  ) => {
    const date = new Date(day).toISOString().slice(0, 10);
    const note = fields.note === undefined ? '' : `"${fields.note.replaceAll('"', '""')}"`;
    lines.push(
      [type, date, fields.symbol, fields.quantity, fields.price, fields.fee, fields.amount, 'USD', `gen-${id}`, note]
        .map((field) => field ?? '')
        .join(','),
    );
  };
  const deposit = (id: number, cents: number) => {
    cash += cents;
    write(id, 'DEPOSIT', { amount: money(cents), note: 'Funding' });
  };

  for (let id = 1; id <= rows; id++) {
    if (id === 1) {
      deposit(id, 10_000_000 + rows * 50_000);
      continue;
    }
    if (random() < 0.3) day = nextWeekday(day);
    const index = pick(symbolCount);
    prices[index] = Math.max(100, Math.round(prices[index] * (0.98 + random() * 0.04)));
    const held = [...holdings.keys()];
    const roll = random();
    if (roll < 0.5 || (roll < 0.9 && held.length === 0)) {
      const symbol = symbols[index];
      const quantity = 1 + pick(50);
      const cost = quantity * prices[index] + FEE_CENTS;
      if (cost > cash) {
        deposit(id, cost + 1_000_000);
        continue;
      }
      cash -= cost;
      holdings.set(symbol, (holdings.get(symbol) ?? 0) + quantity);
      write(id, 'BUY', { symbol, quantity: String(quantity), price: money(prices[index]), fee: money(FEE_CENTS) });
    } else if (roll < 0.8) {
      const symbol = held[pick(held.length)];
      const owned = holdings.get(symbol) ?? 0;
      const quantity = 1 + pick(owned);
      const price = prices[symbols.indexOf(symbol)];
      cash += quantity * price - FEE_CENTS;
      if (quantity === owned) holdings.delete(symbol);
      else holdings.set(symbol, owned - quantity);
      write(id, 'SELL', { symbol, quantity: String(quantity), price: money(price), fee: money(FEE_CENTS) });
    } else if (roll < 0.9) {
      const symbol = held[pick(held.length)];
      const cents = (holdings.get(symbol) ?? 0) * (1 + pick(50));
      cash += cents;
      write(id, 'DIVIDEND', { symbol, amount: money(cents), note: `${symbol} dividend, quarterly` });
    } else if (roll < 0.95 && cash > 1_000) {
      const cents = 100 + pick(900);
      cash -= cents;
      write(id, 'FEE', { amount: money(cents), note: 'Platform fee' });
    } else {
      deposit(id, 100_000 + pick(900_000));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** "12345" cents → "123.45". */
function money(cents: number): string {
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** 0 → "AAA", 1 → "AAB", …: distinct three-letter tails for the symbols. */
function letters(index: number): string {
  let rest = index;
  let out = '';
  for (let place = 0; place < 3 || rest > 0; place++) {
    out = String.fromCharCode(65 + (rest % 26)) + out;
    rest = Math.floor(rest / 26);
  }
  return out;
}

const DAY_MS = 86_400_000;

function nextWeekday(time: number): number {
  let next = time + DAY_MS;
  while ([0, 6].includes(new Date(next).getUTCDay())) next += DAY_MS;
  return next;
}

/** A small, well-known 32-bit PRNG: deterministic across platforms, good enough for test data. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
