import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Presence from evidence: a session remembers whether it opted into heartbeats and whether
 * Agora's webhooks saw the member in the channel, since each changes what may close it.
 */
export class PresenceEvidence1764029600000 implements MigrationInterface {
  name = 'PresenceEvidence1764029600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('call_sessions', [
      new TableColumn({ name: 'heartbeat_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'agora_joined_at', type: 'datetime', precision: 3, isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('call_sessions', ['agora_joined_at', 'heartbeat_at']);
  }
}
