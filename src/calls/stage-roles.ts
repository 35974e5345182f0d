import { DomainException } from '../common/exceptions/domain.exception';
import type { CallRole } from './entities/call-member.entity';
import type { CallMode } from './entities/call.entity';

/**
 * The stage rules beside the admission and powers rules (issue 25), used by create, edit, join,
 * the token path and the stage routes (src/stage/):
 *
 * - A call is a `conference` (everyone in it may publish, at most 500 members) or a `stage`
 *   (at most STAGE_MAX_PARTICIPANTS members), fixed at create.
 * - On a stage, the members who may publish are its speakers: the host and the moderators
 *   always, and the members a host, moderator or admin promoted (`call_members.speaker_at` set,
 *   for all of them). Everyone else listens. `max_speakers` (1 .. 32, default 16) caps them all.
 */
export type StageRole = 'speaker' | 'listener';
export const STAGE_ROLES: StageRole[] = ['speaker', 'listener'];

/** The most members a conference holds. */
export const CONFERENCE_MAX_PARTICIPANTS = 500;
export const MIN_SPEAKERS = 1;
export const MAX_SPEAKERS = 32;
export const DEFAULT_MAX_SPEAKERS = 16;

/** A member's stage role in a call: null on a conference, where the notion does not apply. */
export function stageRoleOf(mode: CallMode, member: { speaker: boolean } | null): StageRole | null {
  if (mode !== 'stage') return null;
  return member?.speaker ? 'speaker' : 'listener';
}

/** Whether a role is a speaker by itself (the host and moderators are, on a stage). */
export function speaksByRole(role: CallRole): boolean {
  return role === 'host' || role === 'moderator';
}

/**
 * The refusal (400 VALIDATION_FAILED) of a cap the call's mode does not allow: a conference
 * holds 2 .. 500, a stage 2 .. `stageMax` (STAGE_MAX_PARTICIPANTS). Null when it fits.
 */
export function capacityRefusal(mode: CallMode, maxParticipants: number, stageMax: number): DomainException | null {
  if (mode === 'stage' && maxParticipants > stageMax) {
    return new DomainException('VALIDATION_FAILED', `maxParticipants must not be greater than ${stageMax} for a stage (STAGE_MAX_PARTICIPANTS)`);
  }
  if (mode === 'conference' && maxParticipants > CONFERENCE_MAX_PARTICIPANTS) {
    return new DomainException('VALIDATION_FAILED', `maxParticipants must not be greater than ${CONFERENCE_MAX_PARTICIPANTS} for a conference (a stage, mode "stage", may hold up to ${stageMax})`);
  }
  return null;
}

/** A new call's stage fields from the create request: the mode, and on a stage the speaker cap and count (the host is its first speaker). */
export function stageFieldsOf(
  dto: { mode?: CallMode; maxSpeakers?: number; maxParticipants?: number },
  stageMax: number,
  defaultMaxParticipants: number,
): { mode: CallMode; maxSpeakers: number | null; speakerCount: number | null } {
  const mode = dto.mode ?? 'conference';
  if (mode !== 'stage' && dto.maxSpeakers !== undefined) throw new DomainException('VALIDATION_FAILED', 'maxSpeakers is for stage calls only (mode "stage")');
  const refusal = capacityRefusal(mode, dto.maxParticipants ?? defaultMaxParticipants, stageMax);
  if (refusal) throw refusal;
  return mode === 'stage' ? { mode, maxSpeakers: dto.maxSpeakers ?? DEFAULT_MAX_SPEAKERS, speakerCount: 1 } : { mode, maxSpeakers: null, speakerCount: null };
}
