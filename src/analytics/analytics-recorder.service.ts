import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { CallMedia } from '../calls/entities/call-session.entity';
import { AnalyticsDayMember } from './entities/analytics-day-member.entity';
import { ANALYTICS_SHARDS, AnalyticsDay } from './entities/analytics-day.entity';
import { bucketStart, splitByUtcDay, utcDay } from './utc-days';
import { isUniqueViolation } from '../database/db-errors';
import { AnalyticsLastDayCount, AnalyticsMemberLastDay, AnalyticsPeriod, AnalyticsPeriodMember, LastDayScope } from './entities/analytics-period.entity';

type DayCounter = 'members' | 'callsCreated' | 'callsEnded' | 'endedDurationMs' | 'audioMs' | 'videoMs';

const shardOf = (n: number): number => Math.abs(Math.trunc(n)) % ANALYTICS_SHARDS;

/**
 * Keeps the per-day aggregates current, inside the transaction of the change they describe,
 * so the totals and the raw records can never disagree. Portable statements only (no
 * dialect-specific upsert); see `addTo` for how counter rows are written.
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
   * A member joined a call. The first join of their day adds them to the day's distinct count
   * and moves their last join day, all time and in the day's week and month (a member new to a
   * week or month also adds to its distinct count); later joins that day cost one indexed
   * look-up.
   */
  async memberJoined(manager: EntityManager, userId: number, joinedAt: Date): Promise<void> {
    const day = utcDay(joinedAt);
    if (await manager.exists(AnalyticsDayMember, { where: { day, userId } })) return;
    // The same member's first join of the day may be recorded by a concurrent transaction.
    if (!(await this.insertOnce(manager, AnalyticsDayMember, { day, userId }))) return;
    await this.add(manager, day, userId, { members: 1 });
    await this.moveLastDay(manager, { kind: 'all', start: '' }, userId, day);
    for (const kind of ['week', 'month'] as const) {
      const start = bucketStart(day, kind);
      if ((await this.moveLastDay(manager, { kind, start }, userId, day)) === 'new') await this.addTo(manager, AnalyticsPeriod, { kind, start }, { members: 1 });
    }
  }

  /**
   * Moves the member's last join day in a scope forward to `day`, and the scope's per-day
   * counts with it (one off the old day, one on the new). 'new' when the member had no day in
   * the scope yet. The row is read, then changed only if it still holds what was read (by
   * primary key: no range locks on MariaDB), so a concurrent move is seen and read again.
   */
  private async moveLastDay(manager: EntityManager, scope: LastDayScope, userId: number, day: string): Promise<'new' | 'moved' | 'same'> {
    const [entity, key] = scope.kind === 'all' ? [AnalyticsMemberLastDay, { userId }] : [AnalyticsPeriodMember, { kind: scope.kind, start: scope.start, userId }];
    for (let attempt = 1; ; attempt++) {
      const row = await manager.findOne<{ lastDay: string }>(entity, { where: key as never, select: { lastDay: true } });
      if (!row) {
        if (await this.insertOnce(manager, entity, { ...key, lastDay: day })) {
          await this.countLastDay(manager, scope, day, userId, 1);
          return 'new';
        }
      } else if (row.lastDay >= day) {
        return 'same';
      } else if ((await manager.update(entity, { ...key, lastDay: row.lastDay }, { lastDay: day })).affected) {
        await this.countLastDay(manager, scope, row.lastDay, userId, -1);
        await this.countLastDay(manager, scope, day, userId, 1);
        return 'moved';
      }
      if (attempt === 5) throw new Error(`the last join day of a member in ${scope.kind} ${scope.start} kept changing`);
    }
  }

  /** Adds `delta` to the count of members whose last day in the scope is `day`. */
  private async countLastDay(manager: EntityManager, scope: LastDayScope, day: string, userId: number, delta: 1 | -1): Promise<void> {
    const key = { kind: scope.kind, start: scope.start, day, shard: shardOf(userId) };
    // The old day's row exists: the member was counted there.
    if (delta < 0) await this.addToExisting(manager, AnalyticsLastDayCount, key, { members: delta });
    else await this.addTo(manager, AnalyticsLastDayCount, key, { members: delta });
  }

  /**
   * Inserts a row unless its key exists; false when it did. (No INSERT IGNORE: see `add`.)
   * Without reading the row back: TypeORM's insert re-selects defaulted columns on MySQL.
   */
  private async insertOnce<T extends object>(manager: EntityManager, entity: new () => T, row: Partial<T>): Promise<boolean> {
    try {
      await manager.createQueryBuilder().insert().into(entity).values(row as never).updateEntity(false).execute();
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

  /** Adds to one shard row of a day (see `addTo`). */
  private async add(manager: EntityManager, day: string, spread: number, amounts: Partial<Record<DayCounter, number>>): Promise<void> {
    const entries = Object.entries(amounts).filter(([, amount]) => amount !== 0);
    if (entries.length === 0) return;
    await this.addTo(manager, AnalyticsDay, { day, shard: shardOf(spread) }, Object.fromEntries(entries.map(([key, amount]) => [key, Math.round(amount)])));
  }

  /**
   * Adds to counter columns of the row with this primary key, creating the row when missing.
   * UPDATE first: on MariaDB it takes the row's exclusive lock at once (an INSERT IGNORE first
   * would take a shared lock, and two writers upgrading shared locks on one row deadlock). Only
   * the first write to a row inserts it; when a concurrent transaction inserts it first, the
   * update runs again.
   */
  private async addTo<T extends object>(manager: EntityManager, entity: new () => T, key: Partial<T>, amounts: Record<string, number>): Promise<void> {
    if (await this.addToExisting(manager, entity, key, amounts)) return;
    if (!(await this.insertOnce(manager, entity, { ...key, ...amounts }))) await this.addToExisting(manager, entity, key, amounts);
  }

  /** Adds to counter columns of an existing row; false when there is no such row. */
  private async addToExisting<T extends object>(manager: EntityManager, entity: new () => T, key: Partial<T>, amounts: Record<string, number>): Promise<boolean> {
    const metadata = manager.connection.getMetadata(entity);
    const query = manager.createQueryBuilder().update(entity).where(key);
    const set: Record<string, () => string> = {};
    for (const [property, amount] of Object.entries(amounts)) {
      set[property] = () => `${metadata.findColumnWithPropertyName(property)!.databaseName} + :${property}`;
      query.setParameter(property, amount);
    }
    return ((await query.set(set as never).execute()).affected ?? 0) > 0;
  }
}
