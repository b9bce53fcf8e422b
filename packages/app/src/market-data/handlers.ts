import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, badRequest, notFound } from '@ballast/platform/errors.js';
import type { JobEnvelope } from '@ballast/platform/jobs/envelope.js';
import { sliceColumns } from './chunks.js';
import type { MarketDataClient } from './client.js';
import { newSyncId } from './ids.js';
import { jobs, SYNC_RUN_BUDGET } from './jobs.js';
import type { MarketDataHandler, MarketDataJobHandler, MarketDataPorts, StoredHandler } from './ports.js';
import { latestPrices } from './prices.js';
import type { routes } from './routes.js';
import {
  barsFromUpload,
  candleRows,
  eventsFromImport,
  MAX_SYNC_REQUESTS,
  MAX_SYNC_RETRIES,
  syncWindow,
  syncWindows,
} from './service.js';
import type { SyncRecord } from './store.js';
import { normalizeSymbol } from './symbols.js';
import { isoOf, parseTimestamp } from './time.js';

type R = typeof routes;

const isSymbol = (s: string | undefined): s is string => s !== undefined;

/** A validated timestamp as epoch ms (the schema has already refused anything else). */
function msOf(text: string, path: string): number {
  const ms = parseTimestamp(text);
  if (ms === undefined) throw badRequest('VALIDATION_FAILED', 'Invalid time', [{ path, message: 'is not a time' }]);
  return ms;
}

export const getQuotes: MarketDataHandler<R['quotes']> = async ({ query }, h) => {
  const symbols = [...new Set(query.symbols.split(',').map(normalizeSymbol).filter(isSymbol))];
  const client = await h.ports.client();
  const { prices, failure } = await latestPrices({ client, candles: h.ports.candles, nowMs: h.now }, symbols);
  const items = symbols.flatMap((symbol) => prices.get(symbol) ?? []);
  // Nothing known at all while the provider failed: say so (503 with Retry-After), not an empty list.
  if (!items.length && failure) throw failure;
  return { status: 200, body: { items, missing: symbols.filter((symbol) => !prices.has(symbol)) } };
};

export const findSymbols: MarketDataHandler<R['symbols']> = async ({ query }, h) => {
  const client = await h.ports.client();
  if (client.hasProvider) {
    const items = (await client.searchSymbols(query.q)).slice(0, 50);
    return { status: 200, body: { items, source: 'provider' } };
  }
  const prefix = query.q.toUpperCase().replace('/', '-');
  if (!/^[A-Z0-9.-]+$/.test(prefix)) return { status: 200, body: { items: [], source: 'stored' } };
  const series = await h.ports.candles.catalog(prefix, 200);
  const bySymbol = new Map<string, typeof series>();
  for (const s of series) bySymbol.set(s.symbol, [...(bySymbol.get(s.symbol) ?? []), s]);
  const items = [...bySymbol].slice(0, 50).map(([symbol, stored]) => ({
    symbol,
    name: symbol,
    stored: stored.map(({ interval, bars, firstTime, lastTime }) => ({ interval, bars, firstTime, lastTime })),
  }));
  return { status: 200, body: { items, source: 'stored' } };
};

export const getCandles: StoredHandler<R['candles']> = async ({ params, query }, h) => {
  const series = { symbol: params.symbol, interval: params.interval };
  const toMs = query.to === undefined ? h.now : msOf(query.to, 'query.to');
  const limit = query.maxBars;
  if (query.from === undefined) {
    const bars = await h.ports.candles.latest(series, toMs, limit);
    return { status: 200, body: { ...series, items: candleRows(bars), nextFrom: null } };
  }
  const fromMs = msOf(query.from, 'query.from');
  if (fromMs > toMs) {
    throw badRequest('VALIDATION_FAILED', '`from` is after `to`', [{ path: 'query.from', message: 'is after to' }]);
  }
  // One bar more than asked for says whether the window goes on, and where.
  const bars = await h.ports.candles.read(series, fromMs, toMs, limit + 1);
  const more = bars.length > limit;
  return {
    status: 200,
    body: {
      ...series,
      items: candleRows(more ? sliceColumns(bars, 0, limit) : bars),
      nextFrom: more ? isoOf(bars.time[limit]) : null,
    },
  };
};

