import { DomainException } from '../common/exceptions/domain.exception';
import { admissionRefusal, AdmissionFacts } from './admission';
import { opensAt, plannedSchedule, scheduleChanges } from './schedule';

const NOW = new Date('2026-04-06T09:00:00.000Z');
const at = (iso: string) => new Date(iso);

/** The refusal `plannedSchedule` throws, as code and message. */
function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainException) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('plannedSchedule', () => {
  it('a create without a schedule has none; with one, the instants asked for', () => {
    expect(plannedSchedule(null, {}, NOW)).toEqual({ startsAt: null, endsAt: null });
    expect(plannedSchedule(null, { startsAt: '2026-04-06T20:00:00+02:00', endsAt: '2026-04-06T19:00:00Z' }, NOW)).toEqual({ startsAt: at('2026-04-06T18:00:00Z'), endsAt: at('2026-04-06T19:00:00Z') });
    expect(plannedSchedule(null, { startsAt: null, endsAt: '2026-04-07T09:00:00Z' }, NOW)).toEqual({ startsAt: null, endsAt: at('2026-04-07T09:00:00Z') });
  });

  it.each([
    [{ startsAt: '2026-04-06T09:00:00Z' }, 'startsAt must be in the future'],
    [{ endsAt: '2026-04-06T09:00:00Z' }, 'endsAt must be in the future'],
    [{ startsAt: '2026-04-06T10:00:00Z', endsAt: '2026-04-06T10:00:00Z' }, 'endsAt must be after startsAt'],
    [{ startsAt: '2026-04-06T10:00:00Z', endsAt: '2026-04-07T10:00:00.001Z' }, 'endsAt must be at most 24 hours after startsAt'],
    [{ endsAt: '2026-04-07T09:00:00.001Z' }, 'endsAt must be at most 24 hours after now (the call has no startsAt)'],
  ])('refuses %j on create: %s', (request, message) => {
    expect(refusal(() => plannedSchedule(null, request, NOW))).toEqual({ code: 'VALIDATION_FAILED', message });
  });

  it('allows exactly 24 hours, and an end a millisecond from now', () => {
    expect(plannedSchedule(null, { startsAt: '2026-04-06T10:00:00Z', endsAt: '2026-04-07T10:00:00Z' }, NOW).endsAt).toEqual(at('2026-04-07T10:00:00Z'));
    expect(plannedSchedule(null, { endsAt: '2026-04-06T09:00:00.001Z' }, NOW).endsAt).toEqual(at('2026-04-06T09:00:00.001Z'));
  });

  describe('an edit', () => {
    const current = { startsAt: at('2026-04-06T15:00:00Z'), endsAt: at('2026-04-06T16:00:00Z') };

    it('keeps what it leaves out, clears what it nulls, and checks the result as a whole', () => {
      expect(plannedSchedule(current, {}, NOW)).toBe(current);
      expect(plannedSchedule(current, { endsAt: null }, NOW)).toEqual({ startsAt: current.startsAt, endsAt: null });
      expect(plannedSchedule(current, { startsAt: '2026-04-06T15:30:00Z' }, NOW)).toEqual({ startsAt: at('2026-04-06T15:30:00Z'), endsAt: current.endsAt });
      expect(refusal(() => plannedSchedule(current, { startsAt: '2026-04-06T16:00:00Z' }, NOW)).message).toBe('endsAt must be after startsAt');
      expect(refusal(() => plannedSchedule(current, { startsAt: null, endsAt: '2026-04-07T09:30:00Z' }, NOW)).message).toMatch(/after now/);
    });

    it('once startsAt has passed it cannot move (409), the same instant is no move, endsAt still can', () => {
      const started = new Date('2026-04-06T15:00:00.000Z');
      expect(refusal(() => plannedSchedule(current, { startsAt: '2026-04-06T17:00:00Z' }, started))).toEqual({ code: 'CALL_ALREADY_STARTED', message: expect.stringContaining('2026-04-06T15:00:00.000Z') });
      expect(refusal(() => plannedSchedule(current, { startsAt: null }, started)).code).toBe('CALL_ALREADY_STARTED');
      expect(plannedSchedule(current, { startsAt: '2026-04-06T17:00:00+02:00' }, started)).toEqual(current);
      expect(plannedSchedule(current, { endsAt: '2026-04-07T15:00:00Z' }, started).endsAt).toEqual(at('2026-04-07T15:00:00Z'));
      expect(refusal(() => plannedSchedule(current, { endsAt: '2026-04-07T15:00:00.001Z' }, started)).message).toMatch(/24 hours after startsAt/);
    });

    it('a call without a schedule may get one; one past its endsAt takes no schedule change (it is ending)', () => {
      expect(plannedSchedule({ startsAt: null, endsAt: null }, { startsAt: '2026-04-06T10:00:00Z' }, NOW)).toEqual({ startsAt: at('2026-04-06T10:00:00Z'), endsAt: null });
      expect(refusal(() => plannedSchedule(current, { endsAt: '2026-04-06T17:00:00Z' }, at('2026-04-06T16:00:00Z'))).code).toBe('CALL_ENDED');
      // Other edits do not ask for the schedule at all.
      expect(plannedSchedule(current, {}, at('2026-04-06T16:00:00Z'))).toBe(current);
    });
  });
});

