import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Where an event is in its webhook delivery. */
export type EventStatus = 'pending' | 'delivered' | 'failed';
export const EVENT_STATUSES: EventStatus[] = ['pending', 'delivered', 'failed'];

/**
 * The outbox: one row per change worth telling, written in the same transaction as the change
 * (participant joins and leaves by triggers on `call_sessions`, see the Events migration; the
 * rest by `EventsOutbox.record`). The row holds ids only; the body sent (`{ id, type,
 * occurredAt, callId, data }`, members as `user_id` and `oto_number`) is composed from them at
 * delivery. The id orders events: every event of a call is written under the call's row lock,
 * so a call's ids grow in commit order.
 */
@Entity({ name: 'call_events' })
@Index('IDX_call_events_delivery', ['status', 'callId', 'id'])
@Index('IDX_call_events_occurred', ['occurredAt'])
export class CallEvent {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Column({ name: 'call_id', type: 'int' })
  callId: number;

  /** The member the event is about (joined, left, invited, rung, removed, muted); null for the call's own events. */
  @Column({ name: 'user_id', type: 'int', nullable: true })
  userId: number | null;

  /** Who made the change, when a member did (the host who paused, the caller who cancelled). */
  @Column({ name: 'actor_id', type: 'int', nullable: true })
  actorId: number | null;

  /** Why a participant left (`left`, `call_ended`, the sweeper's or Agora's reason). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  reason: string | null;

  /** Further fields of the body's `data`, as JSON (never a username, email or secret). */
  @Column({ type: 'text', nullable: true })
  data: string | null;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt: Date;

  @Column({ type: 'varchar', length: 16 })
  status: EventStatus;

  /** Webhook POSTs tried so far. */
  @Column({ type: 'int' })
  attempts: number;

  @Column({ name: 'first_attempt_at', type: 'datetime', precision: 3, nullable: true })
  firstAttemptAt: Date | null;

  /** When a retry is due; null before the first attempt. */
  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3, nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'delivered_at', type: 'datetime', precision: 3, nullable: true })
  deliveredAt: Date | null;

  /** What the last failed attempt met: `status 500`, `timeout`, `refused` (never a body). */
  @Column({ name: 'last_error', type: 'varchar', length: 200, nullable: true })
  lastError: string | null;
}
