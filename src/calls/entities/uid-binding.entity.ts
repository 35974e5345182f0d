import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An Agora uid, bound to one member within one call, so no one else can obtain a token that
 * would let them publish as that member: the uid the service assigns at join (`assigned`), and
 * any uid a client picked itself, bound on the first token issued for it.
 */
@Entity({ name: 'call_uid_bindings' })
@Index('UQ_call_uid_bindings_call_uid', ['callId', 'uid'], { unique: true })
@Index('IDX_call_uid_bindings_call_user', ['callId', 'userId'])
@Index('UQ_call_uid_bindings_assigned', ['callId', 'userId', 'assigned'], { unique: true })
export class UidBinding {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'call_id', type: 'int' })
  callId: number;

  /** Agora uid: 1 .. 2^32-1. */
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  uid: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  /**
   * 1 for the uid the service assigned to the member at join, NULL for a uid the client picked.
   * The unique index on (call, user, assigned) allows one assigned uid per member and call (NULLs
   * are distinct), as `call_sessions.open` does for sessions.
   */
  @Column({ type: 'tinyint', nullable: true })
  assigned: 1 | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
