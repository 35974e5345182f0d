import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Calls that hosts run: the uid the service assigns each member at join, mute flags on the
 * member, and the Agora kicking rules behind a mute (so unmuting can delete them). No column has a default, so inserts need no read-back.
 */
export class HostControls1764029800000 implements MigrationInterface {
  name = 'HostControls1764029800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('call_uid_bindings', new TableColumn({ name: 'assigned', type: 'tinyint', isNullable: true }));
    await queryRunner.createIndex('call_uid_bindings', new TableIndex({ name: 'UQ_call_uid_bindings_assigned', columnNames: ['call_id', 'user_id', 'assigned'], isUnique: true }));
    await queryRunner.addColumns('call_members', [
      new TableColumn({ name: 'audio_muted_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'video_muted_at', type: 'datetime', precision: 3, isNullable: true }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'call_mute_rules',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'call_id', type: 'integer' },
          { name: 'user_id', type: 'integer' },
          { name: 'uid', type: 'bigint' },
          { name: 'privilege', type: 'varchar', length: '16' },
          { name: 'rule_id', type: 'bigint' },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        indices: [
          { name: 'UQ_call_mute_rules_call_uid_privilege', columnNames: ['call_id', 'uid', 'privilege'], isUnique: true },
          { name: 'IDX_call_mute_rules_call_user', columnNames: ['call_id', 'user_id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('call_mute_rules');
    await queryRunner.dropColumns('call_members', ['video_muted_at', 'audio_muted_at']);
    await queryRunner.dropIndex('call_uid_bindings', 'UQ_call_uid_bindings_assigned');
    await queryRunner.dropColumn('call_uid_bindings', 'assigned');
  }
}
