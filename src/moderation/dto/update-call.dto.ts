import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { CodePointLength, MaxCodePoints } from '../../common/validation/code-point-length.decorator';
import { OptionalInstant } from '../../common/validation/instant.decorator';
import { CALL_DESCRIPTION_MAX_LENGTH, CALL_TITLE_MAX_LENGTH, ENCRYPTION_MODES } from '../../calls/call-fields';
import type { MediaEncryptionMode } from '../../calls/entities/call.entity';
import { STAGE_PARTICIPANTS_CEILING } from '../../config/stage.config';
import { MAX_SPEAKERS, MIN_SPEAKERS } from '../../calls/stage-roles';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/**
 * What a host may change on a call, each field validated as on create. Omitted fields stay as
 * they are (no defaults here, unlike CreateCallDto).
 */
export class UpdateCallDto {
  /** Surrounding spaces are trimmed. @example "Weekly Team Meeting (moved)" */
  @IsOptional()
  @Transform(trim)
  @IsString()
  @CodePointLength(1, CALL_TITLE_MAX_LENGTH)
  title?: string;

  /** null clears it. @example "Agenda: progress, then next steps" */
  @IsOptional()
  @IsString()
  @MaxCodePoints(CALL_DESCRIPTION_MAX_LENGTH)
  description?: string | null;

  /** @example true */
  @IsOptional()
  @IsBoolean()
  isPublic?: boolean;

  /** 2-500 on a conference, 2-STAGE_MAX_PARTICIPANTS on a stage, and not below the number of members in the call now. @example 30 */
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(STAGE_PARTICIPANTS_CEILING)
  @ApiPropertyOptional({ type: 'integer' })
  maxParticipants?: number;

  // The schedule (issue 24): null clears a field; reminders follow a moved instant.

  @OptionalInstant(
    'Moves (or sets) the start, in the future; null opens the call now. Once startsAt has passed it cannot change: 409 CALL_ALREADY_STARTED.',
    '2026-01-08T18:30:00Z',
  )
  startsAt?: string | null;

  @OptionalInstant('Moves (or sets) the scheduled end, with the create rules (after startsAt and now, at most 24 hours after startsAt); null removes it.', '2026-01-08T20:00:00Z')
  endsAt?: string | null;
  // ---- the lobby (issue 24)

  /** Turns the lobby on or off; members already in the call stay. @example true */
  @IsOptional()
  @IsBoolean()
  lobby?: boolean;

  /** Turns wait-for-host on or off; members already in the call stay. @example false */
  @IsOptional()
  @IsBoolean()
  waitForHost?: boolean;
  /** Stages only (400 on a conference): 1-32, and not below the stage's speakers now. @example 20 */
  @IsOptional()
  @IsInt()
  @Min(MIN_SPEAKERS)
  @Max(MAX_SPEAKERS)
  @ApiPropertyOptional({ type: 'integer' })
  maxSpeakers?: number;

  /**
   * Changes the media encryption (issue 26) only while nobody is in the call and no recording
   * runs (else 409 `CALL_IN_PROGRESS`); 400 `ENCRYPTION_UNAVAILABLE` without MEDIA_KEY_SECRET.
   * @example "aes-128-gcm2"
   */
  @IsOptional()
  @IsIn(ENCRYPTION_MODES)
  @ApiPropertyOptional({ enum: [...ENCRYPTION_MODES] })
  encryption?: MediaEncryptionMode;
}
