import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const datetime = (name: string, nullable = false) => ({ name, type: 'datetime', precision: 3, isNullable: nullable });
const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
const int = (name: string, extra: Record<string, unknown> = {}) => ({ name, type: 'integer', ...extra });


export class CreateCalls1764028900000 implements MigrationInterface {
  name = 'CreateCalls1764028900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'calls',
        columns: [
          id,
          { name: 'title', type: 'varchar', length: '200' },
          { name: 'description', type: 'varchar', length: '2000', isNullable: true },
          { name: 'channel_name', type: 'varchar', length: '64' },
          int('creator_id'),
          { name: 'is_public', type: 'boolean', default: 0 },
          int('max_participants', { default: 50 }),
          { name: 'status', type: 'varchar', length: '16', default: "'active'" },
          int('active_participants', { default: 0 }),
          int('peak_participants', { default: 0 }),
          datetime('created_at'),
          datetime('ended_at', true),
          { name: 'ended_by', type: 'varchar', length: '16', isNullable: true },
        ],
        indices: [
          { name: 'UQ_calls_channel_name', columnNames: ['channel_name'], isUnique: true },
          { name: 'IDX_calls_creator', columnNames: ['creator_id'] },
          { name: 'IDX_calls_status_created', columnNames: ['status', 'created_at'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'call_members',
        columns: [id, int('call_id'), int('user_id'), { name: 'role', type: 'varchar', length: '16' }, datetime('created_at'), datetime('removed_at', true)],
        indices: [
          { name: 'UQ_call_members_call_user', columnNames: ['call_id', 'user_id'], isUnique: true },
          { name: 'IDX_call_members_user', columnNames: ['user_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'call_sessions',
        columns: [
          id,
          int('call_id'),
          int('user_id'),
          { name: 'media', type: 'varchar', length: '8' },
          { name: 'open', type: 'tinyint', isNullable: true },
          datetime('joined_at'),
          datetime('left_at', true),
          int('duration_seconds', { isNullable: true }),
          { name: 'leave_reason', type: 'varchar', length: '32', isNullable: true },
        ],
        indices: [
          { name: 'UQ_call_sessions_open', columnNames: ['call_id', 'user_id', 'open'], isUnique: true },
          { name: 'IDX_call_sessions_user', columnNames: ['user_id'] },
          { name: 'IDX_call_sessions_joined', columnNames: ['joined_at'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'call_uid_bindings',
        columns: [id, int('call_id'), { name: 'uid', type: 'bigint' }, int('user_id'), datetime('created_at')],
        indices: [
          { name: 'UQ_call_uid_bindings_call_uid', columnNames: ['call_id', 'uid'], isUnique: true },
          { name: 'IDX_call_uid_bindings_call_user', columnNames: ['call_id', 'user_id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('call_uid_bindings');
    await queryRunner.dropTable('call_sessions');
    await queryRunner.dropTable('call_members');
    await queryRunner.dropTable('calls');
  }
}
