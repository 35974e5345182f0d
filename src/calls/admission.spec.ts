import { AdmissionFacts, admissionRefusal, lobbyApplies, LobbyWait } from './admission';

const member = { isAdmin: false };
const admin = { isAdmin: true };
const base: AdmissionFacts = { status: 'active', isPublic: true, member: null, inCall: false, startsAt: null, endsAt: null, role: null };
const now = { now: new Date('2026-04-06T12:00:00Z'), joinEarlyMinutes: 10 };

/** The rule's verdict in words: `in`, `wait`, or the refusal's code. */
const verdict = (facts: AdmissionFacts, user = member): string => {
  const refusal = admissionRefusal(facts, user, now);
  if (refusal instanceof LobbyWait) return 'wait';
  return refusal ? refusal.code : 'in';
};

describe('the admission rule and the lobby', () => {
  it('leaves a call without lobby settings as it was', () => {
    expect(verdict(base)).toBe('in');
    expect(verdict({ ...base, lobby: false, waitForHost: false })).toBe('in');
    expect(lobbyApplies({ ...base, lobby: false, waitForHost: false }, member)).toBe(false);
  });

  it('applies to members not in the call who are neither host, moderator nor admin', () => {
    const lobby = { ...base, lobby: true };
    expect(lobbyApplies(lobby, member)).toBe(true);
    expect(lobbyApplies({ ...lobby, member: { removed: false, role: 'participant' } }, member)).toBe(true);
    expect(lobbyApplies({ ...lobby, member: { removed: false, role: 'host' } }, member)).toBe(false);
    expect(lobbyApplies({ ...lobby, member: { removed: false, role: 'moderator' } }, member)).toBe(false);
    expect(lobbyApplies(lobby, admin)).toBe(false);
    expect(lobbyApplies({ ...lobby, inCall: true }, member)).toBe(false);
  });

  it.each<[string, Partial<AdmissionFacts>, string]>([
    ['lobby, nothing read (token, heartbeat, media)', { lobby: true }, 'wait'],
    ['lobby, no entry', { lobby: true, gate: { entry: null, hostPresent: true } }, 'wait'],
    ['lobby, waiting', { lobby: true, gate: { entry: 'waiting', hostPresent: false } }, 'wait'],
    ['lobby, admitted', { lobby: true, gate: { entry: 'admitted', hostPresent: false } }, 'in'],
    ['lobby, denied', { lobby: true, gate: { entry: 'denied', hostPresent: true } }, 'LOBBY_DENIED'],
    ['wait for host, host away', { waitForHost: true, gate: { entry: null, hostPresent: false } }, 'wait'],
    ['wait for host, host in', { waitForHost: true, gate: { entry: 'waiting', hostPresent: true } }, 'in'],
    ['wait for host, admitted while the host is away', { waitForHost: true, gate: { entry: 'admitted', hostPresent: false } }, 'in'],
    ['both, host in: the host admits', { lobby: true, waitForHost: true, gate: { entry: 'waiting', hostPresent: true } }, 'wait'],
    ['both, admitted', { lobby: true, waitForHost: true, gate: { entry: 'admitted', hostPresent: false } }, 'in'],
    ['lobby, in the call already', { lobby: true, inCall: true }, 'in'],
    ['lobby, paused call', { lobby: true, status: 'paused', gate: { entry: 'admitted', hostPresent: false } }, 'CALL_PAUSED'],
    ['lobby, ended call', { lobby: true, status: 'ended' }, 'CALL_ENDED'],
    ['lobby, removed member', { lobby: true, member: { removed: true, role: 'participant' } }, 'PARTICIPANT_REMOVED'],
  ])('%s', (_name, facts, expected) => {
    expect(verdict({ ...base, ...facts })).toBe(expected);
  });

  it('answers a waiting member on other routes as anyone not in the call', () => {
    const refusal = admissionRefusal({ ...base, lobby: true }, member, now);
    expect(refusal).toBeInstanceOf(LobbyWait);
    expect(refusal?.code).toBe('NOT_A_PARTICIPANT');
    expect(refusal?.status).toBe(403);
  });

  it('refuses before a scheduled call opens first, and sends to the lobby once it is open', () => {
    const scheduled = { ...base, lobby: true, startsAt: new Date('2026-04-06T13:00:00Z'), endsAt: new Date('2026-04-06T14:00:00Z') };
    expect(admissionRefusal(scheduled, member, now)?.code).toBe('CALL_NOT_STARTED');
    expect(admissionRefusal(scheduled, member, { ...now, now: new Date('2026-04-06T12:55:00Z') })).toBeInstanceOf(LobbyWait);
  });
});
