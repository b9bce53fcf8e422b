import { parseArgs } from 'node:util';
import { SEED_USERS } from './seed.js';
import { startLocal } from './app.js';

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

const rt = await startLocal({ port, inMemory: values['in-memory'] });
const token = await rt.issuer.mint({ sub: 'u_operator', tenantId: 't_demo', expiresIn: '30m' });
console.log(`
Ballast is running locally at ${rt.url}
        (DynamoDB Local at ${rt.dynamoEndpoint}${values['in-memory'] ? ', in memory' : ', data in .data/'})

Seeded: tenants t_system,
                t_demo (saas, pooled table ${rt.tables.pooled}),
                t_acme (enterprise, silo table ${rt.tables.silo})
        projects p_demo (t_demo), p_acme (t_acme); modes enterprise|saas|lab
        users ${SEED_USERS.map((u) => `${u.userId} (${u.tenantId} ${u.roles.join('+')} ${u.tier})`).join(', ')}

Get a token:  curl -s -X POST ${rt.url}/_local/token -H 'Content-Type: application/json' \\
                -d '{"sub":"u_operator","tenantId":"t_demo","expiresIn":"30m"}'
JWKS:         ${rt.url}/_local/jwks.json
Bootstrap key (X-Bootstrap-Key): in .data/secrets.json under ballast/local/bootstrap-key
Jobs:         SQS emulator at ${rt.queues.endpoint}, a tick every minute; travel in time with
              curl -s -X POST ${rt.url}/_local/tick -H 'Content-Type: application/json' \\
                -d '{"at":"2026-03-09T13:30:00Z"}'

Try it (token for u_operator valid 30 minutes):
curl -s ${rt.url}/v1/portfolios -H 'Authorization: Bearer ${token}' -H 'X-Project-Id: p_demo'

Ctrl-C stops everything.`);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping Ballast and DynamoDB Local…`);
  rt.stop().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
