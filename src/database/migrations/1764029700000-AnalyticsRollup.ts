import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

const folded = (name: string, type: 'tinyint' | 'datetime') => new TableColumn({ name, type, isNullable: true, ...(type === 'datetime' ? { precision: 3 } : {}) });

/**
 * Analytics by rollup: raw rows say whether (and when) the rollup job folded them into the
 * per-day aggregates (calls twice: created, then ended; NULL is not yet), days keep a participant count and a
 * HyperLogLog sketch of their distinct members, and every per-member analytics table goes: no
 * analytics table holds a member id any more.
 *
 * What the old recorder had already counted is marked folded: calls' creation (and end, for
 * ended calls) and closed media segments. Sessions are left for the job, which counts their
 * participants and sketches their members (neither was kept before).
 */
export class AnalyticsRollup1764029700000 implements MigrationInterface {
  name = 'AnalyticsRollup1764029700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('calls', folded('analytics_state', 'tinyint'));
    await queryRunner.addColumn('call_sessions', folded('folded_at', 'datetime'));
    await queryRunner.addColumn('call_media_segments', folded('folded_at', 'datetime'));
    await queryRunner.query('UPDATE calls SET analytics_state = CASE WHEN ended_at IS NULL THEN 1 ELSE 2 END');
    await queryRunner.query('UPDATE call_media_segments SET folded_at = ended_at WHERE ended_at IS NOT NULL');
    await queryRunner.createIndex('calls', new TableIndex({ name: 'IDX_calls_analytics_state', columnNames: ['analytics_state'] }));
    await queryRunner.createIndex('call_sessions', new TableIndex({ name: 'IDX_call_sessions_folded', columnNames: ['folded_at'] }));
    await queryRunner.createIndex('call_media_segments', new TableIndex({ name: 'IDX_call_media_segments_folded', columnNames: ['folded_at'] }));

    await queryRunner.addColumn('analytics_days', new TableColumn({ name: 'participants', type: 'bigint', default: 0 }));
    await queryRunner.dropColumn('analytics_days', 'members');
    await queryRunner.createTable(
      new Table({
        name: 'analytics_day_sketches',
        columns: [
          { name: 'day', type: 'varchar', length: '10', isPrimary: true },
          { name: 'registers', type: 'blob' },
        ],
      }),
    );
    for (const table of ['analytics_last_day_counts', 'analytics_member_last_days', 'analytics_period_members', 'analytics_periods', 'analytics_day_members']) {
      await queryRunner.dropTable(table);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const key = (name: string, length = '10') => ({ name, type: 'varchar', length, isPrimary: true });
    const userKey = { name: 'user_id', type: 'integer', isPrimary: true };
    await queryRunner.createTable(new Table({ name: 'analytics_day_members', columns: [key('day'), userKey] }));
    await queryRunner.createTable(new Table({ name: 'analytics_periods', columns: [key('kind', '5'), key('start'), { name: 'members', type: 'bigint', default: 0 }] }));
    await queryRunner.createTable(
      new Table({ name: 'analytics_period_members', columns: [key('kind', '5'), key('start'), userKey, { name: 'last_day', type: 'varchar', length: '10' }] }),
    );
    await queryRunner.createTable(new Table({ name: 'analytics_member_last_days', columns: [userKey, { name: 'last_day', type: 'varchar', length: '10' }] }));
    await queryRunner.createTable(
      new Table({
        name: 'analytics_last_day_counts',
        columns: [key('kind', '5'), key('start'), key('day'), { name: 'shard', type: 'integer', isPrimary: true }, { name: 'members', type: 'bigint', default: 0 }],
      }),
    );
    await queryRunner.dropTable('analytics_day_sketches');
    await queryRunner.addColumn('analytics_days', new TableColumn({ name: 'members', type: 'bigint', default: 0 }));
    await queryRunner.dropColumn('analytics_days', 'participants');

    await queryRunner.dropIndex('call_media_segments', 'IDX_call_media_segments_folded');
    await queryRunner.dropIndex('call_sessions', 'IDX_call_sessions_folded');
    await queryRunner.dropIndex('calls', 'IDX_calls_analytics_state');
    await queryRunner.dropColumn('call_media_segments', 'folded_at');
    await queryRunner.dropColumn('call_sessions', 'folded_at');
    await queryRunner.dropColumn('calls', 'analytics_state');
  }
}
