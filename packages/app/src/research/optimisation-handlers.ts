import { BacktestConfigSchema } from '@ballast/core/backtest/config.js';
import { Dec, decimalString } from '@ballast/core/money.js';
import { compileSpace, planCandidates, type CompiledSpace } from '@ballast/core/optimiser/index.js';
import type { AnyStrategy, CandleSeries } from '@ballast/core/strategies/types.js';
import { encodeCursor, invalidCursor, openCursor } from '@ballast/platform/data/cursor.js';
import type { Env } from '@ballast/platform/context/types.js';
import type { UnitOfWork } from '@ballast/platform/data/unit-of-work.js';
import { AppError, badRequest, conflict, notFound } from '@ballast/platform/errors.js';
import { resolveSchema } from '@ballast/platform/schemas/lazy.js';
import { newOptimisationId } from './ids.js';
import {
  bestOfChunks,
  candidateParams,
  evaluateCandidate,
  lookAheadCheck,
  rankCandidates,
  rankedOf,
  readRange,
  spaceProblems,
  strategyOf,
  unstorableNumbers,
  walkForwardReport,
  walkForwardSizes,
} from './optimisation.js';
import { CHUNK_SIZE, jobs } from './optimisation-jobs.js';
import type { routes } from './optimisation-routes.js';
import { type CreateOptimisationBody, walkForwardReport as reportSchema } from './optimisation-schemas.js';
import { createOptimisationBody } from './optimisation-schemas.js';
import type {
  OptimisationMethod,
  OptimisationObjective,
  OptimisationSpec,
  OptimisationStore,
  RankedCandidate,
  StoredOptimisation,
} from './optimisation-store.js';
import type {
  CatalogHandler,
  OptimisationHandler,
  OptimisationJobExhausted,
  OptimisationJobHandler,
  OptimisationPorts,
} from './ports.js';

type R = typeof routes;
type J = typeof jobs;
const iso = (ms: number) => new Date(ms).toISOString();
/** a strategy needs two bars at least: one to signal on, the next to fill at */
const MIN_BARS = 2;
const ACTIVE = ['pending', 'running'] as const;

const isCode = (e: unknown, code: string) => e instanceof AppError && e.code === code;

