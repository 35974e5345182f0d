import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * The lobby: two settings on the call (off for every existing call, which so behaves as before)
 * and one row per member who knocked at a call's door.
 */
export class Lobby1764032000000 implements MigrationInterface {
  name = 'Lobby1764032000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('calls', [
      new TableColumn({ name: 'lobby', type: 'boolean', default: 0 }),
      new TableColumn({ name: 'wait_for_host', type: 'boolean', default: 0 }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'call_lobby',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'call_id', type: 'integer' },
          { name: 'user_id', type: 'integer' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'since', type: 'datetime', precision: 3 },
          { name: 'decided_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'decided_by', type: 'integer', isNullable: true },
        ],
        indices: [
          { name: 'UQ_call_lobby_call_user', columnNames: ['call_id', 'user_id'], isUnique: true },
          { name: 'IDX_call_lobby_call_state_since', columnNames: ['call_id', 'state', 'since'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('call_lobby');
    await queryRunner.dropColumns('calls', ['wait_for_host', 'lobby']);
  }
}
