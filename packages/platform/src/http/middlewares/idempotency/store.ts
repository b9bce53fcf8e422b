import type { CommitGuard } from '../../../data/unit-of-work.js';
import type { IdempotencyClaim, LambdaResult } from '../../pipeline.js';

export type StoredResponse = Pick<LambdaResult, 'statusCode' | 'headers' | 'body'> & {
  /** fields removed from the body because they held secrets (never stored in clear) */
  redacted?: string[];
};

export type ClaimOutcome =
  | { claimed: true; owner: string }
  | {
      claimed: false;
      existing: { hash: string; state: 'IN_PROGRESS' | 'COMPLETED'; response?: StoredResponse } | undefined;
    };

/**
 * Idempotency records: (tenant, env, principal kind and id, route, key) → the request's hash and,
 * once done, its response (without secrets: see storableResponse).
 */
export interface IdempotencyStore {
  /**
   * Claims the key for a request with `hash`. Succeeds when there is no record, the record has
   * expired, or an in-progress claim was abandoned (its lock passed); otherwise returns the record.
   */
  claim(claim: IdempotencyClaim, hash: string, nowSeconds: number): Promise<ClaimOutcome>;
  /**
   * Stores the response — only while `owner` still holds the claim: an invocation that outlived
   * its lock (and was taken over) must not overwrite the new owner's record. Answers whether it did.
   */
  complete(claim: IdempotencyClaim, owner: string, response: StoredResponse): Promise<boolean>;
  /** gives the key back after a failed request, so the client may retry with it (owner only, too) */
  release(claim: IdempotencyClaim, owner: string): Promise<void>;
  /**
   * Where the claimed request's commits leave their markers: beside the claim, so a retry with the
   * same key meets them (a lost answer must not become a second write). `sequence` is the request's.
   */
  commitGuard?(claim: IdempotencyClaim, nowSeconds: number): CommitGuard;
}
