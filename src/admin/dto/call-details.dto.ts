import { ApiProperty, OmitType } from '@nestjs/swagger';
import { CallRowDto } from '../../calls/dto/call-row.dto';
import type { CallRole } from '../../calls/entities/call-member.entity';
import type { CallMedia } from '../../calls/entities/call-session.entity';
import type { CallEndedBy } from '../../calls/entities/call.entity';

/** The call row as members see it (without their role and live count), plus how it ended. */
export class AdminCallDto extends OmitType(CallRowDto, ['role', 'participant_count'] as const) {
  /** @example "2023-12-01T11:30:00.000Z" */
  ended_at: string | null;
  /** host, admin, system (idle) or schedule (its ends_at). @example "admin" */
  ended_by: CallEndedBy | null;
}

export class AdminParticipantDto {
  /** @example 456 */
  @ApiProperty({ type: 'integer' })
  user_id: number;
  /** @example "OTO#K7Q2ZD" */
  oto_number: string;
  /** @example "host" */
  role: CallRole;
  /** @example "2023-12-01T10:00:00.000Z" */
  joined_at: string;
  /** Null while the session is open. @example "2023-12-01T11:30:00.000Z" */
  left_at: string | null;
  /** Null while the session is open. @example 5400 */
  @ApiProperty({ type: 'integer', nullable: true })
  duration_seconds: number | null;
  /** Media at the end of the session (or now). @example "video" */
  media: CallMedia;
  /** left, removed, call_ended, or a presence reason. @example "call_ended" */
  leave_reason: string | null;
}

export class AdminCallStatsDto {
  /** Distinct members who joined. @example 12 */
  @ApiProperty({ type: 'integer' })
  total_participants: number;
  /** Most members present at once. @example 8 */
  @ApiProperty({ type: 'integer' })
  peak_participants: number;
  /** From creation to end (or to now while active). @example 5400 */
  @ApiProperty({ type: 'integer' })
  total_duration_seconds: number;
  /** Summed audio segments, open ones counted up to now. @example 850 */
  audio_minutes_consumed: number;
  /** @example 720 */
  video_minutes_consumed: number;
}

export class CallDetailsDto {
  call: AdminCallDto;
  /** One row per participation session, oldest first. */
  participants: AdminParticipantDto[];
  stats: AdminCallStatsDto;
}
