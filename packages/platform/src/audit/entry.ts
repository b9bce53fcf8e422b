import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../data/unit-of-work.js';
import type { AuditActor, AuditRecord } from './record.js';

/** The full record of an entry a use case staged: who from the actor, when from the clock. */
export function auditRecord(entry: AuditEntry, actor: AuditActor, nowMs: number): AuditRecord {
  const at = new Date(nowMs).toISOString();
  const base = {
    auditId: randomUUID(),
    tenantId: entry.tenantId ?? actor.tenantId,
    at,
    action: entry.action,
    resource: entry.resource,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: actor.requestId,
  };
  switch (actor.kind) {
    case 'principal':
      return {
        ...base,
        actor: actor.principalId,
        actorKind: actor.principalKind,
        source: entry.source ?? 'api',
        ...(actor.projectId ? { projectId: actor.projectId } : {}),
      };
    case 'scheduler':
      return {
        ...base,
        actor: 'scheduler',
        actorKind: 'scheduler',
        source: entry.source ?? 'scheduler',
        ...(actor.projectId ? { projectId: actor.projectId } : {}),
      };
    case 'system':
      return { ...base, actor: 'system', actorKind: 'system', source: entry.source ?? 'system' };
  }
}
