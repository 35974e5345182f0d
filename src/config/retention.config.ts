import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { toInt, validateEnv } from './env';

class RetentionEnv {
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'CALL_RETENTION_DAYS must be a whole number of days' })
  @Min(1)
  @Max(3650)
  CALL_RETENTION_DAYS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'RECORDING_RETENTION_DAYS must be a whole number of days' })
  @Min(1)
  @Max(3650)
  RECORDING_RETENTION_DAYS?: number;
}

/** How long raw records are kept (the daily retention job). */
export interface RetentionConfig {
  callRetentionDays: number;
  recordingRetentionDays: number;
}

export function loadRetentionConfig(env: NodeJS.ProcessEnv = process.env): RetentionConfig {
  const v = validateEnv(RetentionEnv, env);
  return { callRetentionDays: v.CALL_RETENTION_DAYS ?? 90, recordingRetentionDays: v.RECORDING_RETENTION_DAYS ?? 30 };
}

export const retentionConfig = registerAs('retention', () => loadRetentionConfig());
