import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export type AnalyticsGroupBy = 'day' | 'week' | 'month';

export class AnalyticsQueryDto {
  /** Days to include, counting today (UTC). @example 30 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  @ApiPropertyOptional({ type: 'integer' })
  days?: number = 30;

  /** Bucket size; weeks start on Monday. @example "day" */
  @IsOptional()
  @IsIn(['day', 'week', 'month'])
  groupBy?: AnalyticsGroupBy = 'day';
}
