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

/** How analytics buckets its days. Weeks start on Monday (ISO), months on the 1st. */
export type DayBucket = 'day' | 'week' | 'month';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function parseDay(day: string): number {
  if (!DAY.test(day)) throw new Error(`not a YYYY-MM-DD day: ${day}`);
  return Date.parse(`${day}T00:00:00.000Z`);
}

/** The UTC day `n` days after `day` (before it when `n` is negative). */
export function addDays(day: string, n: number): string {
  return utcDay(new Date(parseDay(day) + n * DAY_MS));
}

/** The first day of the bucket holding `day`: itself, its week's Monday, or its month's 1st. */
export function bucketStart(day: string, bucket: DayBucket): string {
  const at = parseDay(day);
  if (bucket === 'day') return day;
  if (bucket === 'month') return `${day.slice(0, 7)}-01`;
  const sinceMonday = (new Date(at).getUTCDay() + 6) % 7;
  return utcDay(new Date(at - sinceMonday * DAY_MS));
}

/** The day after the last day of the bucket starting at `start`. */
function nextBucket(start: string, bucket: DayBucket): string {
  if (bucket === 'day') return addDays(start, 1);
  if (bucket === 'week') return addDays(start, 7);
  const [year, month] = start.split('-').map(Number);
  return utcDay(new Date(Date.UTC(year, month, 1)));
}

/**
 * The first days of every bucket overlapping [from, to] (inclusive), oldest first, with no
 * gaps. The first one may lie before `from` (a week or month the window starts inside).
 */
export function bucketStarts(from: string, to: string, bucket: DayBucket): string[] {
  if (from > to) return [];
  const starts: string[] = [];
  for (let start = bucketStart(from, bucket); start <= to; start = nextBucket(start, bucket)) starts.push(start);
  return starts;
}
