import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Between, DataSource } from 'typeorm';
import { CALL_STATUSES, Call } from '../calls/entities/call.entity';
import { Clock } from '../common/clock';
import { AnalyticsGroupBy, AnalyticsQueryDto } from './dto/analytics-query.dto';
import { AnalyticsBucketDto, AnalyticsReportDto } from './dto/analytics-report.dto';
import { AnalyticsDayMember } from './entities/analytics-day-member.entity';
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
 * Reads the per-day aggregates (analytics_days, analytics_day_members) into the admin analytics
 * report. Never scans raw sessions: at most four queries, run together, whatever the
 * window or the traffic (the window's day rows, distinct members per bucket, distinct members
 * in the window, the peak of calls still going); buckets are folded here.
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
    const windowMembers = this.membersBetween(from, to);
    const [days, bucketMembers, members, livePeak] = await Promise.all([
      this.dataSource.getRepository(AnalyticsDay).find({ where: { day: Between(from, to) } }),
      this.membersPerBucket(from, to, groupBy, starts, windowMembers),
      windowMembers,
      this.livePeak(from, to),
    ]);
    return assembleReport({ groupBy, starts, days, bucketMembers, windowMembers: members, livePeak });
  }

  /**
   * Distinct members per bucket, counted by the database so only one row per bucket comes back.
   *
   * Portable between SQLite and MariaDB without date functions: days are `YYYY-MM-DD` strings,
   * which sort like dates, so a day belongs to the last bucket whose first day is <= that day.
   * - day: the day is the bucket, and (day, user_id) is the primary key, so a count per day is
   *   already a count of distinct members.
   * - week, month: a CASE over the bucket starts (at most 53, passed as parameters) gives each
   *   row its bucket index; the distinct (bucket, user_id) pairs are then counted per bucket.
   *   (A derived table with SELECT DISTINCT measured faster than COUNT(DISTINCT) per group on
   *   both databases.) A window inside one week or month is one bucket: its count is the
   *   window's, so no query is needed.
   */
  private async membersPerBucket(from: string, to: string, groupBy: AnalyticsGroupBy, starts: string[], windowMembers: Promise<number>): Promise<Map<string, number>> {
    if (groupBy === 'day') {
      const rows = await this.dataSource
        .createQueryBuilder()
        .select('m.day', 'bucket')
        .addSelect('COUNT(*)', 'members')
        .from(AnalyticsDayMember, 'm')
        .where('m.day BETWEEN :from AND :to', { from, to })
        .groupBy('m.day')
        .getRawMany<{ bucket: string; members: string | number }>();
      return new Map(rows.map((row) => [String(row.bucket), Number(row.members)]));
    }
    if (starts.length === 1) return new Map([[starts[0], await windowMembers]]);
    const whens: string[] = [];
    const bounds: Record<string, string> = {};
    for (let index = starts.length - 1; index >= 1; index -= 1) {
      whens.push(`WHEN m.day >= :bucket${index} THEN ${index}`);
      bounds[`bucket${index}`] = starts[index];
    }
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('pairs.bucket', 'bucket')
      .addSelect('COUNT(*)', 'members')
      .from(
        (pairs) =>
          pairs
            .select(`CASE ${whens.join(' ')} ELSE 0 END`, 'bucket')
            .addSelect('m.user_id', 'user_id')
            .distinct(true)
            .from(AnalyticsDayMember, 'm')
            .where('m.day BETWEEN :from AND :to', { from, to })
            .setParameters(bounds),
        'pairs',
      )
      .groupBy('pairs.bucket')
      .getRawMany<{ bucket: string | number; members: string | number }>();
    return new Map(rows.map((row) => [starts[Number(row.bucket)], Number(row.members)]));
  }

  /** Distinct members who joined a call on any day of [from, to]. */
  private async membersBetween(from: string, to: string): Promise<number> {
    const row = await this.dataSource
      .createQueryBuilder()
      .select('COUNT(DISTINCT m.user_id)', 'members')
      .from(AnalyticsDayMember, 'm')
      .where('m.day BETWEEN :from AND :to', { from, to })
      .getRawOne<{ members: string | number | null }>();
    return Number(row?.members ?? 0);
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
