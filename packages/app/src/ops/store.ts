/** What readiness asks of the backends. */
export interface HealthStore {
  /** milliseconds the control table took to answer; throws when it does not */
  pingControlTable(): Promise<number>;
}
