import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type CallMedia = 'audio' | 'video';

/**
 * `open` is 1 while a session is open and NULL once it is closed: a unique index treats NULLs as
 * distinct, so the index on (call, user, open) allows a single open session per member and call
 * next to any number of closed ones.
 */
export const OPEN = 1 as const;
export type OpenMarker = typeof OPEN | null;

/**
 * How far `token_expires_at` may lag the newest token's expiry (see the column). The token path
 * skips writing a renewal within this of the recorded expiry; the presence sweeper closes a
 * session only once the recorded expiry plus this has passed, dated then: never while a token is
 * valid, and at most this long (5 s) after the newest one expired, at any token lifetime.
 */
export const TOKEN_EXPIRY_LAG_MS = 5000;

/** One stay of one member in one call, from join to leave (see `OPEN`). */
@Entity({ name: 'call_sessions' })
@Index('UQ_call_sessions_open', ['callId', 'userId', 'open'], { unique: true })
@Index('IDX_call_sessions_user_call', ['userId', 'callId'])
@Index('IDX_call_sessions_token_expires', ['tokenExpiresAt'])
@Index('IDX_call_sessions_joined', ['joinedAt'])
@Index('IDX_call_sessions_presence', ['open', 'lastSeenAt'])
@Index('IDX_call_sessions_folded', ['foldedAt'])
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
  open: OpenMarker;

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
   * The newest evidence that the member is really there: the join itself, a token request, a
   * heartbeat, an Agora join notice, or Agora's channel user list. A session that closes for
   * lack of evidence closes at this moment.
   */
  @Column({ name: 'last_seen_at', type: 'datetime', precision: 3, nullable: true })
  lastSeenAt: Date | null;

  /**
   * The newest heartbeat; NULL when the client never sent one. Heartbeats are opt-in: only a
   * session that sent one is held to the presence timeout.
   */
  @Column({ name: 'heartbeat_at', type: 'datetime', precision: 3, nullable: true })
  heartbeatAt: Date | null;

  /**
   * When an Agora join notice put the member in the channel; NULL when none did. Such a session
   * stays open until Agora's leave notice (or a leave, removal, end or token expiry), never by a
   * timeout.
   */
  @Column({ name: 'agora_joined_at', type: 'datetime', precision: 3, nullable: true })
  agoraJoinedAt: Date | null;

  /**
   * When an Agora token issued for this session expires: the newest one, or one issued at most
   * `TOKEN_EXPIRY_LAG_MS` before it (a renewal that moves the expiry by no more than that is not
   * written, so a burst of renewals costs one write). The newest token therefore expires no later
   * than this plus the lag, and the session cannot outlive that.
   */
  @Column({ name: 'token_expires_at', type: 'datetime', precision: 3, nullable: true })
  tokenExpiresAt: Date | null;

  /** The newest Agora webhook `clientSeq` applied to this session: older events are ignored. */
  @Column({ name: 'last_client_seq', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | number | null) => (v === null ? null : Number(v)) } })
  lastClientSeq: number | null;

  /** When the analytics rollup counted this session (its participant, and its member in the day's sketch); NULL until it has. */
  @Column({ name: 'folded_at', type: 'datetime', precision: 3, nullable: true })
  foldedAt: Date | null;
}
