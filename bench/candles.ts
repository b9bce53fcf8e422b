/**
 * Candle storage: 1,000,000 one-minute bars (694 days, 24/7 like a crypto pair, cent prices) written
 * through the market-data candle store into DynamoDB Local and read back whole, as a backtest reads
 * them. Two baselines measured in the same run on the same bars:
 *
 * - the same chunks decoded from an in-memory copy (the codec alone: what storage adds is DynamoDB);
 * - a smaCross backtest with every metric over those bars (@ballast/core's engine): issue 9's target,
 *   "a backtest should not wait on storage longer than on its own simulation" — read ≤ 1× backtest.
 *
 * Writes bench/results/candles.json.   npx tsx bench/candles.ts [--bars 1000000]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  CHUNK_PERIOD,
  type CandleColumns,
  emptyColumns,
  lowerBound,
  nextPeriodStart,
  periodStart,
  sliceColumns,
} from '../packages/app/src/market-data/chunks.js';
import { decodeChunkInto, encodeChunk } from '../packages/app/src/market-data/codec.js';
import { DynamoCandleStore } from '../packages/app/src/market-data/store.dynamo.js';
import { runBacktest } from '../packages/core/src/backtest/index.js';
import { smaCross } from '../packages/core/src/strategies/index.js';
import { startDynamoLocal } from '../packages/local/src/dynamodb-local.js';
import { createDocumentClient, createDynamoClient } from '../packages/platform/src/data/client.js';
import { ensureTable } from '../packages/platform/src/data/tables.js';

const arg = process.argv.indexOf('--bars');
const BARS = arg > 0 ? Number(process.argv[arg + 1]) : 1_000_000;
const RUNS = 3;
const MINUTE = 60_000;
const SERIES = { symbol: 'BTC-USD', interval: '1min' } as const;

/** A seeded random walk in cents, the way prices arrive from a vendor (two decimals). */
function minuteBars(n: number): CandleColumns {
  const bars = emptyColumns(n);
  let seed = 42;
  const random = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  let price = 30_000;
  const start = Date.UTC(2024, 0, 1);
  const cents = (x: number) => Math.round(x * 100) / 100;
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = cents(Math.max(1, open * (1 + (random() - 0.5) * 0.002)));
    bars.time[i] = start + i * MINUTE;
    bars.open[i] = open;
    bars.high[i] = cents(Math.max(open, close) * (1 + random() * 0.0005));
    bars.low[i] = cents(Math.min(open, close) * (1 - random() * 0.0005));
    bars.close[i] = close;
    bars.volume[i] = Math.floor(random() * 50) / 10;
    price = close;
  }
  return bars;
}

async function median(fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

const round = (ms: number) => Math.round(ms);

const dynamo = await startDynamoLocal();
try {
  const client = createDynamoClient({ region: 'local', endpoint: dynamo.endpoint });
  const db = createDocumentClient(client);
  await ensureTable(client, 'bench-candles');
  const store = new DynamoCandleStore(db, 'bench-candles', { tenantId: 't_bench' });
  const bars = minuteBars(BARS);
  const first = bars.time[0];
  const last = bars.time[BARS - 1];

  let started = performance.now();
  const written = await store.write(SERIES, bars, Date.now());
  const writeMs = performance.now() - started;

  // The chunks as stored, kept in memory: the codec's share of a read.
  const chunks: Array<{ data: Uint8Array; bars: number }> = [];
  const period = CHUNK_PERIOD[SERIES.interval];
  for (let i = 0; i < BARS; ) {
    const end = lowerBound(bars.time, nextPeriodStart(periodStart(bars.time[i], period), period));
    chunks.push({ data: encodeChunk(sliceColumns(bars, i, end)), bars: end - i });
    i = end;
  }
  const storedBytes = chunks.reduce((sum, c) => sum + c.data.byteLength, 0);

  let read: CandleColumns = emptyColumns(0);
  const readMs = await median(async () => {
    read = await store.read(SERIES, first, last);
  });
  for (const name of ['time', 'close'] as const) {
    for (let i = 0; i < BARS; i += 997) {
      if (read[name][i] !== bars[name][i]) throw new Error(`read back ${name}[${i}] differs`);
    }
  }
  if (read.length !== BARS) throw new Error(`read ${read.length} bars, wrote ${BARS}`);

  const decodeMs = await median(() => {
    const all = emptyColumns(BARS);
    let at = 0;
    for (const chunk of chunks) {
      decodeChunkInto(chunk.data, chunk.bars, all, at);
      at += chunk.bars;
    }
  });

  let trades = 0;
  const backtestMs = await median(() => {
    trades = runBacktest({
      candles: read,
      strategy: smaCross,
      params: { fast: 10, slow: 30 },
      config: { commission: { rate: 0.0005 }, slippageBps: 1 },
    }).metrics.tradeCount;
  });
  started = performance.now();
  const window = await store.read(SERIES, first + 100_000 * MINUTE, first + 110_000 * MINUTE - 1);
  const windowMs = performance.now() - started;

  const results = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, model: cpus()[0]?.model },
    setup: {
      bars: BARS,
      series: `${SERIES.symbol} ${SERIES.interval}, 24/7, cent prices`,
      chunks: written.chunks,
      storedBytes,
      rawBytes: BARS * 48,
      compression: Number((storedBytes / (BARS * 48)).toFixed(3)),
      note: 'DynamoDB Local (a JVM) on the same 2-core machine as the reader; median of 3 reads',
    },
    write: { ms: round(writeMs), barsPerSec: Math.round(BARS / (writeMs / 1000)) },
    read: { ms: round(readMs), barsPerSec: Math.round(BARS / (readMs / 1000)) },
    window10k: { ms: round(windowMs), bars: window.length },
    baselines: {
      decodeFromMemory: { ms: round(decodeMs), what: 'the same chunks decoded into one set of columns, no DynamoDB' },
      backtest: {
        ms: round(backtestMs),
        what: `smaCross(10/30) backtest + metrics over the bars read, ${trades} trades`,
      },
    },
    ratio: {
      readVsDecode: Number((readMs / decodeMs).toFixed(2)),
      readVsBacktest: Number((readMs / backtestMs).toFixed(2)),
      target: 'readVsBacktest ≤ 1: a backtest waits no longer on storage than on its own simulation',
      met: readMs <= backtestMs,
    },
  };
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(join(import.meta.dirname, 'results/candles.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `${BARS.toLocaleString('en')} bars in ${written.chunks} chunks (${(storedBytes / 1e6).toFixed(1)} MB): ` +
      `write ${results.write.ms} ms, read ${results.read.ms} ms (${results.read.barsPerSec.toLocaleString('en')}/s); ` +
      `decode from memory ${results.baselines.decodeFromMemory.ms} ms, backtest ${results.baselines.backtest.ms} ms; ` +
      `read/backtest ${results.ratio.readVsBacktest} (target ≤ 1: ${results.ratio.met ? 'met' : 'NOT met'}) ` +
      '→ bench/results/candles.json',
  );
} finally {
  await dynamo.stop();
}