function configOf(body: CreateOptimisationBody) {
  const input = {
    initialCapital: body.initialCapital === undefined ? undefined : Number(body.initialCapital),
    currency: body.currency,
    commission: body.commission,
    slippageBps: body.slippageBps,
    sizing: body.sizing,
    quantityStep: body.quantityStep,
    allowShort: body.allowShort,
    onOpposite: body.onOpposite,
    periodsPerYear: body.periodsPerYear,
    riskFree: body.riskFree,
  };
  const parsed = BacktestConfigSchema.safeParse(
    Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) {
    throw badRequest(
      'VALIDATION_FAILED',
      'The backtest settings do not fit',
      parsed.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

function compiled(space: OptimisationSpec['space']): CompiledSpace {
  try {
    return compileSpace(space);
  } catch (e) {
    if (e instanceof RangeError)
      throw badRequest('VALIDATION_FAILED', e.message, [{ path: 'body.space', message: e.message }]);
    throw e;
  }
}

interface ViewExtras {
  best?: RankedCandidate;
  nowMs: number;
}

/** The record as the API shows it: progress, the best so far, an ETA at the rate so far. */
function view(r: StoredOptimisation, o: ViewExtras) {
  const active = r.status === 'pending' || r.status === 'running';
  const started = r.startedAt ? Date.parse(r.startedAt) : undefined;
  const elapsed = started === undefined ? 0 : o.nowMs - started;
  const etaAt =
    active && started !== undefined && r.done > 0 && elapsed > 0
      ? iso(o.nowMs + Math.ceil(((r.total - r.done) * elapsed) / r.done))
      : null;
  return {
    optimisationId: r.optimisationId,
    status: r.status,
    strategy: r.strategy,
    space: r.space,
    baseParams: r.baseParams,
    method: r.method,
    maxCandidates: r.maxCandidates,
    seed: r.seed,
    objective: r.objective,
    constraints: Object.fromEntries(Object.entries(r.constraints).filter(([, v]) => typeof v === 'number')),
    walkForward: r.walkForward ?? null,
    symbol: r.symbol,
    interval: r.interval,
    from: r.from,
    to: r.to,
    config: { ...r.config },
    initialCapital: decimalString(new Dec(r.config.initialCapital)),
    spaceSize: r.spaceSize,
    total: r.total,
    done: r.done,
    progress: r.total > 0 ? Math.min(1, r.done / r.total) : 1,
    round: r.round,
    bars: r.bars,
    firstBarTime: r.firstBarTime,
    lastBarTime: r.lastBarTime,
    best: o.best ?? r.best ?? null,
    etaAt,
    lookAhead: r.lookAhead ?? null,
    error: r.error ?? null,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    startedAt: r.startedAt ?? null,
    finishedAt: r.finishedAt ?? null,
    updatedAt: r.updatedAt,
    version: r.version,
  };
}

async function recordOf(store: OptimisationStore, optimisationId: string) {
  const found = await store.get(optimisationId);
  if (!found) throw notFound('OPTIMISATION_NOT_FOUND', `No optimisation ${optimisationId} in this project`);
  return found;
}

/** Who starts an optimisation, for which project: the route's caller, or another context acting for it. */
export interface OptimisationStarter {
  ports: Pick<OptimisationPorts, 'optimisations' | 'candles' | 'due'>;
  unitOfWork(): UnitOfWork;
  now: number;
  scope: { tenantId: string; env: Env; projectId?: string };
  /** who the record names as its creator */
  actor: string;
}

/**
 * Validates the search against the strategy and the stored candles, then writes the record and
 * its plan job (due now) in one unit of work: the optimisation exists exactly when its work does.
 */
export async function startOptimisation(d: OptimisationStarter, body: CreateOptimisationBody) {
  const strategy = strategyOf(body.strategy);
  if (!strategy) throw badRequest('VALIDATION_FAILED', 'Unknown strategy', [{ path: 'body.strategy', message: '?' }]);
  const tiny = unstorableNumbers(body, 'body');
  if (tiny.length) {
    const message = 'is too small to store: use 0 or a number of at least 1e-100';
    throw badRequest(
      'VALIDATION_FAILED',
      'The request has invalid fields',
      tiny.map((path) => ({ path, message })),
    );
  }
  const problems = spaceProblems(strategy, body.space, body.baseParams);
  if (problems.length) throw badRequest('VALIDATION_FAILED', `The space does not fit ${body.strategy}`, problems);
  const cs = compiled(body.space);
  if (body.method === 'grid' && cs.count > body.maxCandidates) {
    const why =
      `the grid has ${cs.count} points but maxCandidates is ${body.maxCandidates}: ` + 'raise it or use random/guided';
    throw badRequest('GRID_TOO_LARGE', `The ${why}`, [{ path: 'body.maxCandidates', message: why }]);
  }
  const spec: OptimisationSpec = {
    strategy: body.strategy,
    space: body.space,
    baseParams: body.baseParams,
    method: body.method,
    maxCandidates: body.maxCandidates,
    seed: body.seed,
    objective: body.objective,
    constraints: body.constraints,
    ...(body.walkForward ? { walkForward: body.walkForward } : {}),
    symbol: body.symbol,
    interval: body.interval,
    from: body.from,
    to: body.to,
    config: configOf(body),
  };
  const candles = await readRange(d.ports.candles, spec);
  if (candles.length < MIN_BARS) {
    throw new AppError(
      422,
      'NOT_ENOUGH_CANDLES',
      `${candles.length} stored ${body.interval} bar(s) of ${body.symbol} from ${body.from} to ${body.to}: ` +
        'sync or upload candles first',
    );
  }
  if (body.walkForward && !walkForwardSizes(candles.length, body.walkForward.folds, body.walkForward.inSamplePct).ok) {
    throw new AppError(
      422,
      'NOT_ENOUGH_CANDLES',
      `${candles.length} bars are too few for ${body.walkForward.folds} walk-forward folds: fewer folds or more bars`,
    );
  }
  const at = iso(d.now);
  const record: StoredOptimisation = {
    ...spec,
    optimisationId: newOptimisationId(d.now),
    status: 'pending',
    spaceSize: cs.count,
    total: Math.min(body.maxCandidates, cs.count),
    round: 0,
    planned: 0,
    done: 0,
    closedRound: -1,
    bars: candles.length,
    firstBarTime: iso(candles.time[0]),
    lastBarTime: iso(candles.time[candles.length - 1]),
    createdAt: at,
    createdBy: d.actor,
    updatedAt: at,
    version: 1,
  };
  const uow = d.unitOfWork();
  d.ports.optimisations.create(uow, record);
  d.ports.due.schedule(uow, {
    job: jobs.optimisationPlan.id,
    tenantId: d.scope.tenantId,
    env: d.scope.env,
    projectId: d.scope.projectId,
    workId: record.optimisationId,
    // due now: at the start of this minute, so the very next tick sends it
    dueAt: iso(Math.floor(d.now / 60_000) * 60_000),
    payload: { optimisationId: record.optimisationId, round: 0 },
  });
  uow.audit({ action: 'optimisation.create', resource: `optimisation/${record.optimisationId}`, after: record });
  await uow.commit();
  return record;
}

/**
 * The same for another context (the feedback loop's re-optimisation): `input` is checked as
 * `POST /v1/optimisations` checks its body (400 naming `body.<field>`), defaults filled in.
 */
export async function startOptimisationFrom(d: OptimisationStarter, input: unknown) {
  const parsed = resolveSchema(createOptimisationBody).safeParse(input);
  if (!parsed.success) {
    throw badRequest(
      'VALIDATION_FAILED',
      'The optimisation asked for does not fit',
      parsed.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
    );
  }
  return startOptimisation(d, parsed.data);
}

export const createOptimisation: OptimisationHandler<R['createOptimisation']> = async ({ body }, h) => {
  const { tenantId, env, projectId } = h.ctx;
  const record = await startOptimisation(
    {
      ports: h.ports,
      unitOfWork: h.unitOfWork,
      now: h.now,
      scope: { tenantId, env, projectId },
      actor: h.ctx.principal.id,
    },
    body,
  );
  return {
    status: 202,
    body: view(record, { nowMs: h.now }),
    headers: { Location: `/v1/optimisations/${record.optimisationId}` },
  };
};

export const listOptimisations: OptimisationHandler<R['listOptimisations']> = async ({ query }, h) => {
  const page = await h.ports.optimisations.list(query);
  return {
    status: 200,
    body: { items: page.items.map((r) => view(r, { nowMs: h.now })), nextCursor: page.nextCursor },
  };
};

/** The best candidate so far: the winner once finished, else the best of the chunks evaluated. */
async function bestSoFar(store: OptimisationStore, r: StoredOptimisation): Promise<RankedCandidate | undefined> {
  if (r.best || r.done === 0) return r.best;
  const best = bestOfChunks(await store.chunks(r.optimisationId));
  if (!best) return undefined;
  return { ...best, rank: 1, params: candidateParams(r, compileSpace(r.space), best.index) };
}

export const getOptimisation: OptimisationHandler<R['getOptimisation']> = async ({ params }, h) => {
  const r = await recordOf(h.ports.optimisations, params.optimisationId);
  return { status: 200, body: view(r, { nowMs: h.now, best: await bestSoFar(h.ports.optimisations, r) }) };
};

/** Workers read the status before each chunk: a cancelled optimisation's next chunks do nothing. */
export const cancelOptimisation: OptimisationHandler<R['cancelOptimisation']> = async ({ params }, h) => {
  const store = h.ports.optimisations;
  const before = await recordOf(store, params.optimisationId);
  const ended = () => conflict('OPTIMISATION_ENDED', `Optimisation ${before.optimisationId} is ${before.status}`);
  if (before.status !== 'pending' && before.status !== 'running') throw ended();
  const at = iso(h.now);
  const uow = h.unitOfWork();
  store.update(uow, before.optimisationId, {
    set: { status: 'cancelled', finishedAt: at, cancelledBy: h.ctx.principal.id, updatedAt: at },
    from: ACTIVE,
  });
  uow.audit({
    action: 'optimisation.cancel',
    resource: `optimisation/${before.optimisationId}`,
    before: { status: before.status, done: before.done },
    after: { status: 'cancelled' },
  });
  await uow.commit();
  const after = await recordOf(store, before.optimisationId);
  return { status: 200, body: view(after, { nowMs: h.now, best: await bestSoFar(store, after) }) };
};

/** A ranked list pages by position; the raw cursor (sealed by the pipeline) holds the next one. */
function offsetOf(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const opened = openCursor(cursor);
  const offset = typeof opened === 'object' && opened !== null ? Object.entries(opened) : [];
  const [only] = offset;
  if (offset.length !== 1 || !only || only[0] !== 'rank' || typeof only[1] !== 'string' || !/^\d{1,9}$/.test(only[1]))
    throw invalidCursor('does not belong to this list');
  return Number(only[1]);
}

export const optimisationResults: OptimisationHandler<R['optimisationResults']> = async ({ params, query }, h) => {
  const store = h.ports.optimisations;
  const r = await recordOf(store, params.optimisationId);
  const ranked = rankCandidates(await store.results(r.optimisationId));
  const wanted = query.passed === undefined ? ranked : ranked.filter((x) => x.passed === (query.passed === 'true'));
  const start = offsetOf(query.cursor);
  const page = wanted.slice(start, start + query.limit);
  const next = start + page.length;
  return {
    status: 200,
    body: {
      items: page.map((x) => ({
        rank: x.rank,
        index: x.index,
        params: x.params,
        score: x.score,
        passed: x.passed,
        failed: x.error ? ['params'] : x.constraints.filter((c) => !c.passed).map((c) => c.name),
        constraints: x.constraints,
        metrics: x.metrics,
        error: x.error ?? null,
      })),
      nextCursor: next < wanted.length ? encodeCursor({ rank: String(next) }) : null,
      status: r.status,
      done: r.done,
      total: r.total,
    },
  };
};

export const optimisationWalkForward: OptimisationHandler<R['optimisationWalkForward']> = async ({ params }, h) => {
  const store = h.ports.optimisations;
  const r = await recordOf(store, params.optimisationId);
  if (!r.walkForward) {
    throw notFound('WALK_FORWARD_NOT_REQUESTED', `Optimisation ${r.optimisationId} was started without walkForward`);
  }
  const report = r.status === 'completed' ? await store.getWalkForward(r.optimisationId) : undefined;
  if (!report) {
    throw conflict('WALK_FORWARD_NOT_READY', `Optimisation ${r.optimisationId} is ${r.status}: no report (yet)`);
  }
  // the stored item is the report the finish wrote; parsing gives it its declared type
  return { status: 200, body: reportSchema().parse(report) };
};

const METHODS: Array<{ name: OptimisationMethod; title: string; description: string }> = [
  {
    name: 'grid',
    title: 'Grid search',
    description:
      'Every point of the space, in index order. A grid larger than maxCandidates is refused (a truncated grid ' +
      'would cover only a corner of the space).',
  },
  {
    name: 'random',
    title: 'Random search',
    description: 'The first maxCandidates points of a seeded random permutation of the space, without repeats.',
  },
  {
    name: 'guided',
    title: 'Guided search',
    description:
      'Exploration, then exploitation: 30% of the budget on seeded random points, then rounds that mutate the ' +
      'best results so far to neighbouring grid points (with a 10% chance of a random point instead). Each ' +
      'round is planned from the ranked results of the rounds before it, so it does not depend on worker order.',
  },
];

const OBJECTIVES: Array<{ name: OptimisationObjective; title: string; description: string }> = [
  { name: 'sharpe', title: 'Sharpe ratio', description: 'Mean over volatility of per-bar returns, annualised.' },
  { name: 'sortino', title: 'Sortino ratio', description: 'Like Sharpe, over downside deviation only.' },
  { name: 'calmar', title: 'Calmar ratio', description: 'Annual return over the maximum drawdown.' },
  { name: 'totalReturn', title: 'Total return', description: 'Final equity over initial capital, minus one.' },
  { name: 'profitFactor', title: 'Profit factor', description: 'Gross profit over gross loss of the trades.' },
  { name: 'expectancy', title: 'Expectancy', description: 'Mean net profit per trade, in money.' },
];

export const optimisationMethods: CatalogHandler<R['optimisationMethods']> = async () => ({
  status: 200,
  body: { items: METHODS },
});

export const optimisationObjectives: CatalogHandler<R['optimisationObjectives']> = async () => ({
  status: 200,
  body: { items: OBJECTIVES.map((o) => ({ ...o, metric: o.name, higherIsBetter: true })) },
});

// ---- the jobs ----

/** Candles per worker container: every chunk of an optimisation reads the same pinned range. */
const candleCache = new Map<string, Promise<CandleSeries>>();
const CACHED_SERIES = 8;

function cachedCandles(ports: OptimisationPorts, tenantId: string, r: StoredOptimisation): Promise<CandleSeries> {
  const key = `${tenantId}|${r.optimisationId}`;
  let found = candleCache.get(key);
  if (!found) {
    found = readRange(ports.candles, r);
    found.catch(() => candleCache.delete(key));
    candleCache.set(key, found);
    while (candleCache.size > CACHED_SERIES) candleCache.delete(candleCache.keys().next().value ?? key);
  }
  return found;
}

const spaceCache = new Map<string, CompiledSpace>();
function cachedSpace(r: StoredOptimisation): CompiledSpace {
  let found = spaceCache.get(r.optimisationId);
  if (!found) {
    found = compileSpace(r.space);
    spaceCache.set(r.optimisationId, found);
    while (spaceCache.size > CACHED_SERIES) spaceCache.delete(spaceCache.keys().next().value ?? r.optimisationId);
  }
  return found;
}

type Worker = Parameters<OptimisationJobHandler<J['optimisationPlan']>>[1];
type Sender = Pick<Worker, 'send'>;

/** What follows a closed round: the next round's plan, or the finish once every candidate is planned. */
async function sendNext(h: Sender, r: StoredOptimisation, round: number): Promise<void> {
  if (r.planned >= r.total) {
    await h.send(jobs.optimisationFinish.id, [
      { workId: `${r.optimisationId}#finish`, payload: { optimisationId: r.optimisationId } },
    ]);
    return;
  }
  await h.send(jobs.optimisationPlan.id, [
    {
      workId: `${r.optimisationId}#plan#${round + 1}`,
      payload: { optimisationId: r.optimisationId, round: round + 1 },
    },
  ]);
}

/** Marks an optimisation failed (a run that cannot go on: its candles changed, its analysis failed). */
async function fail(
  h: { unitOfWork: Worker['unitOfWork']; now: number; ports: OptimisationPorts },
  r: StoredOptimisation,
  error: { code: string; detail: string },
) {
  const uow = h.unitOfWork();
  h.ports.optimisations.update(uow, r.optimisationId, {
    set: { status: 'failed', error, finishedAt: iso(h.now), updatedAt: iso(h.now) },
    from: ACTIVE,
  });
  uow.audit({ action: 'optimisation.fail', resource: `optimisation/${r.optimisationId}`, after: error });
  try {
    await uow.commit();
  } catch (e) {
    if (!isCode(e, 'OPTIMISATION_ENDED')) throw e;
  }
}

/**
 * Plans a round (core's plan is pure: the same results give the same candidates, so a redelivered
 * plan sends the same chunks under the same run keys) and fans its chunks out to the chunk queue.
 */
export const planOptimisation: OptimisationJobHandler<J['optimisationPlan']> = async (payload, h) => {
  const store = h.ports.optimisations;
  const r = await store.get(payload.optimisationId);
  if (!r || (r.status !== 'pending' && r.status !== 'running') || r.round > payload.round) return 'skipped';
  const cs = cachedSpace(r);
  const prior =
    payload.round === 0 ? [] : (await store.results(r.optimisationId)).filter((x) => x.round < payload.round);
  const batch = planCandidates({
    space: cs,
    method: r.method,
    budget: r.maxCandidates,
    seed: r.seed,
    // guided search climbs from the candidates that meet the constraints; the others count as unscored
    evaluated: prior.map((x) => ({ index: x.index, score: x.passed && x.score !== null ? x.score : NaN })),
  });
  if (!batch.length) {
    await sendNext(h, { ...r, planned: r.total }, payload.round);
    return 'processed';
  }
  const at = iso(h.now);
  const uow = h.unitOfWork();
  store.update(uow, r.optimisationId, {
    set: {
      status: 'running',
      round: payload.round,
      planned: prior.length + batch.length,
      startedAt: r.startedAt ?? at,
      updatedAt: at,
    },
    from: ACTIVE,
  });
  if (payload.round === 0) {
    uow.audit({ action: 'optimisation.start', resource: `optimisation/${r.optimisationId}`, source: 'scheduler' });
  }
  try {
    await uow.commit();
  } catch (e) {
    if (isCode(e, 'OPTIMISATION_ENDED')) return 'skipped';
    throw e;
  }
  const chunks: number[][] = [];
  for (let i = 0; i < batch.length; i += CHUNK_SIZE) chunks.push(batch.slice(i, i + CHUNK_SIZE).map((c) => c.index));
  await h.send(
    jobs.optimisationChunk.id,
    chunks.map((indices, chunk) => ({
      workId: `${r.optimisationId}#${payload.round}#${chunk}`,
      payload: { optimisationId: r.optimisationId, round: payload.round, chunk, indices },
    })),
  );
  h.logger.info('optimisation round planned', {
    round: payload.round,
    candidates: batch.length,
    chunks: chunks.length,
  });
  return 'processed';
};

/**
 * One chunk: the status first (cancelled → nothing), then every candidate's backtest, then its
 * results, the chunk and the counter in one transaction (a redelivered chunk is not counted
 * twice). The worker whose count closes the round sends what follows.
 */
export const evaluateChunk: OptimisationJobHandler<J['optimisationChunk']> = async (payload, h) => {
  const store = h.ports.optimisations;
  const r = await store.get(payload.optimisationId);
  if (!r || r.status !== 'running') return 'skipped';
  const redelivered = (await store.getChunk(r.optimisationId, payload.round, payload.chunk)) !== undefined;
  if (!redelivered) {
    const strategy: AnyStrategy | undefined = strategyOf(r.strategy);
    if (!strategy) {
      await fail(h, r, { code: 'UNKNOWN_STRATEGY', detail: `no strategy ${r.strategy}` });
      return 'processed';
    }
    const candles = await cachedCandles(h.ports, h.envelope.tenantId, r);
    if (candles.length !== r.bars) {
      const detail = `the stored bars changed during the run (${r.bars} then, ${candles.length} now)`;
      await fail(h, r, { code: 'CANDLES_CHANGED', detail });
      return 'processed';
    }
    const cs = cachedSpace(r);
    const where = { round: payload.round, chunk: payload.chunk };
    const results = payload.indices.map((index) => evaluateCandidate(r, strategy, candles, cs, index, where));
    const [best] = rankCandidates(results);
    const uow = h.unitOfWork();
    store.recordChunk(
      uow,
      r.optimisationId,
      {
        ...where,
        candidates: results.length,
        worker: h.invocation,
        evaluatedAt: iso(h.now),
        best: best ? { index: best.index, score: best.score, passed: best.passed } : null,
      },
      results,
    );
    try {
      await uow.commit();
    } catch (e) {
      if (isCode(e, 'OPTIMISATION_ENDED')) return 'skipped';
      if (!isCode(e, 'CHUNK_RECORDED')) throw e;
    }
  }
  const after = await store.get(r.optimisationId);
  if (!after || after.status !== 'running' || after.round !== payload.round || after.done < after.planned) {
    return 'processed';
  }
  // one worker claims the round; a redelivery sends again (the same run key: the receiver drops a duplicate)
  const claimed = await store.claimRound(r.optimisationId, payload.round);
  if (claimed || redelivered) await sendNext(h, after, payload.round);
  return 'processed';
};

/**
 * A chunk that failed every delivery (its message goes to the dead-letter queue): the round can
 * never close, so the optimisation is marked failed with CHUNK_FAILED — only while it is still
 * pending or running (a conditional write: one that ended meanwhile stays as it is).
 */
export const chunkExhausted: OptimisationJobExhausted<J['optimisationChunk']> = async (payload, h, _e, deliveries) => {
  const r = await h.ports.optimisations.get(payload.optimisationId);
  if (!r || (r.status !== 'pending' && r.status !== 'running')) return;
  const detail =
    `chunk ${payload.chunk} of round ${payload.round} (${payload.indices.length} candidates) failed after ` +
    `${deliveries} attempts and was set aside`;
  await fail(h, r, { code: 'CHUNK_FAILED', detail });
};

/**
 * The finish: the ranking, the walk-forward report when asked, the look-ahead check on the
 * winner, then completed. A run cancelled meanwhile stays cancelled.
 */
export const finishOptimisation: OptimisationJobHandler<J['optimisationFinish']> = async (payload, h) => {
  const store = h.ports.optimisations;
  const r = await store.get(payload.optimisationId);
  if (!r || r.status !== 'running') return 'skipped';
  const results = await store.results(r.optimisationId);
  const [top] = rankCandidates(results);
  const best = top ? rankedOf(top, 1) : undefined;
  const strategy: AnyStrategy | undefined = strategyOf(r.strategy);
  if (!strategy) {
    await fail(h, r, { code: 'UNKNOWN_STRATEGY', detail: `no strategy ${r.strategy}` });
    return 'processed';
  }
  const candles = await cachedCandles(h.ports, h.envelope.tenantId, r);
  let lookAhead: StoredOptimisation['lookAhead'];
  let report: ReturnType<typeof walkForwardReport>;
  try {
    if (top && !top.error) lookAhead = lookAheadCheck(strategy, candles, top.params);
    report = walkForwardReport(r, strategy, candles);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    await fail(h, r, { code: 'ANALYSIS_FAILED', detail: e.message });
    return 'processed';
  }
  if (report) await store.putWalkForward(r.optimisationId, { optimisationId: r.optimisationId, ...report });
  const at = iso(h.now);
  const uow = h.unitOfWork();
  store.update(uow, r.optimisationId, {
    set: { status: 'completed', best, lookAhead, finishedAt: at, updatedAt: at },
    from: ['running'],
  });
  uow.audit({
    action: 'optimisation.complete',
    resource: `optimisation/${r.optimisationId}`,
    after: { best, evaluated: results.length, lookAhead: lookAhead?.biased ?? null },
    source: 'scheduler',
  });
  try {
    await uow.commit();
  } catch (e) {
    if (isCode(e, 'OPTIMISATION_ENDED')) return 'skipped';
    throw e;
  }
  return 'processed';
};
