/**
 * `npm run mutate -- <scope|group> …`: mutation testing with StrykerJS, one scope at a time (see
 * stryker/scopes.json: core-money, core-risk, core-rebalance, core-rest, pipeline, stores; groups
 * core, pipeline, stores, all). Each scope is incremental: only mutants in changed code, or covered
 * by changed tests, run again. Writes the figures of every scope run to bench/results/mutation.json
 * (other scopes' figures are kept), with the survivors accepted in stryker/accepted/<area>.json
 * and their reasons. Not part of `npm test`: a full run of everything takes the better part of an hour.
 *
 *   npm run mutate -- core             the money, risk, rebalancing and other core scopes
 *   npm run mutate -- pipeline stores  the request pipeline's scoping code and the store adapters
 *   npm run mutate -- --force core     ignore the incremental files (a full run)
 *   npm run mutate -- --report         rewrite mutation.json from the last reports, running nothing
 *   MUTATE_CONCURRENCY=2               two Stryker workers (default 1: the machine is shared)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const OUT = join(root, 'bench/results/mutation.json');

interface Scope {
  description: string;
  mutate: string[];
  testFiles: string[];
  dynamo: boolean;
  target: number;
}
interface ScopesFile {
  groups: Record<string, string[]>;
  scopes: Record<string, Scope>;
}
/** A survivor accepted on purpose; matches by file and mutator, and by replacement and lines when given. */
interface Accepted {
  file: string;
  mutator: string;
  replacement?: string;
  lines?: number[];
  reason: string;
}
/** The parts of Stryker's JSON report (mutation-testing-report-schema) read here. */
interface StrykerReport {
  files: Record<
    string,
    {
      source: string;
      mutants: Array<{
        id: string;
        mutatorName: string;
        replacement?: string;
        status: string;
        location: { start: { line: number; column: number }; end: { line: number; column: number } };
      }>;
    }
  >;
}
interface Survivor {
  file: string;
  line: number;
  mutator: string;
  original: string;
  replacement: string;
  status: 'Survived' | 'NoCoverage';
  accepted?: string;
}
interface Figures {
  mutants: number;
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  runtimeErrors: number;
  compileErrors: number;
  ignored: number;
  /** Stryker's mutation score: (killed + timeout) / (killed + timeout + survived + no coverage) */
  score: number;
  /** killed / (killed + timeout + survived + no coverage) */
  killedPercent: number;
}

const scopesFile = JSON.parse(readFileSync(join(root, 'stryker/scopes.json'), 'utf8')) as ScopesFile;
/** Accepted survivors, one file per area (stryker/accepted/<area>.json), so areas are worked on apart. */
const ACCEPTED_DIR = join(root, 'stryker/accepted');
const accepted = {
  survivors: readdirSync(ACCEPTED_DIR)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(readFileSync(join(ACCEPTED_DIR, f), 'utf8')) as { survivors: Accepted[] }).survivors),
};

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function figuresOf(statuses: string[]): Figures {
  const count = (s: string) => statuses.filter((x) => x === s).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const valid = killed + timeout + survived + noCoverage;
  const pct = (n: number) => (valid ? Math.round((n / valid) * 10_000) / 100 : 100);
  return {
    mutants: statuses.length,
    killed,
    survived,
    timeout,
    noCoverage,
    runtimeErrors: count('RuntimeError'),
    compileErrors: count('CompileError'),
    ignored: count('Ignored'),
    score: pct(killed + timeout),
    killedPercent: pct(killed),
  };
}

function acceptanceOf(s: Omit<Survivor, 'accepted'>): string | undefined {
  const hit = accepted.survivors.find(
    (a) =>
      a.file === s.file &&
      a.mutator === s.mutator &&
      (a.replacement === undefined || a.replacement === s.replacement) &&
      (a.lines === undefined || a.lines.includes(s.line)),
  );
  return hit?.reason;
}

