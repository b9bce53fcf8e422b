import type * as z from 'zod/mini';
import { k } from '../data/keys.js';
import type { RouteHandler } from '../http/types.js';
import type * as s from '../routes/schemas.js';
import { ctxOf } from './common.js';

export const listAudit: RouteHandler = async (i, h) => {
  const ctx = ctxOf(h);
  const q = i.query as z.infer<typeof s.listQuery>;
  return {
    body: await h.platform.control.queryPrefix(k.auditPk(ctx.tenantId), '', q.limit, q.cursor, { forward: false }),
  };
};
