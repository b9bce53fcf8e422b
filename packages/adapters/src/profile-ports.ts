import { KMSClient } from '@aws-sdk/client-kms';
import type { Backend } from '@ballast/platform/http/handler.js';
import { fieldKeyRef, profilePorts, secretStoreWrapper } from '@ballast/app/profile/index.js';
import { KMS_KEY_REF, kmsKeyWrapper } from './keys/kms.js';

let kms: KMSClient | undefined;

/** The tenant's key wrapper: KMS when its field key is a KMS key, else the secret store's key. */
export async function tenantKeyWrapper(b: Backend) {
  const ref = await fieldKeyRef(b);
  if (!KMS_KEY_REF.test(ref)) return secretStoreWrapper(b, ref);
  kms ??= new KMSClient({ region: b.platform.config.region });
  return kmsKeyWrapper(kms, ref);
}

/** The profile context's ports with the tenant key wrappers bound in (function entries use it). */
export const boundProfilePorts = profilePorts(tenantKeyWrapper);
