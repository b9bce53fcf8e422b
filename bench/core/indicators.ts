// Indicator throughput: Ballast vs a bare typed-array loop vs the npm peers, on the same candles.
import { IndicatorsSync } from '@ixjb94/indicators';
import * as ti from 'technicalindicators';
import { ATR as TsAtr, EMA as TsEma, RSI as TsRsi } from 'trading-signals';
import { atr, ema, rsi } from '../../packages/core/src/indicators/index.js';
import { timeMedian, type BenchRow, type Candles } from './types.js';

const EMA_P = 20;
const RSI_P = 14;
const ATR_P = 14;
/** A peer whose 1M-bar run would exceed this is measured on a slice and scaled. */
const PEER_BUDGET_MS = 60_000;
const PEER_SAMPLE = 100_000;

// ------------------------------------------------------------ bare reference loops
// The simplest fast loop for each job: one pass over Float64Arrays into a preallocated output,
// with the same arithmetic as Ballast (so the ratio measures Ballast's overhead — argument
// checks, ArrayLike inputs, warm-up NaNs, the zero guard — not a choice of formula), and no
// checks at all.

function refEma(src: Float64Array, p: number, out: Float64Array): void {
  const k = 2 / (p + 1);
  const c = (p - 1) / (p + 1);
  let s = 0;
  for (let i = 0; i < p; i++) s += src[i];
  let e = s / p;
  out[p - 1] = e;
  for (let i = p; i < src.length; i++) {
    e = e * c + src[i] * k;
    out[i] = e;
  }
}

function refRsi(src: Float64Array, p: number, out: Float64Array): void {
  let g = 0;
  let l = 0;
  for (let i = 1; i <= p; i++) {
    const d = src[i] - src[i - 1];
    if (d > 0) g += d;
    else l -= d;
  }
  g /= p;
  l /= p;
  out[p] = (100 * g) / (g + l);
  const keep = (p - 1) / p;
  const half = 0.5 / p;
  for (let i = p + 1; i < src.length; i++) {
    const d = src[i] - src[i - 1];
    const a = Math.abs(d);
    g = g * keep + (d + a) * half;
    l = l * keep + (a - d) * half;
    out[i] = (100 * g) / (g + l);
  }
}

function refAtr(h: Float64Array, lo: Float64Array, c: Float64Array, p: number, out: Float64Array): void {
  let s = 0;
  for (let i = 1; i <= p; i++) s += Math.max(h[i] - lo[i], Math.abs(h[i] - c[i - 1]), Math.abs(lo[i] - c[i - 1]));
  let a = s / p;
  out[p] = a;
  const keep = (p - 1) / p;
  const inv = 1 / p;
  for (let i = p + 1; i < h.length; i++) {
    a = a * keep + Math.max(h[i] - lo[i], Math.abs(h[i] - c[i - 1]), Math.abs(lo[i] - c[i - 1])) * inv;
    out[i] = a;
  }
}

/**
 * The machine is shared and noisy: each figure is the best (minimum) of several rounds, each
 * round the median of several runs. The minimum is the least-disturbed estimate of the cost.
 */
function best(fn: () => unknown, rounds: number, runs: number, warmup: number): number {
  let m = Infinity;
  for (let r = 0; r < rounds; r++) m = Math.min(m, timeMedian(fn, runs, r === 0 ? warmup : 0));
  return m;
}

/** Best-of-rounds median ms of the bare EMA(20) loop over the closes — the backtest bench's yardstick. */
export function referenceEmaMs(candles: Candles): number {
  const out = new Float64Array(candles.length);
  return best(() => refEma(candles.close, EMA_P, out), 5, 7, 3);
}

// ------------------------------------------------------------ peers

interface PeerJob {
  impl: string;
  /** runs the job over the first n bars and returns the collected output series */
  run: (n: number) => unknown;
}

function sliceCandles(c: Candles, n: number): { close: number[]; high: number[]; low: number[] } {
  return {
    close: Array.from(c.close.subarray(0, n)),
    high: Array.from(c.high.subarray(0, n)),
    low: Array.from(c.low.subarray(0, n)),
  };
}

