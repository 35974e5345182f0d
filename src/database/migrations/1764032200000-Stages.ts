import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Stages (issue 25): a call's mode (every existing call is a conference), its speaker cap and
 * count (null on conferences), and on each member whether they may publish on a stage, when they
 * were last demoted, and their raised hand (with the session it was raised in, so that closing
 * the session lowers it without a write). Nothing is added to `call_sessions`: its triggers (the
 * Events migration) stay as they are, and SQLite does not rebuild it.
 */
export class Stages1764032200000 implements MigrationInterface {
  name = 'Stages1764032200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('calls', [
      new TableColumn({ name: 'mode', type: 'varchar', length: '16', default: "'conference'" }),
      new TableColumn({ name: 'max_speakers', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'speaker_count', type: 'integer', isNullable: true }),
    ]);
    await queryRunner.addColumns('call_members', [
      new TableColumn({ name: 'speaker_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'demoted_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'hand_raised_at', type: 'datetime', precision: 3, isNullable: true }),
      new TableColumn({ name: 'hand_session_id', type: 'integer', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('call_members', ['hand_session_id', 'hand_raised_at', 'demoted_at', 'speaker_at']);
    await queryRunner.dropColumns('calls', ['speaker_count', 'max_speakers', 'mode']);
  }
}
