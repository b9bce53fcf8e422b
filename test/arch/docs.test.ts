import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.includes('/test/')) out.push(p);
  }
  return out;
}

/** Error codes the code can answer with: the first string argument of AppError and its helpers. */
function errorCodes(): Map<string, string[]> {
  const makers = 'new AppError|badRequest|unauthorized|forbidden|notFound|conflict|unavailable|problem|rawProblem';
  // maker( [res,] [status,] 'CODE'
  const call = new RegExp(`\\b(?:${makers})\\(\\s*(?:[a-z]+\\s*,\\s*)?(?:\\d{3}\\s*,\\s*)?'([A-Z][A-Z0-9_]+)'`, 'g');
  const codes = new Map<string, string[]>();
  for (const dir of ['packages/platform/src', 'packages/app/src', 'packages/local/src']) {
    for (const f of sources(join(ROOT, dir))) {
      for (const m of readFileSync(f, 'utf8').matchAll(call)) {
        codes.set(m[1], [...(codes.get(m[1]) ?? []), relative(ROOT, f)]);
      }
    }
  }
  return codes;
}

/** Codes that never reach a client, each with why. */
const NOT_ANSWERED: Record<string, string> = {
  PURGE_SKIPPED: 'the purge job’s own signal that a portfolio changed meanwhile; the job skips it, nobody is answered',
  SLOT_ALREADY_RUN: 'a schedule or rule job’s own signal that its slot ran already (a duplicate); the job skips it',
  CHUNK_RECORDED: 'an optimisation chunk job’s own signal that its chunk was recorded before (a redelivery)',
};

describe('product documentation (docs/)', () => {
  const guide = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');

  it('finds the error codes it checks (the extraction is not vacuous)', () => {
    const codes = errorCodes();
    for (const known of [
      'INVALID_CURSOR',
      'LAST_ADMIN',
      'ROUTING_MISCONFIGURED',
      'REQUEST_TIMEOUT',
      'VERSION_MISMATCH',
    ])
      expect(codes.has(known), known).toBe(true);
    expect(codes.size).toBeGreaterThan(60);
  });

  it('docs/api.md explains every error code the API can answer with', () => {
    const missing = [...errorCodes()]
      .filter(([code]) => !Object.hasOwn(NOT_ANSWERED, code) && !guide.includes(`\`${code}\``))
      .map(([c, f]) => `${c} (${f[0]})`);
    expect(missing).toEqual([]);
  });

  it('the README links the API guide and the reference page', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('(docs/api.md)');
    expect(readme).toMatch(/localhost:3000\/docs/);
  });
});
