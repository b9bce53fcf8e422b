import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { ALL_JOBS } from '../packages/app/src/jobs.js';
import { ALL_ROUTES as ROUTES } from '../packages/app/src/routes.js';
import { AUTHORIZER_HANDLER } from '../stacks/Api.js';
import { NODEJS_BUNDLING, sstEsbuildOptions } from '../stacks/bundling.js';

/**
 * Bundle size and cold import time of every Lambda the Api stack deploys, against a bare
 * middy + DynamoDB DocumentClient handler bundled the same way in the same run.
 *
 *   npx tsx bench/functions.ts [--runs 7]
 *
 * Bundles are built with the esbuild *SST* uses (sst/node_modules/esbuild) and the options SST
 * derives from stacks/bundling.ts (ESM, minified, node22 target, AWS SDK bundled), into a temp dir.
 * Cold import: a fresh `node` process per sample that times `await import(bundle)`; the median of
 * the samples is reported. Samples are interleaved across bundles so machine noise hits all alike.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const TARGET_BYTES = 400 * 1024;
const TARGET_RATIO = 1.2;
const runsArg = process.argv.indexOf('--runs');
const RUNS = Math.max(5, runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7);

type Esbuild = typeof import('esbuild');
const sstRequire = createRequire(createRequire(import.meta.url).resolve('sst/package.json'));
const esbuildPath = sstRequire.resolve('esbuild');
const esbuild = ((await import(pathToFileURL(esbuildPath).href)) as { default: Esbuild }).default;
const esbuildVersion = (
  JSON.parse(readFileSync(path.join(path.dirname(esbuildPath), '..', 'package.json'), 'utf8')) as { version: string }
).version;

const BARE =
  `
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = middy(async (event) => {
  const r = await db.send(new GetCommand({ TableName: process.env.BALLAST_CONTROL_TABLE, ` +
  `Key: { PK: 'TENANT#' + event.pathParameters?.id, SK: 'META' } }));
  return { statusCode: 200, body: JSON.stringify(r.Item ?? null) };
});
`;

/** Bootstrap settings, so a handler that validates them at import does not refuse to load. */
const ENV = {
  ...process.env,
  AWS_REGION: 'eu-central-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  BALLAST_CONTROL_TABLE: 'ballast-bench-control',
  BALLAST_BOOTSTRAP_SECRET: 'ballast/bench/bootstrap-key',
  BALLAST_ENV: 'dev',
  BALLAST_SECRETS_BACKEND: 'aws',
  BALLAST_STAGE: 'bench',
  BALLAST_LOG_LEVEL: 'ERROR',
};

interface Bundle {
  id: string;
  handler: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  /** biggest inputs by bytes in the output, grouped by package */
  top: Array<{ pkg: string; bytes: number }>;
  samples: number[];
  cpuSamples: number[];
}

function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m) return m[1];
  const w = /^(packages\/[^/]+|functions)\//.exec(input);
  return w ? w[1] : input;
}

async function build(id: string, handler: string, outDir: string, source?: string): Promise<Bundle> {
  const file = path.join(outDir, `${id}.mjs`);
  // SST's esbuild (0.18) and the root one (0.28, whose types these are) take the same options here
  const opts = sstEsbuildOptions(path.join(ROOT, handler), file) as unknown as Parameters<Esbuild['build']>[0];
  const result = await esbuild.build(
    source
      ? {
          ...opts,
          entryPoints: undefined,
          stdin: { contents: source, resolveDir: ROOT, sourcefile: handler, loader: 'ts' },
        }
      : opts,
  );
  const out = Object.values(result.metafile?.outputs ?? {}).find(
    (o) => o.entryPoint !== undefined || Object.keys(o.inputs).length > 0,
  );
  const byPkg = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(out?.inputs ?? {}))
    byPkg.set(packageOf(input), (byPkg.get(packageOf(input)) ?? 0) + bytesInOutput);
  const top = [...byPkg]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([pkg, bytes]) => ({ pkg, bytes }));
  const bytes = (await stat(file)).size;
  return { id, handler, file, bytes, gzipBytes: gzipSync(readFileSync(file)).length, top, samples: [], cpuSamples: [] };
}