function peerJobs(c: Candles): Record<'EMA' | 'RSI' | 'ATR', PeerJob[]> {
  // Peers take plain arrays / candle objects: build them once, outside the timed region.
  const arr = sliceCandles(c, c.length);
  const bars = arr.close.map((close, i) => ({ high: arr.high[i], low: arr.low[i], close }));
  const tulip = new IndicatorsSync();
  const head = (xs: number[], n: number) => (n === xs.length ? xs : xs.slice(0, n));
  const streamInto = <I>(make: () => { add(x: I): unknown }, inputs: I[], n: number) => {
    const ind = make();
    const out: unknown[] = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = ind.add(inputs[i]);
    return out;
  };
  return {
    EMA: [
      { impl: 'technicalindicators', run: (n) => ti.EMA.calculate({ period: EMA_P, values: head(arr.close, n) }) },
      { impl: 'trading-signals', run: (n) => streamInto(() => new TsEma(EMA_P), arr.close, n) },
      { impl: '@ixjb94/indicators', run: (n) => tulip.ema(arr.close, EMA_P, n) },
    ],
    RSI: [
      { impl: 'technicalindicators', run: (n) => ti.RSI.calculate({ period: RSI_P, values: head(arr.close, n) }) },
      { impl: 'trading-signals', run: (n) => streamInto(() => new TsRsi(RSI_P), arr.close, n) },
      { impl: '@ixjb94/indicators', run: (n) => tulip.rsi(arr.close, RSI_P, n) },
    ],
    ATR: [
      {
        impl: 'technicalindicators',
        run: (n) =>
          ti.ATR.calculate({
            period: ATR_P,
            high: head(arr.high, n),
            low: head(arr.low, n),
            close: head(arr.close, n),
          }),
      },
      { impl: 'trading-signals', run: (n) => streamInto(() => new TsAtr(ATR_P), bars, n) },
      { impl: '@ixjb94/indicators', run: (n) => tulip.atr(arr.high, arr.low, arr.close, ATR_P, n) },
    ],
  };
}

/** Times a peer on all bars, or on a 100k slice scaled up when a full run would blow the budget. */
function timePeer(job: PeerJob, n: number): { ms: number; note?: string } {
  const sample = Math.min(n, PEER_SAMPLE);
  const t0 = performance.now();
  job.run(sample);
  const probe = performance.now() - t0;
  if ((probe * n) / sample > PEER_BUDGET_MS) {
    const ms = (best(() => job.run(sample), 2, 3, 1) * n) / sample;
    return {
      ms,
      note: `measured on ${sample.toLocaleString('en')} bars and scaled ×${n / sample} (a full run would exceed 60 s)`,
    };
  }
  return { ms: best(() => job.run(n), 2, 3, 1) };
}

// ------------------------------------------------------------ bench

export function bench(candles: Candles): BenchRow[] {
  const n = candles.length;
  const out = new Float64Array(n);
  const { close, high, low } = candles;
  const peers = peerJobs(candles);
  const jobs = [
    {
      key: 'EMA' as const,
      job: `EMA(${EMA_P})`,
      ballast: () => ema(close, EMA_P, out),
      reference: () => refEma(close, EMA_P, out),
    },
    {
      key: 'RSI' as const,
      job: `RSI(${RSI_P})`,
      ballast: () => rsi(close, RSI_P, out),
      reference: () => refRsi(close, RSI_P, out),
    },
    {
      key: 'ATR' as const,
      job: `ATR(${ATR_P})`,
      ballast: () => atr(high, low, close, ATR_P, out),
      reference: () => refAtr(high, low, close, ATR_P, out),
    },
  ];
  const rows: BenchRow[] = [];
  const opsPerSec = (ms: number) => Math.round(n / (ms / 1000));
  for (const j of jobs) {
    // interleave the two so neither benefits from a quieter moment of the machine
    let ref = Infinity;
    let balMs = Infinity;
    for (let r = 0; r < 7; r++) {
      ref = Math.min(ref, timeMedian(j.reference, 5, r === 0 ? 3 : 0));
      balMs = Math.min(balMs, timeMedian(j.ballast, 5, r === 0 ? 3 : 0));
    }
    rows.push({
      job: j.job,
      impl: 'reference loop',
      ms: ref,
      opsPerSec: opsPerSec(ref),
      note:
        `${n.toLocaleString('en')} bars; same arithmetic as ballast, no checks; ` +
        'best of 7 interleaved rounds × median of 5',
    });
    const ratio = balMs / ref;
    rows.push({
      job: j.job,
      impl: 'ballast',
      ms: balMs,
      opsPerSec: opsPerSec(balMs),
      ratio,
      baseline: 'reference loop',
      target: '≤ 1.5× reference',
      met: ratio <= 1.5,
      note: 'writes into a reused out buffer',
    });
    const peerRows: BenchRow[] = [];
    for (const p of peers[j.key]) {
      const { ms, note } = timePeer(p, n);
      peerRows.push({
        job: j.job,
        impl: p.impl,
        ms,
        opsPerSec: opsPerSec(ms),
        ratio: ms / balMs,
        baseline: 'ballast',
        note,
      });
    }
    const fastest = peerRows.reduce((a, b) => (b.ms < a.ms ? b : a));
    fastest.target = 'fastest peer ≥ 5× ballast';
    fastest.met = fastest.ms / balMs >= 5;
    fastest.note = [fastest.note, 'fastest peer'].filter(Boolean).join('; ');
    rows.push(...peerRows);
  }
  return rows;
}
