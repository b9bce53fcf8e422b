import { encodeCursor, invalidCursor, openCursor } from '@ballast/platform/data/cursor.js';
import { AppError, conflict, notFound, preconditionFailed } from '@ballast/platform/errors.js';
import { etag } from '@ballast/platform/http/middlewares/validate/if-match.js';
import {
  auditView,
  blobsOf,
  checkBars,
  curveBlob,
  decodeCurve,
  INLINE_MAX_BARS,
  MAX_BARS,
  readBars,
  renderBacktest,
  renderCurve,
  renderPoint,
  requestOf,
  runInline,
  runStepped,
  STALE_RUN_MS,
  stageCompleted,
  TRADES_PER_PART,
  tradesBlob,
  writeBlobs,
} from './backtest.js';
import type { jobs } from './backtest-jobs.js';
import { jobs as backtestJobs } from './backtest-jobs.js';
import type { routes } from './backtest-routes.js';
import type { RenderedTrade } from './backtest-schemas.js';
import type { BacktestStore, StoredBacktest } from './backtest-store.js';
import { newBacktestId } from './ids.js';
import type { BacktestHandler, BacktestJobHandler, BacktestPorts } from './ports.js';

type R = typeof routes;
type J = typeof jobs;
const iso = (ms: number) => new Date(ms).toISOString();
const location = (id: string) => `/v1/backtests/${id}`;

async function recordOf(store: BacktestStore, backtestId: string): Promise<StoredBacktest> {
  const found = await store.get(backtestId);
  if (!found) throw notFound('BACKTEST_NOT_FOUND', `No backtest ${backtestId} in this project`);
  return found;
}

function completed(b: StoredBacktest): StoredBacktest & { outcome: NonNullable<StoredBacktest['outcome']> } {
  const outcome = b.outcome;
  if (b.status !== 'completed' || !outcome) {
    throw conflict('BACKTEST_NOT_COMPLETED', `Backtest ${b.backtestId} is ${b.status}: it has no result yet`);
  }
  return { ...b, outcome };
}

/**
 * Runs at most INLINE_MAX_BARS bars here and answers 201 with the result; a longer window is
 * stored pending with its job due now, in the same unit of work, and answers 202. Reading one bar
 * past the limit is how it tells the two apart.
 */
export const createBacktest: BacktestHandler<R['createBacktest']> = async ({ body }, h) => {
  const request = requestOf(body);
  const bars = await readBars(h.ports, request, INLINE_MAX_BARS + 1);
  checkBars(request, bars);
  const at = iso(h.now);
  const base: StoredBacktest = {
    backtestId: newBacktestId(h.now),
    status: 'pending',
    progress: { done: 0, total: 0 },
    request,
    runner: 'inline',
    createdAt: at,
    createdBy: h.ctx.principal.id,
    updatedAt: at,
    version: 1,
  };
  const uow = h.unitOfWork();
  if (bars.length > INLINE_MAX_BARS) {
    const pending: StoredBacktest = { ...base, runner: 'job' };
    h.ports.backtests.put(uow, pending, undefined);
    h.ports.due.schedule(uow, {
      job: backtestJobs.backtestRun.id,
      tenantId: h.ctx.tenantId,
      env: h.ctx.env,
      projectId: h.ctx.projectId ?? '',
      workId: pending.backtestId,
      dueAt: at,
      payload: { backtestId: pending.backtestId },
    });
    uow.audit({ action: 'backtest.create', resource: `backtest/${pending.backtestId}`, after: auditView(pending) });
    await uow.commit();
    return {
      status: 202,
      body: { backtestId: pending.backtestId, status: 'pending' },
      headers: { Location: location(pending.backtestId) },
    };
  }
  const result = runInline(request, bars);
  await writeBlobs(h.ports.blobs, base.backtestId, result, bars, request.currency);
  const started = { ...base, startedAt: at };
  const { record, curve } = stageCompleted(h.ports.backtests, uow, started, undefined, result, bars, h.now);
  uow.audit({ action: 'backtest.create', resource: `backtest/${record.backtestId}`, after: auditView(record) });
  await uow.commit();
  return {
    status: 201,
    body: { ...renderBacktest(record), curve: renderCurve(record, curve) },
    headers: { Location: location(record.backtestId) },
  };
};

