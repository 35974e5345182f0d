import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Indexes for the admin console's reads: the newest-first call list walks (created_at, id)
 * from the keyset cursor; the OTO# search finds a member's calls through (user_id, call_id)
 * on the sessions, which also serves every lookup the user_id-only index it replaces did; the
 * overview counts the sessions whose newest token was issued in the last hour by
 * token_expires_at.
 */
export class AdminConsoleIndexes1764029900000 implements MigrationInterface {
  name = 'AdminConsoleIndexes1764029900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('calls', new TableIndex({ name: 'IDX_calls_created_id', columnNames: ['created_at', 'id'] }));
    await queryRunner.createIndex('call_sessions', new TableIndex({ name: 'IDX_call_sessions_user_call', columnNames: ['user_id', 'call_id'] }));
    await queryRunner.dropIndex('call_sessions', 'IDX_call_sessions_user');
    await queryRunner.createIndex('call_sessions', new TableIndex({ name: 'IDX_call_sessions_token_expires', columnNames: ['token_expires_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('call_sessions', 'IDX_call_sessions_token_expires');
    await queryRunner.createIndex('call_sessions', new TableIndex({ name: 'IDX_call_sessions_user', columnNames: ['user_id'] }));
    await queryRunner.dropIndex('call_sessions', 'IDX_call_sessions_user_call');
    await queryRunner.dropIndex('calls', 'IDX_calls_created_id');
  }
}
