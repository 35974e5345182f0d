const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an instant, in UTC. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Splits [from, to) at UTC midnights: how many milliseconds fall on each day. */
export function splitByUtcDay(from: Date, to: Date): Array<{ day: string; ms: number }> {
  const parts: Array<{ day: string; ms: number }> = [];
  let start = from.getTime();
  const end = to.getTime();
  while (start < end) {
    const nextMidnight = (Math.floor(start / DAY_MS) + 1) * DAY_MS;
    const stop = Math.min(end, nextMidnight);
    parts.push({ day: utcDay(new Date(start)), ms: stop - start });
    start = stop;
  }
  return parts;
}
