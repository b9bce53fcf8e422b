import { parseArgs } from 'node:util';
import { SEED_USERS, SEEDED_SYMBOLS } from './seed.js';
import { LocalPortError, startLocal, type LocalRuntime } from './app.js';
import type { DynamoExit } from './dynamodb-local.js';

const { values } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: false },
    port: { type: 'string', default: '3000' },
  },
  allowPositionals: false,
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a TCP port number, got '${values.port}'`);
  process.exit(2);
}

let rt: LocalRuntime | undefined;
let stopping = false;

/** Stops what runs (once) and exits with `code`. */
const shutdown = (code: number, note?: string) => {
  if (stopping) return;
  stopping = true;
  if (note) console.log(note);
  const done = rt ? rt.stop() : Promise.resolve();
  done.then(
    () => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
};

const onDynamoExit = (exit: DynamoExit) => {
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  const last = exit.stderr.trim().split('\n').slice(-5).join('\n  ');
  console.error(
    `\nDynamoDB Local (pid ${rt?.dynamo?.pid ?? '?'}) exited unexpectedly (${how}). ` +
      'Ballast cannot serve without it, so it stops now; run `npm start` again.' +
      (last ? `\n  ${last}` : ''),
  );
  shutdown(1);
};

// Before start-up: a signal while DynamoDB Local starts must still end the JVM (the exit hook does).
process.on('SIGINT', () => shutdown(0, '\nSIGINT: stopping Ballast and DynamoDB Local…'));
process.on('SIGTERM', () => shutdown(0, '\nSIGTERM: stopping Ballast and DynamoDB Local…'));
process.on('SIGHUP', () => shutdown(0, '\nSIGHUP: stopping Ballast and DynamoDB Local…'));

try {
  rt = await startLocal({ port, inMemory: values['in-memory'], onDynamoExit });
} catch (e) {
  if (e instanceof LocalPortError) {
    const other = port === 0 || port === 65535 ? 8080 : port + 1;
    console.error(`${e.message}\nChoose another port: npm start -- --port ${other}   (or --port 0 for any free port)`);
  } else {
    console.error(`Ballast could not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  process.exit(1);
}

const binding = rt.dynamo?.binding === 'loopback' ? 'loopback only' : 'ALL INTERFACES';
const dynamo = rt.dynamo ? `${rt.dynamoEndpoint}, pid ${rt.dynamo.pid}, ${binding}` : rt.dynamoEndpoint;
// The banner never carries a token (logs are kept and shared): it prints how to get one.
console.log(`
Ballast is running locally at ${rt.url}
Console:      open ${rt.url}/ and sign in as one of the seeded users below
        (DynamoDB Local at ${dynamo}${values['in-memory'] ? ', in memory' : ', data in .data/'})
${rt.dynamo?.warning ? `\nWARNING: ${rt.dynamo.warning}\n` : ''}
Seeded: tenants t_system,
                t_demo (saas, pooled table ${rt.tables.pooled}),
                t_acme (enterprise, silo table ${rt.tables.silo})
        projects p_demo (t_demo), p_acme (t_acme); modes enterprise|saas|lab
        users ${SEED_USERS.map((u) => `${u.userId} (${u.tenantId} ${u.roles.join('+')} ${u.tier})`).join(', ')}

Market data:  t_demo → fake Twelve Data ${rt.marketData.twelvedata.server.url}, t_acme → fake Polygon \
${rt.marketData.polygon.server.url}; daily candles of ${SEEDED_SYMBOLS.join(', ')} (t_demo, five years)

JWKS:         ${rt.url}/_local/jwks.json
Bootstrap key (X-Bootstrap-Key): in .data/secrets.json under ballast/local/bootstrap-key
Jobs:         SQS emulator at ${rt.queues.endpoint}, a tick every minute; travel in time with
              curl -s -X POST ${rt.url}/_local/tick -H 'Content-Type: application/json' \\
                -d '{"at":"2026-03-09T13:30:00Z"}'

Try it: get a token for u_operator (valid 30 minutes), then list p_demo's portfolios:
TOKEN=$(curl -s -X POST ${rt.url}/_local/token -H 'Content-Type: application/json' \\
  -d '{"sub":"u_operator","tenantId":"t_demo","expiresIn":"30m"}' \\
  | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')
curl -s ${rt.url}/v1/portfolios -H "Authorization: Bearer $TOKEN" -H 'X-Project-Id: p_demo'

Ctrl-C stops everything.`);
