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
}
