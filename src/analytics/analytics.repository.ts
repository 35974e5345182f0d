import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Between, DataSource, EntityManager, In } from 'typeorm';
import type { CallMedia } from '../calls/entities/call-session.entity';
import type { Call } from '../calls/entities/call.entity';
import { LIVE } from '../calls/call-fields';
import { isSerial } from '../database/dialect';
import { RawDate, RawId, toDate, toInt } from '../database/raw-values';
import { AnalyticsDaySketch } from './entities/analytics-day-sketch.entity';
import { AnalyticsDay } from './entities/analytics-day.entity';

export interface UnfoldedCall {
  id: number;
  createdAt: Date;
  endedAt: Date | null;
  peakParticipants: number;
  /** `calls.analytics_state` as read: null nothing folded, 1 the creation. */
  state: 1 | null;
}

export interface UnfoldedSession {
  id: number;
  userId: number;
  joinedAt: Date;
  /** The member's first session in this call: they become a participant of it. */
  first: boolean;
}

export interface UnfoldedSegment {
  id: number;
  media: CallMedia;
  startedAt: Date;
  endedAt: Date;
}

/** What a set of raw rows adds to one day's aggregates. */
export interface DayTotals {
  callsCreated: number;
  callsEnded: number;
  endedDurationMs: number;
  peakParticipants: number;
  audioMs: number;
  videoMs: number;
  participants: number;
}

/** The counters of a day's row, added to by a fold (the peak is a maximum). */
export const COUNTERS = ['callsCreated', 'callsEnded', 'endedDurationMs', 'audioMs', 'videoMs', 'participants'] as const;

// The calls feature's tables, named as SQL names them: analytics reads them and marks what it folded.
const CALLS = 'calls';
const SESSIONS = 'call_sessions';
const SEGMENTS = 'call_media_segments';


/**
 * The analytics feature's SQL: the raw rows the rollup has not folded yet (calls, sessions,
 * segments) and the marks that say they were, the live calls' peaks so far, and the per-day
 * aggregates (`analytics_days`, `analytics_day_sketches`, this feature's tables).
 */
