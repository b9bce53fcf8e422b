import { describe, expect, it } from 'vitest';
import type { UnitOfWork } from '../data/unit-of-work.js';
import { FlagEvaluator } from './evaluator.js';
import { evaluateFlag, type FlagDefinition, type FlagSetting } from './flags.js';
import type { FlagStore } from './store.js';

const DEF: FlagDefinition = {
  key: 'probe.feature',
  summary: 'a gated feature',
  default: false,
  tenantOverridable: false,
};
const setting = (scope: string, enabled: boolean, rules: FlagSetting['rules'] = []): FlagSetting => ({
  key: DEF.key,
  scope,
  enabled,
  rules,
  version: 1,
  updatedAt: '2026-12-02T00:00:00.000Z',
  updatedBy: 'u_system',
});
const CTX = { tenantId: 't_a', env: 'dev', projectId: 'p_a', tier: 'navigator' as const };

describe('evaluateFlag', () => {
  it('override, then global, then default; a layer’s first matching rule beats its value', () => {
    expect(evaluateFlag(DEF, undefined, undefined, CTX)).toEqual({ key: DEF.key, enabled: false, source: 'default' });
    expect(evaluateFlag(DEF, setting('global', true), undefined, CTX).source).toBe('global');
    const globalRule = setting('global', false, [{ envs: ['dev'], enabled: true }]);
    expect(evaluateFlag(DEF, globalRule, undefined, CTX)).toMatchObject({ enabled: true, source: 'global-rule' });
    expect(evaluateFlag(DEF, globalRule, undefined, { ...CTX, env: 'prod' })).toMatchObject({
      enabled: false,
      source: 'global',
    });
    // the tenant's override decides alone, even when only its value (no rule) applies
    expect(evaluateFlag(DEF, globalRule, setting('t_a', false), CTX)).toMatchObject({
      enabled: false,
      source: 'tenant',
    });
  });

  it('every condition of a rule must hold; a condition on a field the context lacks never holds', () => {
    const rules = [
      { envs: ['dev'], tiers: ['operator' as const], enabled: true },
      { projects: ['p_a'], enabled: true },
    ];
    const override = setting('t_a', false, rules);
    expect(evaluateFlag(DEF, undefined, override, CTX)).toMatchObject({ enabled: true, source: 'tenant-rule' });
    expect(evaluateFlag(DEF, undefined, override, { ...CTX, projectId: 'p_b' }).source).toBe('tenant');
    // a job has no tier: a tier rule does not apply to it
    const tierOnly = setting('t_a', false, [{ tiers: ['navigator'], enabled: true }]);
    expect(evaluateFlag(DEF, undefined, tierOnly, { tenantId: 't_a', env: 'dev' }).enabled).toBe(false);
    expect(evaluateFlag(DEF, undefined, tierOnly, CTX).enabled).toBe(true);
  });
});

/** The port held in memory: what this test checks is the evaluator's cache, not DynamoDB. */
class MemoryFlagStore implements FlagStore {
  readonly settings = new Map<string, FlagSetting>();
  reads = 0;
  async global(key: string) {
    this.reads++;
    return this.settings.get(`global/${key}`);
  }
  async override(tenantId: string, key: string) {
    this.reads++;
    return this.settings.get(`${tenantId}/${key}`);
  }
  async globals() {
    return [...this.settings.values()].filter((s) => s.scope === 'global');
  }
  async overrides(tenantId: string) {
    return [...this.settings.values()].filter((s) => s.scope === tenantId);
  }
  put(_uow: UnitOfWork, s: FlagSetting) {
    this.settings.set(`${s.scope}/${s.key}`, s);
  }
  remove(_uow: UnitOfWork, tenantId: string, key: string) {
    this.settings.delete(`${tenantId}/${key}`);
  }
}

describe('FlagEvaluator', () => {
  it('another process’s change is seen within 5 s; reads are cached per (tenant, flag) meanwhile', async () => {
    let now = 1_000_000;
    const store = new MemoryFlagStore();
    const evaluator = new FlagEvaluator(store, () => now);
    expect(await evaluator.isEnabled(DEF, CTX)).toBe(false);
    const readsAfterFirst = store.reads;
    // another function turns it on: this one keeps its cached answer for a moment…
    store.put({} as UnitOfWork, setting('t_a', true));
    now += 2_000;
    expect(await evaluator.isEnabled(DEF, CTX)).toBe(false);
    expect(store.reads).toBe(readsAfterFirst);
    // …and sees the change once the entry is 4 s old, well within 5 s
    now += 2_000;
    expect(await evaluator.isEnabled(DEF, CTX)).toBe(true);
    expect(store.reads).toBe(readsAfterFirst * 2);
    // other tenants are cached apart
    expect(await evaluator.isEnabled(DEF, { ...CTX, tenantId: 't_b' })).toBe(false);
  });

  it('a failed read is not remembered', async () => {
    const store = new MemoryFlagStore();
    let fail = true;
    const flaky: FlagStore = {
      ...store,
      global: async (key) => {
        if (fail) throw new Error('throttled');
        return store.global(key);
      },
      override: (t, k) => store.override(t, k),
      globals: () => store.globals(),
      overrides: (t) => store.overrides(t),
      put: (u, s) => store.put(u, s),
      remove: (u, t, k) => store.remove(u, t, k),
    };
    const evaluator = new FlagEvaluator(flaky, () => 0);
    await expect(evaluator.isEnabled(DEF, CTX)).rejects.toThrow('throttled');
    fail = false;
    expect(await evaluator.isEnabled(DEF, CTX)).toBe(false);
  });
});
