import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, ValidateIf, ValidationOptions } from 'class-validator';
import { MaxCodePoints } from '../../common/validation/code-point-length.decorator';
import { AVATAR_MAX_LENGTH, VIDEO_QUALITIES, VideoQuality } from '../entities/call-preference.entity';

/**
 * An avatar file name: letters, digits, `_` and `-`, then one image extension in any case. No
 * dots before the extension, so no hidden files, no `..` and no path separators. Written without
 * flags so that the same pattern goes into the OpenAPI schema (JSON Schema patterns take none).
 */
export const AVATAR_FILE_NAME = /^[A-Za-z0-9_-]+\.([Pp][Nn][Gg]|[Jj][Pp][Gg]|[Jj][Pp][Ee][Gg]|[Ww][Ee][Bb][Pp]|[Ss][Vv][Gg])$/;

/** May be left out, but when present it must pass the other rules: `null` is refused. */
function IsOptionalNotNull(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined, options);
}

/** Any subset of the preferences; fields left out keep their stored (or default) value. */
export class UpdatePreferencesDto {
  /** Mask the member's voice (pitch/formant shift, applied by the client). @example true */
  @IsOptionalNotNull()
  @IsBoolean()
  voice_masking_enabled?: boolean;

  /** Mask the member's video (blur, pixelate or avatar overlay, applied by the client). @example false */
  @IsOptionalNotNull()
  @IsBoolean()
  video_masking_enabled?: boolean;

  /** Join calls with the microphone muted. @example true */
  @IsOptionalNotNull()
  @IsBoolean()
  auto_mute_on_join?: boolean;

  /** Agree (true) or no longer agree (false) to be recorded; a running recording of a call the member is in follows at once. @example true */
  @IsOptionalNotNull()
  @IsBoolean()
  recording_consent?: boolean;

  /** @example "sd" */
  @IsOptionalNotNull()
  @IsIn(VIDEO_QUALITIES)
  video_quality?: VideoQuality;

  /**
   * Avatar file name: letters, digits, `_` or `-`, then `.png`, `.jpg`, `.jpeg`, `.webp` or
   * `.svg`; at most 64 characters. `null` clears it.
   * @example "avatar_002.png"
   */
  @IsOptional()
  @IsString()
  @MaxCodePoints(AVATAR_MAX_LENGTH)
  @ApiPropertyOptional({ pattern: AVATAR_FILE_NAME.source })
  @Matches(AVATAR_FILE_NAME, {
    message: 'preferred_avatar must be a file name like avatar_001.png (letters, digits, _ or -, then .png, .jpg, .jpeg, .webp or .svg)',
  })
  preferred_avatar?: string | null;
}
