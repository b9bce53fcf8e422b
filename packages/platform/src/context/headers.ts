import { badRequest } from '../errors.js';
import { ID_PATTERN } from '../schemas/common.js';

/**
 * The shapes of the context headers, each checked before the header is used for any lookup:
 * X-Env by `resolveEnv` (before any credential is looked up), X-Tenant-Id and X-Project-Id by
 * `claimedContext` (before membership is read; a malformed X-Tenant-Id is no hint for finding a
 * token's issuer either), Idempotency-Key before its record is claimed, and X-Request-Id by
 * `requestIdOf` (one that is not sane is replaced, never echoed nor looked up).
 */

/** Idempotency-Key: 8-128 characters of A-Z a-z 0-9 _ . : - */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** A tenant id as an unverified hint (a header or a token claim): only an id of the right shape is one. */
export function tenantHint(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  return ID_PATTERN.test(v) ? v : undefined;
}

export function invalidTenantId() {
  return badRequest('INVALID_TENANT_ID', 'X-Tenant-Id is not a valid tenant id', [
    { path: 'headers.x-tenant-id', message: 'is not a valid tenant id' },
  ]);
}

export function invalidProjectId() {
  return badRequest('PROJECT_UNKNOWN', 'X-Project-Id is not a valid project id', [
    { path: 'headers.x-project-id', message: 'is not a valid project id' },
  ]);
}
