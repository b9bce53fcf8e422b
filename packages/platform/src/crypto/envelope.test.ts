import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  contextBytes,
  createDataKey,
  DataKey,
  isSealed,
  type KeyWrapper,
  openDataKey,
  sealedKeyId,
  secretKeyWrapper,
  UnreadableFieldError,
} from './envelope.js';

const secret = () => randomBytes(32).toString('base64url');
const wrapperWith = (value: string, ref = 'local/t_a/field-key') => secretKeyWrapper(ref, async () => value);
const CONTEXT = { tenant: 't_a', subject: 'u_1' };
const NOW = Date.UTC(2026, 0, 2);

describe('field encryption (envelope: a data key per subject, wrapped by the owner’s key)', () => {
  it('seals and opens a field; the sealed text holds neither the plaintext nor the key', async () => {
    const wrapper = wrapperWith(secret());
    const { key, stored } = await createDataKey(wrapper, CONTEXT, NOW);
    const sealed = key.seal('phone', '+441234567890');
    expect(isSealed(sealed)).toBe(true);
    expect(sealedKeyId(sealed)).toBe(stored.keyId);
    expect(sealed).not.toContain('441234567890');
    expect(stored.wrapped).not.toContain(stored.keyId);
    expect(stored).toMatchObject({ keyRef: 'local/t_a/field-key', createdAt: '2026-01-02T00:00:00.000Z' });
    const reopened = await openDataKey(wrapper, stored, CONTEXT);
    expect(reopened.open('phone', sealed)).toBe('+441234567890');
    // two seals of one value differ (a fresh IV each time)
    expect(key.seal('phone', '+441234567890')).not.toBe(sealed);
    expect(key.open('note', key.seal('note', ''))).toBe('');
  });

  it('a field copied to another field, subject or tenant does not open', async () => {
    const raw = randomBytes(32);
    const mine = DataKey.of('key-aaaaaaaa', raw, CONTEXT);
    const sealed = mine.seal('fieldA', 'a sensitive value');
    expect(() => mine.open('fieldB', sealed)).toThrow(UnreadableFieldError);
    expect(() => DataKey.of('key-aaaaaaaa', raw, { ...CONTEXT, subject: 'u_2' }).open('fieldA', sealed)).toThrow(
      UnreadableFieldError,
    );
    expect(() => DataKey.of('key-aaaaaaaa', raw, { ...CONTEXT, tenant: 't_b' }).open('fieldA', sealed)).toThrow(
      UnreadableFieldError,
    );
  });

  it('another data key (a new one after the old was destroyed) never opens the old fields', async () => {
    const wrapper = wrapperWith(secret());
    const before = await createDataKey(wrapper, CONTEXT, NOW);
    const sealed = before.key.seal('dateOfBirth', '1980-01-31');
    const after = await createDataKey(wrapper, CONTEXT, NOW);
    expect(after.stored.keyId).not.toBe(before.stored.keyId);
    expect(() => after.key.open('dateOfBirth', sealed)).toThrow(UnreadableFieldError);
    // the same id with other bytes fails too (authenticated encryption, not a lookup)
    expect(() => DataKey.of(before.stored.keyId, randomBytes(32), CONTEXT).open('dateOfBirth', sealed)).toThrow(
      UnreadableFieldError,
    );
  });

  it('a tampered field is refused, never opened to other text', async () => {
    const key = DataKey.of('key-bbbbbbbb', randomBytes(32), CONTEXT);
    const sealed = key.seal('phone', '+15550100');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[0] ^= 1;
    parts[3] = body.toString('base64url');
    expect(() => key.open('phone', parts.join('.'))).toThrow(UnreadableFieldError);
    expect(() => key.open('phone', 'plain text')).toThrow(UnreadableFieldError);
    // the error names the field, never its value
    try {
      key.open('phone', parts.join('.'));
    } catch (e) {
      expect(String(e)).not.toContain('15550100');
    }
  });

  it('the wrapped key opens only with its wrapping key and its context', async () => {
    const wrapper = wrapperWith(secret());
    const { stored } = await createDataKey(wrapper, CONTEXT, NOW);
    const refused = (p: Promise<unknown>) =>
      expect(p).rejects.toSatisfy((e) => e instanceof AppError && e.status === 503 && e.code === 'DATA_KEY_UNREADABLE');
    await refused(openDataKey(wrapperWith(secret()), stored, CONTEXT));
    await refused(openDataKey(wrapper, stored, { ...CONTEXT, subject: 'u_2' }));
    await refused(openDataKey(wrapper, { ...stored, keyId: 'someotherid1' }, CONTEXT));
    await refused(openDataKey(wrapper, { ...stored, wrapped: 'AAAA' }, CONTEXT));
  });

  it('a secret that is no 256-bit key: 503 FIELD_KEY_MISCONFIGURED, the secret not in the message', async () => {
    const wrapper = wrapperWith('short-secret-value');
    await expect(createDataKey(wrapper, CONTEXT, NOW)).rejects.toSatisfy(
      (e) =>
        e instanceof AppError &&
        e.code === 'FIELD_KEY_MISCONFIGURED' &&
        e.status === 503 &&
        !e.message.includes('short-secret-value'),
    );
  });

  it('the context is bound in any order of its entries; a different value is a different context', () => {
    expect(contextBytes({ a: '1', b: '2' }).equals(contextBytes({ b: '2', a: '1' }))).toBe(true);
    expect(contextBytes({ a: '1', b: '2' }).equals(contextBytes({ a: '1', b: '3' }))).toBe(false);
  });

  it('any KeyWrapper will do: the envelope code only wraps and unwraps through the port', async () => {
    const calls: string[] = [];
    const wrapped = new Map<string, Uint8Array>();
    const fake: KeyWrapper = {
      keyRef: 'fake',
      async wrap(dataKey, context) {
        calls.push(`wrap ${JSON.stringify(context)}`);
        const id = `w${wrapped.size}`;
        wrapped.set(id, new Uint8Array(dataKey));
        return id;
      },
      async unwrap(id, context) {
        calls.push(`unwrap ${JSON.stringify(context)}`);
        const found = wrapped.get(id);
        if (!found) throw new Error('unknown');
        return found;
      },
    };
    const { key, stored } = await createDataKey(fake, CONTEXT, NOW);
    const sealed = key.seal('phone', '+15550123');
    expect((await openDataKey(fake, stored, CONTEXT)).open('phone', sealed)).toBe('+15550123');
    expect(calls).toEqual([
      `wrap ${JSON.stringify({ ...CONTEXT, keyId: stored.keyId })}`,
      `unwrap ${JSON.stringify({ ...CONTEXT, keyId: stored.keyId })}`,
    ]);
  });
});
