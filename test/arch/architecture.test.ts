import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_JOBS } from '../../packages/app/src/jobs.js';
import { ALL_ROUTES, ROUTES_BY_CONTEXT } from '../../packages/app/src/routes.js';

const ROOT = join(import.meta.dirname, '../..');

function files(dir: string, ext = /\.ts$/): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, ext));
    else if (ext.test(p)) out.push(p);
  }
  return out;
}

const isTest = (f: string) => f.endsWith('.test.ts') || f.includes('/test/');
/** Runtime source (what ships or runs locally), tests excluded. */
const sources = (dir: string) => files(join(ROOT, dir)).filter((f) => !isTest(f));
const rel = (f: string) => relative(ROOT, f);

/** Value imports (type-only imports vanish at runtime and bind nothing). */
function imports(src: string, opts: { types?: boolean } = {}): string[] {
  const staticImport = /(?:^|\s)(import|export)(\s+type)?\s[^'"]*?from\s*['"]([^'"]+)['"]/.source;
  const dynamicImport = /import\(\s*['"]([^'"]+)['"]\s*\)/.source;
  const sideEffectImport = /^import\s+['"]([^'"]+)['"]/.source;
  const re = new RegExp(`${staticImport}|${dynamicImport}|${sideEffectImport}`, 'gm');
  const out: string[] = [];
  for (const m of src.matchAll(re)) {
    if (m[2] && !opts.types) continue;
    out.push(m[3] ?? m[4] ?? m[5]);
  }
  return out;
}

