import { ApiProperty } from '@nestjs/swagger';
/** One bucket (a day, a week or a month) of the analytics window. */
export class AnalyticsBucketDto {
  /**
   * The bucket's first day (`YYYY-MM-DD`, UTC): the day itself, the Monday of the week, or the
   * 1st of the month. The first week or month may start before the window; only the window's
   * days are counted in it.
   * @example "2023-12-01"
   */
  date: string;
  /** Calls created in the bucket. @example 45 */
  @ApiProperty({ type: 'integer' })
  total_calls: number;
  /**
   * Participants of the bucket's calls: each member counts once per call, on the day of their
   * first session in it (so over a window these add up to the calls' own `stats.total_participants`).
   * @example 320
   */
  @ApiProperty({ type: 'integer' })
  total_participants: number;
  /** Mean length in seconds (creation to end) of the bucket's calls that have ended; 0 when none. @example 1845 */
  @ApiProperty({ type: 'integer' })
  avg_duration: number;
  /** Audio segment time in the bucket, in minutes (2 decimals); a segment counts when it closes. @example 2150 */
  audio_minutes: number;
  /** Video segment time in the bucket, in minutes (2 decimals); a segment counts when it closes. @example 1890 */
  video_minutes: number;
  /**
   * Distinct members who joined a call in the bucket, each once: an estimate from per-day
   * HyperLogLog sketches (within about 2% at 10,000 members; exact for small counts).
   * @example 210
   */
  @ApiProperty({ type: 'integer' })
  unique_members: number;
  /** The largest peak head count of one call created in the bucket. @example 48 */
  @ApiProperty({ type: 'integer' })
  peak_participants: number;
}

/** Totals over the whole window. */
export class AnalyticsSummaryDto {
  /** Calls created in the window. @example 1350 */
  @ApiProperty({ type: 'integer' })
  totalCalls: number;
  /** Participants of the window's calls (each member once per call). @example 9600 */
  @ApiProperty({ type: 'integer' })
  totalParticipants: number;
  /** @example 64500 */
  totalAudioMinutes: number;
  /** @example 58200 */
  totalVideoMinutes: number;
  /** Mean length in seconds of the window's calls that have ended; 0 when none. @example 1672 */
  @ApiProperty({ type: 'integer' })
  averageCallDuration: number;
  /**
   * The most members present at the same moment in one call created in the window (ended
   * calls, and calls still going).
   * @example 150
   */
  @ApiProperty({ type: 'integer' })
  peakParticipants: number;
  /** Distinct members who joined a call in the window, each once (HyperLogLog estimate). @example 2100 */
  @ApiProperty({ type: 'integer' })
  uniqueMembers: number;
}

/** The admin analytics report: aggregates only, no member is named or numbered in it. */
export class AnalyticsReportDto {
  /** One row per bucket overlapping the window, oldest first, empty buckets included. */
  dailyStats: AnalyticsBucketDto[];
  summary: AnalyticsSummaryDto;
}
