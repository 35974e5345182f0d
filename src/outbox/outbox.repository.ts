import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CallEvent } from './entities/call-event.entity';
import { NewEvent } from './event-types';

/**
 * The outbox's writes (`call_events`, this module's table): a new event row, and the retention
 * job's purge of those done with. What reads the rows (delivery, streams, the admin list) is the
 * events feature's EventsRepository.
 */
@Injectable()
export class OutboxRepository {
  /** One event row in the caller's transaction (one INSERT, no read-back). */
  async insert(manager: EntityManager, event: NewEvent): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(CallEvent)
      .values({
        type: event.type,
        callId: event.callId,
        userId: event.userId ?? null,
        actorId: event.actorId ?? null,
        reason: null,
        data: event.data ? JSON.stringify(event.data) : null,
        occurredAt: event.occurredAt,
        status: 'pending',
        attempts: 0,
        firstAttemptAt: null,
        nextAttemptAt: null,
        deliveredAt: null,
        lastError: null,
      })
      .updateEntity(false)
      .execute();
  }

  /**
   * One batch of events that occurred before the cutoff and are done with: delivered, or any
   * status when webhooks are off (nothing will ever send them). The number deleted.
   */
  async purgeBatch(manager: EntityManager, cutoff: Date, anyStatus: boolean, limit: number): Promise<{ picked: number; deleted: number }> {
    const query = manager.getRepository(CallEvent).createQueryBuilder('e').select(['e.id']).where('e.occurred_at < :cutoff', { cutoff }).orderBy('e.occurredAt', 'ASC').take(limit);
    if (!anyStatus) query.andWhere("e.status = 'delivered'");
    const ids = (await query.getMany()).map((row) => row.id);
    if (ids.length === 0) return { picked: 0, deleted: 0 };
    const result = await manager.createQueryBuilder().delete().from(CallEvent).where('id IN (:...ids)', { ids }).execute();
    return { picked: ids.length, deleted: result.affected ?? 0 };
  }

  /**
   * Ids of events that name the member (after `afterId`, oldest first, at most `limit`): about
   * them, made by them, or naming them in `data` (`{"user_id":n}`, as `EventsOutbox.record`
   * writes a member there). A plain read: the deletes go in short transactions of their own.
   */
  async idsNaming(userId: number, afterId: number, limit: number, manager: EntityManager): Promise<number[]> {
    const rows = await manager
      .getRepository(CallEvent)
      .createQueryBuilder('e')
      .select(['e.id'])
      .where('e.id > :afterId', { afterId })
      .andWhere("(e.user_id = :userId OR e.actor_id = :userId OR e.data LIKE :named ESCAPE '!')", { userId, named: `%{"user!_id":${userId}}%` })
      .orderBy('e.id', 'ASC')
      .take(limit)
      .getMany();
    return rows.map((row) => row.id);
  }

  /** Deletes these events whatever their delivery state: the number deleted. */
  async deleteEvents(manager: EntityManager, ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    return (await manager.createQueryBuilder().delete().from(CallEvent).where('id IN (:...ids)', { ids }).execute()).affected ?? 0;
  }
}