@Injectable()
export class AnalyticsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // ---- the raw rows not folded yet

  /** Calls whose creation, or end, is not in the aggregates yet (`limit` rows after `afterId`; all without a limit). */
  async unfoldedCalls(manager: EntityManager, afterId = 0, limit?: number): Promise<UnfoldedCall[]> {
    const rows: Array<{ id: RawId; created_at: RawDate; ended_at: RawDate; peak_participants: RawId; analytics_state: RawId | null }> = await manager.query(
      `SELECT id, created_at, ended_at, peak_participants, analytics_state FROM calls
       WHERE (analytics_state IS NULL OR (analytics_state = 1 AND ended_at IS NOT NULL)) AND id > ? ORDER BY id${limit ? ' LIMIT ?' : ''}`,
      limit ? [afterId, limit] : [afterId],
    );
    return rows.map((row) => ({
      id: toInt(row.id)!,
      createdAt: toDate(row.created_at)!,
      endedAt: toDate(row.ended_at),
      peakParticipants: toInt(row.peak_participants)!,
      state: toInt(row.analytics_state) as UnfoldedCall['state'],
    }));
  }

  /**
   * Sessions not in the aggregates yet, each saying whether it is the member's first session in
   * its call (which makes them a participant of the call, counted on the day of that join).
   */
  async unfoldedSessions(manager: EntityManager, afterId = 0, limit?: number): Promise<UnfoldedSession[]> {
    const rows: Array<{ id: RawId; user_id: RawId; joined_at: RawDate; earlier: RawId }> = await manager.query(
      `SELECT s.id, s.user_id, s.joined_at,
              (SELECT COUNT(*) FROM call_sessions p WHERE p.call_id = s.call_id AND p.user_id = s.user_id AND p.id < s.id) AS earlier
       FROM call_sessions s WHERE s.folded_at IS NULL AND s.id > ? ORDER BY s.id${limit ? ' LIMIT ?' : ''}`,
      limit ? [afterId, limit] : [afterId],
    );
    return rows.map((row) => ({ id: toInt(row.id)!, userId: toInt(row.user_id)!, joinedAt: toDate(row.joined_at)!, first: toInt(row.earlier) === 0 }));
  }

  /** Closed media segments not in the aggregates yet (open ones count once they close). */
  async unfoldedSegments(manager: EntityManager, afterId = 0, limit?: number): Promise<UnfoldedSegment[]> {
    const rows: Array<{ id: RawId; media: CallMedia; started_at: RawDate; ended_at: RawDate }> = await manager.query(
      `SELECT id, media, started_at, ended_at FROM call_media_segments
       WHERE folded_at IS NULL AND ended_at IS NOT NULL AND id > ? ORDER BY id${limit ? ' LIMIT ?' : ''}`,
      limit ? [afterId, limit] : [afterId],
    );
    return rows.map((row) => ({ id: toInt(row.id)!, media: row.media, startedAt: toDate(row.started_at)!, endedAt: toDate(row.ended_at)! }));
  }

  /**
   * Marks rows folded, only where they were not: the number marked, so a fold that raced
   * another fold over the same rows can tell and roll back instead of counting them twice.
   */
  async markFolded(manager: EntityManager, kind: 'sessions' | 'segments', ids: number[], at: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const entity = kind === 'sessions' ? SESSIONS : SEGMENTS;
    const result = await manager.createQueryBuilder().update(entity).set({ foldedAt: at }).where('id IN (:...ids) AND folded_at IS NULL', { ids }).execute();
    return result.affected ?? 0;
  }

  /** Moves calls' analytics state from what the fold read to what it folded (see `markFolded`). */
  async markCallsFolded(manager: EntityManager, calls: Array<Pick<UnfoldedCall, 'id' | 'state' | 'endedAt'>>): Promise<number> {
    let marked = 0;
    for (const from of [null, 1] as const) {
      for (const to of [1, 2] as const) {
        const ids = calls.filter((c) => c.state === from && (c.endedAt ? 2 : 1) === to && to !== from).map((c) => c.id);
        if (ids.length === 0) continue;
        const was = from === null ? 'analytics_state IS NULL' : 'analytics_state = 1';
        const result = await manager.createQueryBuilder().update<Call>(CALLS).set({ analyticsState: to }).where(`id IN (:...ids) AND ${was}`, { ids }).execute();
        marked += result.affected ?? 0;
      }
    }
    return marked;
  }

  /** Calls not ended, created in [from, to): their peaks so far are not in the aggregates yet. */
  async livePeaks(from: Date, to: Date, manager: EntityManager = this.dataSource.manager): Promise<Array<{ createdAt: Date; peakParticipants: number }>> {
    const rows = await manager
      .getRepository<Call>(CALLS)
      .createQueryBuilder('call')
      .select(['call.createdAt', 'call.peakParticipants'])
      .where(`call.status ${LIVE}`)
      .andWhere('call.created_at >= :from AND call.created_at < :to', { from, to })
      .getMany();
    return rows.map((row) => ({ createdAt: row.createdAt, peakParticipants: row.peakParticipants }));
  }

  // ---- the per-day aggregates

  /** The stored per-day totals and sketches of days in [from, to] (YYYY-MM-DD, both inclusive). */
  async storedDays(manager: EntityManager, from: string, to: string): Promise<{ days: AnalyticsDay[]; sketches: AnalyticsDaySketch[] }> {
    const days = await manager.find(AnalyticsDay, { where: { day: Between(from, to) } });
    const sketches = await manager.find(AnalyticsDaySketch, { where: { day: Between(from, to) } });
    return { days, sketches };
  }

  /**
   * Adds to the day's row (shard 0) in one UPDATE that does the arithmetic itself, so two folds
   * of different rows never lose each other's counts; the first fold of a day inserts the row
   * (a concurrent first insert makes this fold start again).
   */
  async addToDay(manager: EntityManager, day: string, totals: DayTotals): Promise<void> {
    const metadata = manager.connection.getMetadata(AnalyticsDay);
    const column = (property: keyof DayTotals): string => metadata.findColumnWithPropertyName(property)!.databaseName;
    const set: Record<string, () => string> = {
      peakParticipants: () => `CASE WHEN ${column('peakParticipants')} < :peak THEN :peak ELSE ${column('peakParticipants')} END`,
    };
    for (const counter of COUNTERS) set[counter] = () => `${column(counter)} + :${counter}`;
    const result = await manager
      .createQueryBuilder()
      .update(AnalyticsDay)
      .set(set as never)
      .where('day = :day AND shard = 0', { day })
      .setParameters({ ...totals, peak: totals.peakParticipants })
      .execute();
    if (!result.affected) await manager.insert(AnalyticsDay, { day, shard: 0, ...totals });
  }

  /** The stored sketches of these days, read to be merged: locked until commit on MariaDB (SQLite runs one transaction at a time). */
  sketchesForUpdate(manager: EntityManager, days: string[]): Promise<AnalyticsDaySketch[]> {
    const lock = isSerial(manager) ? undefined : ({ mode: 'pessimistic_write' } as const);
    return manager.find(AnalyticsDaySketch, { where: { day: In(days) }, ...(lock ? { lock } : {}) });
  }

  /** Stores a day's sketch: `exists`, over the row read by `sketchesForUpdate`, else a new row. */
  async saveSketch(manager: EntityManager, day: string, registers: Buffer, exists: boolean): Promise<void> {
    if (exists) await manager.update(AnalyticsDaySketch, { day }, { registers });
    else await manager.insert(AnalyticsDaySketch, { day, registers });
  }
}
