/** What readiness asks of the backends. */
export interface HealthStore {
  /** milliseconds the control table took to answer; throws when it does not */
  pingControlTable(): Promise<number>;
  /** milliseconds a consistent read of a tenant's own health key in a data table took; throws when it fails */
  pingDataTable(table: string, tenantId: string): Promise<number>;
}

/** The docs page's static parts. */
export interface DocsAssets {
  /** the API reference's browser script */
  scalarScript(): Promise<string>;
}
