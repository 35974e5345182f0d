import { ApiProperty } from '@nestjs/swagger';
import type { CallRole } from '../entities/call-member.entity';
import type { CallMedia } from '../entities/call-session.entity';
import { CALL_MODES, CALL_STATUSES, ENCRYPTION_MODES, type CallMode, type CallStatus, type MediaEncryptionMode } from '../entities/call.entity';
import { STAGE_ROLES, type StageRole } from '../stage-roles';

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

  // ---- the lobby (issue 24)

  /** Members who are not the host, a moderator or an admin wait in the lobby until admitted. @example false */
  lobby: boolean;
  /** Nobody but the host, moderators and admins is admitted while none of them is in the call. @example false */
  wait_for_host: boolean;

  /** `conference` (everyone publishes) or `stage` (speakers publish, listeners listen); fixed at create. @example "conference" */
  @ApiProperty({ enum: [...CALL_MODES] })
  mode: CallMode;
  /** Stages: how many members may publish, host and moderators included; null on a conference. @example null */
  @ApiProperty({ type: 'integer', nullable: true })
  max_speakers: number | null;
  /** Stages: the members who may publish now (in the call or not); null on a conference. @example null */
  @ApiProperty({ type: 'integer', nullable: true })
  speaker_count: number | null;
  /** Agora's media encryption (issue 26): `none`, `aes-128-gcm2` or `aes-256-gcm2`. The mode only: the key and salt go to admitted participants in the join and token answers. @example "none" */
  @ApiProperty({ enum: [...ENCRYPTION_MODES] })
  encryption: MediaEncryptionMode;
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
  /** On a stage, whether they may publish (`speaker`) or listen (`listener`); null on a conference. @example null */
  @ApiProperty({ enum: [...STAGE_ROLES], nullable: true })
  stage_role: StageRole | null;
}

export class CallDetailDto extends CallRowDto {
  /** @example null */
  ended_at: string | null;
  /** True while a recording of the call is starting, running or stopping (only consenting members are recorded). @example false */
  recording: boolean;
  /** Who is in the call now, by OTO# number only. */
  participants: ActiveParticipantDto[];
}
