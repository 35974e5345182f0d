import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { TimeRangeQueryDto } from '../../common/dto/time-range-query.dto';

export class SessionsExportQueryDto extends TimeRangeQueryDto {
  /** Only this call's sessions. @example 12345 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  @ApiPropertyOptional({ type: 'integer' })
  callId?: number;
}
