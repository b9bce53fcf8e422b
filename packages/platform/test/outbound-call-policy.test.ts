import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CallPolicyOptions, CircuitOpenError, callPolicy } from '../src/outbound/call-policy.js';

/** An error shaped like any adapter's: the policy reads these two fields and nothing else. */
class FarSideError extends Error {
  constructor(
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(retryable ? 'transient' : 'refused');
  }
}

const uniqueName = () => `far-side-${randomBytes(4).toString('hex')}`;

/** A policy with a recording sleep that returns at once (and moves the fake clock by the wait). */
function recorded(options: CallPolicyOptions = {}, name = uniqueName()) {
  const sleeps: number[] = [];
  const policy = callPolicy(name, {
    ...options,
    sleep: async (ms) => {
      sleeps.push(ms);
      vi.setSystemTime(Date.now() + ms);
    },
  });
  return { policy, sleeps, name };
}

/** fails with `errors` in turn, then answers `value`; records the attempts it was called with */
function script<T>(errors: Error[], value: T) {
  const attempts: number[] = [];
  const fn = async (attempt: number) => {
    attempts.push(attempt);
    const error = errors.shift();
    if (error) throw error;
    return value;
  };
  return { fn, attempts };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.UTC(2030, 0, 15, 13, 30, 0));
});

afterEach(() => {
  vi.useRealTimers();
});

describe('call policy: retries', () => {
  it('answers what the call answers, passing attempt numbers from 1', async () => {
    const { policy, sleeps } = recorded();
    const { fn, attempts } = script([], 'ok');
    expect(await policy.execute(fn)).toBe('ok');
    expect(attempts).toEqual([1]);
    expect(sleeps).toEqual([]);
  });

  it('retries retryable failures with growing, jittered waits, up to maxAttempts in all', async () => {
    const { policy, sleeps } = recorded({ initialDelayMs: 100, maxAttempts: 4 });
    const { fn, attempts } = script([new FarSideError(true), new FarSideError(true), new FarSideError(true)], 42);
    expect(await policy.execute(fn)).toBe(42);
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(sleeps).toHaveLength(3);
    // half jitter: step k waits in [initial·2^k / 2, initial·2^k]
    sleeps.forEach((ms, step) => {
      expect(ms).toBeGreaterThanOrEqual((100 * 2 ** step) / 2);
      expect(ms).toBeLessThanOrEqual(100 * 2 ** step);
    });
  });

  it('gives up after maxAttempts and rethrows the last failure itself', async () => {
    const { policy, sleeps } = recorded({ maxAttempts: 3 });
    const last = new FarSideError(true);
    const { fn, attempts } = script([new FarSideError(true), new FarSideError(true), last], 'never');
    await expect(policy.execute(fn)).rejects.toBe(last);
    expect(attempts).toEqual([1, 2, 3]);
    expect(sleeps).toHaveLength(2);
  });

  it('never waits longer than maxDelayMs for its own backoff', async () => {
    const { policy, sleeps } = recorded({ initialDelayMs: 1000, maxDelayMs: 1500, maxAttempts: 4 });
    const { fn } = script([new FarSideError(true), new FarSideError(true), new FarSideError(true)], 'ok');
    await policy.execute(fn);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(1500);
  });

  it('rethrows a non-retryable failure at once, and so any error without retryable === true', async () => {
    const { policy, sleeps } = recorded();
    const refused = new FarSideError(false);
    const first = script([refused], 'never');
    await expect(policy.execute(first.fn)).rejects.toBe(refused);
    expect(first.attempts).toEqual([1]);
    const bug = new TypeError('cannot read x of undefined');
    await expect(policy.execute(script([bug], 'never').fn)).rejects.toBe(bug);
    const truthy = Object.assign(new Error('truthy is not true'), { retryable: 'yes' });
    await expect(policy.execute(script([truthy], 'never').fn)).rejects.toBe(truthy);
    expect(sleeps).toEqual([]);
  });

  it('waits at least what a failure asks for (retryAfterMs), even beyond its own backoff', async () => {
    const { policy, sleeps } = recorded({ initialDelayMs: 10, maxDelayMs: 10_000 });
    const { fn } = script([new FarSideError(true, 2500), new FarSideError(true, 1)], 'ok');
    expect(await policy.execute(fn)).toBe('ok');
    expect(sleeps[0]).toBe(2500);
    expect(sleeps[1]).toBeGreaterThanOrEqual(10); // its own backoff when that is longer
  });

  it('gives up at once when a failure asks for a wait over maxDelayMs (the caller keeps what it has)', async () => {
    const { policy, sleeps } = recorded({ maxDelayMs: 10_000 });
    const slowDown = new FarSideError(true, 45_000);
    const { fn, attempts } = script([slowDown], 'never');
    await expect(policy.execute(fn)).rejects.toBe(slowDown);
    expect(attempts).toEqual([1]);
    expect(sleeps).toEqual([]);
  });

  it('refuses nonsense settings', () => {
    expect(() => callPolicy(uniqueName(), { maxAttempts: 0 })).toThrow(RangeError);
    expect(() => callPolicy(uniqueName(), { breaker: { consecutiveFailures: 1.5 } })).toThrow(RangeError);
  });
});

