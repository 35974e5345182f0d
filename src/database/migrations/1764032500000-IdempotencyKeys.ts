import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * Retries that never duplicate (issue 26): one row per member and `Idempotency-Key`, claimed by
 * its insert (the unique index decides between instances), holding the first answer for 24 hours.
 * The purge walks `created_at`.
 */
export class IdempotencyKeys1764032500000 implements MigrationInterface {
  name = 'IdempotencyKeys1764032500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'user_id', type: 'integer' },
          { name: 'idem_key', type: 'varchar', length: '64' },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'claimed_by', type: 'varchar', length: '36' },
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'response_body', type: 'text', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'locked_until', type: 'datetime', precision: 3 },
        ],
        indices: [
          { name: 'UQ_idempotency_keys_user_key', columnNames: ['user_id', 'idem_key'], isUnique: true },
          { name: 'IDX_idempotency_keys_created', columnNames: ['created_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
  }
}
