import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

export class Presence1764029200000 implements MigrationInterface {
  name = 'Presence1764029200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('call_sessions', [
      new TableColumn({ name: 'last_seen_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'token_expires_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'last_client_seq', type: 'bigint', isNullable: true }),
    ]);
    await queryRunner.query('UPDATE call_sessions SET last_seen_at = joined_at');
    await queryRunner.createIndex('call_sessions', new TableIndex({ name: 'IDX_call_sessions_presence', columnNames: ['open', 'last_seen_at'] }));
    await queryRunner.createTable(
      new Table({
        name: 'agora_notices',
        columns: [
          { name: 'notice_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'event_type', type: 'integer' },
          { name: 'received_at', type: 'datetime', precision: 3 },
        ],
        indices: [{ name: 'IDX_agora_notices_received', columnNames: ['received_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'job_locks',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'owner', type: 'varchar', length: '64' },
          { name: 'expires_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('job_locks');
    await queryRunner.dropTable('agora_notices');
    await queryRunner.dropIndex('call_sessions', 'IDX_call_sessions_presence');
    await queryRunner.dropColumns('call_sessions', ['last_client_seq', 'token_expires_at', 'last_seen_at']);
  }
}
