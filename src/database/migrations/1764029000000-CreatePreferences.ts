import { MigrationInterface, QueryRunner, Table } from 'typeorm';

export class CreatePreferences1764029000000 implements MigrationInterface {
  name = 'CreatePreferences1764029000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'call_preferences',
        columns: [
          { name: 'user_id', type: 'integer', isPrimary: true },
          { name: 'voice_masking_enabled', type: 'boolean', default: 1 },
          { name: 'video_masking_enabled', type: 'boolean', default: 1 },
          { name: 'auto_mute_on_join', type: 'boolean', default: 0 },
          { name: 'video_quality', type: 'varchar', length: '2', default: "'hd'" },
          { name: 'preferred_avatar', type: 'varchar', length: '64', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'updated_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('call_preferences');
  }
}
