import { MigrationInterface, QueryRunner, Table } from 'typeorm';

export class CreateUsers1764028800000 implements MigrationInterface {
  name = 'CreateUsers1764028800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'oto_number', type: 'varchar', length: '16' },
          { name: 'membership_stage', type: 'varchar', length: '32' },
          { name: 'role', type: 'varchar', length: '32' },
          { name: 'first_seen_at', type: 'datetime', precision: 3 },
          { name: 'last_seen_at', type: 'datetime', precision: 3 },
        ],
        indices: [{ name: 'UQ_users_oto_number', columnNames: ['oto_number'], isUnique: true }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('users');
  }
}