export const listBacktests: BacktestHandler<R['listBacktests']> = async ({ query }, h) => {
  const page = await h.ports.backtests.list(query);
  return { status: 200, body: { items: page.items.map(renderBacktest), nextCursor: page.nextCursor } };
};

export const getBacktest: BacktestHandler<R['getBacktest']> = async ({ params }, h) => {
  const b = await recordOf(h.ports.backtests, params.backtestId);
  const curve = b.outcome ? await h.ports.backtests.getCurve(b.backtestId) : undefined;
  return {
    status: 200,
    body: { ...renderBacktest(b), curve: renderCurve(b, curve) },
    headers: { ETag: etag(b.version) },
  };
};

/** The trade log pages by position; the raw cursor (sealed by the pipeline) holds the next one. */
function tradeOffsetOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const opened = openCursor(cursor);
  const fields = typeof opened === 'object' && opened !== null ? Object.entries(opened) : [];
  const [only] = fields;
  if (fields.length !== 1 || !only || only[0] !== 'trade' || typeof only[1] !== 'string' || !/^\d{1,9}$/.test(only[1]))
    throw invalidCursor('does not belong to this list');
  return Number(only[1]);
}

function isTradeList(x: unknown): x is RenderedTrade[] {
  return Array.isArray(x);
}

async function tradePart(ports: BacktestPorts, backtestId: string, part: number): Promise<RenderedTrade[]> {
  const text = await ports.blobs.getText(tradesBlob(backtestId, part));
  const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
  if (!isTradeList(parsed)) {
    throw new AppError(404, 'BACKTEST_DATA_MISSING', `The trade log of backtest ${backtestId} is not in storage`);
  }
  return parsed;
}

export const backtestTrades: BacktestHandler<R['backtestTrades']> = async ({ params, query }, h) => {
  const b = completed(await recordOf(h.ports.backtests, params.backtestId));
  const total = b.outcome.tradeCount;
  const start = Math.min(tradeOffsetOf(query.cursor), total);
  const end = Math.min(start + query.limit, total);
  const items: RenderedTrade[] = [];
  for (let part = Math.floor(start / TRADES_PER_PART); part * TRADES_PER_PART < end; part++) {
    const first = part * TRADES_PER_PART;
    const trades = await tradePart(h.ports, b.backtestId, part);
    items.push(...trades.slice(Math.max(0, start - first), end - first));
  }
  return { status: 200, body: { items, nextCursor: end < total ? encodeCursor({ trade: String(end) }) : null } };
};

const CSV_HEADER = 'time,equity,drawdown\n';

export const backtestEquity: BacktestHandler<R['backtestEquity']> = async ({ params, query }, h) => {
  const b = completed(await recordOf(h.ports.backtests, params.backtestId));
  const bytes = await h.ports.blobs.get(curveBlob(b.backtestId));
  if (!bytes)
    throw new AppError(404, 'BACKTEST_DATA_MISSING', `The curve of backtest ${b.backtestId} is not in storage`);
  const full = decodeCurve(bytes);
  const points = full.equity.length;
  const start = Math.min(query.offset, points);
  const end = Math.min(start + query.count, points);
  const currency = b.request.currency;
  const items = [];
  for (let i = start; i < end; i++) items.push(renderPoint(full.time[i], full.equity[i], full.drawdown[i], currency));
  if (query.format === 'csv') {
    const rows = items.map((p) => `${p.time},${p.equity},${p.drawdown}\n`);
    return { status: 200, body: CSV_HEADER + rows.join('') };
  }
  return {
    status: 200,
    body: { backtestId: b.backtestId, points, offset: start, nextOffset: end < points ? end : null, items },
  };
};

