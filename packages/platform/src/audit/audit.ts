import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../context/types.js';
import { k } from '../data/keys.js';

export type AuditSource = 'api' | 'scheduler' | 'agent' | 'system';

export interface AuditRecord {
  auditId: string;
  tenantId: string;
  at: string;
  actor: string;
  actorKind: 'user' | 'apiKey' | 'system';
  action: string;
  resource: string;
  before: unknown;
  after: unknown;
  source: AuditSource;
  requestId: string;
  projectId?: string;
}

/**
 * An audit record as a TransactWriteItems Put, so the audit lands atomically with the change it
 * describes. The condition makes records append-only: an id can never be overwritten.
 */
export function auditPut(
  controlTable: string,
  rec: { action: string; resource: string; before?: unknown; after?: unknown; tenantId?: string; source?: AuditSource },
  ctx:
    | Pick<RequestContext, 'tenantId' | 'requestId' | 'principal' | 'projectId'>
    | { tenantId: string; requestId: string; system: true },
  nowMs: number,
) {
  const at = new Date(nowMs).toISOString();
  const auditId = randomUUID();
  const tenantId = rec.tenantId ?? ctx.tenantId;
  const isSystem = 'system' in ctx;
  const item: AuditRecord & Record<string, unknown> = {
    PK: k.auditPk(tenantId),
    SK: `${at}#${auditId}`,
    auditId,
    tenantId,
    at,
    actor: isSystem ? 'system' : ctx.principal.id,
    actorKind: isSystem ? 'system' : ctx.principal.kind,
    action: rec.action,
    resource: rec.resource,
    before: rec.before ?? null,
    after: rec.after ?? null,
    source: rec.source ?? (isSystem ? 'system' : 'api'),
    requestId: ctx.requestId,
    ...(!isSystem && ctx.projectId ? { projectId: ctx.projectId } : {}),
  };
  return {
    Put: {
      TableName: controlTable,
      Item: item,
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}
