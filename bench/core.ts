// Core throughput benchmark: one run over the same 1,000,000 synthetic candles.
// Run: npx tsx bench/core.ts   → prints a table and writes bench/results/core.json
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bench as indicatorsBench } from './core/indicators.js';
import { syntheticCandles, type BenchRow, type Candles } from './core/types.js';

type BenchFn = (candles: Candles) => BenchRow[] | Promise<BenchRow[]>;

const BARS = 1_000_000;

/** Sibling bench modules owned by other areas; skipped (with a notice) until they exist. */
const OPTIONAL_MODULES = ['./core/backtest.ts', './core/risk.ts'];

async function loadOptional(rel: string): Promise<BenchFn | undefined> {
  const url = new URL(rel, import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    console.log(`(skipping ${rel}: not present yet)`);
    return undefined;
  }
  const mod: unknown = await import(pathToFileURL(fileURLToPath(url)).href);
  const fn = typeof mod === 'object' && mod !== null ? (mod as { bench?: unknown }).bench : undefined;
  if (typeof fn !== 'function') {
    console.log(`(skipping ${rel}: it exports no bench(candles) function)`);
    return undefined;
  }
  return fn as BenchFn;
}

function fmt(x: number | undefined, digits = 2): string {
  if (x === undefined) return '';
  return x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function printTable(rows: BenchRow[]): void {
  const head = ['job', 'impl', 'ms', 'M ops/s', 'ratio', 'baseline', 'target', 'met', 'note'];
  const body = rows.map((r) => [
    r.job,
    r.impl,
    fmt(r.ms),
    r.opsPerSec === undefined ? '' : fmt(r.opsPerSec / 1e6),
    r.ratio === undefined ? '' : `${fmt(r.ratio)}×`,
    r.baseline ?? '',
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

async function main(): Promise<void> {
  const candles = syntheticCandles(BARS);
  const modules: { name: string; fn: BenchFn }[] = [{ name: 'indicators', fn: indicatorsBench }];
  for (const rel of OPTIONAL_MODULES) {
    const fn = await loadOptional(rel);
    if (fn) modules.push({ name: rel, fn });
  }
  const rows: BenchRow[] = [];
  for (const m of modules) {
    console.log(`running ${m.name} …`);
    try {
      rows.push(...(await m.fn(candles)));
    } catch (err) {
      // one broken module must not cost the others' figures
      console.error(`${m.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 1;
    }
  }
  printTable(rows);
  const cpu = cpus();
  const result = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpu.length, model: cpu[0]?.model ?? 'unknown' },
    bars: BARS,
    rows,
  };
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}core.json`, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote bench/results/core.json (${rows.length} rows)`);
}

await main();
