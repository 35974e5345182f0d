import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager, In } from 'typeorm';
import { CallsRepository, UnfoldedCall, UnfoldedSegment, UnfoldedSession } from '../calls/calls.repository';
import { Clock } from '../common/clock';
import { analyticsConfig } from '../config/analytics.config';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner.service';
import { JobScheduler } from '../jobs/job-scheduler.service';
import { AnalyticsDaySketch } from './entities/analytics-day-sketch.entity';
import { AnalyticsDay } from './entities/analytics-day.entity';
import { HyperLogLog } from './hyperloglog';
import { splitByUtcDay, utcDay } from './utc-days';

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

const COUNTERS = ['callsCreated', 'callsEnded', 'endedDurationMs', 'audioMs', 'videoMs', 'participants'] as const;
/** A day with nothing in it yet. */
export const noTotals = (): DayTotals => ({ callsCreated: 0, callsEnded: 0, endedDurationMs: 0, peakParticipants: 0, audioMs: 0, videoMs: 0, participants: 0 });

/**
 * The one definition of what raw rows mean for analytics, used both by the rollup job (which
 * stores the result) and by reports (which add the rows not folded yet):
 * - a call counts on the UTC day it was created; once ended, its length (creation to end) and
 *   its peak count on that day too;
 * - a participant is a member's first session in a call, counted on the day of that join; every
 *   session puts its member in that day's distinct-member sketch;
 * - media time counts on the days it was used, split at UTC midnight, once its segment closed.
 */
export class DayFold {
  readonly days = new Map<string, DayTotals>();
  readonly sketches = new Map<string, HyperLogLog>();

  private totals(day: string): DayTotals {
    let totals = this.days.get(day);
    if (!totals) this.days.set(day, (totals = noTotals()));
    return totals;
  }

  addCalls(calls: UnfoldedCall[]): this {
    for (const call of calls) {
      const totals = this.totals(utcDay(call.createdAt));
      if (call.state === null) totals.callsCreated += 1;
      if (call.endedAt) {
        totals.callsEnded += 1;
        totals.endedDurationMs += Math.max(0, call.endedAt.getTime() - call.createdAt.getTime());
        totals.peakParticipants = Math.max(totals.peakParticipants, call.peakParticipants);
      }
    }
    return this;
  }

  addSessions(sessions: UnfoldedSession[]): this {
    for (const session of sessions) {
      const day = utcDay(session.joinedAt);
      if (session.first) this.totals(day).participants += 1;
      let sketch = this.sketches.get(day);
      if (!sketch) this.sketches.set(day, (sketch = HyperLogLog.empty()));
      sketch.add(session.userId);
    }
    return this;
  }

  addSegments(segments: UnfoldedSegment[]): this {
    for (const segment of segments) {
      for (const part of splitByUtcDay(segment.startedAt, segment.endedAt)) this.totals(part.day)[segment.media === 'audio' ? 'audioMs' : 'videoMs'] += part.ms;
    }
    return this;
  }
}

/** Rows folded per kind in one transaction. */
const BATCH = 500;

/** A fold that met rows another fold had just claimed: its transaction rolls back and runs again. */
class FoldRaced extends Error {}

/**
 * The `analytics-rollup` job: every ANALYTICS_ROLLUP_SECONDS it folds the raw rows not counted
 * yet into the per-day aggregates, a batch at a time. Each batch claims its rows (marks them
 * folded, only where they were not) and adds them to the aggregates in one transaction, so a
 * rerun or a crash never counts a row twice nor loses one, and a fold racing another (retention
 * folds before it purges) rolls back instead of double counting.
 */
@Injectable()
export class AnalyticsRollup implements OnModuleInit {
  private readonly logger = new Logger(AnalyticsRollup.name);

  constructor(
    @Inject(analyticsConfig.KEY) private readonly config: ConfigType<typeof analyticsConfig>,
    private readonly repository: CallsRepository,
    private readonly tx: TransactionRunner,
    private readonly scheduler: JobScheduler,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const everyMs = this.config.rollupIntervalSeconds * 1000;
    this.scheduler.register({ name: 'analytics-rollup', everyMs, leaseMs: Math.max(everyMs * 4, 60_000), run: () => this.foldAll() });
  }

  /** Folds everything not folded yet. Returns how many raw rows it counted. */
  async foldAll(): Promise<number> {
    let folded = 0;
    for (let attempt = 0; ; ) {
      try {
        const batch = await this.tx.run((manager) => this.foldBatch(manager));
        folded += batch;
        if (batch === 0) break;
      } catch (error) {
        if (!(error instanceof FoldRaced || isUniqueViolation(error)) || ++attempt > 5) throw error;
      }
    }
    if (folded > 0) this.logger.debug({ msg: 'analytics folded', rows: folded });
    return folded;
  }

  private async foldBatch(manager: EntityManager): Promise<number> {
    const [calls, sessions, segments] = [
      await this.repository.unfoldedCalls(manager, 0, BATCH),
      await this.repository.unfoldedSessions(manager, 0, BATCH),
      await this.repository.unfoldedSegments(manager, 0, BATCH),
    ];
    const rows = calls.length + sessions.length + segments.length;
    if (rows === 0) return 0;
    const now = this.clock.now();
    // Claim first: rows another fold claimed meanwhile make this one start again.
    const claimed =
      (await this.repository.markCallsFolded(manager, calls)) +
      (await this.repository.markFolded(manager, 'sessions', sessions.map((s) => s.id), now)) +
      (await this.repository.markFolded(manager, 'segments', segments.map((s) => s.id), now));
    if (claimed !== rows) throw new FoldRaced();
    const fold = new DayFold().addCalls(calls).addSessions(sessions).addSegments(segments);
    for (const [day, totals] of fold.days) await this.addToDay(manager, day, totals);
    await this.mergeSketches(manager, fold.sketches);
    return rows;
  }

  /**
   * Adds to the day's row (shard 0) in one UPDATE that does the arithmetic itself, so two folds
   * of different rows never lose each other's counts; the first fold of a day inserts the row
   * (a concurrent first insert makes this fold start again).
   */
  private async addToDay(manager: EntityManager, day: string, totals: DayTotals): Promise<void> {
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

  private async mergeSketches(manager: EntityManager, sketches: Map<string, HyperLogLog>): Promise<void> {
    if (sketches.size === 0) return;
    // Read to merge, so locked until commit on MariaDB (SQLite runs one transaction at a time).
    const lock = manager.connection.options.type === 'better-sqlite3' ? undefined : ({ mode: 'pessimistic_write' } as const);
    const stored = await manager.find(AnalyticsDaySketch, { where: { day: In([...sketches.keys()]) }, ...(lock ? { lock } : {}) });
    const byDay = new Map(stored.map((row) => [row.day, row]));
    for (const [day, sketch] of sketches) {
      const row = byDay.get(day);
      if (row) await manager.update(AnalyticsDaySketch, { day }, { registers: HyperLogLog.from(row.registers).merge(sketch).toBuffer() });
      else await manager.insert(AnalyticsDaySketch, { day, registers: sketch.toBuffer() });
    }
  }
}
