import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(len: number): string {
  const bytes = randomBytes(len);
  let out = '';
  for (let i = 0; i < len; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return out;
}

/** `bk_<keyId>_<secret>`: the key id finds the record, only a hash of the whole secret is stored. */
export function newApiKey(): { keyId: string; secret: string; hash: string } {
  const keyId = `k_${randomId(16)}`;
  const secret = `bk_${keyId}_${randomBytes(32).toString('base64url')}`;
  return { keyId, secret, hash: hashKey(secret) };
}

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function parseApiKey(secret: string): { keyId: string } | null {
  const m = /^bk_(k_[A-Za-z0-9]{16})_[A-Za-z0-9_-]{43}$/.exec(secret);
  return m ? { keyId: m[1] } : null;
}

export function hashMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashKey(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
