import { AdminGetUserCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { userPhone, type KeyWrapperFor } from '@ballast/app/profile/index.js';
import { SYSTEM_TENANT } from '@ballast/platform/context/types.js';
import type { Backend } from '@ballast/platform/http/handler.js';
import type { AddressBook, Addresses } from './addresses.js';

/**
 * The user's verified e-mail address in a Cognito user pool (`AdminGetUser`; the user id is the
 * token's `sub`, which Cognito takes as the user name of a pool that signs in by e-mail). An
 * address not verified is none: alerts go only where the user proved they read. A user the pool
 * does not hold has none either. Any other failure throws without Cognito's message (it may name
 * the pool or the role), for the e-mail delivery alone to be recorded failed.
 */
export async function cognitoEmail(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  userId: string,
): Promise<string | undefined> {
  let attributes: Array<{ Name?: string; Value?: string }>;
  try {
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: userId }));
    if (user.Enabled === false) return undefined;
    attributes = user.UserAttributes ?? [];
  } catch (e) {
    const name = (e as { name?: string }).name ?? 'Error';
    if (name === 'UserNotFoundException') return undefined;
    throw new Error(`the user's e-mail address could not be read (${name})`, { cause: e });
  }
  const value = (attribute: string) => attributes.find((a) => a.Name === attribute)?.Value;
  const email = value('email');
  return email && value('email_verified') === 'true' ? email : undefined;
}

/** What the cloud address book reads with: the Cognito client and the tenant's key wrapper (the phone is sealed). */
export interface CloudAddressDeps {
  cognito: CognitoIdentityProviderClient;
  keys: KeyWrapperFor;
}

/**
 * The deployment's user pool: the one the platform's (t_system) `identity` routing entry names in
 * the backend's env, as scripts/seed-stage.ts writes it from the Auth stack. Users of a tenant's
 * own identity provider are not in it, and have no e-mail address here.
 */
async function deploymentUserPool(b: Backend, env: string): Promise<string | undefined> {
  const entry = await b.platform.registry.find(SYSTEM_TENANT, env, 'identity');
  return entry?.config.userPoolId;
}

/**
 * Where the backend's tenant's users are reached in the cloud: e-mail from the deployment's
 * Cognito user pool (verified only), the phone from their onboarding (opened with their data key;
 * an erased user has none), no push endpoint (no device registers one yet). Only the address the
 * channel needs is looked up, afresh on each call: nothing of one user is kept for another.
 */
export function cloudAddressBook(b: Backend, deps: CloudAddressDeps): AddressBook {
  return async (tenantId, userId, channel): Promise<Addresses> => {
    if (!b.scope || b.scope.tenantId !== tenantId) {
      throw new Error('addresses are read for the backend’s own tenant only');
    }
    if (channel === 'email') {
      const pool = await deploymentUserPool(b, b.scope.env);
      const email = pool ? await cognitoEmail(deps.cognito, pool, userId) : undefined;
      return email ? { email } : {};
    }
    if (channel === 'sms') {
      const phone = await userPhone(b, deps.keys, userId);
      return phone ? { phone } : {};
    }
    return {};
  };
}
