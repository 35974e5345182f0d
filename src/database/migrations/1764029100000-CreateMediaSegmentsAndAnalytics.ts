import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const datetime = (name: string, nullable = false) => ({ name, type: 'datetime', precision: 3, isNullable: nullable });
const counter = (name: string) => ({ name, type: 'bigint', default: 0 });

export class CreateMediaSegmentsAndAnalytics1764029100000 implements MigrationInterface {
  name = 'CreateMediaSegmentsAndAnalytics1764029100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'call_media_segments',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'session_id', type: 'integer' },
          { name: 'call_id', type: 'integer' },
          { name: 'user_id', type: 'integer' },
          { name: 'media', type: 'varchar', length: '8' },
          datetime('started_at'),
          datetime('ended_at', true),
          { name: 'duration_seconds', type: 'integer', isNullable: true },
        ],
        indices: [
          { name: 'IDX_call_media_segments_session', columnNames: ['session_id'] },
          { name: 'IDX_call_media_segments_call', columnNames: ['call_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'analytics_days',
        columns: [
          { name: 'day', type: 'varchar', length: '10', isPrimary: true },
          counter('calls_created'),
          counter('calls_ended'),
          counter('ended_duration_ms'),
          counter('peak_participants'),
          counter('audio_ms'),
          counter('video_ms'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'analytics_day_members',
        columns: [
          { name: 'day', type: 'varchar', length: '10', isPrimary: true },
          { name: 'user_id', type: 'integer', isPrimary: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('analytics_day_members');
    await queryRunner.dropTable('analytics_days');
    await queryRunner.dropTable('call_media_segments');
  }
}
