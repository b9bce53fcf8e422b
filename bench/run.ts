/**
 * `npm run bench`: each benchmark in a fresh process, one after another (they must not compete
 * for the two cores). Reports land in bench/results/*.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.slice(2);
const benches = [
  ['core', 'bench/core.ts'],
  ['functions', 'bench/functions.ts'],
  ['http', 'bench/http.ts'],
  ['dispatcher', 'bench/dispatcher.ts'],
  ['candles', 'bench/candles.ts'],
  ['portfolio', 'bench/portfolio.ts'],
  ['trading', 'bench/trading.ts'],
  ['planning', 'bench/planning.ts'],
  ['optimisation', 'bench/optimisation.ts'],
  ['reliability', 'bench/reliability.ts'],
  ['tenant-credentials', 'bench/tenant-credentials.ts'],
  ['console', 'bench/console.ts'],
] as const;

const root = join(import.meta.dirname, '..');
let failed = 0;
for (const [name, file] of benches) {
  if (only.length && !only.includes(name)) continue;
  if (!existsSync(join(root, file))) {
    console.log(`\n== ${name}: ${file} missing, skipped`);
    continue;
  }
  console.log(`\n== ${name} (${file})`);
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [file], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`${name} bench failed with exit code ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
