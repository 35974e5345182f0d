import type { VideoQuality } from '../entities/call-preference.entity';

/** What a client needs to apply a member's masking when they join a call. */
export class MaskingPreferencesDto {
  /** @example true */
  voice_masking_enabled: boolean;
  /** @example true */
  video_masking_enabled: boolean;
  /** @example false */
  auto_mute_on_join: boolean;
  /** @example "hd" */
  video_quality: VideoQuality;
  /** Avatar file name, or null when none is chosen. @example "avatar_001.png" */
  preferred_avatar: string | null;
}

/** A member's preferences: the stored row, or the defaults (with null timestamps) when none is stored. */
export class PreferencesDto extends MaskingPreferencesDto {
  /** Whether the member agrees to be recorded: only consenting members' audio and video go into a call's recording. Off unless given. @example false */
  recording_consent: boolean;
  /** When the member first saved preferences; null while they use the defaults. @example "2023-12-01T10:00:00.000Z" */
  created_at: string | null;
  /** When the member last saved preferences; null while they use the defaults. @example "2023-12-01T15:30:00.000Z" */
  updated_at: string | null;
}

export class UpdatePreferencesResponseDto {
  /** @example true */
  success: true;
  /** @example "Preferences updated successfully" */
  message: string;
  preferences: PreferencesDto;
}
