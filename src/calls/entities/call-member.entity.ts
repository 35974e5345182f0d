import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type CallRole = 'host' | 'moderator' | 'participant';

/**
 * Who belongs to a call: its host, invited members, and everyone who joined. A private call
 * admits only its members (and admins). `removed_at` marks a member an admin removed: they may
 * not rejoin nor get a token for this call. `audio_muted_at` / `video_muted_at`: when a host,
 * moderator or admin muted the member (with Agora credentials, a kicking rule stops them publishing).
 */
@Entity({ name: 'call_members' })
@Index('UQ_call_members_call_user', ['callId', 'userId'], { unique: true })
@Index('IDX_call_members_user', ['userId'])
export class CallMember {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'call_id', type: 'int' })
  callId: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ type: 'varchar', length: 16 })
  role: CallRole;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'removed_at', type: 'datetime', precision: 3, nullable: true })
  removedAt: Date | null;

  @Column({ name: 'audio_muted_at', type: 'datetime', precision: 3, nullable: true })
  audioMutedAt: Date | null;

  @Column({ name: 'video_muted_at', type: 'datetime', precision: 3, nullable: true })
  videoMutedAt: Date | null;

  // ---- stages (src/stage/)

  /** On a stage: since when the member may publish (a speaker); null for a listener, and always on conferences. */
  @Column({ name: 'speaker_at', type: 'datetime', precision: 3, nullable: true })
  speakerAt: Date | null;

  /**
   * On a stage: when the member last stopped being a speaker (demoted, stepped down). Until they
   * are a speaker again, kicking rules keep them from publishing with a token they held as one
   * (`forbiddenPrivileges`).
   */
  @Column({ name: 'demoted_at', type: 'datetime', precision: 3, nullable: true })
  demotedAt: Date | null;

  /** On a stage: when the listener raised their hand; it counts only in `hand_session_id`. */
  @Column({ name: 'hand_raised_at', type: 'datetime', precision: 3, nullable: true })
  handRaisedAt: Date | null;

  /** The session the hand was raised in: once that session closes (leave, removal, end, presence) the hand is down. */
  @Column({ name: 'hand_session_id', type: 'int', nullable: true })
  handSessionId: number | null;
}
