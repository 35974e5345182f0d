import type { DocumentedError } from '../common/exceptions/api-errors.decorator';
import { DomainException } from '../common/exceptions/domain.exception';
import type { MemberState } from './participation.repository';
import type { CallRole } from './entities/call-member.entity';
import { CallStatus } from './entities/call.entity';
import { powerRefusal } from './powers';
import { opensAt } from './schedule';
import type { LobbyState } from './entities/lobby-entry.entity';

/**
 * What the admission rule looks at. Every caller reads it in the round trip it makes anyway: join
 * and media switch from `ParticipationService.memberState` (under the call's lock), the token request
 * from `TokensRepository.tokenAdmission`, a heartbeat from `memberState` when it found no open
 * session to touch.
 */
export interface AdmissionFacts {
  status: CallStatus;
  isPublic: boolean;
  /** The member's row in the call (host, invited, joined before), or null. */
  member: { removed: boolean; role?: CallRole } | null;
  /** Whether the member has an open session in the call now. */
  inCall: boolean;
  // The schedule (issue 24), null when unset, and the member's role (null: no row).
  startsAt: Date | null;
  endsAt: Date | null;
  role: CallRole | null;
  /** The call's lobby settings (absent: both off). */
  lobby?: boolean;
  waitForHost?: boolean;
  /**
   * What the lobby knows of the member, read by the join only, under the call's lock, when the
   * lobby stands between them and the call (`lobbyApplies`). Absent: not read, so the member
   * cannot come in from the lobby on this route (only a join admits).
   */
  gate?: LobbyFacts;
}

/** When the rule is applied: now, and how long before `startsAt` members may join (`CALL_JOIN_EARLY_MINUTES`). */
export interface AdmissionTime {
  now: Date;
  joinEarlyMinutes: number;
}

/** The member's place at the call's door, read under the call's lock (see `LobbyService.gateOf`). */
export interface LobbyFacts {
  /** Their lobby entry while it counts (a wait not expired, an admission not expired, a denial); null when none. */
  entry: LobbyState | null;
  /** Whether the host, a moderator or an admin is in the call now (read for wait-for-host only). */
  hostPresent: boolean;
}

/**
 * The member must wait in the lobby. The join answers 202 `waiting` (and knocks); every other route
 * that applies the rule refuses as for anyone not in the call (a waiting member has no session,
 * so no token: arriving early does not skip the lobby).
 */
export class LobbyWait extends DomainException {
  constructor() {
    super('NOT_A_PARTICIPANT', 'You are not in this call: wait in the lobby until the host, a moderator or an admin admits you');
  }
}

/**
 * Whether the lobby stands between the member and the call: the call has `lobby` or
 * `waitForHost` on, the member is not in it, and is neither its host, a moderator nor an admin.
 */
export function lobbyApplies(facts: AdmissionFacts, user: { isAdmin: boolean }): boolean {
  if (!facts.lobby && !facts.waitForHost) return false;
  if (facts.inCall || user.isAdmin) return false;
  const role = facts.member && !facts.member.removed ? facts.member.role : undefined;
  return role !== 'host' && role !== 'moderator';
}

/**
 * The one admission rule, used by join, token, heartbeat and media switch: the call is not ended,
 * the member was not removed, a private call needs membership (or an admin), and a paused call
 * admits nobody new (members already in stay, renew tokens, switch media). Null when they may.
 * A scheduled call is over at its `endsAt` (for everyone, before the schedule job has ended it),
 * and admits nobody new but the host, moderators and admins before `startsAt` minus
 * `CALL_JOIN_EARLY_MINUTES` (`Retry-After`: the seconds until it opens to members). Then the lobby: where
 * it applies, a denied member is refused (`LOBBY_DENIED`), an admitted one comes in, and so does
 * everyone while the host, a moderator or an admin is in a wait-for-host call (without `lobby`);
 * anyone else waits (`LobbyWait`). Null when they may.
 */
export function admissionRefusal(facts: AdmissionFacts, user: { isAdmin: boolean }, at: AdmissionTime): DomainException | null {
  if (facts.status === 'ended') return new DomainException('CALL_ENDED', 'Call not found or ended');
  if (facts.endsAt && facts.endsAt.getTime() <= at.now.getTime()) return new DomainException('CALL_ENDED', 'The call has reached its scheduled end');
  if (facts.member?.removed) return new DomainException('PARTICIPANT_REMOVED', 'You were removed from this call');
  if (!facts.isPublic && !facts.member && !user.isAdmin) return new DomainException('CALL_PRIVATE', 'Access denied to private call');
  if (facts.status === 'paused' && !facts.inCall) return new DomainException('CALL_PAUSED', 'The call is paused: nobody new can join until it resumes');
  return notStartedRefusal(facts, user, at) ?? lobbyRefusal(facts, user);
}

/** Before a scheduled call opens to members: 409 `CALL_NOT_STARTED` for a member not in it who does not run the call. */
function notStartedRefusal(facts: AdmissionFacts, user: { isAdmin: boolean }, at: AdmissionTime): DomainException | null {
  if (!facts.startsAt || facts.inCall) return null;
  const opens = opensAt(facts.startsAt, at.joinEarlyMinutes);
  if (opens.getTime() <= at.now.getTime() || powerRefusal('moderate', facts.role, user, 'join before the start') === null) return null;
  const retryAfterSeconds = Math.ceil((opens.getTime() - at.now.getTime()) / 1000);
  return new DomainException('CALL_NOT_STARTED', `The call opens at ${opens.toISOString()} (${at.joinEarlyMinutes} minutes before it starts at ${facts.startsAt.toISOString()})`, { retryAfterSeconds });
}

/** At the lobby (once the call is open to the member): denied, admitted, let in with the host present, or waiting. */
function lobbyRefusal(facts: AdmissionFacts, user: { isAdmin: boolean }): DomainException | null {
  if (lobbyApplies(facts, user)) {
    const gate = facts.gate;
    if (gate?.entry === 'denied') return new DomainException('LOBBY_DENIED');
    if (gate?.entry === 'admitted') return null;
    if (gate && !facts.lobby && gate.hostPresent) return null;
    return new LobbyWait();
  }
  return null;
}

/** A join that finds no free slot: the call holds `maxParticipants` already. */
export function callFullRefusal(maxParticipants: number): DomainException {
  return new DomainException('CALL_FULL', `Call is full (${maxParticipants} participants)`);
}

/** What `admissionRefusal` can answer, for the routes that apply it to document (`@ApiErrors`). */
export const ADMISSION_REFUSALS = [
  { code: 'CALL_ENDED', when: 'The call has ended' },
  { code: 'PARTICIPANT_REMOVED', when: 'The caller was removed from this call' },
  { code: 'CALL_PRIVATE', when: 'A private call the caller is not a member of (admins pass)' },
  { code: 'CALL_PAUSED', when: 'The call is paused and the caller is not in it: nobody new joins until it resumes' },
  { code: 'CALL_NOT_STARTED', when: 'A scheduled call not open to members yet (Retry-After: seconds until it opens); the host, moderators and admins pass' },
] as const satisfies readonly DocumentedError[];

/** The rule's input from a member's state (`CallsRepository.memberState`). */
export function factsOf(state: MemberState): AdmissionFacts {
  return {
    status: state.call.status,
    isPublic: state.call.isPublic,
    member: state.member,
    inCall: state.open !== null,
    startsAt: state.call.startsAt,
    endsAt: state.call.endsAt,
    role: state.member && !state.member.removed ? state.member.role : null,
    lobby: state.call.lobby,
    waitForHost: state.call.waitForHost,
  };
}
