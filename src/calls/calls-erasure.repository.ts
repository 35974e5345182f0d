import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { RawId, toInt } from '../database/raw-values';
import { CallMediaSegment } from './entities/call-media-segment.entity';
import { CallMember } from './entities/call-member.entity';
import { CallRing } from './entities/call-ring.entity';
import { CallSession } from './entities/call-session.entity';
import { Call } from './entities/call.entity';
import { LobbyEntry } from './entities/lobby-entry.entity';
import { UidBinding } from './entities/uid-binding.entity';

/** Session ids per UPDATE of their segments (a bounded IN list). */
const SEGMENT_BATCH = 500;

/**
 * The calls feature's SQL for erasing a member (src/erasure/): the calls where they have a place,
 * what is deleted per call (their membership, lobby entry, uid bindings), and the history moved
 * to an anonymous id (the calls they created, their sessions and media segments, direct-call
 * rings, lobby decisions). Every write runs in the caller's transaction.
 */
@Injectable()
export class CallsErasureRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Calls where the member has a membership, an open session, a lobby entry or a uid binding. */
  async callsWithPlaceOf(userId: number): Promise<number[]> {
    const rows: Array<{ call_id: RawId }> = await this.dataSource.query(
      `SELECT call_id FROM call_members WHERE user_id = ?
       UNION SELECT call_id FROM call_sessions WHERE user_id = ? AND open = 1
       UNION SELECT call_id FROM call_lobby WHERE user_id = ?
       UNION SELECT call_id FROM call_uid_bindings WHERE user_id = ?
       ORDER BY call_id`,
      [userId, userId, userId, userId],
    );
    return rows.map((row) => toInt(row.call_id)!);
  }

  /** Deletes the member's row in a call: the number deleted (0 or 1). */
  async deleteMember(manager: EntityManager, callId: number, userId: number): Promise<number> {
    return (await manager.delete(CallMember, { callId, userId })).affected ?? 0;
  }

  /** Deletes the member's lobby entry in a call. */
  async deleteLobbyEntry(manager: EntityManager, callId: number, userId: number): Promise<number> {
    return (await manager.delete(LobbyEntry, { callId, userId })).affected ?? 0;
  }

  /** Deletes the uids bound to the member in a call. */
  async deleteUidBindings(manager: EntityManager, callId: number, userId: number): Promise<number> {
    return (await manager.delete(UidBinding, { callId, userId })).affected ?? 0;
  }

  /** Whether any call or session already carries this id (an anonymous id is used once). */
  async idInUse(manager: EntityManager, id: number): Promise<boolean> {
    return (await manager.exists(CallSession, { where: { userId: id } })) || (await manager.exists(Call, { where: { creatorId: id } }));
  }

  /** The calls the member created now show the anonymous id as creator. */
  async moveCreator(manager: EntityManager, userId: number, anonymousId: number): Promise<number> {
    return (await manager.update(Call, { creatorId: userId }, { creatorId: anonymousId })).affected ?? 0;
  }

  /**
   * Direct-call rings the member placed or received: the anonymous id in their place. Neither
   * column has an index: the rows are found by a plain read and changed by primary key, so the
   * UPDATE locks those rows only, not every row it would scan.
   */
  async moveRings(manager: EntityManager, userId: number, anonymousId: number): Promise<number> {
    const placed = await manager.find(CallRing, { where: { callerId: userId }, select: { callId: true } });
    const received = await manager.find(CallRing, { where: { calleeId: userId }, select: { callId: true } });
    let moved = 0;
    if (placed.length > 0) moved += (await manager.update(CallRing, { callId: In(placed.map((r) => r.callId)), callerId: userId }, { callerId: anonymousId })).affected ?? 0;
    if (received.length > 0) moved += (await manager.update(CallRing, { callId: In(received.map((r) => r.callId)), calleeId: userId }, { calleeId: anonymousId })).affected ?? 0;
    return moved;
  }

  /** Lobby decisions the member made (as host or moderator) now name the anonymous id (found first, changed by primary key, as rings are). */
  async moveLobbyDecisions(manager: EntityManager, userId: number, anonymousId: number): Promise<number> {
    const ids = (await manager.find(LobbyEntry, { where: { decidedBy: userId }, select: { id: true } })).map((row) => row.id);
    if (ids.length === 0) return 0;
    return (await manager.update(LobbyEntry, { id: In(ids), decidedBy: userId }, { decidedBy: anonymousId })).affected ?? 0;
  }

  /**
   * The member's sessions and their media segments move to the anonymous id: segments first, by
   * session (through their index), then the sessions. Answers how many of each moved.
   */
  async moveSessions(manager: EntityManager, userId: number, anonymousId: number): Promise<{ sessions: number; segments: number }> {
    const ids = (await manager.find(CallSession, { where: { userId }, select: { id: true } })).map((row) => row.id);
    let segments = 0;
    for (let start = 0; start < ids.length; start += SEGMENT_BATCH) {
      const batch = ids.slice(start, start + SEGMENT_BATCH);
      segments += (await manager.update(CallMediaSegment, { sessionId: In(batch), userId }, { userId: anonymousId })).affected ?? 0;
    }
    const sessions = ids.length === 0 ? 0 : ((await manager.update(CallSession, { userId }, { userId: anonymousId })).affected ?? 0);
    return { sessions, segments };
  }
}
