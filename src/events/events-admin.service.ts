import { Injectable } from '@nestjs/common';
import { AdminEventDto, AdminEventsPageDto, AdminEventsQueryDto } from './dto/admin-events.dto';
import { eventId, EventType, outboxIdOf } from '../outbox/event-types';
import { EventsRepository } from './events.repository';
import { iso } from '../common/iso';

/** What admins see of the outbox. */
@Injectable()
export class EventsAdminService {
  constructor(private readonly repository: EventsRepository) {}

  async list(query: AdminEventsQueryDto): Promise<AdminEventsPageDto> {
    const limit = query.limit ?? 50;
    const rows = await this.repository.page(query.status ?? 'failed', outboxIdOf(query.cursor) ?? undefined, limit + 1);
    const page = rows.slice(0, limit);
    const events: AdminEventDto[] = page.map((row) => ({
      id: eventId(row.id),
      type: row.type as EventType,
      callId: row.callId,
      occurredAt: row.occurredAt.toISOString(),
      status: row.status,
      attempts: row.attempts,
      firstAttemptAt: iso(row.firstAttemptAt),
      nextAttemptAt: iso(row.nextAttemptAt),
      deliveredAt: iso(row.deliveredAt),
      lastError: row.lastError,
    }));
    return { events, nextCursor: rows.length > limit ? eventId(page[page.length - 1].id) : null };
  }
}
