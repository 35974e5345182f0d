import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Call } from '../calls/entities/call.entity';

const CALLS = 'calls';
/** What goes with an ended call, children first: segments, sessions, members, uid bindings, mute rules, rings, the lobby. */
type CallRows = 'call_media_segments' | 'call_sessions' | 'call_members' | 'call_uid_bindings' | 'call_mute_rules' | 'call_rings' | 'call_lobby';

/**
 * The retention job's SQL over ended calls: which are due, and deleting each with every row of
 * theirs. The only statements that delete calls; the other tables' own purges (notices,
 * recordings, events) belong to their features.
 */
@Injectable()
export class RetentionRepository {
  /**
   * A batch of ended calls whose `ended_at` is before the cutoff, after the cursor in
   * (created_at, id) order. A call ends after it starts, so every such call was created before
   * the cutoff too: the batch walks the (status, created_at) index and filters on `ended_at`.
   */
  endedCallsBefore(manager: EntityManager, cutoff: Date, after: { createdAt: Date; id: number }, limit: number): Promise<Array<Pick<Call, 'id' | 'createdAt'>>> {
    return manager
      .getRepository<Call>(CALLS)
      .createQueryBuilder('c')
      .select(['c.id', 'c.createdAt'])
      .where("c.status = 'ended'")
      .andWhere('c.created_at >= :afterAt AND c.created_at < :cutoff', { afterAt: after.createdAt, cutoff })
      // Never a row analytics has not counted yet.
      .andWhere('c.analytics_state = 2')
      .andWhere('NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = c.id AND s.folded_at IS NULL)')
      .andWhere('NOT EXISTS (SELECT 1 FROM call_media_segments g WHERE g.call_id = c.id AND g.folded_at IS NULL)')
      .andWhere('(c.created_at > :afterAt OR c.id > :afterId)', { afterId: after.id })
      .andWhere('c.ended_at < :cutoff')
      .orderBy('c.createdAt', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Deletes ended calls with every row of theirs, children first. Counts what went. */
  async deleteEndedCalls(manager: EntityManager, ids: number[]): Promise<{ calls: number; sessions: number; segments: number; members: number; bindings: number }> {
    const byCall = async (table: CallRows) => (await manager.createQueryBuilder().delete().from(table).where('call_id IN (:...ids)', { ids }).execute()).affected ?? 0;
    const segments = await byCall('call_media_segments');
    const sessions = await byCall('call_sessions');
    const members = await byCall('call_members');
    const bindings = await byCall('call_uid_bindings');
    // Agora's own rules expire with the token lifetime; what is kept of them goes with the call.
    await byCall('call_mute_rules');
    await byCall('call_rings');
    // Who knocked at the call's door (issue 24).
    await byCall('call_lobby');
    const calls = (await manager.createQueryBuilder().delete().from(CALLS).where("id IN (:...ids) AND status = 'ended'", { ids }).execute()).affected ?? 0;
    return { calls, sessions, segments, members, bindings };
  }

}
