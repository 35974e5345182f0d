/** Times in UTC throughout, like the analytics buckets: `2026-03-20 14:05 UTC`. */
export function dateTime(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function duration(seconds: number | null): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} m`;
  if (m > 0) return `${m} m ${String(rest).padStart(2, '0')} s`;
  return `${rest} s`;
}

export function number(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A call's schedule (`starts_at`, `ends_at`): `from 2026-01-08 18:00 UTC`, `until …`, both joined by ` → `; `—` without one. */
export function schedule(startsAt: string | null, endsAt: string | null): string {
  if (!startsAt && !endsAt) return '—';
  if (startsAt && endsAt) return `${dateTime(startsAt)} → ${dateTime(endsAt)}`;
  return startsAt ? `from ${dateTime(startsAt)}` : `until ${dateTime(endsAt)}`;
}
