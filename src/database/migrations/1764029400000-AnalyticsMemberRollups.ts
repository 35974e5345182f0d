import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { bucketStart } from '../../analytics/utc-days';

const PAGE = 5000;

/**
 * Distinct-member rollups, so analytics never counts distinct members over raw per-day rows:
 * a per-day counter, per-week/month member rows with counters, and each member's last join day.
 * Existing analytics_day_members rows are folded in.
 */
export class AnalyticsMemberRollups1764029400000 implements MigrationInterface {
  name = 'AnalyticsMemberRollups1764029400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('analytics_days', new TableColumn({ name: 'members', type: 'bigint', default: 0 }));
    await queryRunner.createTable(
      new Table({
        name: 'analytics_periods',
        columns: [
          { name: 'kind', type: 'varchar', length: '5', isPrimary: true },
          { name: 'start', type: 'varchar', length: '10', isPrimary: true },
          { name: 'members', type: 'bigint', default: 0 },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'analytics_period_members',
        columns: [
          { name: 'kind', type: 'varchar', length: '5', isPrimary: true },
          { name: 'start', type: 'varchar', length: '10', isPrimary: true },
          { name: 'user_id', type: 'integer', isPrimary: true },
          { name: 'last_day', type: 'varchar', length: '10' },
        ],
        indices: [{ name: 'IDX_analytics_period_members_last_day', columnNames: ['kind', 'start', 'last_day'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'analytics_member_last_days',
        columns: [
          { name: 'user_id', type: 'integer', isPrimary: true },
          { name: 'last_day', type: 'varchar', length: '10' },
        ],
        indices: [{ name: 'IDX_analytics_member_last_days_day', columnNames: ['last_day'] }],
      }),
    );
    await this.backfill(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('analytics_member_last_days');
    await queryRunner.dropTable('analytics_period_members');
    await queryRunner.dropTable('analytics_periods');
    await queryRunner.dropColumn('analytics_days', 'members');
  }

  /** Folds the existing (day, member) rows into the new tables, oldest day first. */
  private async backfill(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('UPDATE analytics_days SET members = (SELECT COUNT(*) FROM analytics_day_members m WHERE m.day = analytics_days.day)');
    const periods = new Map<string, { kind: string; start: string; members: number }>();
    const periodMembers = new Map<string, { kind: string; start: string; userId: number; lastDay: string }>();
    const lastDays = new Map<number, string>();
    for (let offset = 0; ; offset += PAGE) {
      const rows: Array<{ day: string; user_id: number }> = await queryRunner.query(
        `SELECT day, user_id FROM analytics_day_members ORDER BY day, user_id LIMIT ${PAGE} OFFSET ${offset}`,
      );
      for (const row of rows) {
        const userId = Number(row.user_id);
        lastDays.set(userId, row.day);
        for (const kind of ['week', 'month'] as const) {
          const start = bucketStart(row.day, kind);
          const key = `${kind}:${start}:${userId}`;
          if (!periodMembers.has(key)) {
            const period = periods.get(`${kind}:${start}`) ?? { kind, start, members: 0 };
            period.members += 1;
            periods.set(`${kind}:${start}`, period);
          }
          periodMembers.set(key, { kind, start, userId, lastDay: row.day });
        }
      }
      if (rows.length < PAGE) break;
    }
    for (const p of periods.values()) {
      await queryRunner.query('INSERT INTO analytics_periods (kind, start, members) VALUES (?, ?, ?)', [p.kind, p.start, p.members]);
    }
    for (const m of periodMembers.values()) {
      await queryRunner.query('INSERT INTO analytics_period_members (kind, start, user_id, last_day) VALUES (?, ?, ?, ?)', [m.kind, m.start, m.userId, m.lastDay]);
    }
    for (const [userId, lastDay] of lastDays) {
      await queryRunner.query('INSERT INTO analytics_member_last_days (user_id, last_day) VALUES (?, ?)', [userId, lastDay]);
    }
  }
}
