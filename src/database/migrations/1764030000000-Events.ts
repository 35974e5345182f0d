import { MigrationInterface, QueryRunner, Table } from 'typeorm';

const JOINED = 'trg_call_sessions_event_joined';
const LEFT = 'trg_call_sessions_event_left';

/** The outbox row a session's insert or close writes: the same values on both databases. */
const joinedRow = `INSERT INTO call_events (type, call_id, user_id, actor_id, reason, data, occurred_at, status, attempts)
  VALUES ('participant.joined', NEW.call_id, NEW.user_id, NULL, NULL, NULL, NEW.joined_at, 'pending', 0)`;
const leftRow = `INSERT INTO call_events (type, call_id, user_id, actor_id, reason, data, occurred_at, status, attempts)
  VALUES ('participant.left', NEW.call_id, NEW.user_id, NULL, NEW.leave_reason, NULL, NEW.left_at, 'pending', 0)`;
/** A session closing: open goes from 1 to NULL. A removal has its own event (participant.removed, written by the removal). */
const closing = "OLD.open = 1 AND NEW.open IS NULL AND COALESCE(NEW.leave_reason, '') <> 'removed'";

/**
 * Events: the outbox (`call_events`), written in the same transaction as each change, and the
 * direct calls' ringing (`call_rings`).
 *
 * Participant joins and leaves are written by the database itself: triggers on `call_sessions`
 * insert their outbox row inside the statement that opens or closes the session. So they are
 * atomic with the change and cost no extra round trip (the join and leave statement counts of
 * test/statement-counts.e2e-spec.ts stay as they are). MySQL/MariaDB with binary logging needs
 * SUPER or `log_bin_trust_function_creators=1` for the account that runs migrations.
 */
export class Events1764030000000 implements MigrationInterface {
  name = 'Events1764030000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'call_events',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'type', type: 'varchar', length: '32' },
          { name: 'call_id', type: 'integer' },
          { name: 'user_id', type: 'integer', isNullable: true },
          { name: 'actor_id', type: 'integer', isNullable: true },
          { name: 'reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'data', type: 'text', isNullable: true },
          { name: 'occurred_at', type: 'datetime', precision: 3 },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer' },
          { name: 'first_attempt_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'next_attempt_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'delivered_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'last_error', type: 'varchar', length: '200', isNullable: true },
        ],
        indices: [
          { name: 'IDX_call_events_delivery', columnNames: ['status', 'call_id', 'id'] },
          { name: 'IDX_call_events_occurred', columnNames: ['occurred_at'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'call_rings',
        columns: [
          { name: 'call_id', type: 'integer', isPrimary: true },
          { name: 'caller_id', type: 'integer' },
          { name: 'callee_id', type: 'integer' },
          { name: 'media', type: 'varchar', length: '8' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'expires_at', type: 'datetime', precision: 3 },
          { name: 'answered_at', type: 'datetime', precision: 3, isNullable: true },
        ],
        indices: [{ name: 'IDX_call_rings_state_expires', columnNames: ['state', 'expires_at'] }],
      }),
    );
    if (queryRunner.connection.options.type === 'better-sqlite3') {
      await queryRunner.query(`CREATE TRIGGER ${JOINED} AFTER INSERT ON call_sessions BEGIN ${joinedRow}; END`);
      await queryRunner.query(`CREATE TRIGGER ${LEFT} AFTER UPDATE OF open ON call_sessions WHEN ${closing} BEGIN ${leftRow}; END`);
    } else {
      await queryRunner.query(`CREATE TRIGGER ${JOINED} AFTER INSERT ON call_sessions FOR EACH ROW ${joinedRow}`);
      await queryRunner.query(`CREATE TRIGGER ${LEFT} AFTER UPDATE ON call_sessions FOR EACH ROW BEGIN IF ${closing} THEN ${leftRow}; END IF; END`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER IF EXISTS ${LEFT}`);
    await queryRunner.query(`DROP TRIGGER IF EXISTS ${JOINED}`);
    await queryRunner.dropTable('call_rings');
    await queryRunner.dropTable('call_events');
  }
}
