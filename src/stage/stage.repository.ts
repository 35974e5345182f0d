import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CallMember } from '../calls/entities/call-member.entity';
import type { Call } from '../calls/entities/call.entity';
import { OPEN } from '../calls/call-fields';
import { RawDate, RawId, toDate, toInt } from '../database/raw-values';

const CALLS = 'calls';
const MEMBERS = 'call_members';

/** A raised hand counts while the session it was raised in is open (closing it lowered the hand). */
const RAISED_HANDS_FROM = `
  FROM call_members m
  JOIN call_sessions s ON s.id = m.hand_session_id AND s.open = ${OPEN}
  WHERE m.call_id = ? AND m.hand_raised_at IS NOT NULL AND m.removed_at IS NULL`;
const RAISED_HANDS_SQL = `SELECT m.user_id AS user_id, m.hand_raised_at AS raised_at ${RAISED_HANDS_FROM} ORDER BY m.hand_raised_at, m.id LIMIT ?`;
const COUNT_RAISED_HANDS_SQL = `SELECT COUNT(*) AS hands ${RAISED_HANDS_FROM}`;

/**
 * The stage's SQL: the facts this feature keeps on the calls feature's rows (docs/architecture.md
 * "Tables and their owners"): a call's speaker count, a member's speaker and demotion times and
 * their raised hand. Every write takes the caller's transaction, which holds the call's row lock
 * (ParticipationService.standing / lockCall): the speaker count is exact under races on any
 * number of instances because only holders of that lock change it.
 */
@Injectable()
export class StageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // ---- speakers

  /** Takes one of the stage's speaker seats: false when all `max_speakers` are taken. */
  async takeSeat(manager: EntityManager, callId: number): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update<Call>(CALLS)
      .set({ speakerCount: () => 'speaker_count + 1' })
      .where('id = :callId AND speaker_count < max_speakers', { callId })
      .execute();
    return result.affected === 1;
  }

  /** Gives a speaker seat back. */
  async freeSeat(manager: EntityManager, callId: number): Promise<void> {
    await manager.createQueryBuilder().update<Call>(CALLS).set({ speakerCount: () => 'speaker_count - 1' }).where('id = :callId AND speaker_count > 0', { callId }).execute();
  }

  /** Makes the member a speaker since `at`: no longer demoted, and their hand is down. */
  async setSpeaker(manager: EntityManager, callId: number, userId: number, at: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update<CallMember>(MEMBERS)
      .set({ speakerAt: at, demotedAt: null, handRaisedAt: null, handSessionId: null })
      .where('call_id = :callId AND user_id = :userId', { callId, userId })
      .execute();
  }

  /** Makes the member a listener again; `demotedAt` when they may hold a publisher token (a demotion), null when not (a removal). */
  async setListener(manager: EntityManager, callId: number, userId: number, demotedAt: Date | null): Promise<void> {
    await manager.createQueryBuilder().update<CallMember>(MEMBERS).set({ speakerAt: null, demotedAt }).where('call_id = :callId AND user_id = :userId', { callId, userId }).execute();
  }

  // ---- hands

  /** Raises the member's hand in their open session `sessionId`. */
  async raiseHand(manager: EntityManager, callId: number, userId: number, sessionId: number, at: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update<CallMember>(MEMBERS)
      .set({ handRaisedAt: at, handSessionId: sessionId })
      .where('call_id = :callId AND user_id = :userId', { callId, userId })
      .execute();
  }

  /** Lowers the member's hand. */
  async lowerHand(manager: EntityManager, callId: number, userId: number): Promise<void> {
    await manager
      .createQueryBuilder()
      .update<CallMember>(MEMBERS)
      .set({ handRaisedAt: null, handSessionId: null })
      .where('call_id = :callId AND user_id = :userId', { callId, userId })
      .execute();
  }

  /** The raised hands of members in the call now, oldest first. */
  async raisedHands(callId: number, limit: number): Promise<Array<{ userId: number; raisedAt: Date }>> {
    const rows: Array<{ user_id: RawId; raised_at: RawDate }> = await this.dataSource.query(RAISED_HANDS_SQL, [callId, limit]);
    return rows.map((row) => ({ userId: toInt(row.user_id)!, raisedAt: toDate(row.raised_at)! }));
  }

  /** How many hands are raised in the call now. */
  async countRaisedHands(callId: number): Promise<number> {
    const rows: Array<{ hands: RawId }> = await this.dataSource.query(COUNT_RAISED_HANDS_SQL, [callId]);
    return toInt(rows[0]?.hands ?? 0)!;
  }
}
