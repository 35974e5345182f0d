import { registerAs } from '@nestjs/config';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { validateEnv } from './env';

/** The shortest MEDIA_KEY_SECRET accepted: the sealing key is derived from it (HKDF-SHA256). */
export const MEDIA_KEY_SECRET_MIN_LENGTH = 32;

class MediaKeysEnv {
  @IsOptional()
  @IsString()
  @MinLength(MEDIA_KEY_SECRET_MIN_LENGTH, { message: `MEDIA_KEY_SECRET must be at least ${MEDIA_KEY_SECRET_MIN_LENGTH} characters` })
  @MaxLength(1024)
  MEDIA_KEY_SECRET?: string;
}

/** Encrypted calls (issue 26): the secret the media keys are sealed with at rest. */
export interface MediaKeysConfig {
  /** Unset: no call may be encrypted (create and PATCH refuse it; start-up refuses while an encrypted call is live). */
  secret?: string;
}

export function loadMediaKeysConfig(env: NodeJS.ProcessEnv = process.env): MediaKeysConfig {
  return { secret: validateEnv(MediaKeysEnv, env).MEDIA_KEY_SECRET };
}

export const mediaKeysConfig = registerAs('mediaKeys', () => loadMediaKeysConfig());
