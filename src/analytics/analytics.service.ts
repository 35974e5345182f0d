import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner.service';
import { DayFold, noTotals } from './analytics-rollup.service';
import { AnalyticsRepository, DayTotals } from './analytics.repository';
import { AnalyticsGroupBy, AnalyticsQueryDto } from './dto/analytics-query.dto';
import { AnalyticsBucketDto, AnalyticsReportDto } from './dto/analytics-report.dto';
import { HyperLogLog } from './hyperloglog';
import { addDays, bucketStart, bucketStarts, utcDay } from './utc-days';

/** Everything the report is computed from: per-day totals and sketches, folded and not yet folded. */
export interface ReportInput {
  groupBy: AnalyticsGroupBy;
  /** The first day of every bucket overlapping the window, oldest first. */
  starts: string[];
  /** The window's first and last day: days outside it are not counted. */
  from: string;
  to: string;
  /** Per-day totals (days without an entry had no activity). */
  days: Map<string, DayTotals>;
  /** Per-day distinct-member sketches. */
  sketches: Map<string, HyperLogLog>;
}

/** Milliseconds as minutes, rounded to 2 decimals (ms / 600 is hundredths of a minute). */
export const toMinutes = (ms: number): number => Math.round(ms / 600) / 100;

/** Mean seconds of the ended calls, rounded; 0 when none ended. */
export const averageSeconds = (durationMs: number, ended: number): number => (ended > 0 ? Math.round(durationMs / ended / 1000) : 0);

interface Sums {
  calls: number;
  ended: number;
  durationMs: number;
  audioMs: number;
  videoMs: number;
  participants: number;
  peak: number;
  members: HyperLogLog;
}

const emptySums = (): Sums => ({ calls: 0, ended: 0, durationMs: 0, audioMs: 0, videoMs: 0, participants: 0, peak: 0, members: HyperLogLog.empty() });

/** Folds the per-day totals into buckets and the window summary. Pure: unit-tested on its own. */
export function assembleReport(input: ReportInput): AnalyticsReportDto {
  const perBucket = new Map(input.starts.map((start) => [start, emptySums()]));
  const total = emptySums();
  const inWindow = (day: string): boolean => day >= input.from && day <= input.to;
  for (const [day, row] of input.days) {
    if (!inWindow(day)) continue;
    const sums = perBucket.get(bucketStart(day, input.groupBy))!;
    for (const target of [sums, total]) {
      target.calls += row.callsCreated;
      target.ended += row.callsEnded;
      target.durationMs += row.endedDurationMs;
      target.audioMs += row.audioMs;
      target.videoMs += row.videoMs;
      target.participants += row.participants;
      target.peak = Math.max(target.peak, row.peakParticipants);
    }
  }
  for (const [day, sketch] of input.sketches) {
    if (!inWindow(day)) continue;
    perBucket.get(bucketStart(day, input.groupBy))!.members.merge(sketch);
    total.members.merge(sketch);
  }
  const dailyStats: AnalyticsBucketDto[] = input.starts.map((date) => {
    const sums = perBucket.get(date) ?? emptySums();
    return {
      date,
      total_calls: sums.calls,
      total_participants: sums.participants,
      avg_duration: averageSeconds(sums.durationMs, sums.ended),
      audio_minutes: toMinutes(sums.audioMs),
      video_minutes: toMinutes(sums.videoMs),
      unique_members: sums.members.count(),
      peak_participants: sums.peak,
    };
  });
  return {
    dailyStats,
    summary: {
      totalCalls: total.calls,
      totalParticipants: total.participants,
      totalAudioMinutes: toMinutes(total.audioMs),
      totalVideoMinutes: toMinutes(total.videoMs),
      averageCallDuration: averageSeconds(total.durationMs, total.ended),
      peakParticipants: total.peak,
      uniqueMembers: total.members.count(),
    },
  };
}

const midnight = (day: string): Date => new Date(`${day}T00:00:00.000Z`);

/**
 * The admin analytics report, exact and current: the per-day aggregates the rollup job keeps,
 * plus the raw rows it has not folded yet (counted by the same `DayFold`), plus the peaks so far
 * of calls still going, all read on one snapshot so a fold committing meanwhile is counted once.
 * The aggregates are a few rows per day; the unfolded tail is small by construction (the job
 * runs every ANALYTICS_ROLLUP_SECONDS) and read through indexes.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly repository: AnalyticsRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** The `days` UTC days ending today (today included), grouped by day, week or month. */
  async report(query: AnalyticsQueryDto): Promise<AnalyticsReportDto> {
    const groupBy = query.groupBy ?? 'day';
    const to = utcDay(this.clock.now());
    const from = addDays(to, -((query.days ?? 30) - 1));
    const starts = bucketStarts(from, to, groupBy);
    const { days, sketches } = await this.tx.snapshot(async (manager) => {
      const { days: stored, sketches: storedSketches } = await this.repository.storedDays(manager, from, to);
      const tail = new DayFold()
        .addCalls(await this.repository.unfoldedCalls(manager))
        .addSessions(await this.repository.unfoldedSessions(manager))
        .addSegments(await this.repository.unfoldedSegments(manager));
      for (const live of await this.repository.livePeaks(midnight(from), midnight(addDays(to, 1)), manager)) {
        const day = utcDay(live.createdAt);
        tail.days.set(day, { ...(tail.days.get(day) ?? noTotals()), peakParticipants: Math.max(tail.days.get(day)?.peakParticipants ?? 0, live.peakParticipants) });
      }
      for (const row of stored) {
        const totals = tail.days.get(row.day) ?? noTotals();
        totals.callsCreated += Number(row.callsCreated);
        totals.callsEnded += Number(row.callsEnded);
        totals.endedDurationMs += Number(row.endedDurationMs);
        totals.audioMs += Number(row.audioMs);
        totals.videoMs += Number(row.videoMs);
        totals.participants += Number(row.participants);
        totals.peakParticipants = Math.max(totals.peakParticipants, Number(row.peakParticipants));
        tail.days.set(row.day, totals);
      }
      for (const row of storedSketches) {
        const sketch = tail.sketches.get(row.day) ?? HyperLogLog.empty();
        tail.sketches.set(row.day, sketch.merge(HyperLogLog.from(row.registers)));
      }
      return tail;
    });
    return assembleReport({ groupBy, starts, from, to, days, sketches });
  }
}
