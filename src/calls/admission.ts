import type { DocumentedError } from '../common/exceptions/api-errors.decorator';
import { DomainException } from '../common/exceptions/domain.exception';
import type { MemberState } from './participation.repository';
import { CallStatus } from './entities/call.entity';

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
  member: { removed: boolean } | null;
  /** Whether the member has an open session in the call now. */
  inCall: boolean;
}

/**
 * The one admission rule, used by join, token, heartbeat and media switch: the call is not ended,
 * the member was not removed, a private call needs membership (or an admin), and a paused call
 * admits nobody new (members already in stay, renew tokens, switch media). Null when they may.
 */
export function admissionRefusal(facts: AdmissionFacts, user: { isAdmin: boolean }): DomainException | null {
  if (facts.status === 'ended') return new DomainException('CALL_ENDED', 'Call not found or ended');
  if (facts.member?.removed) return new DomainException('PARTICIPANT_REMOVED', 'You were removed from this call');
  if (!facts.isPublic && !facts.member && !user.isAdmin) return new DomainException('CALL_PRIVATE', 'Access denied to private call');
  if (facts.status === 'paused' && !facts.inCall) return new DomainException('CALL_PAUSED', 'The call is paused: nobody new can join until it resumes');
  return null;
}

/** What `admissionRefusal` can answer, for the routes that apply it to document (`@ApiErrors`). */
export const ADMISSION_REFUSALS = [
  { code: 'CALL_ENDED', when: 'The call has ended' },
  { code: 'PARTICIPANT_REMOVED', when: 'The caller was removed from this call' },
  { code: 'CALL_PRIVATE', when: 'A private call the caller is not a member of (admins pass)' },
  { code: 'CALL_PAUSED', when: 'The call is paused and the caller is not in it: nobody new joins until it resumes' },
] as const satisfies readonly DocumentedError[];

/** The rule's input from a member's state (`CallsRepository.memberState`). */
export function factsOf(state: MemberState): AdmissionFacts {
  return { status: state.call.status, isPublic: state.call.isPublic, member: state.member, inCall: state.open !== null };
}
