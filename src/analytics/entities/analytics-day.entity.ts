import { Column, Entity, PrimaryColumn } from 'typeorm';

const count = { type: 'bigint' as const, default: 0, transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } };

/** How many rows share one day's totals. */
export const ANALYTICS_SHARDS = 16;

/**
 * Per-day (UTC) totals, folded in from the raw records by the analytics rollup job. Analytics
 * reads these (plus the raw rows not folded yet), and they outlive the raw records' retention.
 */
@Entity({ name: 'analytics_days' })
export class AnalyticsDay {
  /** `YYYY-MM-DD`, UTC. */
  @PrimaryColumn({ type: 'varchar', length: 10 })
  day: string;

  /**
   * A day's totals may be spread over several rows (a day is the sum of its rows): older
   * versions wrote ANALYTICS_SHARDS of them; the rollup job writes shard 0.
   */
  @PrimaryColumn({ type: 'int' })
  shard: number;

  /** Participants whose first session in a call began this day (one per member and call). */
  @Column(count)
  participants: number;

  /** Calls created this day. */
  @Column({ name: 'calls_created', ...count })
  callsCreated: number;

  /** Of the calls created this day, those that have ended, and their summed length. */
  @Column({ name: 'calls_ended', ...count })
  callsEnded: number;

  @Column({ name: 'ended_duration_ms', ...count })
  endedDurationMs: number;

  /** The highest peak head count of the calls created this day that have ended. */
  @Column({ name: 'peak_participants', ...count })
  peakParticipants: number;

  /** Media time spent this day (segments split at UTC midnight). */
  @Column({ name: 'audio_ms', ...count })
  audioMs: number;

  @Column({ name: 'video_ms', ...count })
  videoMs: number;
}
