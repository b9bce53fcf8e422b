/**
 * A client-side allowance of requests a minute for one adapter instance, as a sliding window of
 * the last minute's request times on the adapter's clock. The broker counts the same way per
 * key, so staying inside it here means the broker's 429 is the exception, not the pacing.
 * When the window is full, `take` waits (through the adapter's `sleep`) until the oldest request
 * leaves it; a wait longer than `maxWaitMs` (in all) fails at once with how long it would be.
 */

const WINDOW_MS = 60_000;

export interface RequestBudget {
  /** resolves when a request may be sent (and counts it); rejects with `onExhausted`'s error */
  take(): Promise<void>;
}

export interface RequestBudgetOptions {
  perMinute: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  maxWaitMs: number;
  /** the error to throw when the wait would exceed `maxWaitMs`; `waitMs` is how long it would be */
  onExhausted: (waitMs: number) => Error;
}

export function requestBudget(options: RequestBudgetOptions): RequestBudget {
  const sent: number[] = [];
  return {
    async take() {
      let waited = 0;
      for (;;) {
        const nowMs = options.now();
        while (sent.length && sent[0] <= nowMs - WINDOW_MS) sent.shift();
        if (sent.length < options.perMinute) {
          sent.push(nowMs);
          return;
        }
        // at least 1 ms, so a clock that does not move still runs the total up to the cap
        const waitMs = Math.max(1, sent[0] + WINDOW_MS - nowMs);
        if (waited + waitMs > options.maxWaitMs) throw options.onExhausted(waitMs);
        waited += waitMs;
        await options.sleep(waitMs);
      }
    },
  };
}
