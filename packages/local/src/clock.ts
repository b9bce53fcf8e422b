/**
 * The local runtime's one clock: handlers, TTL checks, schedules and the minute tick all read it.
 * It runs on from wherever it was last set, so `POST /_local/tick {"at": …}` travels in time.
 */
export class LocalClock {
  private offsetMs = 0;

  constructor(start?: number) {
    if (start !== undefined) this.set(start);
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  set(atMs: number): void {
    this.offsetMs = atMs - Date.now();
  }
}
