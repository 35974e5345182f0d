import { ApiProperty } from '@nestjs/swagger';
import type { CallRole } from '../entities/call-member.entity';
import type { CallMedia } from '../entities/call-session.entity';
import { CALL_STATUSES, type CallStatus } from '../entities/call.entity';

/** A call in the spec's snake_case row shape, with the caller's role and live head count. */
export class CallRowDto {
  /** @example 12345 */
  @ApiProperty({ type: 'integer' })
  id: number;
  /** @example "Weekly Team Meeting" */
  title: string;
  /** @example "Discuss project progress" */
  description: string | null;
  /** @example "call_1672531200_abc123xyz" */
  channel_name: string;
  /** @example 456 */
  @ApiProperty({ type: 'integer' })
  creator_id: number;
  /** @example false */
  is_public: boolean;
  /** @example 25 */
  @ApiProperty({ type: 'integer' })
  max_participants: number;
  /** @example "active" */
  @ApiProperty({ enum: CALL_STATUSES })
  status: CallStatus;
  /** @example "2023-12-01T10:00:00.000Z" */
  created_at: string;
  /** The caller's role in the call: host, moderator or participant; null for a public call they have no place in. @example "host" */
  role: CallRole | null;
  /** Members in the call right now. @example 8 */
  @ApiProperty({ type: 'integer' })
  participant_count: number;
  /** When the call opens to members (they may join a few minutes before); null for a call without a start. @example "2026-01-08T18:00:00.000Z" */
  starts_at: string | null;
  /** When the call ends by itself (`ended_by` schedule); null for a call without a scheduled end. @example "2026-01-08T19:30:00.000Z" */
  ends_at: string | null;
}

export class MutedFlagsDto {
  /** @example false */
  audio: boolean;
  /** @example false */
  video: boolean;
}

export class ActiveParticipantDto {
  /** @example "OTO#K7Q2ZD" */
  oto_number: string;
  /** @example "participant" */
  role: CallRole;
  /** @example "2023-12-01T10:00:00.000Z" */
  joined_at: string;
  /** @example "video" */
  media: CallMedia;
  /** Whether a host, moderator or admin muted the participant's audio or video. */
  muted: MutedFlagsDto;
}

export class CallDetailDto extends CallRowDto {
  /** @example null */
  ended_at: string | null;
  /** True while a recording of the call is starting, running or stopping (only consenting members are recorded). @example false */
  recording: boolean;
  /** Who is in the call now, by OTO# number only. */
  participants: ActiveParticipantDto[];
}