describe('call policy: circuit breaker', () => {
  const breaker = { consecutiveFailures: 3, halfOpenAfterMs: 30_000 };

  it('opens after consecutive retryable failures; then refuses without calling, saying for how long', async () => {
    const { policy } = recorded({ maxAttempts: 1, breaker });
    for (let i = 0; i < 3; i++) await expect(policy.execute(script([new FarSideError(true)], 0).fn)).rejects.toThrow();
    expect(policy.state).toBe('open');
    vi.setSystemTime(Date.now() + 10_000);
    const untouched = script([], 'never');
    const refusal = await policy.execute(untouched.fn).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(CircuitOpenError);
    expect((refusal as CircuitOpenError).retryAfterMs).toBe(20_000);
    expect((refusal as CircuitOpenError).retryable).toBe(false);
    expect(untouched.attempts).toEqual([]);
  });

  it('lets one trial through after halfOpenAfterMs: success closes the circuit', async () => {
    const { policy } = recorded({ maxAttempts: 1, breaker });
    for (let i = 0; i < 3; i++) await expect(policy.execute(script([new FarSideError(true)], 0).fn)).rejects.toThrow();
    vi.setSystemTime(Date.now() + 30_000);
    expect(policy.state).toBe('half-open'); // a caller that checks before calling still lets the trial through
    expect(await policy.execute(script([], 'back').fn)).toBe('back');
    expect(policy.state).toBe('closed');
  });

  it('a failed trial opens the circuit again for another halfOpenAfterMs', async () => {
    const { policy } = recorded({ maxAttempts: 1, breaker });
    for (let i = 0; i < 3; i++) await expect(policy.execute(script([new FarSideError(true)], 0).fn)).rejects.toThrow();
    vi.setSystemTime(Date.now() + 30_000);
    await expect(policy.execute(script([new FarSideError(true)], 0).fn)).rejects.toBeInstanceOf(FarSideError);
    expect(policy.state).toBe('open');
    const refusal = await policy.execute(script([], 0).fn).catch((e: unknown) => e);
    expect((refusal as CircuitOpenError).retryAfterMs).toBe(30_000);
  });

  it('non-retryable failures never open it; a success resets the count', async () => {
    const { policy } = recorded({ maxAttempts: 1, breaker });
    for (let i = 0; i < 10; i++)
      await expect(policy.execute(script([new FarSideError(false)], 0).fn)).rejects.toThrow();
    expect(policy.state).toBe('closed');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++)
        await expect(policy.execute(script([new FarSideError(true)], 0).fn)).rejects.toThrow();
      await policy.execute(script([], 'ok').fn);
    }
    expect(policy.state).toBe('closed');
  });

  it('stops when its own failure opens the circuit, rethrowing that failure (no wait for a refusal)', async () => {
    const { policy, sleeps } = recorded({ maxAttempts: 10, breaker });
    const third = new FarSideError(true);
    const { fn, attempts } = script([new FarSideError(true), new FarSideError(true), third], 'never');
    await expect(policy.execute(fn)).rejects.toBe(third);
    expect(attempts).toEqual([1, 2, 3]);
    expect(sleeps).toHaveLength(2);
  });

  it('is one breaker per name in the process; other names are unaffected', async () => {
    const name = uniqueName();
    const first = recorded({ maxAttempts: 1, breaker }, name).policy;
    const second = recorded({ maxAttempts: 1 }, name).policy;
    const other = recorded({ maxAttempts: 1, breaker }).policy;
    for (let i = 0; i < 3; i++) await expect(first.execute(script([new FarSideError(true)], 0).fn)).rejects.toThrow();
    expect(second.state).toBe('open');
    await expect(second.execute(script([], 0).fn)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(other.state).toBe('closed');
    expect(await other.execute(script([], 'fine').fn)).toBe('fine');
  });
});
