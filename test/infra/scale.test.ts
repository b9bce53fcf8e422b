import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_JOBS as JOBS } from '../../packages/app/src/jobs.js';
import { ROUTES_BY_CONTEXT } from '../../packages/app/src/routes.js';
import type { RouteDef } from '../../packages/platform/src/http/define-route.js';
import { routeKey } from '../../stacks/Api.js';
import { ROUTE_TAG } from '../../stacks/functions.js';
import { composeStacks } from '../../stacks/index.js';
import { ROUTES_PER_STACK, STACK_RESOURCE_BUDGET, planRouteStacks, stackIds } from '../../stacks/layout.js';
import {
  printCounts,
  resourceCounts,
  resourcesAcross,
  resourcesOf,
  synthForTest,
  tagValue,
  type TestSynth,
} from './synth.js';

/**
 * The product will grow to 150–250 routes. This composes the stacks with a generated table of 250
 * routes over 7 contexts of very different sizes and checks that no stack comes near
 * CloudFormation's 500-resource limit. Nothing is bundled (every stack is inactive: SST gives the
 * functions placeholder code), so 250 functions synthesise in seconds.
 */
const STAGE = 'scaletest';
const TOTAL = 250;
/** routes per context: one context much bigger than one stack may hold, others tiny */
const SIZES: Record<string, number> = {
  trading: 104,
  research: 51,
  portfolio: 40,
  'market-data': 25,
  planning: 15,
  journal: 10,
};

const real = Object.values(ROUTES_BY_CONTEXT).flat();
/** The generated routes all reuse one real route's shape and entry file; only ids, paths and `uses` vary. */
const template = real.find((r) => r.id === 'health.live')!;
const bootstrap = real.find((r) => r.access === 'bootstrapKey')!;

function generated(): Record<string, RouteDef[]> {
  const table: Record<string, RouteDef[]> = {
    // the Api stack holds the bootstrap route; a context with public routes and a little more
    control: [bootstrap],
    ops: [],
  };
  const opsSize = TOTAL - 1 - Object.values(SIZES).reduce((a, b) => a + b, 0);
  const accesses = ['tenant', 'project', 'system', 'authenticated'] as const;
  const uses: RouteDef['uses'][] = [
    { control: 'read' },
    { control: 'write' },
    { control: 'read', data: 'read' },
    { control: 'write', data: 'write' },
    { control: 'read', secrets: ['tenant'] },
  ];
  const add = (context: string, n: number) => {
    for (let i = 0; i < n; i++) {
      const method = (['GET', 'POST', 'PATCH', 'DELETE'] as const)[i % 4];
      table[context] = [
        ...(table[context] ?? []),
        {
          ...template,
          id: `${context.replace(/-/g, '')}.op${i}`,
          context,
          method,
          path: `/v1/${context}/things${Math.floor(i / 4)}/{thingId}`,
          access: context === 'ops' && i < 2 ? 'public' : accesses[i % accesses.length],
          uses: uses[i % uses.length],
          idempotent: method === 'POST',
        },
      ];
    }
  };
  add('ops', opsSize);
  for (const [context, n] of Object.entries(SIZES)) add(context, n);
  return table;
}

const ROUTES_BY_CONTEXT_250 = generated();
const ROUTES_250 = Object.values(ROUTES_BY_CONTEXT_250).flat();
const plan = planRouteStacks(ROUTES_BY_CONTEXT_250);
let s: TestSynth;

beforeAll(async () => {
  s = await synthForTest({
    stage: STAGE,
    build: false,
    compose: (app) => {
      composeStacks(app, { routesByContext: ROUTES_BY_CONTEXT_250, jobs: JOBS });
    },
  });
  printCounts(`stage ${STAGE} (${ROUTES_250.length} generated routes)`, s);
}, 300_000);

afterAll(async () => {
  await s?.cleanup();
});

describe(`a route table of ${TOTAL} routes`, () => {
  it('is what it says: 250 routes over 8 contexts, one of them larger than two stacks hold', () => {
    expect(ROUTES_250).toHaveLength(TOTAL);
    expect(Object.keys(ROUTES_BY_CONTEXT_250)).toHaveLength(8);
    expect(Math.max(...Object.values(ROUTES_BY_CONTEXT_250).map((r) => r.length))).toBeGreaterThan(
      2 * ROUTES_PER_STACK,
    );
  });

  it(`keeps every stack at or below ${STACK_RESOURCE_BUDGET} resources`, () => {
    expect([...s.stacks].sort()).toEqual(stackIds(plan).sort());
    for (const [id, n] of Object.entries(resourceCounts(s))) expect(n, id).toBeLessThanOrEqual(STACK_RESOURCE_BUDGET);
    // and every template well inside CloudFormation's 1 MB
    for (const id of s.stacks) expect(JSON.stringify(s.json[id]).length, id).toBeLessThan(512 * 1024);
  });

  it('splits only the contexts that outgrow one stack, keeping the first chunk’s name', () => {
    const ids = plan.routeStacks.map((p) => p.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'TradingRoutes',
        'TradingRoutes2',
        'TradingRoutes3',
        'ResearchRoutes',
        'ResearchRoutes2',
      ]),
    );
    expect(ids).toEqual(expect.arrayContaining(['PortfolioRoutes', 'MarketDataRoutes', 'OpsRoutes']));
    expect(ids.filter((id) => id.startsWith('Portfolio'))).toEqual(['PortfolioRoutes']);
    // the bootstrap route is the only route of control: it lives in the Api stack, so no ControlRoutes
    expect(ids).not.toContain('ControlRoutes');
    for (const p of plan.routeStacks) expect(p.routes.length).toBeLessThanOrEqual(ROUTES_PER_STACK);
  });

  it('puts all 250 routes on the one HTTP API, each with its own function', () => {
    const routes = resourcesAcross(s, 'AWS::ApiGatewayV2::Route');
    expect(routes.map((r) => r.resource.Properties?.RouteKey).sort()).toEqual(ROUTES_250.map(routeKey).sort());
    const fns = resourcesAcross(s, 'AWS::Lambda::Function').filter((f) => tagValue(f.resource, ROUTE_TAG));
    expect(fns.map((f) => tagValue(f.resource, ROUTE_TAG)).sort()).toEqual(
      [...ROUTES_250.map((r) => r.id), 'authorizer'].sort(),
    );
    expect(resourcesOf(s.json.Api, 'AWS::ApiGatewayV2::Api')).toHaveLength(1);
    expect(resourcesAcross(s, 'AWS::ApiGatewayV2::Api')).toHaveLength(1);
  });

  it('still covers every function with the errors and throttles alarms (≤ 10 a metric-math alarm)', () => {
    const alarms = resourcesOf(s.json.Observability, 'AWS::CloudWatch::Alarm').map(([, a]) => a);
    const errorMetrics = alarms
      .filter((a) => String(a.Properties?.AlarmName).includes('-lambda-errors-'))
      .map((a) => (a.Properties?.Metrics as Array<{ MetricStat?: unknown }>).filter((m) => m.MetricStat).length);
    expect(Math.max(...errorMetrics)).toBeLessThanOrEqual(10);
    expect(errorMetrics.reduce((a, b) => a + b, 0)).toBe(TOTAL + 1 + JOBS.length + 1);
  });
});
