import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import type { CallSession } from '../calls/entities/call-session.entity';
import type { Call } from '../calls/entities/call.entity';
import type { UidBinding } from '../calls/entities/uid-binding.entity';
import { isSameChannel } from '../calls/channel-name';
import { LIVE, OPEN, TOKEN_EXPIRY_LAG_MS } from '../calls/call-fields';
import { isUniqueViolation } from '../database/db-errors';
import { RawDate, RawId, toDate, toInt } from '../database/raw-values';
import { AgoraNotice } from './entities/agora-notice.entity';

/** An open session the sweeper may close, with what it knows of the member's presence. */
/** A member's open session as an Agora leave notice sees it (see `openStayOfUid`). */
export interface OpenStayOfUid extends Pick<CallSession, 'id' | 'callId' | 'joinedAt' | 'lastClientSeq'> {
  /** When the member's latest earlier session in the call ended; null when they had none. */
  previousLeftAt: Date | null;
}

/** See `openStayOfUid`: the sessions' (call_id, user_id, open) index serves both lookups. */
const OPEN_STAY_OF_UID_SQL = `
  SELECT s.id AS id, s.joined_at AS joined_at, s.last_client_seq AS last_client_seq,
         (SELECT MAX(p.left_at) FROM call_sessions p WHERE p.call_id = s.call_id AND p.user_id = s.user_id AND p.open IS NULL) AS previous_left_at
  FROM call_uid_bindings b
  JOIN call_sessions s ON s.call_id = b.call_id AND s.user_id = b.user_id AND s.open = 1
  WHERE b.call_id = ? AND b.uid = ?`;

export type SweepCandidate = Pick<CallSession, 'id' | 'callId' | 'userId' | 'joinedAt' | 'lastSeenAt' | 'tokenExpiresAt'>;

// The calls feature's tables, named as SQL names them (their entities are the calls feature's own).
const CALLS = 'calls';
const SESSIONS = 'call_sessions';
const BINDINGS = 'call_uid_bindings';

/**
 * The presence feature's SQL: the evidence that a member is in their call (heartbeats, Agora's
 * notices and channel user list, kept on the session row), the sweeper's candidates, and the
 * Agora notices received (`agora_notices`, this feature's table). Writes take the caller's
 * transaction.
 */
