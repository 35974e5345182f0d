import { Column, Entity, PrimaryColumn } from 'typeorm';

const count = { type: 'bigint' as const, default: 0, transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } };

export type AnalyticsPeriodKind = 'week' | 'month';

/** Distinct members who joined a call in a week (starting Monday) or a month, kept as they join. */
@Entity({ name: 'analytics_periods' })
export class AnalyticsPeriod {
  @PrimaryColumn({ type: 'varchar', length: 5 })
  kind: AnalyticsPeriodKind;

  /** The period's first day, `YYYY-MM-DD` (UTC). */
  @PrimaryColumn({ type: 'varchar', length: 10 })
  start: string;

  @Column(count)
  members: number;
}

/** Each member's last join day within a week or a month (counted in analytics_last_day_counts). */
@Entity({ name: 'analytics_period_members' })
export class AnalyticsPeriodMember {
  @PrimaryColumn({ type: 'varchar', length: 5 })
  kind: AnalyticsPeriodKind;

  @PrimaryColumn({ type: 'varchar', length: 10 })
  start: string;

  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'last_day', type: 'varchar', length: 10 })
  lastDay: string;
}

/** Each member's last join day ever (counted in analytics_last_day_counts). */
@Entity({ name: 'analytics_member_last_days' })
export class AnalyticsMemberLastDay {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'last_day', type: 'varchar', length: 10 })
  lastDay: string;
}

/** The scopes a member's last join day is kept for: all time, each week, each month. */
export type LastDayScope = { kind: 'all'; start: '' } | { kind: AnalyticsPeriodKind; start: string };

/**
 * How many members' last join day in a scope (all time: kind `all`, start ''; or one week or
 * month) is this day, spread over shard rows like analytics_days. The distinct members of a
 * window ending today are the sum over the window's days, so the count costs days x shards
 * rows, however many members there are. Kept as last days move (see AnalyticsRecorder).
 */
@Entity({ name: 'analytics_last_day_counts' })
export class AnalyticsLastDayCount {
  @PrimaryColumn({ type: 'varchar', length: 5 })
  kind: 'all' | AnalyticsPeriodKind;

  /** The period's first day, or '' for all time. */
  @PrimaryColumn({ type: 'varchar', length: 10 })
  start: string;

  @PrimaryColumn({ type: 'varchar', length: 10 })
  day: string;

  @PrimaryColumn({ type: 'int' })
  shard: number;

  @Column(count)
  members: number;
}
