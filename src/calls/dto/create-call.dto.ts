import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { CodePointLength, MaxCodePoints } from '../../common/validation/code-point-length.decorator';
import { OptionalInstant } from '../../common/validation/instant.decorator';
import { STAGE_PARTICIPANTS_CEILING } from '../../config/stage.config';
import { CALL_DESCRIPTION_MAX_LENGTH, CALL_MODES, CALL_TITLE_MAX_LENGTH, ENCRYPTION_MODES, type CallMode, type MediaEncryptionMode } from '../entities/call.entity';
import { MAX_SPEAKERS, MIN_SPEAKERS } from '../stage-roles';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** A new call. The defaults (private, 50) are applied by CallsService.create, so UpdateCallDto can reuse these fields without them. */
export class CreateCallDto {
  /**
   * Shown to members; surrounding spaces are trimmed.
   * @example "Weekly Team Meeting"
   */
  @Transform(trim)
  @IsString()
  @CodePointLength(1, CALL_TITLE_MAX_LENGTH)
  title: string;

  /** @example "Discuss project progress and next steps" */
  @IsOptional()
  @IsString()
  @MaxCodePoints(CALL_DESCRIPTION_MAX_LENGTH)
  description?: string | null;

  /**
   * Public calls admit any member; private calls only the host, invited members and admins.
   * @example false
   */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ default: false })
  isPublic?: boolean;

  /**
   * At most this many members in the call at once: 2-500 for a conference; a stage up to
   * STAGE_MAX_PARTICIPANTS (10,000 unless configured otherwise). Over its mode's cap: 400.
   * @example 25
   */
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(STAGE_PARTICIPANTS_CEILING)
  @ApiPropertyOptional({ type: 'integer', default: 50 })
  maxParticipants?: number;

  // The schedule (issue 24): both optional; a call without them is open from its creation on.

  @OptionalInstant(
    'A scheduled call: members may join from CALL_JOIN_EARLY_MINUTES (10) before this instant (the host, moderators and admins any time); `call.starting_soon` goes out CALL_REMINDER_MINUTES (10) before it. In the future.',
    '2026-01-08T18:00:00Z',
  )
  startsAt?: string | null;

  @OptionalInstant(
    'The call ends by itself at this instant (`ended_by` schedule) and no token outlives it; `call.ending_soon` goes out 5 minutes before. After startsAt and after now, at most 24 hours after startsAt (or after now without startsAt).',
    '2026-01-08T19:30:00Z',
  )
  endsAt?: string | null;
  // ---- the lobby (issue 24)

  /**
   * Members who are not the host, a moderator or an admin wait in the lobby (join answers 202
   * `waiting`) until the host, a moderator or an admin admits them. Off unless given.
   * @example false
   */
  @IsOptional()
  @IsBoolean()
  lobby?: boolean;

  /**
   * Nobody but the host, moderators and admins is admitted while none of them is in the call:
   * members who come early wait in the lobby and come in by themselves the moment one of them
   * joins (with `lobby` also on, they are admitted one by one instead). Off unless given.
   * @example false
   */
  @IsOptional()
  @IsBoolean()
  waitForHost?: boolean;
  /**
   * `conference` (when omitted): everyone in the call may publish. `stage` (issue 25): the host,
   * moderators and promoted members (speakers) publish, everyone else joins as a listener. It
   * cannot change later.
   * @example "conference"
   */
  @IsOptional()
  @IsIn(CALL_MODES)
  @ApiPropertyOptional({ enum: [...CALL_MODES] })
  mode?: CallMode;

  /**
   * Stages only (400 on a conference): how many members may publish, the host and moderators
   * included (1-32; 16 when omitted).
   * @example 16
   */
  @IsOptional()
  @IsInt()
  @Min(MIN_SPEAKERS)
  @Max(MAX_SPEAKERS)
  @ApiPropertyOptional({ type: 'integer' })
  maxSpeakers?: number;

  /**
   * Agora's built-in media encryption (issue 26): `none` (when omitted) or `aes-128-gcm2` /
   * `aes-256-gcm2`. For an encrypted call the join and token answers carry `encryption: { mode,
   * key, salt }`, which every client sets before joining the channel (a fresh key and salt each
   * time the call goes from empty to occupied). 400 `ENCRYPTION_UNAVAILABLE` when the service has
   * no MEDIA_KEY_SECRET.
   * @example "aes-256-gcm2"
   */
  @IsOptional()
  @IsIn(ENCRYPTION_MODES)
  @ApiPropertyOptional({ enum: [...ENCRYPTION_MODES] })
  encryption?: MediaEncryptionMode;
}
