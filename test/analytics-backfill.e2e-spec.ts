import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../src/config/database.config';
import { buildDataSourceOptions } from '../src/database/data-source.options';
import { ENTITIES } from '../src/entities';
import { MIGRATIONS } from '../src/database/migrations';
import { AnalyticsScale1764029400000 } from '../src/database/migrations/1764029400000-AnalyticsScale';
import { AnalyticsLastDayCounts1764029500000 } from '../src/database/migrations/1764029500000-AnalyticsLastDayCounts';
import { createTestDatabase } from './support/test-app';

describe('AnalyticsMemberRollups migration', () => {
  it('folds existing per-day member rows into the day, week, month and last-day rollups, then counts the last days', async () => {
    const db = await createTestDatabase();
    const index = MIGRATIONS.indexOf(AnalyticsScale1764029400000);
    const dataSource = new DataSource({ ...buildDataSourceOptions(parseDatabaseUrl(db.url), ENTITIES), migrations: MIGRATIONS.slice(0, index) });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      // Member 1: Mon 2026-03-02 and Wed 03-04 (one week); member 2: Sat 02-28 and Mon 03-02.
      for (const [day, user] of [['2026-02-28', 2], ['2026-03-02', 1], ['2026-03-02', 2], ['2026-03-04', 1]] as const) {
        await dataSource.query('INSERT INTO analytics_day_members (day, user_id) VALUES (?, ?)', [day, user]);
      }
      for (const day of ['2026-02-28', '2026-03-02', '2026-03-04']) await dataSource.query('INSERT INTO analytics_days (day) VALUES (?)', [day]);

      const runner = dataSource.createQueryRunner();
      await new AnalyticsScale1764029400000().up(runner);
      await runner.release();

      const days = await dataSource.query('SELECT day, members FROM analytics_days ORDER BY day');
      expect(days.map((r: { day: string; members: string | number }) => [r.day, Number(r.members)])).toEqual([
        ['2026-02-28', 1],
        ['2026-03-02', 2],
        ['2026-03-04', 1],
      ]);
      const periods = await dataSource.query('SELECT kind, start, members FROM analytics_periods ORDER BY kind, start');
      expect(periods.map((r: { kind: string; start: string; members: string | number }) => [r.kind, r.start, Number(r.members)])).toEqual([
        ['month', '2026-02-01', 1],
        ['month', '2026-03-01', 2],
        ['week', '2026-02-23', 1],
        ['week', '2026-03-02', 2],
      ]);
      const lastInWeek = await dataSource.query("SELECT user_id, last_day FROM analytics_period_members WHERE kind = 'week' AND start = '2026-03-02' ORDER BY user_id");
      expect(lastInWeek.map((r: { user_id: number; last_day: string }) => [Number(r.user_id), r.last_day])).toEqual([
        [1, '2026-03-04'],
        [2, '2026-03-02'],
      ]);
      const last = await dataSource.query('SELECT user_id, last_day FROM analytics_member_last_days ORDER BY user_id');
      expect(last.map((r: { user_id: number; last_day: string }) => [Number(r.user_id), r.last_day])).toEqual([
        [1, '2026-03-04'],
        [2, '2026-03-02'],
      ]);

      // The next migration counts those last days per scope, day and shard (user_id % 16).
      const counts = dataSource.createQueryRunner();
      await new AnalyticsLastDayCounts1764029500000().up(counts);
      await counts.release();
      const rows = await dataSource.query('SELECT kind, start, day, shard, members FROM analytics_last_day_counts ORDER BY kind, start, day, shard');
      expect(rows.map((r: { kind: string; start: string; day: string; shard: number; members: string | number }) => [r.kind, r.start, r.day, Number(r.shard), Number(r.members)])).toEqual([
        ['all', '', '2026-03-02', 2, 1],
        ['all', '', '2026-03-04', 1, 1],
        ['month', '2026-02-01', '2026-02-28', 2, 1],
        ['month', '2026-03-01', '2026-03-02', 2, 1],
        ['month', '2026-03-01', '2026-03-04', 1, 1],
        ['week', '2026-02-23', '2026-02-28', 2, 1],
        ['week', '2026-03-02', '2026-03-02', 2, 1],
        ['week', '2026-03-02', '2026-03-04', 1, 1],
      ]);
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
  });
});
