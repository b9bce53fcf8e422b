/** Per-(tenant, principal) request counters, one per fixed minute window. */
export interface RateCounterStore {
  /** counts this request; returns the window's count including it */
  hit(tenantId: string, principalId: string, window: number, expiresAtSeconds: number): Promise<number>;
}
