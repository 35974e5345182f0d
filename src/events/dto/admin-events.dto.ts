import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageLimit } from '../../common/dto/page-limit.decorator';
import { EVENT_STATUSES, EventStatus } from '../../outbox/event-types';
import { EVENT_TYPES, EventType } from '../../outbox/event-types';

export class AdminEventsQueryDto {
  /** Events in this webhook delivery status. @example "failed" */
  @IsOptional()
  @IsIn(EVENT_STATUSES)
  status?: EventStatus = 'failed';

  /** Events per page (1-100). @example 50 */
  @PageLimit(100)
  limit?: number = 50;

  /** The `nextCursor` of the previous page: events older than this one. @example "evt_1042" */
  @IsOptional()
  @Matches(/^evt_\d{1,12}$/, { message: 'cursor must be an event id such as evt_1042' })
  cursor?: string;
}

export class AdminEventDto {
  /** @example "evt_1042" */
  id: string;
  /** @example "participant.joined" */
  @ApiProperty({ enum: EVENT_TYPES })
  type: EventType;
  /** The call; 0 for an event about no call (`member.erased`). @example 12345 */
  @ApiProperty({ type: 'integer' })
  callId: number;
  /** @example "2026-01-05T09:00:00.000Z" */
  occurredAt: string;
  /** @example "failed" */
  @ApiProperty({ enum: EVENT_STATUSES })
  status: EventStatus;
  /** Webhook POSTs tried. @example 17 */
  @ApiProperty({ type: 'integer' })
  attempts: number;
  /** @example "2026-01-05T09:00:01.000Z" */
  firstAttemptAt: string | null;
  /** When the next retry is due (pending events). @example null */
  nextAttemptAt: string | null;
  /** @example null */
  deliveredAt: string | null;
  /** What the last failed attempt met: an HTTP status, `timeout`, or a network error code. @example "status 500" */
  lastError: string | null;
}

export class AdminEventsPageDto {
  events: AdminEventDto[];
  /** Pass as `cursor` for the next page; null on the last one. @example "evt_998" */
  nextCursor: string | null;
}
