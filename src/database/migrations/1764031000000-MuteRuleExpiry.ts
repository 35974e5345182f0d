import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Kicking rules behind a mute keep when they end, so a token is given only while rules cover its
 * whole lifetime, and a uid may hold more than one rule per privilege (a new one is posted before
 * a renewal outlives the old one): the unique index on (call_id, uid, privilege) goes. Existing
 * rows keep a NULL end: they cover no new token (it gets a new rule) and are deleted at Agora on
 * unmute as long as they could still be in force.
 */
export class MuteRuleExpiry1764031000000 implements MigrationInterface {
  name = 'MuteRuleExpiry1764031000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('call_mute_rules', 'UQ_call_mute_rules_call_uid_privilege');
    await queryRunner.addColumn('call_mute_rules', new TableColumn({ name: 'expires_at', type: 'datetime', precision: 3, isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('call_mute_rules', 'expires_at');
    // The unique index again: one row per (call, uid, privilege), the newest (the others' rules
    // end before it at Agora; the release this goes back to could not have deleted them anyway).
    await queryRunner.query(
      'DELETE FROM call_mute_rules WHERE id NOT IN (SELECT id FROM (SELECT MAX(id) AS id FROM call_mute_rules GROUP BY call_id, uid, privilege) AS newest)',
    );
    await queryRunner.createIndex('call_mute_rules', new TableIndex({ name: 'UQ_call_mute_rules_call_uid_privilege', columnNames: ['call_id', 'uid', 'privilege'], isUnique: true }));
  }
}
