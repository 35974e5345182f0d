import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';

export class SessionsExportQueryDto {
  /** Sessions joined at or after this instant (ISO 8601). @example "2026-02-01T00:00:00.000Z" */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Sessions joined before this instant (ISO 8601, exclusive); not before `from`. @example "2026-03-01T00:00:00.000Z" */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  /** Only this call's sessions. @example 12345 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  @ApiPropertyOptional({ type: 'integer' })
  callId?: number;
}
