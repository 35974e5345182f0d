import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Scheduled calls (issue 24): when a call opens and ends (`starts_at`, `ends_at`, null for a
 * call without a schedule), and the instant each reminder was sent for, so it is sent once
 * across instances and restarts. The schedule job finds due calls through (status, starts_at)
 * and (status, ends_at); my-calls' upcoming list walks the first too.
 */
export class CallSchedules1764032100000 implements MigrationInterface {
  name = 'CallSchedules1764032100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('calls', [
      new TableColumn({ name: 'starts_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'ends_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'starting_soon_sent_for', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'ending_soon_sent_for', type: 'datetime', precision: 3, isNullable: true }),
    ]);
    await queryRunner.createIndex('calls', new TableIndex({ name: 'IDX_calls_status_starts', columnNames: ['status', 'starts_at'] }));
    await queryRunner.createIndex('calls', new TableIndex({ name: 'IDX_calls_status_ends', columnNames: ['status', 'ends_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('calls', 'IDX_calls_status_ends');
    await queryRunner.dropIndex('calls', 'IDX_calls_status_starts');
    await queryRunner.dropColumns('calls', ['ending_soon_sent_for', 'starting_soon_sent_for', 'ends_at', 'starts_at']);
  }
}
