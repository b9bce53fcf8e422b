import { type KeyWrapper, secretKeyWrapper } from '@ballast/platform/crypto/envelope.js';
import { forbidden } from '@ballast/platform/errors.js';
import type { RouteSpec } from '@ballast/platform/http/define-route.js';
import { type Backend, dataTableOf, type RouteHandler } from '@ballast/platform/http/handler.js';
import { DynamoProfileStore } from './store.dynamo.js';

/** Whose profile: the verified tenant and the signed-in user (never a path or a body). */
export interface ProfileSubject {
  tenantId: string;
  userId: string;
}

/** The caller of a profile route: a user (an API key has no profile: 403 USER_REQUIRED). */
export function subjectOf(b: Backend): ProfileSubject {
  const ctx = b.ctx;
  if (!ctx) throw new Error('profile routes authenticate: no request context');
  if (ctx.principal.kind !== 'user' || !ctx.principal.userId) {
    throw forbidden('USER_REQUIRED', 'A profile belongs to a signed-in user; an API key has none');
  }
  return { tenantId: ctx.tenantId, userId: ctx.principal.userId };
}

/** One user's profile store in the tenant's data table (tenant-scoped client). */
export const profileStoreOf = (b: Backend, subject: ProfileSubject) =>
  new DynamoProfileStore(b.db, dataTableOf(b), subject);

/**
 * The reference of the tenant's field-encryption key: `refs.fieldKey` of its `secrets` routing
 * entry, else `<prefix>field-key` (a secret in its own prefix). A KMS key id, ARN or alias is wrapped
 * by KMS (bound in packages/adapters); anything else names a secret holding a 256-bit key. A tenant
 * without a `secrets` entry is 503 ROUTING_NOT_CONFIGURED, never a fallback.
 */
export async function fieldKeyRef(b: Backend): Promise<string> {
  if (!b.scope) throw new Error('field keys belong to a tenant');
  const entry = await b.platform.registry.require(b.scope.tenantId, b.scope.env, 'secrets');
  const named = entry.config.refs.fieldKey;
  return typeof named === 'string' && named ? named : `${entry.config.prefix}field-key`;
}

/** The wrapper for a key held in the secret store (locally, and tenants without a KMS key). */
export const secretStoreWrapper = (b: Backend, ref: string): KeyWrapper =>
  secretKeyWrapper(ref, () => b.platform.secrets.resolve(ref));

/** How a request finds the tenant's key wrapper (the function entry binds KMS in). */
export type KeyWrapperFor = (b: Backend) => Promise<KeyWrapper>;

/** The secret store only: what runs when no KMS binding is given (unit tests, tools). */
export const secretStoreKeys: KeyWrapperFor = async (b) => secretStoreWrapper(b, await fieldKeyRef(b));

/**
 * The caller's profile, the tenant's key wrapper (resolved only when personal fields are read or
 * written), the tenancy records (an erasure removes the membership) and the request's backend
 * (the sections other contexts add to an export read with it).
 */
export const profilePorts = (keyWrapperFor: KeyWrapperFor) => (b: Backend) => {
  const subject = subjectOf(b);
  return {
    subject,
    profile: profileStoreOf(b, subject),
    keys: () => keyWrapperFor(b),
    tenancy: b.platform.tenancy,
    backend: b,
  };
};

export type ProfilePorts = ReturnType<ReturnType<typeof profilePorts>>;
export type ProfileHandler<D extends RouteSpec> = RouteHandler<D, ProfilePorts>;
