import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { PageLimit } from '../../common/dto/page-limit.decorator';

export class RaiseHandDto {
  /** `true` raises the caller's hand, `false` lowers it. @example true */
  @IsBoolean()
  raised: boolean;
}

export class HandDto {
  /** @example true */
  success: boolean;
  /** Whether the caller's hand is up after this request. @example true */
  raised: boolean;
  /** When it went up (raising it again keeps this time, and its place in the queue); null when it is down. @example "2026-01-05T09:00:00.000Z" */
  @ApiProperty({ type: 'string', nullable: true })
  raised_at: string | null;
}

export class HandsQueryDto {
  /** How many hands to list, oldest first (1-1000). @example 100 */
  @PageLimit(1000)
  limit?: number = 100;
}

export class RaisedHandDto {
  /** @example "OTO#K7Q2ZD" */
  oto_number: string;
  /** @example "2026-01-05T09:00:00.000Z" */
  raised_at: string;
}

export class RaisedHandsDto {
  /** Raised hands of listeners in the call now, oldest first (at most `limit`). */
  hands: RaisedHandDto[];
  /** All raised hands in the call now. @example 1 */
  @ApiProperty({ type: 'integer' })
  total: number;
}
