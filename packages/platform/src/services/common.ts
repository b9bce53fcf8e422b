import { auditPut, type AuditSource } from '../audit/audit.js';
import type { RequestContext } from '../context/types.js';
import { AppError, badRequest } from '../errors.js';
import type { HandlerContext } from '../http/types.js';

/** The resolved context; route functions on authenticated routes always have one. */
export function ctxOf(h: HandlerContext): RequestContext {
  if (!h.ctx) throw new Error(`route ${h.route.id} needs a request context`);
  return h.ctx;
}

export function dataTableOf(h: HandlerContext): string {
  if (!h.data) throw new Error(`route ${h.route.id} needs a data backend`);
  return h.data.config.tableName;
}

/** Audit record for a change, as a transaction item to commit with the change itself. */
export function audit(
  h: HandlerContext,
  rec: { action: string; resource: string; before?: unknown; after?: unknown; tenantId?: string; source?: AuditSource },
) {
  const table = h.platform.config.controlTable;
  if (h.ctx) return auditPut(table, rec, h.ctx, h.now);
  return auditPut(table, rec, { tenantId: rec.tenantId ?? 't_system', requestId: h.requestId, system: true }, h.now);
}

export function etag(version: number): string {
  return `"${version}"`;
}

/** Parses If-Match ("3", W/"3" or 3); `required` → 428 when absent. */
export function ifMatch(headers: Record<string, string>, required: boolean): number | undefined {
  const raw = headers['if-match'];
  if (raw === undefined) {
    if (required) throw new AppError(428, 'IF_MATCH_REQUIRED', 'Send If-Match with the ETag you last read');
    return undefined;
  }
  const m = /^\s*(?:W\/)?"?(\d{1,12})"?\s*$/.exec(raw);
  if (!m)
    throw badRequest('INVALID_IF_MATCH', 'If-Match must be an ETag this API issued', [
      { path: 'headers.if-match', message: 'is not a version ETag' },
    ]);
  return Number(m[1]);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
