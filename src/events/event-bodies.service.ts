import { Injectable } from '@nestjs/common';
import { UsersService } from '../auth/users.service';
import type { CallEvent } from '../outbox/entities/call-event.entity';
import { EventBody, EventMember, eventId, EventType } from '../outbox/event-types';

const UNKNOWN_OTO = 'OTO#UNKNWN';

type MemberRef = { user_id: number };
const isMemberRef = (value: unknown): value is MemberRef =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as MemberRef).user_id === 'number' && Object.keys(value).length === 1;

/**
 * Turns outbox rows into the bodies sent: `{ id, type, occurredAt, callId, data }`, members as
 * `{ user_id, oto_number }` only (`data.member` the member it is about, `data.by` who did it,
 * `data.reason` why a participant left). OTO# numbers are read once per batch.
 */
@Injectable()
export class EventBodies {
  constructor(private readonly users: UsersService) {}

  async compose(rows: CallEvent[]): Promise<Map<number, EventBody>> {
    const extra = new Map(rows.map((row) => [row.id, row.data ? (JSON.parse(row.data) as Record<string, unknown>) : {}]));
    const ids = new Set<number>();
    for (const row of rows) {
      if (row.userId !== null) ids.add(row.userId);
      if (row.actorId !== null) ids.add(row.actorId);
      for (const value of Object.values(extra.get(row.id)!)) if (isMemberRef(value)) ids.add(value.user_id);
    }
    const otos = await this.users.otoNumbers([...ids]);
    const member = (userId: number): EventMember => ({ user_id: userId, oto_number: otos.get(userId) ?? UNKNOWN_OTO });
    const bodies = new Map<number, EventBody>();
    for (const row of rows) {
      const data: Record<string, unknown> = {};
      if (row.userId !== null) data.member = member(row.userId);
      if (row.actorId !== null) data.by = member(row.actorId);
      if (row.reason !== null) data.reason = row.reason;
      for (const [key, value] of Object.entries(extra.get(row.id)!)) data[key] = isMemberRef(value) ? member(value.user_id) : value;
      bodies.set(row.id, { id: eventId(row.id), type: row.type as EventType, occurredAt: row.occurredAt.toISOString(), callId: row.callId, data });
    }
    return bodies;
  }
}
