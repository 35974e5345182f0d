import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * The first day (YYYY-MM-DD, UTC) of the ISO week (Monday) or month holding `day`. A frozen copy
 * of analytics' bucketStart as it was when this migration was released: a migration must not
 * change with the feature code (and src/database imports no feature).
 */
function bucketStart(day: string, bucket: 'week' | 'month'): string {
  if (bucket === 'month') return `${day.slice(0, 7)}-01`;
  const at = Date.parse(`${day}T00:00:00.000Z`);
  const sinceMonday = (new Date(at).getUTCDay() + 6) % 7;
  return new Date(at - sinceMonday * 86_400_000).toISOString().slice(0, 10);
}

const PAGE = 5000;
const COUNTERS = ['members', 'calls_created', 'calls_ended', 'ended_duration_ms', 'peak_participants', 'audio_ms', 'video_ms'];

/**
 * Analytics that stay fast as traffic grows:
 * - distinct-member rollups, so reports never count distinct members over per-day rows: a
 *   per-day counter, per-week/month member rows with counters, each member's last join day;
 * - analytics_days spread over shard rows (primary key day + shard), so concurrent writers on
 *   MariaDB do not all queue for one row per day.
 * Existing rows are carried over (as shard 0) and existing analytics_day_members folded in.
 */
export class AnalyticsScale1764029400000 implements MigrationInterface {
  name = 'AnalyticsScale1764029400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Main held this migration for a few minutes under another name, AnalyticsMemberRollups1764029400000
    // (4a6ea5a): the member rollups below and a `members` column on the one-row-per-day
    // analytics_days, but no shards. A database made then has its tables already (TypeORM sees
    // this name as not run), so only the sharding is left, carrying `members` too.
    // test/upgrade.e2e-spec.ts upgrades such a database.
    const rollupsFirst = await queryRunner.hasTable('analytics_periods');
    await queryRunner.createTable(
      new Table({
        name: 'analytics_days_sharded',
        columns: [
          { name: 'day', type: 'varchar', length: '10', isPrimary: true },
          { name: 'shard', type: 'integer', isPrimary: true },
          ...COUNTERS.map((name) => ({ name, type: 'bigint', default: 0 })),
        ],
      }),
    );
    const carried = COUNTERS.filter((name) => rollupsFirst || name !== 'members').join(', ');
    await queryRunner.query(`INSERT INTO analytics_days_sharded (day, shard, ${carried}) SELECT day, 0, ${carried} FROM analytics_days`);
    await queryRunner.dropTable('analytics_days');
    await queryRunner.renameTable('analytics_days_sharded', 'analytics_days');
    if (rollupsFirst) return;
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
    // Back to one row per day, without the members counter.
    const carried = COUNTERS.filter((name) => name !== 'members');
    await queryRunner.createTable(
      new Table({
        name: 'analytics_days_single',
        columns: [{ name: 'day', type: 'varchar', length: '10', isPrimary: true }, ...carried.map((name) => ({ name, type: 'bigint', default: 0 }))],
      }),
    );
    await queryRunner.query(
      `INSERT INTO analytics_days_single (day, ${carried.join(', ')}) SELECT day, ${carried.map((c) => (c === 'peak_participants' ? `MAX(${c})` : `SUM(${c})`)).join(', ')} FROM analytics_days GROUP BY day`,
    );
    await queryRunner.dropTable('analytics_days');
    await queryRunner.renameTable('analytics_days_single', 'analytics_days');
  }

  /** Folds the existing (day, member) rows into the new tables, oldest day first. */
  private async backfill(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('UPDATE analytics_days SET members = (SELECT COUNT(*) FROM analytics_day_members m WHERE m.day = analytics_days.day) WHERE shard = 0');
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
