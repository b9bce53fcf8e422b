/** Local midnights of an IANA time zone, from Intl (no time-zone library: the runtime has the data). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of `ms` in `timeZone`. */
function wallClock(ms: number, timeZone: string) {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** How far `timeZone` is ahead of UTC at `ms`, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Epoch ms of the local midnight that starts the day containing `ms` in `timeZone`. */
export function localMidnight(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const guess = Date.UTC(w.year, w.month - 1, w.day);
  // the offset at midnight may differ from the offset now (a DST change that day): settle it twice
  let midnight = guess - offsetAt(guess, timeZone);
  midnight = guess - offsetAt(midnight, timeZone);
  return midnight;
}

/** Epoch ms of the next local midnight after `ms` in `timeZone`. */
export function nextLocalMidnight(ms: number, timeZone: string): number {
  const today = localMidnight(ms, timeZone);
  // 26 hours later is always inside tomorrow, whatever the DST change
  return localMidnight(today + 26 * 3_600_000, timeZone);
}
