import { DomainException } from '../common/exceptions/domain.exception';

/**
 * The rules of scheduled calls (issue 24) that are not admission: what a create or an edit may
 * ask for, and the instants the schedule job acts at. Admission before the start and after the
 * end is the one admission rule (`admission.ts`); the job is `CallScheduleJob`.
 */

/** A scheduled call lasts at most this long: `endsAt` at most 24 h after `startsAt` (or after now, without one). */
export const MAX_SCHEDULED_CALL_MS = 24 * 60 * 60_000;

/** `call.ending_soon` goes to everyone in the call this long before `endsAt`. */
export const ENDING_SOON_MS = 5 * 60_000;

/** A call's schedule; null fields are unset (a call created without one has both null). */
export interface Schedule {
  startsAt: Date | null;
  endsAt: Date | null;
}

/** What a create or an edit asks for: a field left out stays as it is, null clears it, an ISO 8601 instant sets it. */
export interface ScheduleRequest {
  startsAt?: string | null;
  endsAt?: string | null;
}

const NONE: Schedule = { startsAt: null, endsAt: null };

const sameInstant = (a: Date | null, b: Date | null): boolean => (a === null ? b === null : b !== null && a.getTime() === b.getTime());

const parsed = (value: string | null | undefined, current: Date | null): Date | null => (value === undefined ? current : value === null ? null : new Date(value));

/**
 * The schedule a create (`current` null) or an edit asks for, checked against the rules: a new
 * `startsAt` in the future, and not moved once it has passed (409 `CALL_ALREADY_STARTED`; the same
 * instant again changes nothing); `endsAt` after `startsAt` and after now, at most 24 h after
 * `startsAt` (after now when the call has no start); a call past its `endsAt` takes no schedule
 * change (`CALL_ENDED`: it is ending). Everything else is 400 `VALIDATION_FAILED`.
 */
export function plannedSchedule(current: Schedule | null, request: ScheduleRequest, now: Date): Schedule {
  const before = current ?? NONE;
  if (request.startsAt === undefined && request.endsAt === undefined) return before;
  if (before.endsAt && before.endsAt.getTime() <= now.getTime()) throw new DomainException('CALL_ENDED', 'The call has reached its endsAt: it is ending');
  const next: Schedule = { startsAt: parsed(request.startsAt, before.startsAt), endsAt: parsed(request.endsAt, before.endsAt) };
  const startMoved = !sameInstant(before.startsAt, next.startsAt);
  if (startMoved && before.startsAt && before.startsAt.getTime() <= now.getTime()) {
    throw new DomainException('CALL_ALREADY_STARTED', `The call started at ${before.startsAt.toISOString()}: its startsAt can no longer change`);
  }
  if (startMoved && next.startsAt && next.startsAt.getTime() <= now.getTime()) throw invalid('startsAt must be in the future');
  if (next.endsAt) {
    if (next.endsAt.getTime() <= now.getTime()) throw invalid('endsAt must be in the future');
    if (next.startsAt && next.endsAt.getTime() <= next.startsAt.getTime()) throw invalid('endsAt must be after startsAt');
    const from = next.startsAt ?? now;
    if (next.endsAt.getTime() - from.getTime() > MAX_SCHEDULED_CALL_MS) throw invalid(`endsAt must be at most 24 hours after ${next.startsAt ? 'startsAt' : 'now (the call has no startsAt)'}`);
  }
  return next;
}

/** The fields of `next` that differ from `before`, for `call.updated` (`changed.starts_at`, `changed.ends_at`). */
export function scheduleChanges(before: Schedule, next: Schedule): { starts_at?: string | null; ends_at?: string | null } {
  const changes: { starts_at?: string | null; ends_at?: string | null } = {};
  if (!sameInstant(before.startsAt, next.startsAt)) changes.starts_at = next.startsAt?.toISOString() ?? null;
  if (!sameInstant(before.endsAt, next.endsAt)) changes.ends_at = next.endsAt?.toISOString() ?? null;
  return changes;
}

/** When members may join a call that starts at `startsAt`: `joinEarlyMinutes` before it. */
export function opensAt(startsAt: Date, joinEarlyMinutes: number): Date {
  return new Date(startsAt.getTime() - joinEarlyMinutes * 60_000);
}

function invalid(message: string): DomainException {
  return new DomainException('VALIDATION_FAILED', message);
}
