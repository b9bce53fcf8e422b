import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../packages/local/src/dynamodb-local.js';

const ROOT = join(import.meta.dirname, '../..');

/** The `-H 'Name: value'` and `-H "Name: value"` arguments of a printed curl command. */
function headersOf(args: string): Record<string, string> {
  return Object.fromEntries([...args.matchAll(/-H (['"])([^:'"]+): ([^'"]+)\1/g)].map((m) => [m[2], m[3]]));
}

function isDynamoLocal(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal.jar');
  } catch {
    return false;
  }
}

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
    // Whatever happens below, leave nothing running: the runtime (Ctrl-C, as a person would), then
    // by pid what is still there, its JVM included (only if that pid is still a DynamoDB Local).
    onTestFinished(async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      const jvm = Number(/DynamoDB Local at \S+, pid (\d+)/.exec(out)?.[1]);
      if (jvm && isDynamoLocal(jvm)) process.kill(jvm, 'SIGKILL');
    });
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

    // The banner never carries a token (a log is kept and shared); it prints how to get one.
    expect(out).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(out).not.toMatch(/Bearer [A-Za-z0-9_-]{20,}/);

    // Run the printed instructions exactly: the token request (URL, headers, body), the printed
    // `node -pe` extraction on its answer, then the list request with that token in $TOKEN.
    const lines = out.split('\n');
    const at = lines.findIndex((l) => l.startsWith('TOKEN=$(curl '));
    expect(at, `no token command in the banner:\n${out}`).toBeGreaterThanOrEqual(0);
    let tokenCommand = '';
    for (let i = at; i < lines.length; i++) {
      tokenCommand += lines[i].replace(/\\$/, ' ');
      if (!lines[i].endsWith('\\')) break;
    }
    const tokenCurl = /^TOKEN=\$\(curl -s -X POST (\S+) (.*?) \| node -pe '([^']+)'\)$/.exec(tokenCommand.trim());
    expect(tokenCurl, tokenCommand).not.toBeNull();
    const [, tokenUrl, tokenArgs, extract] = tokenCurl ?? [];
    const tokenRes = await fetch(tokenUrl, {
      method: 'POST',
      headers: headersOf(tokenArgs),
      body: /-d '([^']*)'/.exec(tokenArgs)?.[1],
    });
    expect(tokenRes.status, `runtime output:\n${out}`).toBe(200);
    const token = execFileSync(process.execPath, ['-pe', extract], { input: await tokenRes.text() })
      .toString()
      .trim();
    expect(token.split('.')).toHaveLength(3);

    const listLine = lines.find((l) => l.startsWith('curl -s http') && l.includes('$TOKEN'));
    expect(listLine, out).toBeDefined();
    const listUrl = /curl -s (\S+)/.exec(listLine ?? '')?.[1] ?? '';
    const headers = headersOf((listLine ?? '').replaceAll('$TOKEN', token));
    expect(headers.Authorization).toBe(`Bearer ${token}`);
    const res = await fetch(listUrl, { headers });
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
