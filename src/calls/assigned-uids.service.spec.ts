import { deriveUidKey, isServiceUid, MAX_MEMBER_UID, memberUidsFrom, RECORDER_UID, SERVICE_UIDS_FROM, UID_SPACE, uidCandidates } from './assigned-uids.service';

const first = (key: Buffer, callId: number, userId: number): number => uidCandidates(key, callId, userId).next().value as number;

describe('assigned uid candidates', () => {
  const key = deriveUidKey('a-jwt-secret-of-some-length');

  it('are deterministic per (call, member) and in 1 .. 2^32-1', () => {
    expect(first(key, 12, 34)).toBe(first(key, 12, 34));
    for (let userId = 1; userId <= 2000; userId += 1) {
      const uid = first(key, 7, userId);
      expect(Number.isInteger(uid) && uid >= 1 && uid <= UID_SPACE).toBe(true);
    }
  });

  it('differ across calls and across keys, so uids cannot be linked without the key', () => {
    const acrossCalls = new Set(Array.from({ length: 200 }, (_, callId) => first(key, callId + 1, 42)));
    expect(acrossCalls.size).toBe(200);
    expect(first(deriveUidKey('another-jwt-secret-value'), 12, 34)).not.toBe(first(key, 12, 34));
  });

  it('go on to the next value when one is taken', () => {
    const candidates = uidCandidates(key, 1, 1);
    const start = candidates.next().value as number;
    expect(candidates.next().value).toBe(start === UID_SPACE ? 1 : start + 1);
  });

  it('derive the key from JWT_SECRET with HKDF (32 bytes, not the secret itself)', () => {
    const derived = deriveUidKey('a-jwt-secret-of-some-length');
    expect(derived).toHaveLength(32);
    expect(derived.equals(key)).toBe(true);
    expect(derived.toString('utf8')).not.toContain('a-jwt-secret');
  });

  it('never yield the service\'s own uids (the recorder\'s among them): past the last member uid they wrap to 1', () => {
    const from = memberUidsFrom(MAX_MEMBER_UID - 1);
    expect([from.next().value, from.next().value, from.next().value, from.next().value]).toEqual([MAX_MEMBER_UID - 1, MAX_MEMBER_UID, 1, 2]);
    const inside = memberUidsFrom(SERVICE_UIDS_FROM + 3);
    expect(inside.next().value).toBe(1);
    expect(isServiceUid(RECORDER_UID)).toBe(true);
    expect(isServiceUid(MAX_MEMBER_UID)).toBe(false);
    expect(RECORDER_UID).toBe(UID_SPACE);
  });
});
