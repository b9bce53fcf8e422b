import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { unavailable } from '../errors.js';

/**
 * Field encryption, envelope style: each subject (whoever the caller names by its context) has a
 * data key of its own (AES-256-GCM), stored only wrapped by a key the subject's owner holds (KMS in
 * the cloud, a key from the secret store locally). Each field is sealed with the data key and an
 * AAD of the context plus the field's name, so a sealed value copied to another subject or another
 * field does not open. Destroying the wrapped data key makes every field sealed with it unreadable
 * (crypto-shredding); a new data key has a new id, so it never opens what the old one sealed.
 */

/** Who and what a key or a field belongs to (e.g. tenant and subject); bound into every seal. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** Wraps and unwraps data keys with a key that never leaves its holder (the KeyWrapper port). */
export interface KeyWrapper {
  /** the wrapping key's reference (a KMS key id, a secret ref), recorded beside each wrapped key */
  readonly keyRef: string;
  /** the data key wrapped under `context` (base64) */
  wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<string>;
  /** the data key back; a wrong context, key or blob fails (never returns other bytes) */
  unwrap(wrapped: string, context: EncryptionContext): Promise<Uint8Array>;
}

/** A data key as stored: never the key itself. */
export interface StoredDataKey {
  keyId: string;
  keyRef: string;
  wrapped: string;
  createdAt: string;
}

const VERSION = 'enc1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^enc1\.([A-Za-z0-9_-]{8,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})$/;

/** The context as bytes, independent of the order its entries were written in. */
export function contextBytes(context: EncryptionContext): Buffer {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(entries), 'utf8');
}

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** Whether a stored value is a sealed field (and not, say, a value written before encryption). */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && SEALED.test(value);
}

/** The id of the data key that sealed `sealed` (undefined when it is not a sealed field). */
export function sealedKeyId(sealed: string): string | undefined {
  return SEALED.exec(sealed)?.[1];
}

/** A field that cannot be opened: its key is gone, or it was sealed for another context. */
export class UnreadableFieldError extends Error {
  constructor(readonly field: string) {
    super(`the field ${field} cannot be opened with this key`);
    this.name = 'UnreadableFieldError';
  }
}

/** An unwrapped data key, bound to its context: seals and opens fields. Held in memory for one use only. */
export class DataKey {
  private constructor(
    readonly keyId: string,
    private readonly key: Buffer,
    private readonly context: EncryptionContext,
  ) {}

  static of(keyId: string, key: Uint8Array, context: EncryptionContext): DataKey {
    if (key.length !== KEY_BYTES) throw new Error(`a data key is ${KEY_BYTES} bytes`);
    return new DataKey(keyId, Buffer.from(key), { ...context });
  }

  private aad(field: string): Buffer {
    return contextBytes({ ...this.context, field });
  }

  /** `enc1.<keyId>.<iv>.<ciphertext>.<tag>`, base64url parts; the plaintext never appears in it */
  seal(field: string, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.aad(field));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, b64u(iv), b64u(body), b64u(cipher.getAuthTag())].join('.');
  }

  /** The plaintext, or UnreadableFieldError (another key, another context or field, tampered). */
  open(field: string, sealed: string): string {
    const parts = SEALED.exec(sealed);
    if (!parts || parts[1] !== this.keyId) throw new UnreadableFieldError(field);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(parts[2], 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(this.aad(field));
      decipher.setAuthTag(Buffer.from(parts[4], 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(parts[3], 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new UnreadableFieldError(field);
    }
  }
}

/** A new data key for `context`: the key to use now, and what to store (wrapped). */
export async function createDataKey(
  wrapper: KeyWrapper,
  context: EncryptionContext,
  nowMs: number,
): Promise<{ key: DataKey; stored: StoredDataKey }> {
  const raw = randomBytes(KEY_BYTES);
  const keyId = b64u(randomBytes(9));
  const wrapped = await wrapper.wrap(raw, { ...context, keyId });
  const stored = { keyId, keyRef: wrapper.keyRef, wrapped, createdAt: new Date(nowMs).toISOString() };
  return { key: DataKey.of(keyId, raw, context), stored };
}

/** The stored data key unwrapped, for `context` (the one it was created for). */
export async function openDataKey(
  wrapper: KeyWrapper,
  stored: StoredDataKey,
  context: EncryptionContext,
): Promise<DataKey> {
  const raw = await wrapper.unwrap(stored.wrapped, { ...context, keyId: stored.keyId });
  return DataKey.of(stored.keyId, raw, context);
}

/** The wrapping key a secret holds: 32 bytes, base64 or base64url (503 when it is anything else). */
export function wrappingKeyOf(secret: string): Buffer {
  const key = Buffer.from(secret.trim(), 'base64url');
  if (key.length !== KEY_BYTES) {
    throw unavailable('FIELD_KEY_MISCONFIGURED', 'The field encryption key in the secret store is not a 256-bit key');
  }
  return key;
}

/**
 * The local (and any secret-store) key wrapper: AES-256-GCM under a 256-bit key read from the
 * secret store, the context as AAD. `loadKey` is called on each use (the resolver caches).
 */
export function secretKeyWrapper(keyRef: string, loadKey: () => Promise<string>): KeyWrapper {
  const unusable = () => unavailable('DATA_KEY_UNREADABLE', 'A stored data key could not be unwrapped');
  return {
    keyRef,
    async wrap(dataKey, context) {
      const key = wrappingKeyOf(await loadKey());
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(contextBytes(context));
      const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
    },
    async unwrap(wrapped, context) {
      const key = wrappingKeyOf(await loadKey());
      const blob = Buffer.from(wrapped, 'base64');
      if (blob.length !== IV_BYTES + KEY_BYTES + TAG_BYTES) throw unusable();
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV_BYTES), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(contextBytes(context));
        decipher.setAuthTag(blob.subarray(IV_BYTES + KEY_BYTES));
        return new Uint8Array(
          Buffer.concat([decipher.update(blob.subarray(IV_BYTES, IV_BYTES + KEY_BYTES)), decipher.final()]),
        );
      } catch {
        throw unusable();
      }
    },
  };
}
