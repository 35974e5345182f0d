import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { CodePointLength, MaxCodePoints } from '../../common/validation/code-point-length.decorator';
import { OptionalInstant } from '../../common/validation/instant.decorator';
import { CALL_DESCRIPTION_MAX_LENGTH, CALL_TITLE_MAX_LENGTH } from '../entities/call.entity';

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
   * At most this many members in the call at once (2-500).
   * @example 25
   */
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(500)
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
}