export const uploadCandles: StoredHandler<R['uploadCandles']> = async ({ params, body }, h) => {
  const series = { symbol: params.symbol, interval: params.interval };
  const { bars, received } = barsFromUpload(body, params.interval, h.now);
  const written = await h.ports.candles.write(series, bars, h.now);
  // a loop, not Math.min(...): a spread of 100,000 arguments can overflow the stack
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const time of bars.time) {
    first = Math.min(first, time);
    last = Math.max(last, time);
  }
  const summary = { ...series, received, stored: written.bars, chunks: written.chunks };
  const answer = { ...summary, firstTime: isoOf(first), lastTime: isoOf(last) };
  const uow = h.unitOfWork();
  uow.audit({
    action: 'marketData.uploadCandles',
    resource: `market-data/candles/${series.symbol}/${series.interval}`,
    after: answer,
  });
  await uow.commit();
  return { status: 200, body: answer };
};

function publicSync(sync: SyncRecord) {
  const { tenantId: _tenantId, ...view } = sync;
  return view;
}

export const createSync: MarketDataHandler<R['createSync']> = async ({ body }, h) => {
  await h.ports.providerName();
  const fromMs = msOf(body.from, 'body.from');
  const toMs = Math.min(body.to === undefined ? h.now : msOf(body.to, 'body.to'), h.now);
  if (fromMs > toMs) {
    throw badRequest('VALIDATION_FAILED', 'The window starts in the future', [
      { path: 'body.from', message: 'is in the future' },
    ]);
  }
  const windows = syncWindows(body.interval, fromMs, toMs);
  if (windows.length > MAX_SYNC_REQUESTS) {
    throw badRequest('VALIDATION_FAILED', `The window needs ${windows.length} provider requests`, [
      { path: 'body.from', message: `makes a window of more than ${MAX_SYNC_REQUESTS} provider requests; split it` },
    ]);
  }
  const at = isoOf(h.now);
  const sync: SyncRecord = {
    syncId: newSyncId(h.now),
    tenantId: h.ctx.tenantId,
    symbol: body.symbol,
    interval: body.interval,
    from: isoOf(fromMs),
    to: isoOf(toMs),
    status: 'queued',
    chunksTotal: windows.length,
    chunksDone: 0,
    barsWritten: 0,
    retries: 0,
    requestedBy: h.ctx.principal.id,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const uow = h.unitOfWork();
  h.ports.syncs.create(uow, sync);
  h.ports.due.schedule(uow, {
    job: jobs.sync.id,
    tenantId: h.ctx.tenantId,
    env: h.ctx.env,
    projectId: h.ctx.projectId,
    workId: sync.syncId,
    dueAt: at,
    payload: { syncId: sync.syncId },
  });
  uow.audit({ action: 'marketData.createSync', resource: `market-data/syncs/${sync.syncId}`, after: sync });
  await uow.commit();
  return { status: 202, body: publicSync(sync), headers: { Location: `/v1/market-data/syncs/${sync.syncId}` } };
};

export const getSync: StoredHandler<R['getSync']> = async ({ params }, h) => {
  const sync = await h.ports.syncs.get(params.syncId);
  if (!sync) throw notFound('SYNC_NOT_FOUND', `No sync ${params.syncId}`);
  return { status: 200, body: publicSync(sync) };
};

export const listEvents: StoredHandler<R['events']> = async ({ query }, h) => {
  const fromMs = msOf(query.from, 'query.from');
  const toMs = msOf(query.to, 'query.to');
  if (fromMs > toMs) {
    throw badRequest('VALIDATION_FAILED', '`from` is after `to`', [{ path: 'query.from', message: 'is after to' }]);
  }
  const page = await h.ports.events.list({
    from: isoOf(fromMs),
    to: isoOf(toMs),
    limit: query.limit,
    cursor: query.cursor,
    country: query.country,
    importance: query.importance,
  });
  return { status: 200, body: page };
};

export const importEvents: StoredHandler<R['importEvents']> = async ({ body }, h) => {
  const { events, received } = eventsFromImport(body, h.now);
  await h.ports.events.putMany(events);
  const stored = new Set(events.map((e) => `${e.time}|${e.eventId}`)).size;
  const uow = h.unitOfWork();
  uow.audit({ action: 'marketData.importEvents', resource: 'market-data/events', after: { received, stored } });
  await uow.commit();
  return { status: 200, body: { received, stored } };
};

/**
 * One run of a sync: provider requests one window at a time, each window's bars written and the
 * progress saved, until the window is done, the run's time budget is spent (the next run is
 * scheduled at once), the rate budget runs out (the next run when tokens are back), or the
 * provider fails (a transient failure is retried by a later run, up to MAX_SYNC_RETRIES; a refusal
 * of the key or the request fails the sync with its reason).
 */
export const runSync: MarketDataJobHandler<(typeof jobs)['sync']> = async (payload, h) => {
  const ports = h.ports;
  const found = await ports.syncs.get(payload.syncId);
  if (!found || found.status === 'succeeded' || found.status === 'failed') return 'skipped';
  const run = new SyncRun(found, ports, h.unitOfWork, h.envelope);
  let client: MarketDataClient;
  try {
    client = await ports.client();
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    await run.fail(e.code, e.message);
    return 'processed';
  }
  if (!client.hasProvider) {
    await run.fail('NO_PROVIDER', "The tenant's market-data provider is `none`");
    return 'processed';
  }
  const windows = syncWindows(found.interval, Date.parse(found.from), Date.parse(found.to));
  const deadline = h.now + (h.job.timeoutSeconds ?? 60) * 1000 * SYNC_RUN_BUDGET;
  await run.start();
  const series = { symbol: found.symbol, interval: found.interval };
  while (run.sync.chunksDone < windows.length) {
    if (ports.now() > deadline) {
      await run.save({}, ports.now());
      return 'processed';
    }
    const step = await syncWindow(
      client,
      async (bars) => (await ports.candles.write(series, bars, ports.now())).bars,
      found,
      windows[run.sync.chunksDone],
    );
    if (step.kind === 'fail') {
      await run.fail(step.code, step.message);
      return 'processed';
    }
    if (step.kind === 'wait') {
      const retries = run.sync.retries + (step.retry ? 1 : 0);
      if (retries > MAX_SYNC_RETRIES) {
        await run.fail('PROVIDER_UNAVAILABLE', `The provider kept failing; gave up after ${MAX_SYNC_RETRIES} retries`);
      } else {
        await run.save({ retries }, ports.now() + step.retryAfterMs);
      }
      return 'processed';
    }
    await run.save({ chunksDone: run.sync.chunksDone + 1, barsWritten: run.sync.barsWritten + step.bars });
  }
  await run.finish('succeeded');
  return 'processed';
};

/** A sync's record as one run moves it on: every change saved with a version check. */
class SyncRun {
  constructor(
    public sync: SyncRecord,
    private readonly ports: MarketDataPorts,
    private readonly unitOfWork: () => UnitOfWork,
    private readonly envelope: Pick<JobEnvelope, 'tenantId' | 'env' | 'projectId'>,
  ) {}

  private next(changes: Partial<SyncRecord>): SyncRecord {
    return { ...this.sync, ...changes, updatedAt: isoOf(this.ports.now()), version: this.sync.version + 1 };
  }

  /** saves `changes`; with `dueAtMs`, the next run is scheduled in the same transaction */
  async save(changes: Partial<SyncRecord>, dueAtMs?: number, audit?: string): Promise<void> {
    const after = this.next(changes);
    const uow = this.unitOfWork();
    this.ports.syncs.update(uow, after, this.sync.version);
    if (dueAtMs !== undefined) {
      this.ports.due.schedule(uow, {
        job: jobs.sync.id,
        tenantId: this.envelope.tenantId,
        env: this.envelope.env,
        projectId: this.envelope.projectId,
        workId: after.syncId,
        dueAt: isoOf(dueAtMs),
        payload: { syncId: after.syncId },
      });
    }
    if (audit) uow.audit({ action: audit, resource: `market-data/syncs/${after.syncId}`, before: this.sync, after });
    await uow.commit();
    this.sync = after;
  }

  start(): Promise<void> {
    if (this.sync.status !== 'queued') return Promise.resolve();
    return this.save({ status: 'running', startedAt: isoOf(this.ports.now()) });
  }

  finish(status: 'succeeded'): Promise<void> {
    return this.save({ status, finishedAt: isoOf(this.ports.now()) }, undefined, 'marketData.syncSucceeded');
  }

  fail(code: string, message: string): Promise<void> {
    return this.save(
      { status: 'failed', error: { code, message }, finishedAt: isoOf(this.ports.now()) },
      undefined,
      'marketData.syncFailed',
    );
  }
}
