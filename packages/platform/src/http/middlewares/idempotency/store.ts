import type { IdempotencyClaim, LambdaResult } from '../../pipeline.js';

export type StoredResponse = Pick<LambdaResult, 'statusCode' | 'headers' | 'body'>;

export type ClaimOutcome =
  | { claimed: true }
  | {
      claimed: false;
      existing: { hash: string; state: 'IN_PROGRESS' | 'COMPLETED'; response?: StoredResponse } | undefined;
    };

/** Idempotency records: (tenant, principal, route, key) → the request's hash and, once done, its response. */
export interface IdempotencyStore {
  /**
   * Claims the key for a request with `hash`. Succeeds when there is no record, the record has
   * expired, or an in-progress claim was abandoned (its lock passed); otherwise returns the record.
   */
  claim(claim: IdempotencyClaim, hash: string, nowSeconds: number): Promise<ClaimOutcome>;
  complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void>;
  /** gives the key back after a failed request, so the client may retry with it */
  release(claim: IdempotencyClaim): Promise<void>;
}
