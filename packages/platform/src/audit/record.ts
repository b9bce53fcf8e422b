export type AuditSource = 'api' | 'scheduler' | 'agent' | 'system';

/** An append-only record of one state change: who, what, before/after, where it came from. */
export interface AuditRecord {
  auditId: string;
  tenantId: string;
  at: string;
  actor: string;
  actorKind: 'user' | 'apiKey' | 'system' | 'scheduler';
  action: string;
  resource: string;
  before: unknown;
  after: unknown;
  source: AuditSource;
  requestId: string;
  projectId?: string;
}

/** Who is acting: a verified principal of a request, or the platform itself (bootstrap, jobs). */
export type AuditActor =
  | {
      kind: 'principal';
      tenantId: string;
      requestId: string;
      principalId: string;
      principalKind: 'user' | 'apiKey';
      projectId?: string;
    }
  | { kind: 'system'; tenantId: string; requestId: string }
  | { kind: 'scheduler'; tenantId: string; requestId: string; projectId?: string };

export interface AuditQuery {
  limit: number;
  cursor?: string;
  resource?: string;
  action?: string;
  /** oldest instant to look back to (the tenant's creation); ISO 8601 */
  since: string;
  /** newest instant (now) */
  until: string;
}
