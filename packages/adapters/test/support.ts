import type { FakeRequest } from '../../local/src/fakes/fake-server.js';

/** 2030-01-15 22:00 UTC, a Tuesday after the New York close: every bar of the day is complete. */
export const NOW = Date.UTC(2030, 0, 15, 22, 0, 0);

/** The one clock of a test, shared by a fake and the adapter (and the policy's sleep, when it moves it). */
export class Clock {
  constructor(public now: number = NOW) {}
  read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

/** No request may carry the key anywhere but its header. */
export function keyNeverInUrl(requests: readonly FakeRequest[], key: string): void {
  for (const request of requests) {
    const url = `${request.path}?${request.query.toString()}`;
    if (url.includes(key)) throw new Error(`the key was sent in a URL: ${url}`);
  }
}

/** The recording sleep a call policy is given in tests: returns at once, moving the clock by the wait. */
export function sleeper(clock?: Clock) {
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock?.advance(ms);
  };
  return { sleeps, sleep };
}

export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}
