import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * Encrypted calls (issue 26): a call's media encryption mode (every existing call `none`), and
 * the calls feature's table of sealed media keys, one row per encrypted call while it is occupied
 * (the key and salt sealed with AES-256-GCM under MEDIA_KEY_SECRET; deleted when the call ends).
 */
export class EncryptedCalls1764032300000 implements MigrationInterface {
  name = 'EncryptedCalls1764032300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('calls', new TableColumn({ name: 'encryption', type: 'varchar', length: '16', default: "'none'" }));
    await queryRunner.createTable(
      new Table({
        name: 'call_media_keys',
        columns: [
          { name: 'call_id', type: 'integer', isPrimary: true },
          { name: 'mode', type: 'varchar', length: '16' },
          { name: 'sealed', type: 'varchar', length: '512' },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('call_media_keys');
    await queryRunner.dropColumn('calls', 'encryption');
  }
}
