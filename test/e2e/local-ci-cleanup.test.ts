import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dynamoLocalFiles, freePort } from '../../packages/local/src/dynamodb-local.js';

// `.ci/run` ends only what it started. Its functions are sourced (sourcing runs nothing) and driven
// here: a run whose command leaves a DynamoDB Local behind (as a crashed test run would), and
// another DynamoDB Local started outside the run while it is going (someone else's). Cleanup must
// end the first and leave the second alone. Processes are checked and ended by pid only.

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'ballast-ci-cleanup-'));
const started: Array<{ pid: number; start: string }> = [];

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
const alive = (p: { pid: number; start: string }) => startTime(p.pid) === p.start;

async function until(condition: () => boolean, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

function javaArgs(port: number): string[] {
  const { jar, libs } = dynamoLocalFiles();
  return [`-Djava.library.path=${libs}`, '-jar', jar, '-inMemory', '-port', String(port), '-disableTelemetry'];
}
const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

afterAll(() => {
  for (const p of started) if (alive(p)) process.kill(p.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('.ci/run cleanup', () => {
  it('ends the DynamoDB Local its own run left behind, and not another one started during the run', async () => {
    const ownPidFile = join(dir, 'own.pid');
    const go = join(dir, 'go');
    // The run's command: starts a DynamoDB Local in the background and exits without ending it.
    const args = javaArgs(await freePort())
      .map(quote)
      .join(' ');
    const java = `java ${args} >/dev/null 2>&1`;
    const command = `${java} & echo $! > ${quote(ownPidFile)}; while [ ! -e ${quote(go)} ]; do sleep 0.1; done`;
    const script = [
      `source ${quote(join(ROOT, '.ci/run'))}`,
      `run_in_own_group bash -c ${quote(command)}`,
      'cleanup_own_groups',
      'echo cleaned',
    ].join('; ');
    const run: ChildProcess = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    run.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    run.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => run.once('exit', (code) => r(code)));

    await until(() => existsSync(ownPidFile) && readFileSync(ownPidFile, 'utf8').trim() !== '', 30_000);
    const ownPid = Number(readFileSync(ownPidFile, 'utf8'));
    const own = { pid: ownPid, start: startTime(ownPid) ?? '' };
    started.push(own);
    // Someone else's DynamoDB Local, started outside the run (its own session) while the run goes on.
    const other = spawn('java', javaArgs(await freePort()), { detached: true, stdio: 'ignore' });
    other.unref();
    const foreign = { pid: other.pid ?? 0, start: '' };
    await until(() => startTime(foreign.pid) !== undefined, 10_000);
    foreign.start = startTime(foreign.pid) ?? '';
    started.push(foreign);
    expect(alive(own), 'the run’s DynamoDB Local is running').toBe(true);
    expect(alive(foreign), 'the other DynamoDB Local is running').toBe(true);

    writeFileSync(go, '');
    expect(await exited, out).toBe(0);
    expect(out).toContain('cleaned');
    await until(() => !alive(own), 10_000);
    expect(alive(own), 'the DynamoDB Local the run left behind was ended').toBe(false);
    expect(alive(foreign), 'the other DynamoDB Local survived the cleanup').toBe(true);
  }, 60_000);
});
