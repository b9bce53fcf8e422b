import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../packages/local/src/dynamodb-local.js';

// `npm start` as a person runs it (a child process, `--in-memory --port …`): where everything it
// starts listens, what happens when its DynamoDB Local dies, and a busy port. Processes are found
// by parent pid in /proc and ended by pid, never by name.

const ROOT = join(import.meta.dirname, '../..');

interface Proc {
  pid: number;
  ppid: number;
  /** clock ticks after boot: with the pid, identifies this process even if the pid is reused */
  start: string;
  cmdline: string;
}

function proc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { pid, ppid: Number(fields[1]), start: fields[19], cmdline };
  } catch {
    return undefined;
  }
}

/** The process and all its descendants, now. */
function tree(root: number): Proc[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => proc(Number(name)))
    .filter((p): p is Proc => p !== undefined);
  const out: Proc[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift() ?? 0;
    const p = all.find((x) => x.pid === pid);
    if (p) out.push(p);
    for (const child of all.filter((x) => x.ppid === pid)) queue.push(child.pid);
  }
  return out;
}

const sameProcessAlive = (p: Proc) => proc(p.pid)?.start === p.start;

/** Listening TCP sockets of a process, from /proc: hex address and port. */
function listeningSockets(pid: number): Array<{ address: string; port: number }> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const out: Array<{ address: string; port: number }> = [];
  for (const file of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${file}`, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9])) continue; // 0A: LISTEN
      const [address, port] = cols[1].split(':');
      out.push({ address, port: Number.parseInt(port, 16) });
    }
  }
  return out;
}

const LOOPBACK = new Set([
  '0100007F', // 127.0.0.1
  '0000000000000000FFFF00000100007F', // ::ffff:127.0.0.1
  '00000000000000000000000001000000', // ::1
]);

interface Started {
  child: ChildProcess;
  output: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Started {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['packages/local/src/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, stderr: () => err, exited };
}

/** Waits for a condition, bounded (the bound is not asserted: the condition is). */
async function until(condition: () => boolean, boundMs = 90_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

describe('npm start: where it listens, and DynamoDB Local dying', () => {
  let run: Started;
  let seen: Proc[] = [];

  beforeAll(async () => {
    run = start(['--in-memory', '--port', '0']);
    await until(() => run.output().includes('Ctrl-C stops everything') || run.child.exitCode !== null);
    seen = tree(run.child.pid ?? 0);
  }, 120_000);

  afterAll(async () => {
    // End whatever of ours is still running, by pid (and only if it is still the same process).
    for (const p of [...seen].reverse()) if (sameProcessAlive(p)) process.kill(p.pid, 'SIGKILL');
    await Promise.race([run.exited, new Promise((r) => setTimeout(r, 5000))]);
  });

  it('everything it starts, DynamoDB Local included, listens on 127.0.0.1 only', () => {
    const out = run.output();
    expect(out, out).toContain('Ctrl-C stops everything');
    const httpPort = Number(/running locally at http:\/\/localhost:(\d+)/.exec(out)?.[1]);
    const dynamoPort = Number(/DynamoDB Local at http:\/\/127\.0\.0\.1:(\d+), pid \d+/.exec(out)?.[1]);
    const sqsPort = Number(/SQS emulator at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    expect(
      [httpPort, dynamoPort, sqsPort].every((p) => p > 0),
      out,
    ).toBe(true);
    const sockets = tree(run.child.pid ?? 0).flatMap((p) => listeningSockets(p.pid));
    expect(sockets.map((s) => s.port)).toEqual(expect.arrayContaining([httpPort, dynamoPort, sqsPort]));
    expect(sockets.filter((s) => !LOOPBACK.has(s.address))).toEqual([]);
    // and the banner says so (it would say ALL INTERFACES, with a warning, had the launcher failed)
    expect(out).toMatch(/DynamoDB Local at \S+, pid \d+, loopback only/);
    expect(out).not.toContain('WARNING');
  });

  it('DynamoDB Local dying is noticed: said on stderr, exit non-zero, nothing left serving', async () => {
    const out = run.output();
    const jvmPid = Number(/DynamoDB Local at \S+, pid (\d+)/.exec(out)?.[1]);
    const jvm = tree(run.child.pid ?? 0).find((p) => p.pid === jvmPid);
    expect(jvm?.cmdline, 'the printed pid is a java child of this runtime').toContain('DynamoDBLocal.jar');
    const httpPort = Number(/running locally at http:\/\/localhost:(\d+)/.exec(out)?.[1]);
    expect((await fetch(`http://127.0.0.1:${httpPort}/v1/health/ready`)).status).toBe(200);

    process.kill(jvmPid, 'SIGKILL');
    await Promise.race([run.exited, new Promise((r) => setTimeout(r, 60_000))]);
    expect(run.child.exitCode, run.output()).not.toBeNull();
    expect(run.child.exitCode).not.toBe(0);
    expect(run.stderr()).toMatch(new RegExp(`DynamoDB Local \\(pid ${jvmPid}\\) exited unexpectedly`));
    await expect(fetch(`http://127.0.0.1:${httpPort}/v1/health`)).rejects.toThrow();
    // tsx's esbuild service ends when its parent's pipe closes: give the tree a moment to empty
    await until(() => seen.filter(sameProcessAlive).length === 0, 15_000);
    expect(seen.filter(sameProcessAlive)).toEqual([]);
  }, 90_000);
});

describe('npm start on a busy port', () => {
  let blocker: Server;
  let run: Started | undefined;

  afterAll(async () => {
    if (run && run.child.exitCode === null) run.child.kill('SIGKILL');
    await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
  });

  it('says which port is taken and how to choose another, exits non-zero, and starts nothing', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    run = start(['--in-memory', '--port', String(port)]);
    const code = await Promise.race([
      run.exited,
      new Promise<'no exit'>((r) => setTimeout(() => r('no exit'), 60_000)),
    ]);
    const out = run.output();
    expect(code, out).toBe(1);
    expect(run.stderr()).toContain(`port ${port} is already in use`);
    expect(run.stderr()).toContain('npm start -- --port ');
    expect(out, 'no stack trace').not.toMatch(/^\s+at /m);
    expect(out).not.toContain('DynamoDB Local at');
  }, 90_000);
});
