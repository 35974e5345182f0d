import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { PageLimit } from '../../common/dto/page-limit.decorator';
import type { CallsScope } from '../calls.repository';
import { CALL_STATUSES, CallStatus } from '../entities/call.entity';

export class MyCallsQueryDto {
  /** Number of calls to return (1-100). @example 20 */
  @PageLimit(100)
  limit?: number = 20;

  /** Only calls in this status. @example "active" */
  @IsOptional()
  @IsIn(CALL_STATUSES)
  status?: CallStatus;

  /**
   * `all` (the default): the caller's calls and every public call that is active or paused
   * (`role: null` where they have no place). `mine`: only calls the caller created, was invited
   * to, or joined. @example "mine"
   */
  @IsOptional()
  @IsIn(['all', 'mine'])
  scope?: CallsScope = 'all';

  /**
   * `true`: only upcoming calls, those whose `starts_at` is still in the future (and not ended),
   * soonest first, within `scope` and `status`. @example true
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'upcoming must be true or false' })
  @ApiPropertyOptional({ type: 'boolean', default: false })
  upcoming?: boolean;
}
