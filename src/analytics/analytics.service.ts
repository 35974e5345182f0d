import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Between, DataSource, MoreThanOrEqual } from 'typeorm';
import { CALL_STATUSES, Call } from '../calls/entities/call.entity';
import { Clock } from '../common/clock';
import { AnalyticsGroupBy, AnalyticsQueryDto } from './dto/analytics-query.dto';
import { AnalyticsBucketDto, AnalyticsReportDto } from './dto/analytics-report.dto';
import { AnalyticsLastDayCount, AnalyticsPeriod, LastDayScope } from './entities/analytics-period.entity';
import { AnalyticsDay } from './entities/analytics-day.entity';
import { addDays, bucketStart, bucketStarts, utcDay } from './utc-days';

/** Calls that have not ended yet: their peak is not in analytics_days until they end. */
const LIVE_STATUSES = CALL_STATUSES.filter((status) => status !== 'ended');

/** Everything the report is computed from, as read from the database. */
export interface ReportInput {
  groupBy: AnalyticsGroupBy;
  /** The first day of every bucket overlapping the window, oldest first. */
  starts: string[];
  /** The window's analytics_days rows (days without a row had no activity). */
  days: Array<Pick<AnalyticsDay, 'day' | 'callsCreated' | 'callsEnded' | 'endedDurationMs' | 'peakParticipants' | 'audioMs' | 'videoMs'>>;
  /** Distinct members per bucket, by the bucket's first day. */
  bucketMembers: Map<string, number>;
  /** Distinct members over the whole window. */
  windowMembers: number;
  /** The highest head count of calls created in the window that are still going. */
  livePeak: number;
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
}

const emptySums = (): Sums => ({ calls: 0, ended: 0, durationMs: 0, audioMs: 0, videoMs: 0 });

/** Folds the per-day rows into buckets and the window summary. Pure: unit-tested on its own. */
export function assembleReport(input: ReportInput): AnalyticsReportDto {
  const perBucket = new Map(input.starts.map((start) => [start, emptySums()]));
  const total = emptySums();
  let peak = Number(input.livePeak) || 0;
  for (const row of input.days) {
    const sums = perBucket.get(bucketStart(row.day, input.groupBy));
    // Only the window's days are read, and every one of them falls in a bucket.
    if (!sums) throw new Error(`day ${row.day} outside the report's buckets`);
    for (const target of [sums, total]) {
      target.calls += Number(row.callsCreated);
      target.ended += Number(row.callsEnded);
      target.durationMs += Number(row.endedDurationMs);
      target.audioMs += Number(row.audioMs);
      target.videoMs += Number(row.videoMs);
    }
    peak = Math.max(peak, Number(row.peakParticipants));
  }
  const dailyStats: AnalyticsBucketDto[] = input.starts.map((date) => {
    const sums = perBucket.get(date) ?? emptySums();
    return {
      date,
      total_calls: sums.calls,
      total_participants: Number(input.bucketMembers.get(date) ?? 0),
      avg_duration: averageSeconds(sums.durationMs, sums.ended),
      audio_minutes: toMinutes(sums.audioMs),
      video_minutes: toMinutes(sums.videoMs),
    };
  });
  return {
    dailyStats,
    summary: {
      totalCalls: total.calls,
      totalParticipants: Number(input.windowMembers) || 0,
      totalAudioMinutes: toMinutes(total.audioMs),
      totalVideoMinutes: toMinutes(total.videoMs),
      averageCallDuration: averageSeconds(total.durationMs, total.ended),
      peakParticipants: peak,
    },
  };
}

/**
 * Reads the aggregates (analytics_days and the distinct-member rollups) into the admin analytics
 * report. Never scans raw sessions nor per-member rows of the whole window: three queries run
 * together (the window's day rows, distinct members since the window's first day, the peak of
 * calls still going) and, for weeks and months, two more (the periods' counts and the partial
 * first period); buckets are folded here.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** The `days` UTC days ending today (today included), grouped by day, week or month. */
  async report(query: AnalyticsQueryDto): Promise<AnalyticsReportDto> {
    const groupBy = query.groupBy ?? 'day';
    const to = utcDay(this.clock.now());
    const from = addDays(to, -((query.days ?? 30) - 1));
    const starts = bucketStarts(from, to, groupBy);
    const [days, windowMembers, livePeak] = await Promise.all([
      this.dataSource.getRepository(AnalyticsDay).find({ where: { day: Between(from, to) } }),
      this.membersSince(from),
      this.livePeak(from, to),
    ]);
    const bucketMembers = await this.membersPerBucket(from, groupBy, starts, days);
    return assembleReport({ groupBy, starts, days, bucketMembers, windowMembers, livePeak });
  }

  /**
   * Distinct members per bucket, read from rollups kept as members join (never counted over
   * per-member rows, so the cost does not grow with the community):
   * - day: `analytics_days.members`, already in the day rows;
   * - week, month: `analytics_periods.members` for buckets wholly inside the window; a first
   *   bucket that starts before the window sums the counts of members whose last join day in
   *   that period falls inside the window.
   */
  private async membersPerBucket(from: string, groupBy: AnalyticsGroupBy, starts: string[], days: Array<Pick<AnalyticsDay, 'day' | 'members'>>): Promise<Map<string, number>> {
    if (groupBy === 'day') {
      const perDay = new Map<string, number>();
      for (const row of days) perDay.set(row.day, (perDay.get(row.day) ?? 0) + Number(row.members));
      return perDay;
    }
    const kind = groupBy;
    const [whole, partial] = await Promise.all([
      this.dataSource.getRepository(AnalyticsPeriod).find({ where: { kind, start: Between(starts[0], starts[starts.length - 1]) } }),
      starts[0] < from ? this.lastDaysFrom({ kind, start: starts[0] }, from) : Promise.resolve(undefined),
    ]);
    const members = new Map(whole.map((row) => [row.start, Number(row.members)]));
    if (partial !== undefined) members.set(starts[0], partial);
    return members;
  }

  /** Distinct members who joined a call on any day from `from` to today. */
  private membersSince(from: string): Promise<number> {
    return this.lastDaysFrom({ kind: 'all', start: '' }, from);
  }

  /** Members whose last join day in the scope is `from` or later: a sum over days x shards rows. */
  private async lastDaysFrom(scope: LastDayScope, from: string): Promise<number> {
    const total = await this.dataSource
      .getRepository(AnalyticsLastDayCount)
      .sum('members', { kind: scope.kind, start: scope.start, day: MoreThanOrEqual(from) });
    return Number(total ?? 0);
  }

  /**
   * The highest head count so far of calls created in the window that have not ended (ended
   * calls' peaks are in analytics_days already). Uses the (status, created_at) index.
   */
  private async livePeak(from: string, to: string): Promise<number> {
    const row = await this.dataSource
      .getRepository(Call)
      .createQueryBuilder('call')
      .select('MAX(call.peak_participants)', 'peak')
      .where('call.status IN (:...live)', { live: LIVE_STATUSES })
      .andWhere('call.created_at >= :start AND call.created_at < :end', {
        start: new Date(`${from}T00:00:00.000Z`),
        end: new Date(`${addDays(to, 1)}T00:00:00.000Z`),
      })
      .getRawOne<{ peak: string | number | null }>();
    return Number(row?.peak ?? 0);
  }
}