const run = promisify(execFile);
/** One cold import in a fresh process: wall-clock ms, and CPU ms (user+system; less sensitive to a busy machine). */
async function coldImport(file: string): Promise<{ wall: number; cpu: number }> {
  const script =
    'const c = process.cpuUsage(); const t = performance.now(); ' +
    `await import(${JSON.stringify(pathToFileURL(file).href)}); ` +
    'const w = performance.now() - t; const d = process.cpuUsage(c); ' +
    'process.stdout.write(JSON.stringify({ wall: w, cpu: (d.user + d.system) / 1000 }));';
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: ENV,
    cwd: path.dirname(file),
  });
  return JSON.parse(stdout) as { wall: number; cpu: number };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kb = (n: number) => (n / 1024).toFixed(1);

/** The last committed report: each function's size then, to show what a change did. */
const previous = new Map<string, number>();
try {
  const last = JSON.parse(readFileSync(path.join(ROOT, 'bench/results/functions.json'), 'utf8')) as {
    functions: Array<{ id: string; bytes: number }>;
  };
  for (const f of last.functions) previous.set(f.id, f.bytes);
} catch {
  // no earlier report
}
const DISPATCHER_HANDLER = 'functions/jobs/dispatcher.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ballast-bench-functions-'));
try {
  const started = performance.now();
  const bare = await build('bare-middy-ddb', 'bench/bare-handler.ts', dir, BARE);
  const fns: Bundle[] = [];
  for (const r of ROUTES) fns.push(await build(r.id, r.handler, dir));
  fns.push(await build('authorizer', AUTHORIZER_HANDLER, dir));
  fns.push(await build('jobs.dispatcher', DISPATCHER_HANDLER, dir));
  for (const j of ALL_JOBS) fns.push(await build(`job:${j.id}`, j.handler, dir));
  const buildOnly = process.argv.includes('--sizes-only');
  if (buildOnly) {
    for (const b of fns) {
      const before = previous.get(b.id);
      console.log(`${b.id.padEnd(24)}${kb(b.bytes).padStart(8)} KiB${before ? `  (was ${kb(before)})` : ''}`);
    }
    process.exit(0);
  }
  const buildSeconds = (performance.now() - started) / 1000;

  // warm the disk cache once, then interleave samples
  for (const b of [bare, ...fns]) await coldImport(b.file);
  for (let i = 0; i < RUNS; i++) {
    for (const b of [bare, ...fns]) {
      const m = await coldImport(b.file);
      b.samples.push(m.wall);
      b.cpuSamples.push(m.cpu);
    }
  }

  const bareMs = median(bare.samples);
  const bareCpuMs = median(bare.cpuSamples);
  const rows = fns.map((b) => {
    const importMs = median(b.samples);
    const importCpuMs = median(b.cpuSamples);
    return {
      id: b.id,
      handler: b.handler,
      bytes: b.bytes,
      gzipBytes: b.gzipBytes,
      importMs: Number(importMs.toFixed(2)),
      importRatio: Number((importMs / bareMs).toFixed(3)),
      importCpuMs: Number(importCpuMs.toFixed(2)),
      importCpuRatio: Number((importCpuMs / bareCpuMs).toFixed(3)),
      previousBytes: previous.get(b.id) ?? null,
      withinSize: b.bytes <= TARGET_BYTES,
      withinImport: importMs / bareMs <= TARGET_RATIO,
      samplesMs: b.samples.map((x) => Number(x.toFixed(2))),
      top: b.top,
    };
  });
  const results = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}, ${os.cpus().length} cpus`,
    bundler: {
      esbuild: esbuildVersion,
      via: 'sst/node_modules/esbuild (what sst deploy uses)',
      options: { ...NODEJS_BUNDLING, awsSdk: 'bundled', keepNames: true, sourcemap: false },
    },
    runs: RUNS,
    buildSeconds: Number(buildSeconds.toFixed(1)),
    targets: { maxBytes: TARGET_BYTES, maxImportRatio: TARGET_RATIO },
    baseline: {
      id: bare.id,
      description: 'middy + DynamoDBDocumentClient GetItem handler',
      bytes: bare.bytes,
      gzipBytes: bare.gzipBytes,
      importMs: Number(bareMs.toFixed(2)),
      importCpuMs: Number(bareCpuMs.toFixed(2)),
      samplesMs: bare.samples.map((x) => Number(x.toFixed(2))),
      top: bare.top,
    },
    functions: rows,
    summary: {
      functions: rows.length,
      maxBytes: Math.max(...rows.map((r) => r.bytes)),
      maxImportMs: Math.max(...rows.map((r) => r.importMs)),
      maxImportRatio: Math.max(...rows.map((r) => r.importRatio)),
      medianImportRatio: Number(median(rows.map((r) => r.importRatio)).toFixed(3)),
      maxImportCpuRatio: Math.max(...rows.map((r) => r.importCpuRatio)),
      medianImportCpuRatio: Number(median(rows.map((r) => r.importCpuRatio)).toFixed(3)),
      allWithinSize: rows.every((r) => r.withinSize),
      allWithinImport: rows.every((r) => r.withinImport),
    },
  };
  await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(path.join(ROOT, 'bench/results/functions.json'), JSON.stringify(results, null, 2) + '\n');

  const pad = (s: string, n: number) => s.padEnd(n);
  const lpad = (s: string, n: number) => s.padStart(n);
  console.log(
    `\nLambda bundles (esbuild ${esbuildVersion}, ESM, minified, SDK bundled), ` +
      `cold import median of ${RUNS} fresh processes, ${process.version}`,
  );
  console.log(
    `${pad('function', 22)}${lpad('KiB', 8)}${lpad('gz KiB', 8)}${lpad('import ms', 11)}` +
      `${lpad('× bare', 8)}${lpad('cpu ms', 9)}${lpad('× bare', 8)}  ok`,
  );
  console.log(
    `${pad(bare.id, 22)}${lpad(kb(bare.bytes), 8)}${lpad(kb(bare.gzipBytes), 8)}${lpad(bareMs.toFixed(1), 11)}` +
      `${lpad('1.00', 8)}${lpad(bareCpuMs.toFixed(1), 9)}${lpad('1.00', 8)}  baseline`,
  );
  for (const r of rows) {
    const ok = `${r.withinSize ? '' : 'SIZE '}${r.withinImport ? '' : 'IMPORT'}`.trim() || 'yes';
    console.log(
      `${pad(r.id, 22)}${lpad(kb(r.bytes), 8)}${lpad(kb(r.gzipBytes), 8)}${lpad(r.importMs.toFixed(1), 11)}` +
        `${lpad(r.importRatio.toFixed(2), 8)}${lpad(r.importCpuMs.toFixed(1), 9)}` +
        `${lpad(r.importCpuRatio.toFixed(2), 8)}  ${ok}`,
    );
  }
  const sm = results.summary;
  console.log(
    `\nlargest ${kb(sm.maxBytes)} KiB (target ≤ ${kb(TARGET_BYTES)}); ` +
      `import ratio max ${sm.maxImportRatio.toFixed(2)}, median ${sm.medianImportRatio.toFixed(2)} ` +
      `(target ≤ ${TARGET_RATIO}); ` +
      `CPU ratio max ${sm.maxImportCpuRatio.toFixed(2)}, median ${sm.medianImportCpuRatio.toFixed(2)} ` +
      '→ bench/results/functions.json',
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
