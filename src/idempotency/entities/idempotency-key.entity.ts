import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * `in_progress` while the first request with the key runs and nothing it wrote has committed;
 * `committed` once its work has (set in the work's own transaction), until `done`: its answer
 * stored. A `committed` key whose answer never came (its instance died between the two) is never
 * run again.
 */
export type IdempotencyState = 'in_progress' | 'committed' | 'done';

/**
 * One `Idempotency-Key` of one member (`POST /create`, `/direct`, `/:callId/invite`,
 * `/:callId/recordings` and the other `@Idempotent()` routes): claimed by inserting the row, then
 * holding the first answer (status and body) for 24 hours, when the `idempotency-purge` job
 * deletes it. `idem_key` is the key's SHA-256 (hex), not the key: MariaDB's case-insensitive
 * collation would otherwise make `abc` and `ABC` one key, and the unique index stays short.
 */
@Entity({ name: 'idempotency_keys' })
@Index('UQ_idempotency_keys_user_key', ['userId', 'idemKey'], { unique: true })
@Index('IDX_idempotency_keys_created', ['createdAt'])
export class IdempotencyKey {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  /** SHA-256 (hex) of the Idempotency-Key header. */
  @Column({ name: 'idem_key', type: 'varchar', length: 64 })
  idemKey: string;

  /** SHA-256 (hex) of the method, the path and the canonical JSON body. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash: string;

  @Column({ type: 'varchar', length: 16 })
  state: IdempotencyState;

  /** Who holds the claim (a random id per claim): only they store its answer or give it up. */
  @Column({ name: 'claimed_by', type: 'varchar', length: 36 })
  claimedBy: string;

  @Column({ name: 'status_code', type: 'int', nullable: true })
  statusCode: number | null;

  /** The first answer's JSON body; null for an empty body (and while in progress). */
  @Column({ name: 'response_body', type: 'text', nullable: true })
  responseBody: string | null;

  /** When the key was first used: it answers for 24 hours from here. */
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  /** While in progress: past this, the claim's instance is taken for dead and a retry may take it over. */
  @Column({ name: 'locked_until', type: 'datetime', precision: 3 })
  lockedUntil: Date;
}
