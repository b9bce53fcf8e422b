import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../packages/local/src/dynamodb-local.js';

const ROOT = join(import.meta.dirname, '../..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (the front door)', () => {
  it('prints a curl that works, and Ctrl-C stops everything it started', async () => {
    const port = await freePort();
    const child = spawn(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['packages/local/src/main.ts', '--in-memory', '--port', String(port)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 60_000;
    while (!out.includes('Ctrl-C stops everything') && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 200));
    expect(out).toContain(`http://localhost:${port}`);
    for (const id of [
      't_system',
      't_demo',
      't_acme',
      'p_demo',
      'p_acme',
      'u_observer',
      'u_navigator',
      'u_operator',
      'u_sovereign',
      'u_admin',
      'u_acme',
      'u_system',
    ])
      expect(out).toContain(id);

    // Run the printed curl's request exactly (same URL and headers).
    const line = out.split('\n').find((l) => l.startsWith('curl -s http'));
    expect(line).toBeDefined();
    const url = /curl -s (\S+)/.exec(line ?? '')?.[1] ?? '';
    const headers = Object.fromEntries([...(line ?? '').matchAll(/-H '([^:]+): ([^']+)'/g)].map((m) => [m[1], m[2]]));
    const res = await fetch(url, { headers });
    expect(res.status, `runtime output:\n${out}`).toBe(200);
    expect(await res.json()).toMatchObject({ items: [], nextCursor: null });

    const dynamoPort = Number(/DynamoDB Local at http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    expect(dynamoPort).toBeGreaterThan(0);
    child.kill('SIGINT');
    await new Promise<void>((r) => child.once('exit', () => r()));
    // Nothing listens any more: neither the API nor DynamoDB Local.
    await expect(fetch(`http://127.0.0.1:${port}/v1/health`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${dynamoPort}`)).rejects.toThrow();
    expect(alive(child.pid ?? 0)).toBe(false);
  }, 90_000);
});
