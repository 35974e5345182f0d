import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CallEvent, EventStatus } from '../outbox/entities/call-event.entity';

/** The outbox's table (its entity is the outbox module's). */
const EVENTS = 'call_events';

/**
 * The outbox's SQL (`call_events`): what the delivery job sends next, what it learnt, what a
 * member stream replays or tails, what an admin lists, and what retention deletes. The rows
 * themselves are written by EventsOutbox and the `call_sessions` triggers.
 */
@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The next event of each call that waits for delivery, where it is due: a call's later events
   * wait behind its earliest pending one (retrying or not), other calls proceed. `skip`: ids
   * this run has tried already.
   */
  dueHeads(now: Date, limit: number, skip: number[]): Promise<CallEvent[]> {
    const query = this.dataSource
      .getRepository<CallEvent>(EVENTS)
      .createQueryBuilder('e')
      .where("e.status = 'pending'")
      .andWhere('(e.next_attempt_at IS NULL OR e.next_attempt_at <= :now)', { now })
      .andWhere("NOT EXISTS (SELECT 1 FROM call_events p WHERE p.status = 'pending' AND p.call_id = e.call_id AND p.id < e.id)")
      .orderBy('e.id', 'ASC')
      .take(limit);
    if (skip.length > 0) query.andWhere('e.id NOT IN (:...skip)', { skip });
    return query.getMany();
  }

  /** A 2xx: delivered (unless another delivery got there first). */
  async markDelivered(manager: EntityManager, id: number, at: Date, firstAttemptAt: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update<CallEvent>(EVENTS)
      .set({ status: 'delivered', deliveredAt: at, attempts: () => 'attempts + 1', firstAttemptAt, nextAttemptAt: null, lastError: null })
      .where("id = :id AND status = 'pending'", { id })
      .execute();
  }

  /** A failed attempt: retried at `nextAttemptAt`, or `failed` for good (nextAttemptAt null). */
  async markAttemptFailed(manager: EntityManager, id: number, firstAttemptAt: Date, nextAttemptAt: Date | null, error: string): Promise<void> {
    await manager
      .createQueryBuilder()
      .update<CallEvent>(EVENTS)
      .set({ status: nextAttemptAt ? 'pending' : 'failed', attempts: () => 'attempts + 1', firstAttemptAt, nextAttemptAt, lastError: error.slice(0, 200) })
      .where("id = :id AND status = 'pending'", { id })
      .execute();
  }

  /** Events after `afterId` that occurred at or after `since`, in id order (member streams). */
  after(afterId: number, since: Date, limit: number): Promise<CallEvent[]> {
    return this.dataSource
      .getRepository<CallEvent>(EVENTS)
      .createQueryBuilder('e')
      .where('e.id > :afterId AND e.occurred_at >= :since', { afterId, since })
      .orderBy('e.id', 'ASC')
      .take(limit)
      .getMany();
  }

  /** These events, by id (a stream's tail looks again at ids it saw missing). */
  byIds(ids: number[]): Promise<CallEvent[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository<CallEvent>(EVENTS).createQueryBuilder('e').where('e.id IN (:...ids)', { ids }).orderBy('e.id', 'ASC').getMany();
  }

  /** The newest event id (0 when none): where a tail starts. */
  async lastId(): Promise<number> {
    const row = await this.dataSource.getRepository<CallEvent>(EVENTS).createQueryBuilder('e').select('MAX(e.id)', 'id').getRawOne<{ id: number | string | null }>();
    return Number(row?.id ?? 0);
  }

  /** A page of events in a delivery status, newest first, before the cursor id. */
  page(status: EventStatus, beforeId: number | undefined, limit: number): Promise<CallEvent[]> {
    const query = this.dataSource.getRepository<CallEvent>(EVENTS).createQueryBuilder('e').where('e.status = :status', { status }).orderBy('e.id', 'DESC').take(limit);
    if (beforeId !== undefined) query.andWhere('e.id < :beforeId', { beforeId });
    return query.getMany();
  }
}
