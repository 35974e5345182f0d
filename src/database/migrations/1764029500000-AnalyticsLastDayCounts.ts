import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const SHARDS = 16;

/** Counts the last-day rows into analytics_last_day_counts (the bench seeder rebuilds with it too). */
export const FILL_LAST_DAY_COUNTS = [
  `INSERT INTO analytics_last_day_counts (kind, start, day, shard, members)
   SELECT 'all', '', last_day, user_id % ${SHARDS}, COUNT(*) FROM analytics_member_last_days GROUP BY last_day, user_id % ${SHARDS}`,
  `INSERT INTO analytics_last_day_counts (kind, start, day, shard, members)
   SELECT kind, start, last_day, user_id % ${SHARDS}, COUNT(*) FROM analytics_period_members GROUP BY kind, start, last_day, user_id % ${SHARDS}`,
];

/**
 * Distinct members of a window counted from per-day counters instead of per-member rows:
 * analytics_last_day_counts holds, per scope (all time, each week, each month), day and shard,
 * how many members' last join day there is that day. Filled from the existing last-day rows.
 * The last_day indexes that the old per-member count ranged over are no longer read: dropped.
 */
export class AnalyticsLastDayCounts1764029500000 implements MigrationInterface {
  name = 'AnalyticsLastDayCounts1764029500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'analytics_last_day_counts',
        columns: [
          { name: 'kind', type: 'varchar', length: '5', isPrimary: true },
          { name: 'start', type: 'varchar', length: '10', isPrimary: true },
          { name: 'day', type: 'varchar', length: '10', isPrimary: true },
          { name: 'shard', type: 'integer', isPrimary: true },
          { name: 'members', type: 'bigint', default: 0 },
        ],
      }),
    );
    for (const sql of FILL_LAST_DAY_COUNTS) await queryRunner.query(sql);
    await queryRunner.dropIndex('analytics_member_last_days', 'IDX_analytics_member_last_days_day');
    await queryRunner.dropIndex('analytics_period_members', 'IDX_analytics_period_members_last_day');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('analytics_period_members', new TableIndex({ name: 'IDX_analytics_period_members_last_day', columnNames: ['kind', 'start', 'last_day'] }));
    await queryRunner.createIndex('analytics_member_last_days', new TableIndex({ name: 'IDX_analytics_member_last_days_day', columnNames: ['last_day'] }));
    await queryRunner.dropTable('analytics_last_day_counts');
  }
}
