import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What this service may know of a member: never a username or an email.
 * Rows are upserted from the claims of Ikoota's JWTs.
 */
@Entity({ name: 'users' })
@Index('UQ_users_oto_number', ['otoNumber'], { unique: true })
export class User {
  /** Ikoota's user id (the JWT's `user_id`, `id` or `sub`). */
  @PrimaryColumn({ type: 'int' })
  id: number;

  /** Converse Identity, e.g. `OTO#K7Q2ZD`: the only name other members and logs ever see. */
  @Column({ name: 'oto_number', type: 'varchar', length: 16 })
  otoNumber: string;

  @Column({ name: 'membership_stage', type: 'varchar', length: 32 })
  membershipStage: string;

  @Column({ type: 'varchar', length: 32 })
  role: string;

  @Column({ name: 'first_seen_at', type: 'datetime', precision: 3 })
  firstSeenAt: Date;

  @Column({ name: 'last_seen_at', type: 'datetime', precision: 3 })
  lastSeenAt: Date;
}
