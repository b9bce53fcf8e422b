// Time-sortable ids (ULID-shaped): `<prefix>` + 10 base32 characters of creation time + 16 random ones.
import { randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O, U; its digits sort in ASCII order, so ids sort as text. */
export const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ID_TIME_CHARS = 10; // 50 bits: milliseconds until the year 10889
export const ID_RANDOM_CHARS = 16; // 80 bits
const RANDOM_SPACE = 1n << 80n;

export function encodeBase32(value: bigint, chars: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < chars; i++) {
    out = BASE32[Number(rest & 31n)] + out;
    rest >>= 5n;
  }
  return out;
}

function random80(): bigint {
  return BigInt(`0x${randomBytes(10).toString('hex')}`);
}

let last = { ms: -1, random: 0n };

/** `prefix` + the time and a random part; ids made in a row in one process keep their order. */
export function timeSortableId(prefix: string, nowMs: number): string {
  const ms = Math.max(0, Math.floor(nowMs));
  let random = random80();
  if (ms === last.ms) random = last.random + 1n < RANDOM_SPACE ? last.random + 1n : random;
  last = { ms, random };
  return `${prefix}${encodeBase32(BigInt(ms), ID_TIME_CHARS)}${encodeBase32(random, ID_RANDOM_CHARS)}`;
}