describe('scheduleChanges', () => {
  it('names only the instants that moved, as ISO text or null', () => {
    const before = { startsAt: at('2026-04-06T15:00:00Z'), endsAt: null };
    expect(scheduleChanges(before, { startsAt: at('2026-04-06T15:00:00Z'), endsAt: null })).toEqual({});
    expect(scheduleChanges(before, { startsAt: null, endsAt: at('2026-04-06T16:00:00Z') })).toEqual({ starts_at: null, ends_at: '2026-04-06T16:00:00.000Z' });
  });
});

describe('admissionRefusal and the schedule', () => {
  const scheduled: AdmissionFacts = { status: 'active', isPublic: true, member: null, inCall: false, startsAt: at('2026-04-06T18:00:00Z'), endsAt: at('2026-04-06T19:00:00Z'), role: null };
  const member = { isAdmin: false };
  const when = (iso: string) => ({ now: at(iso), joinEarlyMinutes: 10 });

  it('members not in the call wait until startsAt minus the early minutes, told how long (whole seconds, rounded up)', () => {
    const early = admissionRefusal(scheduled, member, when('2026-04-06T17:00:00.250Z'));
    expect(early).toMatchObject({ code: 'CALL_NOT_STARTED', status: 409, retryAfterSeconds: 3000 });
    expect(admissionRefusal(scheduled, member, when('2026-04-06T17:50:00Z'))).toBeNull();
    expect(admissionRefusal(scheduled, member, { now: at('2026-04-06T17:55:00Z'), joinEarlyMinutes: 0 })).toMatchObject({ retryAfterSeconds: 300 });
    expect(opensAt(scheduled.startsAt!, 10)).toEqual(at('2026-04-06T17:50:00Z'));
  });

  it('the host, moderators and admins pass any time; so does a member already in the call', () => {
    const t = when('2026-04-06T09:00:00Z');
    expect(admissionRefusal({ ...scheduled, member: { removed: false }, role: 'host' }, member, t)).toBeNull();
    expect(admissionRefusal({ ...scheduled, member: { removed: false }, role: 'moderator' }, member, t)).toBeNull();
    expect(admissionRefusal(scheduled, { isAdmin: true }, t)).toBeNull();
    expect(admissionRefusal({ ...scheduled, inCall: true }, member, t)).toBeNull();
    expect(admissionRefusal({ ...scheduled, member: { removed: false }, role: 'participant' }, member, t)?.code).toBe('CALL_NOT_STARTED');
  });

  it('at endsAt the call is over for everyone, before it is marked ended; the other refusals come first', () => {
    expect(admissionRefusal({ ...scheduled, inCall: true, role: 'host' }, { isAdmin: true }, when('2026-04-06T19:00:00Z'))?.code).toBe('CALL_ENDED');
    expect(admissionRefusal({ ...scheduled, inCall: true }, member, when('2026-04-06T18:59:59.999Z'))).toBeNull();
    expect(admissionRefusal({ ...scheduled, isPublic: false }, member, when('2026-04-06T09:00:00Z'))?.code).toBe('CALL_PRIVATE');
    expect(admissionRefusal({ ...scheduled, status: 'paused' }, member, when('2026-04-06T09:00:00Z'))?.code).toBe('CALL_PAUSED');
    expect(admissionRefusal({ ...scheduled, member: { removed: true } }, member, when('2026-04-06T09:00:00Z'))?.code).toBe('PARTICIPANT_REMOVED');
  });

  it('a call without a schedule is admitted as before', () => {
    expect(admissionRefusal({ ...scheduled, startsAt: null, endsAt: null }, member, when('2099-01-01T00:00:00Z'))).toBeNull();
  });
});