/** The text a mutant replaced, on one line, shortened. */
function originalText(source: string, loc: StrykerReport['files'][string]['mutants'][number]['location']): string {
  const lines = source.split('\n');
  const { start, end } = loc;
  const text =
    start.line === end.line
      ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
      : [lines[start.line - 1].slice(start.column - 1), ...lines.slice(start.line, end.line - 1), '…'].join(' ');
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

function summarise(name: string, durationSeconds: number | undefined) {
  const reportFile = join(root, `.stryker/reports/${name}.json`);
  if (!existsSync(reportFile)) return undefined;
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as StrykerReport;
  const statuses: string[] = [];
  const survivors: Survivor[] = [];
  const perFile: Record<string, Figures> = {};
  for (const [file, f] of Object.entries(report.files)) {
    perFile[file] = figuresOf(f.mutants.map((m) => m.status));
    for (const m of f.mutants) {
      statuses.push(m.status);
      const status = m.status;
      if (status !== 'Survived' && status !== 'NoCoverage') continue;
      const s: Omit<Survivor, 'accepted'> = {
        file,
        line: m.location.start.line,
        mutator: m.mutatorName,
        original: originalText(f.source, m.location),
        replacement: (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 120),
        status,
      };
      survivors.push({ ...s, accepted: acceptanceOf(s) });
    }
  }
  survivors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  const scope = scopesFile.scopes[name];
  const figures = figuresOf(statuses);
  return {
    description: scope.description,
    mutate: scope.mutate,
    testFiles: scope.testFiles,
    date: new Date().toISOString(),
    commit: git('rev-parse', 'HEAD'),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...figures,
    target: scope.target,
    targetMet: figures.score >= scope.target,
    files: perFile,
    acceptedSurvivors: survivors.filter((s) => s.accepted),
    unexplainedSurvivors: survivors.filter((s) => !s.accepted),
  };
}

type ScopeResult = NonNullable<ReturnType<typeof summarise>>;

const args = process.argv.slice(2);
const force = args.includes('--force');
const reportOnly = args.includes('--report');
const wanted = args.filter((a) => !a.startsWith('--'));
const names = [...new Set(wanted.flatMap((w) => scopesFile.groups[w] ?? [w]))];
for (const n of names) {
  if (!scopesFile.scopes[n]) {
    console.error(
      `unknown scope '${n}'; scopes: ${Object.keys(scopesFile.scopes).join(', ')}; ` +
        `groups: ${Object.keys(scopesFile.groups).join(', ')}`,
    );
    process.exit(2);
  }
}
if (!names.length && !reportOnly) {
  console.error(
    `name a scope or group: ${[...Object.keys(scopesFile.groups), ...Object.keys(scopesFile.scopes)].join(', ')}`,
  );
  process.exit(2);
}

const previous = existsSync(OUT)
  ? (JSON.parse(readFileSync(OUT, 'utf8')) as { scopes?: Record<string, ScopeResult> })
  : {};
const scopes: Record<string, ScopeResult> = { ...(previous.scopes ?? {}) };
let failed = 0;
for (const name of reportOnly ? Object.keys(scopesFile.scopes) : names) {
  let duration: number | undefined;
  if (!reportOnly) {
    console.log(`\n== mutate ${name}: ${scopesFile.scopes[name].description}`);
    const started = Date.now();
    const r = spawnSync(
      join(root, 'node_modules/.bin/stryker'),
      ['run', 'stryker/stryker.config.mjs', ...(force ? ['--force'] : [])],
      { cwd: root, stdio: 'inherit', env: { ...process.env, MUTATE_SCOPE: name } },
    );
    duration = Math.round((Date.now() - started) / 1000);
    if (r.status !== 0) {
      failed++;
      console.error(`stryker failed for ${name} (exit ${r.status}); its previous figures are kept`);
      continue;
    }
  }
  const summary = summarise(name, duration ?? scopes[name]?.durationSeconds);
  if (summary)
    scopes[name] =
      reportOnly && scopes[name] ? { ...summary, date: scopes[name].date, commit: scopes[name].commit } : summary;
}

// Groups: the sum of their scopes' figures (those run at least once).
const groups: Record<string, Figures & { scopes: string[] }> = {};
for (const [group, members] of Object.entries(scopesFile.groups)) {
  const present = members.filter((m) => scopes[m]);
  if (!present.length || group === 'all') continue;
  const statuses = present.flatMap((m) => {
    const s = scopes[m];
    return [
      ...Array<string>(s.killed).fill('Killed'),
      ...Array<string>(s.survived).fill('Survived'),
      ...Array<string>(s.timeout).fill('Timeout'),
      ...Array<string>(s.noCoverage).fill('NoCoverage'),
      ...Array<string>(s.runtimeErrors).fill('RuntimeError'),
      ...Array<string>(s.compileErrors).fill('CompileError'),
      ...Array<string>(s.ignored).fill('Ignored'),
    ];
  });
  groups[group] = { scopes: present, ...figuresOf(statuses) };
}

const out = {
  $comment:
    'Written by `npm run mutate` (bench/mutation.ts). ' +
    'score = (killed + timeout) / (killed + timeout + survived + no coverage). ' +
    'Accepted survivors and their reasons: stryker/accepted/<area>.json.',
  generated: new Date().toISOString(),
  commit: git('rev-parse', 'HEAD'),
  stryker: JSON.parse(readFileSync(join(root, 'node_modules/@stryker-mutator/core/package.json'), 'utf8'))
    .version as string,
  groups,
  scopes: Object.fromEntries(
    Object.keys(scopesFile.scopes)
      .filter((n) => scopes[n])
      .map((n) => [n, scopes[n]]),
  ),
};
writeFileSync(OUT, `${JSON.stringify(out, null, 2)}\n`);
console.log(`\n${OUT}:`);
for (const [n, s] of Object.entries(out.scopes)) {
  const unexplained = s.unexplainedSurvivors.length;
  console.log(
    `  ${n.padEnd(15)} ${String(s.score).padStart(6)}%  killed ${s.killed}, timeout ${s.timeout}, ` +
      `survived ${s.survived}, ` +
      `no coverage ${s.noCoverage}${unexplained ? `  (${unexplained} survivors not explained)` : ''}`,
  );
}
process.exit(failed ? 1 : 0);
