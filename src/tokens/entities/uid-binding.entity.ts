import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An Agora uid, bound to one member within one call on the first token issued for it, so no
 * one else can obtain a token that would let them publish as that member.
 */
@Entity({ name: 'call_uid_bindings' })
@Index('UQ_call_uid_bindings_call_uid', ['callId', 'uid'], { unique: true })
@Index('IDX_call_uid_bindings_call_user', ['callId', 'userId'])
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

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
