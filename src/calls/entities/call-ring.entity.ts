import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { CallMedia } from './call-session.entity';

/** A direct call's ringing: `ringing` until the callee accepts or declines, the caller cancels, or nobody answers in time. */
export type RingState = 'ringing' | 'accepted' | 'declined' | 'cancelled' | 'missed';

/**
 * The direct-call side of a call (`POST /calling/direct`): who rings whom and how it ended. The
 * call itself is an ordinary private call (status `active` while it rings, `ended` once declined,
 * cancelled or missed); `ringing` is this row's state, shown as the direct call's `status`.
 */
@Entity({ name: 'call_rings' })
@Index('IDX_call_rings_state_expires', ['state', 'expiresAt'])
export class CallRing {
  @PrimaryColumn({ name: 'call_id', type: 'int' })
  callId: number;

  @Column({ name: 'caller_id', type: 'int' })
  callerId: number;

  @Column({ name: 'callee_id', type: 'int' })
  calleeId: number;

  @Column({ type: 'varchar', length: 8 })
  media: CallMedia;

  @Column({ type: 'varchar', length: 16 })
  state: RingState;

  /** When an unanswered ring becomes missed. */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt: Date;

  @Column({ name: 'answered_at', type: 'datetime', precision: 3, nullable: true })
  answeredAt: Date | null;
}
