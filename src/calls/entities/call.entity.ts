import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type CallStatus = 'active' | 'paused' | 'ended';
export const CALL_STATUSES: CallStatus[] = ['active', 'paused', 'ended'];

/** `conference`: everyone in the call may publish. `stage`: speakers publish, listeners listen (issue 25). */
export type CallMode = 'conference' | 'stage';
export const CALL_MODES: CallMode[] = ['conference', 'stage'];

/** Agora's built-in media encryption (issue 26): `none`, or a mode every client of the call uses with the key and salt the service mints. */
export type MediaEncryptionMode = 'none' | 'aes-128-gcm2' | 'aes-256-gcm2';
export const ENCRYPTION_MODES: MediaEncryptionMode[] = ['none', 'aes-128-gcm2', 'aes-256-gcm2'];

/**
 * Column lengths, in Unicode code points (what a MariaDB utf8mb4 varchar(N) holds N of). The
 * request DTOs validate against these same constants with `CodePointLength`.
 */
export const CALL_TITLE_MAX_LENGTH = 200;
export const CALL_DESCRIPTION_MAX_LENGTH = 2000;
export const CHANNEL_NAME_MAX_LENGTH = 64;

/** Who ended a call: its host, an admin, the service itself (idle calls), or its schedule (`ends_at` reached). */
export type CallEndedBy = 'host' | 'admin' | 'system' | 'schedule';

@Entity({ name: 'calls' })
@Index('UQ_calls_channel_name', ['channelName'], { unique: true })
@Index('IDX_calls_creator', ['creatorId'])
@Index('IDX_calls_status_created', ['status', 'createdAt'])
@Index('IDX_calls_created_id', ['createdAt', 'id'])
@Index('IDX_calls_analytics_state', ['analyticsState'])
@Index('IDX_calls_status_starts', ['status', 'startsAt'])
@Index('IDX_calls_status_ends', ['status', 'endsAt'])
export class Call {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: CALL_TITLE_MAX_LENGTH })
  title: string;

  @Column({ type: 'varchar', length: CALL_DESCRIPTION_MAX_LENGTH, nullable: true })
  description: string | null;

  @Column({ name: 'channel_name', type: 'varchar', length: CHANNEL_NAME_MAX_LENGTH })
  channelName: string;

  @Column({ name: 'creator_id', type: 'int' })
  creatorId: number;

  @Column({ name: 'is_public', type: 'boolean', default: false })
  isPublic: boolean;

  @Column({ name: 'max_participants', type: 'int', default: 50 })
  maxParticipants: number;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: CallStatus;

  /**
   * Open participation sessions right now. Joins reserve a slot with one conditional UPDATE
   * (`active_participants < max_participants`), which is what makes the cap hold under
   * concurrent joins on any number of instances.
   */
  @Column({ name: 'active_participants', type: 'int', default: 0 })
  activeParticipants: number;

  /** The most participants ever present at once. */
  @Column({ name: 'peak_participants', type: 'int', default: 0 })
  peakParticipants: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'ended_at', type: 'datetime', precision: 3, nullable: true })
  endedAt: Date | null;

  @Column({ name: 'ended_by', type: 'varchar', length: 16, nullable: true })
  endedBy: CallEndedBy | null;

  /**
   * How much of this call the analytics rollup has folded into the per-day aggregates:
   * NULL nothing yet, 1 its creation, 2 its creation and its end.
   */
  @Column({ name: 'analytics_state', type: 'tinyint', nullable: true })
  analyticsState: 1 | 2 | null;

  /**
   * The recording starting, running or stopping now (`call_recordings.id`); null when none. Set
   * under the call's lock by a conditional UPDATE, so a call has at most one at a time; read
   * with the call row by join and leave, so they know a recording runs without another query.
   */
  @Column({ name: 'recording_id', type: 'int', nullable: true })
  recordingId: number | null;

  // ---- the schedule (issue 24): all null for a call created without one

  /** When the call opens to members (they may join `CALL_JOIN_EARLY_MINUTES` before); null: open from its creation. */
  @Column({ name: 'starts_at', type: 'datetime', precision: 3, nullable: true })
  startsAt: Date | null;

  /** When the call ends by itself (`ended_by` schedule); tokens never outlive it. Null: no scheduled end. */
  @Column({ name: 'ends_at', type: 'datetime', precision: 3, nullable: true })
  endsAt: Date | null;

  /**
   * The `starts_at` the `call.starting_soon` reminder was sent for (claimed by a conditional
   * UPDATE, so it goes out once across instances and restarts; a moved start gets a new one).
   */
  @Column({ name: 'starting_soon_sent_for', type: 'datetime', precision: 3, nullable: true })
  startingSoonSentFor: Date | null;

  /** The `ends_at` the `call.ending_soon` reminder was sent for (as above). */
  @Column({ name: 'ending_soon_sent_for', type: 'datetime', precision: 3, nullable: true })
  endingSoonSentFor: Date | null;
  // ---- the lobby (issue 24)

  /** Members who are not the host, a moderator or an admin wait in the lobby until admitted. */
  @Column({ type: 'boolean', default: false })
  lobby: boolean;

  /** Nobody but the host, moderators and admins is admitted while none of them is in the call. */
  @Column({ name: 'wait_for_host', type: 'boolean', default: false })
  waitForHost: boolean;
  // ---- stages (src/stage/): fixed at create, null speaker fields on conferences

  /** `conference` or `stage`; it never changes after create. */
  @Column({ type: 'varchar', length: 16, default: 'conference' })
  mode: CallMode;

  /** Stages: how many members may publish (host, moderators, promoted members); null on conferences. */
  @Column({ name: 'max_speakers', type: 'int', nullable: true })
  maxSpeakers: number | null;

  /**
   * Stages: the members who may publish now (`call_members.speaker_at` set, not removed), changed
   * only under the call's row lock, never above `max_speakers`; null on conferences.
   */
  @Column({ name: 'speaker_count', type: 'int', nullable: true })
  speakerCount: number | null;

  /**
   * Agora's media encryption (issue 26): `none`, or the mode whose key and salt the service mints
   * (`call_media_keys`). Changes only while nobody is in the call.
   */
  @Column({ type: 'varchar', length: 16, default: 'none' })
  encryption: MediaEncryptionMode;
}