@Injectable()
export class PresenceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // ---- evidence on the session row

  /** A heartbeat: the member's open session is seen now and held to the presence timeout. False when none is open. */
  async recordHeartbeat(manager: EntityManager, callId: number, userId: number, at: Date): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update<CallSession>(SESSIONS)
      .set({ lastSeenAt: at, heartbeatAt: at })
      .where('call_id = :callId AND user_id = :userId AND open = 1', { callId, userId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Agora's channel user list showed these sessions' members in the channel. */
  async markSeen(manager: EntityManager, sessionIds: number[], at: Date): Promise<void> {
    if (sessionIds.length === 0) return;
    await manager
      .createQueryBuilder()
      .update<CallSession>(SESSIONS)
      .set({ lastSeenAt: at })
      .where('id IN (:...ids) AND open = 1 AND (last_seen_at IS NULL OR last_seen_at < :at)', { ids: sessionIds, at })
      .execute();
  }

  /** An Agora join notice put the member in the channel at `at`. */
  async recordAgoraJoin(manager: EntityManager, sessionId: number, at: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update<CallSession>(SESSIONS)
      .set({ lastSeenAt: () => 'CASE WHEN last_seen_at IS NULL OR last_seen_at < :at THEN :at ELSE last_seen_at END', agoraJoinedAt: () => 'COALESCE(agora_joined_at, :at)' })
      .setParameter('at', at)
      .where('id = :id AND open = 1', { id: sessionId })
      .execute();
  }

  /**
   * Stores an Agora `clientSeq` on the open session when it is newer than the one stored (or none
   * is), in one conditional UPDATE that locks the row; false when this event is not newer.
   */
  async claimSequence(manager: EntityManager, sessionId: number, clientSeq: number): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update<CallSession>(SESSIONS)
      .set({ lastClientSeq: clientSeq })
      .where('id = :id AND open = 1 AND (last_client_seq IS NULL OR last_client_seq < :clientSeq)', { id: sessionId, clientSeq })
      .execute();
    return result.affected === 1;
  }

  // ---- Agora's notices: which session they are about

  /** The call that owns a channel, matched exactly (see `isSameChannel`), unless it has ended. */
  async liveCallByChannel(manager: EntityManager, channelName: string): Promise<Pick<Call, 'id' | 'channelName'> | null> {
    const call = await manager.findOne<Call>(CALLS, { where: { channelName }, select: { id: true, status: true, channelName: true } });
    return call && call.status !== 'ended' && isSameChannel(call.channelName, channelName) ? call : null;
  }

  /**
   * The open session of the member bound to `uid` in a call, with what an Agora leave notice is
   * weighed against (see `AgoraWebhooksService`): the clientSeq applied to it, and when the
   * member's latest earlier session in the call ended (null when they had none). One round trip.
   */
  async openStayOfUid(manager: EntityManager, callId: number, uid: number): Promise<OpenStayOfUid | null> {
    const rows: Array<{ id: RawId; joined_at: RawDate; last_client_seq: RawId | null; previous_left_at: RawDate }> = await manager.query(OPEN_STAY_OF_UID_SQL, [callId, uid]);
    const row = rows[0];
    if (!row) return null;
    return {
      id: toInt(row.id)!,
      callId,
      joinedAt: toDate(row.joined_at)!,
      lastClientSeq: row.last_client_seq === null ? null : Number(row.last_client_seq),
      previousLeftAt: toDate(row.previous_left_at),
    };
  }

  /** The open session of the member bound to `uid` in a call, if any. */
  async openSessionOfUid(manager: EntityManager, callId: number, uid: number): Promise<Pick<CallSession, 'id' | 'callId' | 'joinedAt'> | null> {
    const binding = await manager.findOne<UidBinding>(BINDINGS, { where: { callId, uid }, select: { id: true, userId: true } });
    if (!binding) return null;
    return manager.findOne<CallSession>(SESSIONS, { where: { callId, userId: binding.userId, open: OPEN }, select: { id: true, callId: true, joinedAt: true } });
  }

  // ---- the sweeper

  /**
   * Open sessions with no Agora join notice whose newest evidence is older than `cutoff`: those
   * that opted into heartbeats, or (`silentToo`, when Agora's channel user list can be asked)
   * every such session.
   */
  unconfirmedSince(cutoff: Date, silentToo: boolean, limit: number, afterId: number): Promise<SweepCandidate[]> {
    const query = this.dataSource
      .getRepository<CallSession>(SESSIONS)
      .createQueryBuilder('s')
      .select(['s.id', 's.callId', 's.userId', 's.joinedAt', 's.lastSeenAt', 's.tokenExpiresAt'])
      .where('s.open = 1 AND s.last_seen_at < :cutoff AND s.agora_joined_at IS NULL AND s.id > :afterId', { cutoff, afterId });
    if (!silentToo) query.andWhere('s.heartbeat_at IS NOT NULL');
    return query.orderBy('s.id', 'ASC').take(limit).getMany();
  }

  /**
   * Open sessions whose newest token has expired (the recorded expiry plus the lag it may have,
   * `TOKEN_EXPIRY_LAG_MS`, is past), or that got none within a token lifetime of joining.
   */
  expiredBy(now: Date, tokenTtlMs: number, limit: number): Promise<SweepCandidate[]> {
    return this.dataSource
      .getRepository<CallSession>(SESSIONS)
      .createQueryBuilder('s')
      .select(['s.id', 's.callId', 's.userId', 's.joinedAt', 's.lastSeenAt', 's.tokenExpiresAt'])
      .where('s.open = 1')
      .andWhere(
        new Brackets((q) =>
          q.where('s.token_expires_at <= :lagged', { lagged: new Date(now.getTime() - TOKEN_EXPIRY_LAG_MS) }).orWhere('(s.token_expires_at IS NULL AND s.joined_at < :joinedBefore)', { joinedBefore: new Date(now.getTime() - tokenTtlMs) }),
        ),
      )
      .take(limit)
      .getMany();
  }

  /**
   * Calls not ended, with nobody in them and nobody leaving since `cutoff`, created before it.
   * Scheduled calls: never one with an `ends_at` (its schedule ends it), nor one whose `starts_at`
   * is not before `cutoff` (the idle time counts from the start).
   */
  idleCalls(cutoff: Date, limit: number): Promise<Array<Pick<Call, 'id' | 'createdAt' | 'startsAt'>>> {
    return this.dataSource
      .getRepository<Call>(CALLS)
      .createQueryBuilder('c')
      .select(['c.id', 'c.createdAt', 'c.startsAt'])
      .where(`c.status ${LIVE} AND c.active_participants = 0 AND c.created_at < :cutoff`, { cutoff })
      .andWhere('c.ends_at IS NULL AND (c.starts_at IS NULL OR c.starts_at < :cutoff)', { cutoff })
      .andWhere('NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = c.id AND (s.open = 1 OR s.left_at >= :cutoff))', { cutoff })
      .take(limit)
      .getMany();
  }

  /** When the call's last session closed; null when nobody ever joined. */
  async lastLeftAt(callId: number): Promise<Date | null> {
    const last = await this.dataSource.getRepository<CallSession>(SESSIONS).findOne({ where: { callId }, order: { leftAt: 'DESC' }, select: { id: true, leftAt: true } });
    return last?.leftAt ?? null;
  }

  /** Channel names of calls, by id. */
  async channelNames(callIds: number[]): Promise<Map<number, string>> {
    if (callIds.length === 0) return new Map();
    const rows = await this.dataSource.getRepository<Call>(CALLS).find({ where: { id: In(callIds) }, select: { id: true, channelName: true } });
    return new Map(rows.map((row) => [row.id, row.channelName]));
  }

  // ---- Agora's notices (`agora_notices`)

  /** Records a notice by its id; false when it was recorded before (a re-delivery). */
  async recordNotice(manager: EntityManager, noticeId: string, eventType: number, receivedAt: Date): Promise<boolean> {
    try {
      await manager.insert(AgoraNotice, { noticeId, eventType, receivedAt });
      return true;
    } catch (error) {
      // MySQL/MariaDB and SQLite fail only the statement: the transaction goes on, and commits nothing.
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Deletes up to `limit` notices received before the cutoff, oldest first (received_at is indexed). Counts picked and deleted. */
  async purgeNotices(manager: EntityManager, cutoff: Date, limit: number): Promise<{ picked: number; deleted: number }> {
    const batch = await manager
      .getRepository(AgoraNotice)
      .createQueryBuilder('n')
      .select(['n.noticeId'])
      .where('n.received_at < :cutoff', { cutoff })
      .orderBy('n.receivedAt', 'ASC')
      .take(limit)
      .getMany();
    if (batch.length === 0) return { picked: 0, deleted: 0 };
    const ids = batch.map((notice) => notice.noticeId);
    const result = await manager.createQueryBuilder().delete().from(AgoraNotice).where('notice_id IN (:...ids)', { ids }).execute();
    return { picked: batch.length, deleted: result.affected ?? 0 };
  }
}