/**
 * Removes the record, its curve and its blobs (If-Match). A pending backtest is cancelled so (its
 * job finds no record and does nothing); a running one is refused, 409 BACKTEST_RUNNING, unless its
 * job has been silent past STALE_RUN_MS (it died: nothing will write to it again).
 */
export const deleteBacktest: BacktestHandler<R['deleteBacktest']> = async ({ params, ifMatch }, h) => {
  const before = await recordOf(h.ports.backtests, params.backtestId);
  // a running one first: its version moves with every progress write, so a 412 would only say "retry"
  if (before.status === 'running' && h.now - Date.parse(before.updatedAt) < STALE_RUN_MS) {
    throw conflict('BACKTEST_RUNNING', `Backtest ${before.backtestId} is running: delete it once it has finished`);
  }
  if (before.version !== ifMatch) throw preconditionFailed(`The backtest is at version ${before.version}`);
  const uow = h.unitOfWork();
  h.ports.backtests.delete(uow, before.backtestId, ifMatch);
  uow.audit({ action: 'backtest.delete', resource: `backtest/${before.backtestId}`, before: auditView(before) });
  await uow.commit();
  // after the record: a blob left by a failure here is unreachable (no record names it), never a dangling record
  await h.ports.blobs.delete(blobsOf(before));
  return { status: 204 };
};

/**
 * A large backtest's run: claims the record (pending → running), reads the bars, runs core's
 * simulation in steps writing the progress after each (awaited, so a reader sees it), then the
 * blobs and the completed record. A refusal of the data (too few or too many bars) is a failed
 * record saying why; anything else is retried by the queue (the run is deterministic: a retry
 * starts over and gives the same result).
 */
export const runBacktestJob: BacktestJobHandler<J['backtestRun']> = async ({ backtestId }, h) => {
  const store = h.ports.backtests;
  const before = await store.get(backtestId);
  if (!before || before.status === 'completed' || before.status === 'failed') return 'skipped';
  let current = before;
  // each write replaces the record at the version the last one left (a DELETE in between is a 409 here)
  const write = async (next: StoredBacktest) => {
    const uow = h.unitOfWork();
    store.put(uow, next, current.version);
    await uow.commit();
    current = next;
  };
  const claimedAt = iso(h.ports.now());
  await write({
    ...before,
    status: 'running',
    progress: { done: 0, total: 0 },
    startedAt: claimedAt,
    updatedAt: claimedAt,
    version: before.version + 1,
  });
  try {
    const bars = await readBars(h.ports, current.request, MAX_BARS + 1);
    if (bars.length > MAX_BARS) {
      throw new AppError(422, 'TOO_MANY_BARS', `More than ${MAX_BARS} bars in the window: backtest a shorter one`);
    }
    checkBars(current.request, bars);
    const steps = runStepped(current.request, bars);
    const traded = bars.length - current.request.startIndex;
    await write({ ...current, progress: { done: 0, total: traded }, version: current.version + 1 });
    for (;;) {
      const step = steps.next();
      if (step.done) {
        await writeBlobs(h.ports.blobs, backtestId, step.value, bars, current.request.currency);
        const uow = h.unitOfWork();
        const { record } = stageCompleted(store, uow, current, current.version, step.value, bars, h.ports.now());
        uow.audit({ action: 'backtest.complete', resource: `backtest/${backtestId}`, after: auditView(record) });
        await uow.commit();
        return 'processed';
      }
      const at = iso(h.ports.now());
      await write({ ...current, progress: step.value, updatedAt: at, version: current.version + 1 });
    }
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    const at = iso(h.ports.now());
    const failed: StoredBacktest = {
      ...current,
      status: 'failed',
      error: { code: e.code, message: e.message },
      updatedAt: at,
      finishedAt: at,
      version: current.version + 1,
    };
    const uow = h.unitOfWork();
    store.put(uow, failed, current.version);
    uow.audit({ action: 'backtest.fail', resource: `backtest/${backtestId}`, after: auditView(failed) });
    await uow.commit();
    return 'processed';
  }
};
