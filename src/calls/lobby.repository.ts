import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { ADMIN_ROLES } from '../auth/auth-user';
import { RawId } from '../database/raw-values';
import { InsertStatement } from '../database/raw-writes';
import { Call } from './entities/call.entity';
import { LobbyEntry, LobbyState } from './entities/lobby-entry.entity';

/** A member's lobby row as the lobby reads it. */
export type LobbyRow = Pick<LobbyEntry, 'id' | 'userId' | 'state' | 'since' | 'decidedAt'>;

/** Someone waiting in a call's lobby. */
export type Waiting = Pick<LobbyEntry, 'id' | 'userId' | 'since'>;

/**
 * Whether the host, a moderator or an admin has an open session in the call: their member row's
 * role, or the role of their newest token (`users.role`, the auth feature's table) for an admin.
 */
const HOST_PRESENT_SQL = `
  SELECT s.id AS session_id
  FROM call_sessions s
  LEFT JOIN call_members m ON m.call_id = s.call_id AND m.user_id = s.user_id
  LEFT JOIN users u ON u.id = s.user_id
  WHERE s.call_id = ? AND s.open = 1
    AND ((m.role IN ('host', 'moderator') AND m.removed_at IS NULL) OR u.role IN (${ADMIN_ROLES.map((role) => `'${role}'`).join(', ')}))
  LIMIT 1`;

const INSERT_ENTRY = new InsertStatement(LobbyEntry, ['callId', 'userId', 'state', 'since', 'decidedAt', 'decidedBy']);

/**
 * The SQL of the lobby (`call_lobby`): one row per member who knocked at a call's door. Every
 * write runs in the caller's transaction, which holds the call's row lock (the one lock order):
 * who waits, who is admitted and who denied change only there. A wait counts while its `since`
 * is after the cutoff the caller gives (now minus `LOBBY_WAIT_MINUTES`), and someone already in
 * the call waits no more.
 */
@Injectable()
export class LobbyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The call's lobby settings; null when there is no such call. */
  async settingsOf(callId: number): Promise<Pick<Call, 'lobby' | 'waitForHost'> | null> {
    return this.dataSource.getRepository(Call).findOne({ where: { id: callId }, select: { id: true, lobby: true, waitForHost: true } });
  }

  /** The member's lobby row in the call, if they ever knocked. */
  entryOf(manager: EntityManager, callId: number, userId: number): Promise<LobbyRow | null> {
    return manager.findOne(LobbyEntry, { where: { callId, userId }, select: { id: true, userId: true, state: true, since: true, decidedAt: true } });
  }

  /** Whether the host, a moderator or an admin is in the call now. */
  async hostPresent(manager: EntityManager, callId: number): Promise<boolean> {
    const rows: Array<{ session_id: RawId }> = await manager.query(HOST_PRESENT_SQL, [callId]);
    return rows.length > 0;
  }

  /** A first knock: the member waits from `at`. Answers the new row's id. */
  insertWaiting(manager: EntityManager, callId: number, userId: number, at: Date): Promise<number> {
    return INSERT_ENTRY.run(manager, { callId, userId, state: 'waiting', since: at, decidedAt: null, decidedBy: null });
  }

  /** A knock again (after a wait or an admission expired): the member waits anew from `at`. */
  async restartWait(manager: EntityManager, id: number, at: Date): Promise<void> {
    await manager.update(LobbyEntry, { id }, { state: 'waiting', since: at, decidedAt: null, decidedBy: null });
  }

  /** Admits or denies these rows' members. */
  async decide(manager: EntityManager, ids: number[], state: Exclude<LobbyState, 'waiting'>, at: Date, by: number): Promise<void> {
    if (ids.length === 0) return;
    await manager.update(LobbyEntry, { id: In(ids) }, { state, decidedAt: at, decidedBy: by });
  }

  /** The member leaves the lobby (the leave route): their wait goes; an admission or a denial stays. */
  async withdraw(manager: EntityManager, callId: number, userId: number): Promise<void> {
    await manager.delete(LobbyEntry, { callId, userId, state: 'waiting' });
  }

  /** Who waits in the call's lobby (knocked after `cutoff`, not in the call), oldest first. */
  waiting(callId: number, cutoff: Date, manager: EntityManager = this.dataSource.manager): Promise<Waiting[]> {
    return waitingQuery(manager, callId, cutoff).select(['l.id', 'l.userId', 'l.since']).orderBy('l.since', 'ASC').addOrderBy('l.id', 'ASC').getMany();
  }

  /** A waiting member's place in the queue: 1 for the oldest wait. */
  async positionOf(manager: EntityManager, callId: number, cutoff: Date, entry: Pick<LobbyEntry, 'id' | 'since'>): Promise<number> {
    const ahead = await waitingQuery(manager, callId, cutoff)
      .andWhere(new Brackets((q) => q.where('l.since < :since', { since: entry.since }).orWhere('(l.since = :since AND l.id < :id)', { id: entry.id })))
      .getCount();
    return ahead + 1;
  }
}

/** The call's lobby rows that wait now: knocked after `cutoff`, and not in the call. */
function waitingQuery(manager: EntityManager, callId: number, cutoff: Date): SelectQueryBuilder<LobbyEntry> {
  return manager
    .getRepository(LobbyEntry)
    .createQueryBuilder('l')
    .where("l.call_id = :callId AND l.state = 'waiting' AND l.since > :cutoff", { callId, cutoff })
    .andWhere('NOT EXISTS (SELECT 1 FROM call_sessions s WHERE s.call_id = l.call_id AND s.user_id = l.user_id AND s.open = 1)');
}
