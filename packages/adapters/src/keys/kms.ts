import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { KeyWrapper } from '@ballast/platform/crypto/envelope.js';
import { unavailable } from '@ballast/platform/errors.js';

/** A KMS key id, key ARN or alias: a tenant field key that KMS holds (anything else names a secret). */
export const KMS_KEY_REF =
  /^(arn:aws[a-z-]*:kms:|alias\/|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)/;

/**
 * Data keys wrapped by a KMS key: Encrypt and Decrypt with the encryption context (tenant, user,
 * key id), so a wrapped key only unwraps for the user it was made for, and CloudTrail records each
 * use with that context. A KMS failure is 503 (its message never passed on: it may name the key).
 */
export function kmsKeyWrapper(client: KMSClient, keyId: string): KeyWrapper {
  const failed = (e: unknown) => {
    const name = (e as { name?: string }).name ?? 'Error';
    return unavailable('KEY_SERVICE_UNAVAILABLE', `The tenant's field key could not be used (${name})`);
  };
  return {
    keyRef: keyId,
    async wrap(dataKey, context) {
      try {
        const res = await client.send(
          new EncryptCommand({ KeyId: keyId, Plaintext: dataKey, EncryptionContext: { ...context } }),
        );
        if (!res.CiphertextBlob) throw new Error('no ciphertext');
        return Buffer.from(res.CiphertextBlob).toString('base64');
      } catch (e) {
        throw failed(e);
      }
    },
    async unwrap(wrapped, context) {
      try {
        const res = await client.send(
          new DecryptCommand({
            KeyId: keyId,
            CiphertextBlob: Buffer.from(wrapped, 'base64'),
            EncryptionContext: { ...context },
          }),
        );
        if (!res.Plaintext) throw new Error('no plaintext');
        // a copy: the SDK may zero the buffer it handed out
        return new Uint8Array(res.Plaintext);
      } catch (e) {
        throw failed(e);
      }
    },
  };
}
