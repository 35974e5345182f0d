import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Agora's recording modes: one mixed stream, or one file set per member. */
export type RecordingMode = 'mix' | 'individual';
export const RECORDING_MODES: RecordingMode[] = ['mix', 'individual'];

/**
 * `starting`: reserved, Agora asked (acquire + start); `recording`: Agora answered a sid;
 * `stopping`: a stop was sent; `stopped`: Agora stopped it (files listed); `failed`: it died,
 * or never started.
 */
export type RecordingStatus = 'starting' | 'recording' | 'stopping' | 'stopped' | 'failed';
export const RECORDING_STATUSES: RecordingStatus[] = ['starting', 'recording', 'stopping', 'stopped', 'failed'];

/** A file Agora reported for a recording: its object key in the bucket, and for individual recordings whose uid. */
export interface RecordingFile {
  fileName: string;
  trackType?: string;
  uid?: string;
  sliceStartTime?: number;
}

/**
 * One Agora Cloud Recording of a call. While one is starting, running or stopping, the call's
 * `recording_id` points at it (set under the call's lock: one at a time per call). Files are
 * deleted from the bucket by the retention job `RECORDING_RETENTION_DAYS` after `stopped_at`,
 * then the row.
 */
@Entity({ name: 'call_recordings' })
@Index('IDX_call_recordings_call', ['callId'])
@Index('IDX_call_recordings_created', ['createdAt', 'id'])
@Index('IDX_call_recordings_stopped', ['stoppedAt'])
export class Recording {
  @PrimaryGeneratedColumn({ type: 'int' })
  id: number;

  @Column({ name: 'call_id', type: 'int' })
  callId: number;

  @Column({ name: 'channel_name', type: 'varchar', length: 64 })
  channelName: string;

  @Column({ type: 'varchar', length: 16 })
  mode: RecordingMode;

  @Column({ type: 'varchar', length: 16 })
  status: RecordingStatus;

  /** Who started it (a host, moderator or admin). */
  @Column({ name: 'started_by', type: 'int' })
  startedBy: number;

  /** The recorder's Agora uid (reserved by the service, see RECORDER_UID). */
  @Column({ type: 'bigint', transformer: { to: (value: number) => value, from: (value: string | number) => Number(value) } })
  uid: number;

  @Column({ name: 'resource_id', type: 'varchar', length: 1024, nullable: true })
  resourceId: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  sid: string | null;

  /** The uids Agora last accepted in the subscribe lists, as JSON (audio and video alike). */
  @Column({ name: 'subscribed_uids', type: 'text', nullable: true })
  subscribedUids: string | null;

  /** The files Agora reported, as JSON (RecordingFile[]). */
  @Column({ type: 'text', nullable: true })
  files: string | null;

  /** Why a recording failed: a short code, never an Agora message. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  failure: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'datetime', precision: 3, nullable: true })
  startedAt: Date | null;

  /** When it stopped or failed: retention counts from here. */
  @Column({ name: 'stopped_at', type: 'datetime', precision: 3, nullable: true })
  stoppedAt: Date | null;

  /** Failed attempts to delete its files from the bucket (the row stays until one succeeds). */
  @Column({ name: 'purge_attempts', type: 'int' })
  purgeAttempts: number;
}
