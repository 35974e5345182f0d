import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type CallMedia = 'audio' | 'video';

/**
 * One stay of one member in one call, from join to leave. At most one session per member and
 * call is open at a time: `open` is 1 while open and NULL once closed, and the unique index on
 * (call, user, open) lets any number of closed sessions coexist with a single open one.
 */
@Entity({ name: 'call_sessions' })
@Index('UQ_call_sessions_open', ['callId', 'userId', 'open'], { unique: true })
@Index('IDX_call_sessions_user', ['userId'])
@Index('IDX_call_sessions_joined', ['joinedAt'])
@Index('IDX_call_sessions_presence', ['open', 'lastSeenAt'])
export class CallSession {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'call_id', type: 'int' })
  callId: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ type: 'varchar', length: 8 })
  media: CallMedia;

  @Column({ type: 'tinyint', nullable: true })
  open: 1 | null;

  @Column({ name: 'joined_at', type: 'datetime', precision: 3 })
  joinedAt: Date;

  @Column({ name: 'left_at', type: 'datetime', precision: 3, nullable: true })
  leftAt: Date | null;

  @Column({ name: 'duration_seconds', type: 'int', nullable: true })
  durationSeconds: number | null;

  /** Why the session closed: `left`, `removed`, `call_ended`, or Agora's/the sweeper's reason. */
  @Column({ name: 'leave_reason', type: 'varchar', length: 32, nullable: true })
  leaveReason: string | null;

  /**
   * The last time anything confirmed the member is really there: join, a heartbeat, or an
   * Agora join webhook. The sweeper closes open sessions not confirmed for the presence timeout.
   */
  @Column({ name: 'last_seen_at', type: 'datetime', precision: 3, nullable: true })
  lastSeenAt: Date | null;

  /** When the newest Agora token issued for this session expires; the session cannot outlive it. */
  @Column({ name: 'token_expires_at', type: 'datetime', precision: 3, nullable: true })
  tokenExpiresAt: Date | null;

  /** The newest Agora webhook `clientSeq` applied to this session: older events are ignored. */
  @Column({ name: 'last_client_seq', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) } })
  lastClientSeq: number | null;
}
