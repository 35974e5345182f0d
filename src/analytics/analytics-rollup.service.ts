import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionRunner } from '../database/transaction-runner.service';
import { AnalyticsRepository, DayTotals, UnfoldedCall, UnfoldedSegment, UnfoldedSession } from './analytics.repository';
import { HyperLogLog } from './hyperloglog';
import { splitByUtcDay, utcDay } from './utc-days';

export type { DayTotals };

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
 * The `analytics-rollup` job's work (AnalyticsRollupJob): every ANALYTICS_ROLLUP_SECONDS it folds the raw rows not counted
 * yet into the per-day aggregates, a batch at a time. Each batch claims its rows (marks them
 * folded, only where they were not) and adds them to the aggregates in one transaction, so a
 * rerun or a crash never counts a row twice nor loses one, and a fold racing another (retention
 * folds before it purges) rolls back instead of double counting.
 */
@Injectable()
export class AnalyticsRollup {
  private readonly logger = new Logger(AnalyticsRollup.name);

  constructor(
    private readonly repository: AnalyticsRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

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
    for (const [day, totals] of fold.days) await this.repository.addToDay(manager, day, totals);
    await this.mergeSketches(manager, fold.sketches);
    return rows;
  }

  private async mergeSketches(manager: EntityManager, sketches: Map<string, HyperLogLog>): Promise<void> {
    if (sketches.size === 0) return;
    const stored = await this.repository.sketchesForUpdate(manager, [...sketches.keys()]);
    const byDay = new Map(stored.map((row) => [row.day, row]));
    for (const [day, sketch] of sketches) {
      const row = byDay.get(day);
      await this.repository.saveSketch(manager, day, row ? HyperLogLog.from(row.registers).merge(sketch).toBuffer() : sketch.toBuffer(), row !== undefined);
    }
  }
}
