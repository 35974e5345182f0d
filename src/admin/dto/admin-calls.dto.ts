import { ApiProperty } from '@nestjs/swagger';
import { CALL_MODES, CALL_STATUSES, ENCRYPTION_MODES } from '../../calls/call-fields';
import type { CallEndedBy, CallMode, CallStatus, MediaEncryptionMode } from '../../calls/entities/call.entity';

/** One call in the admin list (spec row names, snake_case). */
export class AdminCallRowDto {
  /** @example 12345 */
  @ApiProperty({ type: 'integer' })
  id: number;
  /** @example "Weekly Team Meeting" */
  title: string;
  /** @example "call_1672531200_abc123xyz" */
  channel_name: string;
  /** @example 456 */
  @ApiProperty({ type: 'integer' })
  creator_id: number;
  /** The creator's OTO# number; null if this service has no row for them. @example "OTO#K7Q2ZD" */
  creator_oto_number: string | null;
  /** @example false */
  is_public: boolean;
  /** @example 25 */
  @ApiProperty({ type: 'integer' })
  max_participants: number;
  /** @example "active" */
  @ApiProperty({ enum: CALL_STATUSES })
  status: CallStatus;
  /** Members in the call right now (as in my-calls rows). @example 8 */
  @ApiProperty({ type: 'integer' })
  participant_count: number;
  /** The most members present at once so far. @example 12 */
  @ApiProperty({ type: 'integer' })
  peak_participants: number;
  /** @example "2023-12-01T10:00:00.000Z" */
  created_at: string;
  /** @example null */
  ended_at: string | null;
  /** host, admin, system (idle) or schedule (its ends_at). @example null */
  ended_by: CallEndedBy | null;
  /** When the call opens to members; null without a start. @example "2026-01-08T18:00:00.000Z" */
  starts_at: string | null;
  /** When the call ends by itself; null without a scheduled end. @example "2026-01-08T19:30:00.000Z" */
  ends_at: string | null;

  // ---- the lobby (issue 24)

  /** @example false */
  lobby: boolean;
  /** @example false */
  wait_for_host: boolean;

  /** `conference` or `stage`. @example "conference" */
  @ApiProperty({ enum: [...CALL_MODES] })
  mode: CallMode;
  /** Stages: how many members may publish; null on a conference. @example null */
  @ApiProperty({ type: 'integer', nullable: true })
  max_speakers: number | null;
  /** Stages: the members who may publish now; null on a conference. @example null */
  @ApiProperty({ type: 'integer', nullable: true })
  speaker_count: number | null;
  /** Agora's media encryption (issue 26); the mode only. @example "none" */
  @ApiProperty({ enum: [...ENCRYPTION_MODES] })
  encryption: MediaEncryptionMode;
}

export class AdminCallsPageDto {
  /** Newest first (created_at, then id, descending). */
  calls: AdminCallRowDto[];
  /** Pass as `cursor` for the next page; null on the last page. @example "MTc2NDAyOTkwMDAwMC40Mg" */
  nextCursor: string | null;
}
