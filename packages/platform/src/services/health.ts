import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { unavailable } from '../errors.js';
import type { RouteHandler } from '../http/types.js';

export const live: RouteHandler = async (_i, h) => ({ body: { status: 'ok', time: new Date(h.now).toISOString() } });

export const ready: RouteHandler = async (_i, h) => {
  const started = h.platform.now();
  try {
    await h.platform.db.send(new DescribeTableCommand({ TableName: h.platform.config.controlTable }));
  } catch {
    throw unavailable('NOT_READY', 'The control table is not reachable');
  }
  return {
    body: { status: 'ready', checks: { controlTable: { ok: true, ms: Math.round(h.platform.now() - started) } } },
  };
};
