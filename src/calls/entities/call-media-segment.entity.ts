import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { CallMedia } from './call-session.entity';

/**
 * A stretch of one participation session spent on one medium. Joining opens the first segment;
 * switching media closes it and opens the next; leaving closes the last. Audio and video minutes
 * everywhere are sums of segment durations.
 */
@Entity({ name: 'call_media_segments' })
@Index('IDX_call_media_segments_session', ['sessionId'])
@Index('IDX_call_media_segments_call', ['callId'])
@Index('IDX_call_media_segments_folded', ['foldedAt'])
export class CallMediaSegment {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'session_id', type: 'int' })
  sessionId: number;

  @Column({ name: 'call_id', type: 'int' })
  callId: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ type: 'varchar', length: 8 })
  media: CallMedia;

  @Column({ name: 'started_at', type: 'datetime', precision: 3 })
  startedAt: Date;

  @Column({ name: 'ended_at', type: 'datetime', precision: 3, nullable: true })
  endedAt: Date | null;

  @Column({ name: 'duration_seconds', type: 'int', nullable: true })
  durationSeconds: number | null;

  /** When the analytics rollup counted this segment's media time (only after it closed); NULL until it has. */
  @Column({ name: 'folded_at', type: 'datetime', precision: 3, nullable: true })
  foldedAt: Date | null;
}