/** Strip comments so prose about process.env or Date.now() does not count. */
function code(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

const read = (f: string) => readFileSync(f, 'utf8');
const RUNTIME_DIRS = [
  'packages/core/src',
  'packages/platform/src',
  'packages/app/src',
  'packages/adapters/src',
  'packages/local/src',
  'functions',
  'scripts',
];

describe('architecture: core computes', () => {
  const core = sources('packages/core/src');

  it('packages/core imports nothing with I/O, AWS, Middy, Powertools or the other packages', () => {
    expect(core.length).toBeGreaterThan(5);
    // croner is calendar arithmetic (zone rules from Intl, no clock of its own): when a schedule runs is core's
    const allowed = (spec: string) =>
      spec.startsWith('.') || spec === 'decimal.js' || spec === 'zod/mini' || spec === 'croner';
    const offenders = core.flatMap((f) =>
      imports(read(f), { types: true })
        .filter((s) => !allowed(s))
        .map((s) => `${rel(f)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('packages/core has no clock, randomness from the environment, or process access', () => {
    const impure =
      /\bDate\.now\(|new Date\(\s*\)|\bprocess\.|Math\.random\(|\bperformance\.now\(|\bglobalThis\.fetch|\bfetch\(/;
    const offenders = core.filter((f) => impure.test(code(read(f))));
    expect(offenders.map(rel)).toEqual([]);
  });

  it('one zod flavour: every package imports zod/mini, never classic zod', () => {
    const classic = RUNTIME_DIRS.flatMap((d) => files(join(ROOT, d)))
      .concat(files(join(ROOT, 'test')), files(join(ROOT, 'stacks')))
      .flatMap((f) =>
        imports(read(f), { types: true })
          .filter((s) => s === 'zod')
          .map(() => rel(f)),
      );
    expect(classic).toEqual([]);
  });
});

describe('architecture: dependencies point one way', () => {
  const platform = sources('packages/platform/src');
  const app = sources('packages/app/src');

  it('functions → app → platform → core; platform knows no app, adapters, local or functions', () => {
    const bad = platform.flatMap((f) =>
      imports(read(f), { types: true })
        .filter(
          (s) => /^@ballast\/(app|adapters|local)/.test(s) || s.includes('/functions/') || s.includes('packages/app'),
        )
        .map((s) => `${rel(f)} → ${s}`),
    );
    const appBad = app.flatMap((f) =>
      imports(read(f), { types: true })
        .filter((s) => /^@ballast\/(local|adapters)/.test(s) || s.includes('/functions/'))
        .map((s) => `${rel(f)} → ${s}`),
    );
    const coreBad = sources('packages/core/src').flatMap((f) =>
      imports(read(f), { types: true })
        .filter((s) => s.startsWith('@ballast/'))
        .map((s) => `${rel(f)} → ${s}`),
    );
    expect([...bad, ...appBad, ...coreBad]).toEqual([]);
  });

  it('platform names no investor concept', () => {
    const WORDS = new RegExp(
      '\\b(portfolios?|holdings?|orders?|trades?|trading|rebalanc\\w*|watchlists?|positions?|ledgers?|' +
        'backtests?|strateg\\w*|signals?|playbooks?|lots?|dividends?)\\b',
      'i',
    );
    // Comments too, for the nouns with no everyday meaning there ("holding" and "order" have one:
    // a secret holding a key, the middleware order).
    const NOUNS = /\b(portfolios?|watchlists?|rebalanc\w*|backtests?|ledgers?|dividends?|playbooks?|positions?)\b/i;
    const offenders = platform.flatMap((f) => {
      const hit = WORDS.exec(code(read(f))) ?? NOUNS.exec(read(f));
      return hit ? [`${rel(f)}: '${hit[0]}'`] : [];
    });
    expect(offenders).toEqual([]);
  });

  it('contexts meet only through each other’s index.ts', () => {
    const contexts = Object.keys(ROUTES_BY_CONTEXT);
    const offenders: string[] = [];
    for (const f of app) {
      const mine = relative(join(ROOT, 'packages/app/src'), f).split('/')[0];
      if (!contexts.includes(mine)) continue;
      for (const spec of imports(read(f), { types: true })) {
        const target = spec.startsWith('.')
          ? relative(join(ROOT, 'packages/app/src'), join(dirname(f), spec))
          : spec.startsWith('@ballast/app/')
            ? spec.slice('@ballast/app/'.length)
            : undefined;
        if (!target || target.startsWith('..')) continue;
        const [other, ...rest] = target.split('/');
        if (other === mine || rest.length === 0) continue; // own files; the aggregate (routes.ts, jobs.ts)
        if (rest.join('/') !== 'index.js') offenders.push(`${rel(f)} → ${spec}`);
      }
    }
    expect(contexts.length).toBeGreaterThanOrEqual(3);
    expect(offenders).toEqual([]);
  });

  it('only store adapters (store.dynamo.ts) talk to DynamoDB in app; in platform only data/ and adapters', () => {
    const touchesDynamo = (f: string) =>
      imports(read(f)).some((s) => s.startsWith('@aws-sdk/lib-dynamodb') || s.startsWith('@aws-sdk/client-dynamodb'));
    const appOffenders = app.filter(touchesDynamo).filter((f) => !f.endsWith('store.dynamo.ts'));
    const platformOffenders = platform
      .filter(touchesDynamo)
      .filter((f) => !f.endsWith('.dynamo.ts') && !rel(f).startsWith('packages/platform/src/data/'));
    expect([...appOffenders, ...platformOffenders].map(rel)).toEqual([]);
  });

  it('seeders call stores: the local seed and the stage seed script build no DynamoDB commands', () => {
    for (const f of ['packages/local/src/seed.ts', 'scripts/seed-stage.ts']) {
      expect(read(join(ROOT, f)), f).not.toMatch(/\b(Put|Get|Query|Update|Delete|TransactWrite|BatchWrite)Command\b/);
    }
  });

  it('every key shape is spelled once, in a store adapter', () => {
    const KEY_LITERAL = /[`'"]([A-Z][A-Z0-9_]*#[^`'"]*)[`'"]/g;
    const spelled = new Map<string, Set<string>>();
    const outside: string[] = [];
    for (const f of RUNTIME_DIRS.flatMap((d) => sources(d))) {
      for (const m of code(read(f)).matchAll(KEY_LITERAL)) {
        const shape = m[1].replace(/\$\{[^}]*\}/g, '*');
        if (!f.endsWith('.dynamo.ts')) outside.push(`${rel(f)}: ${shape}`);
        spelled.set(shape, (spelled.get(shape) ?? new Set()).add(rel(f)));
      }
    }
    const twice = [...spelled]
      .filter(([, where]) => where.size > 1)
      .map(([shape, where]) => `${shape}: ${[...where].join(', ')}`);
    expect(outside).toEqual([]);
    expect(twice).toEqual([]);
  });
});

describe('architecture: typed routes, thin functions', () => {
  it('every route declares tier, roles, schemas by part, success responses and an existing thin entry', async () => {
    const ids = new Set<string>();
    for (const r of ALL_ROUTES) {
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
      const statuses = Object.keys(r.responses).map(Number);
      expect(statuses.length, `${r.id} declares no response`).toBeGreaterThan(0);
      expect(
        statuses.every((s) => s >= 200 && s < 300),
        `${r.id}: responses are the success ones`,
      ).toBe(true);
      const file = join(ROOT, r.handler);
      expect(existsSync(file), `${r.handler} missing`).toBe(true);
      const src = read(file);
      expect(src.split('\n').filter((l) => l.trim()).length, `${r.handler} is not thin`).toBeLessThanOrEqual(7);
      const mod = (await import(file)) as { handler?: { route?: unknown } };
      expect(typeof mod.handler, r.handler).toBe('function');
      expect(mod.handler?.route, `${r.handler} does not bind ${r.id}`).toBe(r);
    }
    expect(new Set(ALL_ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(ALL_ROUTES.length);
  });

  it('a Lambda entry imports only its own context of the app, never the whole route table', () => {
    const offenders: string[] = [];
    for (const r of ALL_ROUTES) {
      for (const spec of imports(read(join(ROOT, r.handler)))) {
        if (!spec.startsWith('@ballast/app/')) continue;
        if (!spec.startsWith(`@ballast/app/${r.context}/`)) offenders.push(`${r.handler} → ${spec}`);
      }
    }
    const entries = files(join(ROOT, 'functions/http'));
    expect(entries.length).toBe(ALL_ROUTES.length);
    expect(offenders).toEqual([]);
  });

  it('handlers never cast: their input and reply are typed from the route’s schemas', () => {
    const handlerFiles = sources('packages/app/src').filter((f) => /handlers?\.ts$|openapi\.ts$/.test(basename(f)));
    expect(handlerFiles.length).toBeGreaterThanOrEqual(3);
    const casts = handlerFiles.flatMap((f) =>
      code(read(f))
        .split('\n')
        .map((line, i) => [i + 1, line] as const)
        .filter(([, line]) => !/^\s*(import|export)\b/.test(line))
        .filter(
          ([, line]) =>
            /\bas\s+(?!const\b)[A-Za-z_{[(]/.test(line) || /<[A-Za-z]+>\s*\w+\.(body|params|query)/.test(line),
        )
        .map(([n, line]) => `${rel(f)}:${n}: ${line.trim()}`),
    );
    expect(casts).toEqual([]);
  });

  it('only routes that declare secrets link the Secrets Manager fetcher (and every one of them does)', () => {
    for (const r of ALL_ROUTES) {
      const src = read(join(ROOT, r.handler));
      expect(src.includes('secretsManagerFetcher'), `${r.id}: uses.secrets and the linked fetcher disagree`).toBe(
        Boolean(r.uses.secrets?.length),
      );
    }
  });

  it('only jobs that declare secrets link the Secrets Manager fetcher (and every one of them does)', () => {
    for (const j of ALL_JOBS) {
      const src = read(join(ROOT, j.handler));
      expect(src.includes('secretsManagerFetcher'), `${j.id}: uses.secrets and the linked fetcher disagree`).toBe(
        Boolean(j.uses.secrets?.length),
      );
    }
  });

  it('functions never read process.env, build AWS clients or format responses themselves', () => {
    const offenders = files(join(ROOT, 'functions')).filter((f) =>
      /process\.env|new \w+Client\(|statusCode|JSON\.stringify/.test(read(f)),
    );
    expect(offenders.map(rel)).toEqual([]);
  });

  it('only the bootstrap module reads process.env', () => {
    const readers = RUNTIME_DIRS.flatMap((d) => sources(d))
      .filter((f) => /\bprocess\.env\b/.test(code(read(f))))
      .map(rel);
    expect(readers).toEqual(['packages/platform/src/config/bootstrap.ts']);
  });
});

describe('architecture: middlewares', () => {
  it('each middleware lives in its own folder, with its own unit tests beside it', () => {
    const dir = join(ROOT, 'packages/platform/src/http/middlewares');
    const folders = readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory());
    expect(folders.length).toBeGreaterThanOrEqual(8);
    const missing = folders.filter((name) => {
      const inside = readdirSync(join(dir, name));
      return !inside.includes('index.ts') || !inside.some((f) => f.endsWith('.test.ts'));
    });
    expect(missing).toEqual([]);
    const loose = readdirSync(dir).filter((name) => !statSync(join(dir, name)).isDirectory());
    expect(loose).toEqual([]);
  });
});

describe('architecture: style', () => {
  it('no source line is longer than 120 characters', () => {
    const tracked = [...RUNTIME_DIRS, 'stacks', 'test', 'bench']
      .flatMap((d) => files(join(ROOT, d), /\.(ts|mjs|js|json)$/))
      .filter((f) => !rel(f).startsWith('bench/results/'))
      // generated (npm run client) and checked against the route table; its descriptions are single JSON strings
      .filter((f) => rel(f) !== 'packages/app/src/ops/openapi.json');
    const long = tracked.flatMap((f) =>
      read(f)
        .split('\n')
        .map((line, i) => [i + 1, [...line].length] as const)
        .filter(([, n]) => n > 120)
        .map(([n, len]) => `${rel(f)}:${n} (${len})`),
    );
    expect(long).toEqual([]);
  });
});

describe('architecture: tenant data goes through the tenant’s client', () => {
  it('app stores of data tables are built with the request’s or job’s `b.db`, never the platform’s client', () => {
    // b.db carries tenant-scoped credentials in the cloud (LeadingKeys): a store built with
    // b.platform.db would step around them. Only ops reads the control table with it.
    const offenders = sources('packages/app/src')
      .filter((f) => !rel(f).startsWith('packages/app/src/ops/') && !rel(f).endsWith('.test.ts'))
      .filter((f) => /\bplatform\.db\b/.test(code(read(f))))
      .map(rel);
    expect(offenders).toEqual([]);
  });
});
