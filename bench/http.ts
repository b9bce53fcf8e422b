/**
 * HTTP latency of the local runtime: GET /v1/portfolios (full pipeline: JWT verify, revocation
 * check, membership, rate-limit counter, routing, DynamoDB query) against GET /v1/health (the same
 * server and Middy stack with no auth and no DynamoDB) as the baseline measured in the same run.
 * Writes bench/results/http.json.
 */
import autocannon from 'autocannon';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { startLocal } from '../packages/local/src/app.js';
import { RATE_LIMITS_CONFIG } from '../packages/platform/src/http/middlewares/limits/index.js';

const DURATION = 10;
const CONNECTIONS = 10;

async function run(url: string, headers: Record<string, string>) {
  const r = await autocannon({ url, headers, duration: DURATION, connections: CONNECTIONS });
  return {
    requestsPerSec: r.requests.average,
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    total: r.requests.total,
  };
}

const rt = await startLocal({ port: 0, inMemory: true, tablePrefix: 'bench' });
try {
  // Lift the per-tier limits for the load test (they are configuration data).
  await rt.platform.tenancy.putConfig(RATE_LIMITS_CONFIG, {
    observer: 1e9,
    navigator: 1e9,
    operator: 1e9,
    sovereign: 1e9,
    default: 1e9,
  });
  const token = await rt.issuer.mint({ sub: 'u_operator', tenantId: 't_demo', expiresIn: '1h' });
  const auth = { Authorization: `Bearer ${token}`, 'X-Project-Id': 'p_demo' };
  for (let i = 0; i < 20; i++) {
    await fetch(`${rt.url}/v1/portfolios`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `Bench ${i}`, cash: '1000.00' }),
    });
  }
  // warm-up
  await autocannon({ url: `${rt.url}/v1/portfolios`, headers: auth, duration: 2, connections: CONNECTIONS });
  const health = await run(`${rt.url}/v1/health`, {});
  const portfolios = await run(`${rt.url}/v1/portfolios`, auth);
  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, model: cpus()[0]?.model },
    setup: {
      durationSec: DURATION,
      connections: CONNECTIONS,
      portfolios: 20,
      note: 'local runtime + DynamoDB Local on the same 2-core machine as autocannon',
    },
    baseline: { route: 'GET /v1/health', ...health },
    measured: { route: 'GET /v1/portfolios', ...portfolios },
    ratios: {
      throughputVsHealth: portfolios.requestsPerSec / health.requestsPerSec,
      p50VsHealth: portfolios.p50ms / Math.max(health.p50ms, 0.001),
    },
  };
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(join(import.meta.dirname, 'results/http.json'), JSON.stringify(report, null, 2));
  console.table([
    {
      route: report.baseline.route,
      'req/s': health.requestsPerSec.toFixed(0),
      p50: health.p50ms,
      p99: health.p99ms,
      non2xx: health.non2xx,
    },
    {
      route: report.measured.route,
      'req/s': portfolios.requestsPerSec.toFixed(0),
      p50: portfolios.p50ms,
      p99: portfolios.p99ms,
      non2xx: portfolios.non2xx,
    },
  ]);
} finally {
  await rt.stop();
}
