import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { CallMedia } from '../calls/entities/call-session.entity';
import { AnalyticsDayMember } from './entities/analytics-day-member.entity';
import { ANALYTICS_SHARDS, AnalyticsDay } from './entities/analytics-day.entity';
import { bucketStart, splitByUtcDay, utcDay } from './utc-days';
import { isUniqueViolation } from '../database/db-errors';
import { AnalyticsMemberLastDay, AnalyticsPeriod, AnalyticsPeriodMember } from './entities/analytics-period.entity';

type DayCounter = 'members' | 'callsCreated' | 'callsEnded' | 'endedDurationMs' | 'audioMs' | 'videoMs';

const COLUMN: Record<DayCounter, string> = {
  members: 'members',
  callsCreated: 'calls_created',
  callsEnded: 'calls_ended',
  endedDurationMs: 'ended_duration_ms',
  audioMs: 'audio_ms',
  videoMs: 'video_ms',
};

const shardOf = (n: number): number => Math.abs(Math.trunc(n)) % ANALYTICS_SHARDS;

/**
 * Keeps the per-day aggregates current, inside the transaction of the change they describe,
 * so the totals and the raw records can never disagree. Portable statements only (no
 * dialect-specific upsert); see `add` for how the day rows are written.
 */
@Injectable()
export class AnalyticsRecorder {
  async callCreated(manager: EntityManager, call: { id: number; createdAt: Date }): Promise<void> {
    await this.add(manager, utcDay(call.createdAt), call.id, { callsCreated: 1 });
  }

  async callEnded(manager: EntityManager, call: { id: number; createdAt: Date; endedAt: Date; peakParticipants: number }): Promise<void> {
    const day = utcDay(call.createdAt);
    const shard = shardOf(call.id);
    await this.add(manager, day, call.id, { callsEnded: 1, endedDurationMs: Math.max(0, call.endedAt.getTime() - call.createdAt.getTime()) });
    await manager
      .createQueryBuilder()
      .update(AnalyticsDay)
      .set({ peakParticipants: () => 'CASE WHEN peak_participants < :peak THEN :peak ELSE peak_participants END' })
      .where('day = :day AND shard = :shard', { day, shard, peak: call.peakParticipants })
      .execute();
  }

  /**
   * A member joined a call. The first join of their day adds them to the day's, the week's and
   * the month's distinct counts and moves their last join day; later joins that day cost one
   * indexed look-up.
   */
  async memberJoined(manager: EntityManager, userId: number, joinedAt: Date): Promise<void> {
    const day = utcDay(joinedAt);
    if (await manager.exists(AnalyticsDayMember, { where: { day, userId } })) return;
    // The same member's first join of the day may be recorded by a concurrent transaction.
    if (!(await this.insertOnce(manager, AnalyticsDayMember, { day, userId }))) return;
    await this.add(manager, day, userId, { members: 1 });
    for (const kind of ['week', 'month'] as const) {
      const start = bucketStart(day, kind);
      // By primary key only (a range on last_day would take gap locks on its index and
      // deadlock with concurrent inserts on MariaDB); matched means already counted.
      const counted = await manager
        .createQueryBuilder()
        .update(AnalyticsPeriodMember)
        .set({ lastDay: () => 'CASE WHEN last_day < :day THEN :day ELSE last_day END' })
        .where('kind = :kind AND start = :start AND user_id = :userId', { kind, start, userId, day })
        .execute();
      if (counted.affected) continue;
      // Not yet counted in this period (or already counted today: then the insert is refused).
      if (!(await this.insertOnce(manager, AnalyticsPeriodMember, { kind, start, userId, lastDay: day }))) continue;
      const added = await manager
        .createQueryBuilder()
        .update(AnalyticsPeriod)
        .set({ members: () => 'members + 1' })
        .where('kind = :kind AND start = :start', { kind, start })
        .execute();
      if (!added.affected && !(await this.insertOnce(manager, AnalyticsPeriod, { kind, start, members: 1 }))) {
        await manager.createQueryBuilder().update(AnalyticsPeriod).set({ members: () => 'members + 1' }).where('kind = :kind AND start = :start', { kind, start }).execute();
      }
    }
    const last = await manager
      .createQueryBuilder()
      .update(AnalyticsMemberLastDay)
      .set({ lastDay: () => 'CASE WHEN last_day < :day THEN :day ELSE last_day END' })
      .where('user_id = :userId', { userId, day })
      .execute();
    if (!last.affected) await this.insertOnce(manager, AnalyticsMemberLastDay, { userId, lastDay: day });
  }

  /** Inserts a row unless its key exists; false when it did. (No INSERT IGNORE: see `add`.) */
  private async insertOnce<T extends object>(manager: EntityManager, entity: new () => T, row: Partial<T>): Promise<boolean> {
    try {
      await manager.insert(entity, row as never);
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** A media segment closed: its time is added to the days it covered. */
  async mediaUsed(manager: EntityManager, segmentId: number, media: CallMedia, from: Date, to: Date): Promise<void> {
    for (const part of splitByUtcDay(from, to)) {
      await this.add(manager, part.day, segmentId, media === 'audio' ? { audioMs: part.ms } : { videoMs: part.ms });
    }
  }

  /**
   * Adds to one shard row of a day. UPDATE first: on MariaDB it takes the row's exclusive lock
   * at once (an INSERT IGNORE first would take a shared lock, and two writers upgrading shared
   * locks on one row deadlock). Only a day's first write to a shard inserts the row.
   */
  private async add(manager: EntityManager, day: string, spread: number, amounts: Partial<Record<DayCounter, number>>): Promise<void> {
    const shard = shardOf(spread);
    const entries = (Object.entries(amounts) as Array<[DayCounter, number]>).filter(([, amount]) => amount !== 0);
    if (entries.length === 0) return;
    const update = async (): Promise<number> => {
      const query = manager.createQueryBuilder().update(AnalyticsDay).where('day = :day AND shard = :shard', { day, shard });
      const set: Record<string, () => string> = {};
      for (const [key, amount] of entries) {
        set[key] = () => `${COLUMN[key]} + :${key}`;
        query.setParameter(key, Math.round(amount));
      }
      return (await query.set(set).execute()).affected ?? 0;
    };
    if ((await update()) > 0) return;
    try {
      await manager.insert(AnalyticsDay, { day, shard, ...Object.fromEntries(entries.map(([key, amount]) => [key, Math.round(amount)])) });
    } catch (error) {
      // Another transaction created the row first: add to it.
      if (!isUniqueViolation(error)) throw error;
      await update();
    }
  }

}
