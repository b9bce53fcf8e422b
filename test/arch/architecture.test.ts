import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../packages/platform/src/routes/table.js';

const ROOT = join(import.meta.dirname, '../..');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function imports(src: string): string[] {
  const re =
    /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
  const out: string[] = [];
  for (const m of src.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** Strip comments so prose about process.env or Date.now() does not count. */
function code(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

const RUNTIME_DIRS = ['packages/core/src', 'packages/platform/src', 'packages/local/src', 'functions', 'scripts'];

describe('architecture rules', () => {
  const coreFiles = tsFiles(join(ROOT, 'packages/core/src'));

  it('packages/core imports nothing with I/O, AWS, Middy, Powertools or the other packages', () => {
    expect(coreFiles.length).toBeGreaterThan(5);
    const allowed = (spec: string) => spec.startsWith('.') || spec === 'decimal.js' || spec === 'zod';
    const offenders = coreFiles.flatMap((f) =>
      imports(readFileSync(f, 'utf8'))
        .filter((s) => !allowed(s))
        .map((s) => `${relative(ROOT, f)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('packages/core has no clock, randomness from the environment, or process access', () => {
    const offenders = coreFiles.filter((f) =>
      /\bDate\.now\(|new Date\(\s*\)|\bprocess\.|Math\.random\(|\bperformance\.now\(|\bglobalThis\.fetch|\bfetch\(/.test(
        code(readFileSync(f, 'utf8')),
      ),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('only the bootstrap module reads process.env', () => {
    const readers = RUNTIME_DIRS.flatMap((d) => tsFiles(join(ROOT, d)))
      .filter((f) => /\bprocess\.env\b/.test(code(readFileSync(f, 'utf8'))))
      .map((f) => relative(ROOT, f));
    expect(readers).toEqual(['packages/platform/src/config/bootstrap.ts']);
  });

  it('dependencies point one way: functions → platform → core', () => {
    const platform = tsFiles(join(ROOT, 'packages/platform/src'));
    const bad = platform.flatMap((f) =>
      imports(readFileSync(f, 'utf8'))
        .filter((s) => s.startsWith('@ballast/local') || s.includes('/functions/'))
        .map((s) => `${relative(ROOT, f)} → ${s}`),
    );
    expect(bad).toEqual([]);
    const coreBad = coreFiles.flatMap((f) =>
      imports(readFileSync(f, 'utf8'))
        .filter((s) => s.startsWith('@ballast/'))
        .map((s) => `${relative(ROOT, f)} → ${s}`),
    );
    expect(coreBad).toEqual([]);
  });

  it('every route declares tier, roles, schemas-by-part and an existing thin handler module', async () => {
    const ids = new Set<string>();
    for (const r of ROUTES) {
      expect(ids.has(r.id), `duplicate route id ${r.id}`).toBe(false);
      ids.add(r.id);
      expect(['observer', 'navigator', 'operator', 'sovereign']).toContain(r.minTier);
      expect(Array.isArray(r.roles)).toBe(true);
      expect(r.path.startsWith('/v1/')).toBe(true);
      for (const param of r.path.matchAll(/\{(\w+)\}/g)) {
        expect(r.request.params, `${r.id} has path parameter ${param[1]} without a params schema`).toBeDefined();
      }
      if (['POST', 'PUT', 'PATCH'].includes(r.method))
        expect(r.request.body, `${r.id} takes a body without a schema`).toBeDefined();
      const file = join(ROOT, r.handler);
      expect(existsSync(file), `${r.handler} missing`).toBe(true);
      const src = readFileSync(file, 'utf8');
      expect(src.split('\n').filter((l) => l.trim()).length, `${r.handler} is not thin`).toBeLessThanOrEqual(6);
      expect(src).toContain(`route('${r.id}'`);
      const mod = (await import(file)) as { handler?: unknown };
      expect(typeof mod.handler).toBe('function');
    }
    const unique = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    expect(unique.size).toBe(ROUTES.length);
  });

  it('only routes that declare secrets link the Secrets Manager fetcher (and every one of them does)', () => {
    for (const r of ROUTES) {
      const src = readFileSync(join(ROOT, r.handler), 'utf8');
      expect(src.includes('secretsManagerFetcher'), `${r.id}: uses.secrets and the linked fetcher disagree`).toBe(
        Boolean(r.uses.secrets?.length),
      );
    }
  });

  it('handlers never read process.env, build AWS clients or format errors themselves', () => {
    const offenders = tsFiles(join(ROOT, 'functions')).filter((f) =>
      /process\.env|new \w+Client\(|statusCode|JSON\.stringify/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
