import { randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { createDataKey, openDataKey } from '@ballast/platform/crypto/envelope.js';
import { AppError } from '@ballast/platform/errors.js';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { KMS_KEY_REF, kmsKeyWrapper } from './kms.js';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CONTEXT = { tenant: 't_a', user: 'u_1' };
const kms = mockClient(KMSClient);
afterEach(() => kms.reset());

/** A fake KMS: Encrypt keeps the plaintext under a random blob, with the context it was given. */
function fakeKms() {
  const held = new Map<string, { plaintext: Uint8Array; context: string }>();
  kms.on(EncryptCommand).callsFake((input: { Plaintext: Uint8Array; EncryptionContext: Record<string, string> }) => {
    const blob = randomBytes(48);
    held.set(blob.toString('hex'), {
      plaintext: new Uint8Array(input.Plaintext),
      context: JSON.stringify(input.EncryptionContext),
    });
    return { CiphertextBlob: new Uint8Array(blob), KeyId: KEY };
  });
  kms
    .on(DecryptCommand)
    .callsFake((input: { CiphertextBlob: Uint8Array; EncryptionContext: Record<string, string> }) => {
      const found = held.get(Buffer.from(input.CiphertextBlob).toString('hex'));
      if (!found || found.context !== JSON.stringify(input.EncryptionContext)) {
        throw Object.assign(new Error('InvalidCiphertextException'), { name: 'InvalidCiphertextException' });
      }
      // a copy, as the real SDK hands out a buffer it may zero
      return { Plaintext: new Uint8Array(found.plaintext), KeyId: KEY };
    });
}

describe('KMS key wrapper (mocked at the SDK boundary)', () => {
  it('wraps a data key with Encrypt under the key and the encryption context, unwraps it with Decrypt', async () => {
    fakeKms();
    const wrapper = kmsKeyWrapper(new KMSClient({ region: 'eu-west-1' }), KEY);
    const { key, stored } = await createDataKey(wrapper, CONTEXT, 0);
    expect(stored.keyRef).toBe(KEY);
    const sealed = key.seal('taxId', '123-45-6789');
    const encrypt = kms.commandCalls(EncryptCommand)[0].args[0].input;
    expect(encrypt.KeyId).toBe(KEY);
    expect(encrypt.EncryptionContext).toEqual({ ...CONTEXT, keyId: stored.keyId });
    const reopened = await openDataKey(wrapper, stored, CONTEXT);
    expect(reopened.open('taxId', sealed)).toBe('123-45-6789');
    const decrypt = kms.commandCalls(DecryptCommand)[0].args[0].input;
    expect(decrypt).toMatchObject({ KeyId: KEY, EncryptionContext: { ...CONTEXT, keyId: stored.keyId } });
  });

  it('another user’s context does not unwrap; a KMS failure is 503 without its message', async () => {
    fakeKms();
    const wrapper = kmsKeyWrapper(new KMSClient({ region: 'eu-west-1' }), KEY);
    const { stored } = await createDataKey(wrapper, CONTEXT, 0);
    await expect(openDataKey(wrapper, stored, { ...CONTEXT, user: 'u_2' })).rejects.toSatisfy(
      (e) => e instanceof AppError && e.status === 503 && e.code === 'KEY_SERVICE_UNAVAILABLE',
    );
    kms.on(EncryptCommand).rejects(Object.assign(new Error(`denied on ${KEY}`), { name: 'AccessDeniedException' }));
    await expect(createDataKey(wrapper, CONTEXT, 0)).rejects.toSatisfy(
      (e) =>
        e instanceof AppError && e.status === 503 && !e.message.includes(KEY) && e.message.includes('AccessDenied'),
    );
  });

  it('tells KMS keys from secret refs', () => {
    for (const ref of [KEY, 'alias/ballast-t_a', '1234abcd-12ab-34cd-56ef-1234567890ab']) {
      expect(KMS_KEY_REF.test(ref), ref).toBe(true);
    }
    for (const ref of ['local/t_demo/field-key', 'ballast/prod/tenants/t_a/field-key']) {
      expect(KMS_KEY_REF.test(ref), ref).toBe(false);
    }
  });
});
