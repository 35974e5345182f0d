import { Column, Entity, PrimaryColumn } from 'typeorm';

export type VideoQuality = 'sd' | 'hd';
export const VIDEO_QUALITIES: VideoQuality[] = ['sd', 'hd'];
/** The avatar column's length, in Unicode code points; the request DTO validates against it. */
export const AVATAR_MAX_LENGTH = 64;

/**
 * One member's masking and media preferences, keyed by the Ikoota user id. Masking itself
 * happens on the client; the service stores these and hands them over when the member joins a
 * call. A member without a row has the defaults (Ikoota's design): voice and video masking on,
 * auto-mute off, video quality `hd`, no avatar.
 */
@Entity({ name: 'call_preferences' })
export class CallPreference {
  /** Ikoota's user id. */
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'voice_masking_enabled', type: 'boolean', default: true })
  voiceMaskingEnabled: boolean;

  @Column({ name: 'video_masking_enabled', type: 'boolean', default: true })
  videoMaskingEnabled: boolean;

  @Column({ name: 'auto_mute_on_join', type: 'boolean', default: false })
  autoMuteOnJoin: boolean;

  @Column({ name: 'video_quality', type: 'varchar', length: 2, default: 'hd' })
  videoQuality: VideoQuality;

  /** An avatar file name such as `avatar_001.png`, shown instead of the member's video. */
  @Column({ name: 'preferred_avatar', type: 'varchar', length: AVATAR_MAX_LENGTH, nullable: true })
  preferredAvatar: string | null;

  /** Whether the member agrees to be recorded: only consenting members' streams are in a recording. */
  @Column({ name: 'recording_consent', type: 'boolean', default: false })
  recordingConsent: boolean;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt: Date;
}
