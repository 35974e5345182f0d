import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * Recording with consent: the recordings table, the call's running recording (one at a time),
 * and each member's recording consent (off unless they give it).
 */
export class Recordings1764030100000 implements MigrationInterface {
  name = 'Recordings1764030100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'call_recordings',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'call_id', type: 'integer' },
          { name: 'channel_name', type: 'varchar', length: '64' },
          { name: 'mode', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'started_by', type: 'integer' },
          { name: 'uid', type: 'bigint' },
          { name: 'resource_id', type: 'varchar', length: '1024', isNullable: true },
          { name: 'sid', type: 'varchar', length: '128', isNullable: true },
          { name: 'subscribed_uids', type: 'text', isNullable: true },
          { name: 'files', type: 'text', isNullable: true },
          { name: 'failure', type: 'varchar', length: '64', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'started_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'stopped_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'purge_attempts', type: 'integer' },
        ],
        indices: [
          { name: 'IDX_call_recordings_call', columnNames: ['call_id'] },
          { name: 'IDX_call_recordings_created', columnNames: ['created_at', 'id'] },
          { name: 'IDX_call_recordings_stopped', columnNames: ['stopped_at'] },
        ],
      }),
    );
    await queryRunner.addColumn('calls', new TableColumn({ name: 'recording_id', type: 'integer', isNullable: true }));
    await queryRunner.addColumn('call_preferences', new TableColumn({ name: 'recording_consent', type: 'boolean', default: 0 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('call_preferences', 'recording_consent');
    await queryRunner.dropColumn('calls', 'recording_id');
    await queryRunner.dropTable('call_recordings');
  }
}
