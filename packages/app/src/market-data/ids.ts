import { createHash, randomBytes } from 'node:crypto';

/** Crockford's base32: its digits sort in ASCII order, so time-prefixed ids sort by time as text. */
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

function timeChars(ms: number): string {
  let out = '';
  let rest = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    out = BASE32[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** A sync id: `sy_` + 10 characters of creation time + 16 random ones (ULID-shaped, time-sortable). */
export const SYNC_ID = /^sy_[0-9A-HJKMNP-TV-Z]{26}$/;
export const newSyncId = (nowMs: number): string => `sy_${timeChars(nowMs)}${base32(randomBytes(10), 16)}`;

/**
 * An economic event's id, derived from what identifies it (time, country, title): importing the
 * same calendar twice replaces the events instead of listing them twice.
 */
export function eventIdOf(time: string, country: string, title: string): string {
  const digest = createHash('sha256').update(`${time}\u0000${country}\u0000${title.toLowerCase()}`).digest();
  return `ev_${base32(digest, 20)}`;
}
