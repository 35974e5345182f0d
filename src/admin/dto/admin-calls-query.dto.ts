import { IsIn, IsISO8601, IsOptional, IsString } from 'class-validator';
import { PageLimit } from '../../common/dto/page-limit.decorator';
import { CodePointLength } from '../../common/validation/code-point-length.decorator';
import { IsKeysetCursor } from '../../common/keyset-cursor';
import { CALL_STATUSES, CALL_TITLE_MAX_LENGTH } from '../../calls/call-fields';
import type { CallStatus } from '../../calls/entities/call.entity';

export class AdminCallsQueryDto {
  /** Only calls in this status. @example "active" */
  @IsOptional()
  @IsIn(CALL_STATUSES)
  status?: CallStatus;

  /** Calls created at or after this instant (ISO 8601). @example "2026-02-01T00:00:00.000Z" */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Calls created before this instant (ISO 8601, exclusive); not before `from`. @example "2026-03-01T00:00:00.000Z" */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  /**
   * A title substring (case-insensitive), or an OTO# number (`OTO#` and 6 of A-Z 0-9, URL-encoded
   * `OTO%23K7Q2ZD`): the calls that member had a session in. @example "weekly"
   */
  @IsOptional()
  @IsString()
  @CodePointLength(1, CALL_TITLE_MAX_LENGTH)
  q?: string;

  /** Calls per page (1-200). @example 50 */
  @PageLimit(200)
  limit?: number = 50;

  /** `nextCursor` of the previous page, as it was given. @example "MTc2NDAyOTkwMDAwMC40Mg" */
  @IsOptional()
  @IsKeysetCursor()
  cursor?: string;
}
