import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

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

/**
 * Each member's last join day within a week or a month. A window that starts inside a period
 * counts the members whose last day there falls inside the window, with one indexed range.
 */
@Entity({ name: 'analytics_period_members' })
@Index('IDX_analytics_period_members_last_day', ['kind', 'start', 'lastDay'])
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

/** Each member's last join day ever: distinct members of a window ending today, by index range. */
@Entity({ name: 'analytics_member_last_days' })
@Index('IDX_analytics_member_last_days_day', ['lastDay'])
export class AnalyticsMemberLastDay {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'last_day', type: 'varchar', length: 10 })
  lastDay: string;
}
