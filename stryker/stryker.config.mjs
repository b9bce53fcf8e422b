// StrykerJS configuration, one scope at a time: `MUTATE_SCOPE=<scope> npx stryker run stryker/stryker.config.mjs`.
// Usually run through `npm run mutate -- <scope|group>` (bench/mutation.ts), which also writes
// bench/results/mutation.json. Scopes (what is mutated, which tests run) live in scopes.json.
import { readFileSync } from 'node:fs';

const { scopes } = JSON.parse(readFileSync(new URL('./scopes.json', import.meta.url), 'utf8'));
const name = process.env.MUTATE_SCOPE ?? '';
const scope = scopes[name];
if (!scope) throw new Error(`MUTATE_SCOPE must be one of: ${Object.keys(scopes).join(', ')} (got '${name}')`);
// Read by stryker/vitest.config.mjs in the test-runner workers, which inherit this environment.
// The scope's tests are chosen there (vitest `include`), not with Stryker's `testFiles`: with
// `testFiles`, Stryker 10.1 activates static mutants (module-level values) only after the module
// has loaded, so every one of them "survives" (stryker-js#6144, #6209).
process.env.MUTATE_NO_DYNAMO = scope.dynamo ? '0' : '1';
process.env.MUTATE_TEST_FILES = JSON.stringify(scope.testFiles);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // The suite's own config, with @ballast/* resolved inside Stryker's sandbox (see the file).
  vitest: { configFile: 'stryker/vitest.config.mjs', related: true, pool: 'forks' },
  coverageAnalysis: 'perTest',
  mutate: scope.mutate,
  // Two cores shared with the rest of the team: one worker unless told otherwise.
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 1),
  incremental: true,
  incrementalFile: `.stryker/incremental/${name}.json`,
  // one sandbox per scope, so scopes can run side by side
  tempDirName: `.stryker/tmp-${name}`,
  cleanTempDir: true,
  ignorePatterns: [
    '.data',
    '.sst',
    '.build',
    'cdk.out',
    'infra-out',
    'test-results',
    'bench/results',
    '.tmp*',
    '.stryker',
    'reports',
  ],
  reporters: ['progress', 'clear-text', 'html', 'json'],
  clearTextReporter: { reportTests: false, reportMutants: false, reportScoreTable: true },
  htmlReporter: { fileName: `.stryker/reports/${name}.html` },
  jsonReporter: { fileName: `.stryker/reports/${name}.json` },
  thresholds: { high: 90, low: scope.target, break: null },
  // A busy shared machine: generous, so a slow run is not mistaken for an infinite loop.
  timeoutMS: 15_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 15,
};
