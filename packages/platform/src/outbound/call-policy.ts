import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  halfJitterGenerator,
  handleWhen,
  type IBackoff,
} from 'cockatiel';
import { BoundedCache } from '../config/caches.js';

/**
 * How the platform calls a system it does not run: retries with exponential backoff and jitter
 * for failures that say they are transient, and a circuit breaker per far side so a dead one is
 * not hammered by every warm Lambda. The policy reads errors structurally (`retryable`,
 * `retryAfterMs`), so an adapter needs nothing from here to take part.
 */

export interface CallPolicyOptions {
  /** attempts in all, the first included (default 4) */
  maxAttempts?: number;
  /** the first backoff before jitter (default 200 ms); each further one doubles */
  initialDelayMs?: number;
  /**
   * the longest wait between attempts (default 10 s). A failure asking for a longer wait
   * (`retryAfterMs`) is rethrown at once: the caller is better served by what it already has
   * than by a function held open past its budget.
   */
  maxDelayMs?: number;
  /** shared by every policy of the same name in this process: the first caller's settings win */
  breaker?: {
    /** retryable failures in a row that open the circuit (default 5) */
    consecutiveFailures?: number;
    /** how long the circuit stays open before one trial call is let through (default 30 s) */
    halfOpenAfterMs?: number;
  };
  /** how to wait between attempts; tests pass one that records and returns at once */
  sleep?: (ms: number) => Promise<void>;
}

export type CallPolicyState = 'closed' | 'open' | 'half-open';

export interface CallPolicy {
  /** runs `fn` (attempt 1, 2, …) until it succeeds, fails for good, or the circuit is open */
  execute<T>(fn: (attempt: number) => Promise<T>): Promise<T>;
  /**
   * 'open' while calls are refused; 'half-open' once the next call will be let through as a trial
   * (reported as soon as the wait is over, so a caller that checks first still lets one through).
   */
  readonly state: CallPolicyState;
}

/** Refused without calling: the circuit of `policyName` is open for about `retryAfterMs` more. */
export class CircuitOpenError extends Error {
  /** an open circuit is not a reason to try again at once, whatever the failure behind it said */
  readonly retryable = false;

  constructor(
    readonly policyName: string,
    readonly retryAfterMs: number,
  ) {
    super(`the circuit of ${policyName} is open; retry in ${retryAfterMs} ms`);
    this.name = 'CircuitOpenError';
  }
}

const DEFAULTS = {
  maxAttempts: 4,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  consecutiveFailures: 5,
  halfOpenAfterMs: 30_000,
} as const;

/**
 * Breakers by policy name. Names are written in code, not chosen by callers, so the cap is a
 * backstop; an entry idle for a day is dropped (a fresh breaker is closed, which is what an idle
 * one would be by then anyway). Cockatiel times its breakers with Date.now, so this map does too.
 */
const BREAKER_LIMITS = { max: 256, ttlMs: 86_400_000 };

interface NamedBreaker {
  policy: CircuitBreakerPolicy;
  halfOpenAfterMs: number;
}

const breakers = new BoundedCache<string, NamedBreaker>(BREAKER_LIMITS, () => Date.now());

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

function retryAfterOf(error: unknown): number {
  const asked = typeof error === 'object' && error !== null ? (error as { retryAfterMs?: unknown }).retryAfterMs : 0;
  return typeof asked === 'number' && Number.isFinite(asked) && asked > 0 ? Math.ceil(asked) : 0;
}

function positiveInteger(value: number, what: string): number {
  if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${what} must be a positive integer`);
  return value;
}

function breakerNamed(name: string, options: CallPolicyOptions['breaker'] = {}): NamedBreaker {
  const existing = breakers.get(name);
  if (existing) {
    breakers.set(name, existing); // in use: its day starts again
    return existing;
  }
  const halfOpenAfterMs = options.halfOpenAfterMs ?? DEFAULTS.halfOpenAfterMs;
  const created: NamedBreaker = {
    // Only failures that call themselves transient count: a refusal of the request itself (bad
    // input, bad credentials) proves the far side is up, and must not lock out everybody else.
    policy: circuitBreaker(handleWhen(isRetryable), {
      halfOpenAfter: halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(
        positiveInteger(options.consecutiveFailures ?? DEFAULTS.consecutiveFailures, 'consecutiveFailures'),
      ),
    }),
    halfOpenAfterMs,
  };
  breakers.set(name, created);
  return created;
}

/** Milliseconds until an open circuit lets a trial call through (0 when it would now). */
function msUntilTrial(named: NamedBreaker): number {
  const snapshot = named.policy.toJSON() as { ownState?: { value?: CircuitState; openedAt?: number } };
  const openedAt = snapshot.ownState?.value === CircuitState.Open ? (snapshot.ownState.openedAt ?? 0) : 0;
  return Math.max(0, openedAt + named.halfOpenAfterMs - Date.now());
}

/**
 * The call policy called `name` (one per far side and credential, e.g. "vendor-x"): retry
 * settings are this policy's own, the breaker is shared by every policy of that name in the
 * process. Rethrows the last error when it gives up; throws CircuitOpenError when refused.
 */
export function callPolicy(name: string, options: CallPolicyOptions = {}): CallPolicy {
  const maxAttempts = positiveInteger(options.maxAttempts ?? DEFAULTS.maxAttempts, 'maxAttempts');
  const maxDelayMs = options.maxDelayMs ?? DEFAULTS.maxDelayMs;
  const sleep = options.sleep ?? realSleep;
  const backoffs = new ExponentialBackoff({
    // Half jitter waits at least half the step: spread out, yet never straight back at a far side
    // that has just failed (full or decorrelated jitter can draw a wait of ~0 ms).
    generator: halfJitterGenerator,
    initialDelay: options.initialDelayMs ?? DEFAULTS.initialDelayMs,
    maxDelay: maxDelayMs,
  });
  // looked up on every use, not held: should the map drop an idle breaker, every policy of the
  // name then shares the one that replaces it
  const shared = () => breakerNamed(name, options.breaker);
  shared();

  return {
    get state(): CallPolicyState {
      const named = shared();
      switch (named.policy.state) {
        case CircuitState.Closed:
          return 'closed';
        case CircuitState.HalfOpen:
          return 'half-open';
        default:
          return msUntilTrial(named) > 0 ? 'open' : 'half-open';
      }
    },

    async execute<T>(fn: (attempt: number) => Promise<T>): Promise<T> {
      let backoff: IBackoff<unknown> | undefined;
      for (let attempt = 1; ; attempt++) {
        const named = shared();
        try {
          return await named.policy.execute(() => fn(attempt));
        } catch (error) {
          if (error instanceof BrokenCircuitError) throw new CircuitOpenError(name, msUntilTrial(named));
          if (!isRetryable(error) || attempt >= maxAttempts) throw error;
          // This failure opened the circuit: the next attempt would be refused, so the caller
          // hears the failure itself now rather than a refusal after a pointless wait.
          if (named.policy.state === CircuitState.Open) throw error;
          const askedMs = retryAfterOf(error);
          if (askedMs > maxDelayMs) throw error;
          backoff = backoff ? backoff.next(undefined) : backoffs.next();
          await sleep(Math.max(askedMs, Math.ceil(backoff.duration)));
        }
      }
    },
  };
}
