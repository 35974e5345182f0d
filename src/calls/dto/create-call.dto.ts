import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { CodePointLength, MaxCodePoints } from '../../common/validation/code-point-length.decorator';
import { STAGE_PARTICIPANTS_CEILING } from '../../config/stage.config';
import { CALL_DESCRIPTION_MAX_LENGTH, CALL_MODES, CALL_TITLE_MAX_LENGTH, type CallMode } from '../entities/call.entity';
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
}
