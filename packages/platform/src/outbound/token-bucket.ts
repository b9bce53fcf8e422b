import { createHash } from 'node:crypto';

/**
 * A rate shared by every Lambda at once: one bucket item in the control table, so that however
 * many functions are warm, together they stay within what a far side allows one credential
 * (e.g. 8 requests a minute). The DynamoDB adapter is token-bucket.dynamo.ts.
 */

export interface TokenBucketSpec {
  /**
   * opaque and stable, e.g. `opaqueBucketKey(farSide, credentialId)`; never a secret itself,
   * since it is stored in clear in the control table and shows in its metrics
   */
  key: string;
  /** the most tokens the bucket holds: the burst allowed after a quiet spell */
  capacity: number;
  /** tokens added per minute (may be fractional: 800 a day is 800 / 1440) */
  refillPerMinute: number;
}

export type TokenGrant = { granted: true } | { granted: false; retryAfterMs: number };

export interface TokenBucket {
  /**
   * takes `tokens` (default 1) if the bucket holds them, else takes nothing and says how long
   * until it will; asking for more than the capacity is a RangeError (it could never be granted)
   */
  take(tokens?: number): Promise<TokenGrant>;
}

/** A bucket key that names its parts without revealing them (a hash; parts may be secrets' ids). */
export function opaqueBucketKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}

export { dynamoTokenBucket } from './token-bucket.dynamo.js';
