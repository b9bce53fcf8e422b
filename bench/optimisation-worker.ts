/**
 * The optimisation bench's evaluator and its worker thread (bench/optimisation.ts starts it).
 *
 * `makeEvaluator` is the whole of one candidate's work, the same function in the main thread (the
 * single-core baseline) and in every worker: a `runBacktest` of the strategy with the candidate's
 * params over the synthetic series, scored by one metric. As a worker (a `node:worker_threads`
 * Worker; under tsx it inherits tsx's loader through execArgv, so it runs TypeScript), it builds its
 * own copy of the series, like a Lambda worker loading its candles, warms up, says `ready`, and then
 * on each `run` claims chunks from the shared counter until none are left, posting each chunk's
 * scores back: the coordinator hands out nothing itself, so a slow worker simply claims fewer.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { type BacktestConfigInput, type BacktestMetrics, runBacktest } from '../packages/core/src/backtest/index.js';
import type { Candidate } from '../packages/core/src/optimiser/index.js';
import { type AnyStrategy, type StrategyId, strategies } from '../packages/core/src/strategies/index.js';
import { syntheticCandles } from './core/types.js';

export interface EvaluationSetup {
  bars: number;
  candleSeed: number;
  strategy: StrategyId;
  config: BacktestConfigInput;
  objective: keyof BacktestMetrics;
}

export interface ScoredCandidate {
  index: number;
  score: number;
  trades: number;
}

export function makeEvaluator(setup: EvaluationSetup): (candidate: Candidate) => ScoredCandidate {
  const candles = syntheticCandles(setup.bars, setup.candleSeed);
  const strategy: AnyStrategy = strategies[setup.strategy];
  return (candidate) => {
    const { metrics } = runBacktest({ candles, strategy, params: candidate.params, config: setup.config });
    return { index: candidate.index, score: metrics[setup.objective], trades: metrics.tradeCount };
  };
}

/** Slots of the shared Int32Array the coordinator resets before each run. */
export const NEXT_CHUNK = 0;
export const CHUNKS_DONE = 1;

export interface WorkerInit {
  workerId: number;
  setup: EvaluationSetup;
  candidates: Candidate[];
  chunkSize: number;
  /** candidates evaluated once before `ready`, so the JIT is warm as the baseline's is */
  warmup: number;
  counters: SharedArrayBuffer;
}

export type ToWorker = { type: 'run'; runId: number } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready'; workerId: number; startupMs: number }
  | { type: 'chunk'; workerId: number; runId: number; chunk: number; results: ScoredCandidate[] }
  | { type: 'idle'; workerId: number; runId: number; chunks: number; busyMs: number };

if (!isMainThread && parentPort) {
  const port = parentPort;
  const t0 = performance.now();
  const init = workerData as WorkerInit;
  const evaluate = makeEvaluator(init.setup);
  for (const c of init.candidates.slice(0, init.warmup)) evaluate(c);
  const counters = new Int32Array(init.counters);
  const chunkCount = Math.ceil(init.candidates.length / init.chunkSize);
  const send = (m: FromWorker) => port.postMessage(m);
  send({ type: 'ready', workerId: init.workerId, startupMs: performance.now() - t0 });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') {
      port.close();
      return;
    }
    const started = performance.now();
    let chunks = 0;
    for (;;) {
      const chunk = Atomics.add(counters, NEXT_CHUNK, 1);
      if (chunk >= chunkCount) break;
      const slice = init.candidates.slice(chunk * init.chunkSize, (chunk + 1) * init.chunkSize);
      const results = slice.map(evaluate);
      Atomics.add(counters, CHUNKS_DONE, 1);
      chunks++;
      send({ type: 'chunk', workerId: init.workerId, runId: m.runId, chunk, results });
    }
    send({ type: 'idle', workerId: init.workerId, runId: m.runId, chunks, busyMs: performance.now() - started });
  });
}
