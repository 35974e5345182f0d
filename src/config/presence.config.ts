import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { toBool, toInt, validateEnv } from './env';

class PresenceEnv {
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'PRESENCE_TIMEOUT_SECONDS must be a whole number of seconds' })
  @Min(30)
  @Max(86400)
  PRESENCE_TIMEOUT_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'CALL_IDLE_TIMEOUT_MINUTES must be a whole number of minutes' })
  @Min(1)
  @Max(10080)
  CALL_IDLE_TIMEOUT_MINUTES?: number;

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

  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'JOBS_ENABLED must be true or false' })
  JOBS_ENABLED?: boolean;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  SWEEP_INTERVAL_SECONDS?: number;

  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'AGORA_NCS_SECRET must be at least 8 characters (or "off")' })
  AGORA_NCS_SECRET?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must look like redis://host:port' })
  REDIS_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'REDIS_COMMAND_TIMEOUT_MS must be a whole number of milliseconds' })
  @Min(10, { message: 'REDIS_COMMAND_TIMEOUT_MS must be at least 10' })
  @Max(60_000, { message: 'REDIS_COMMAND_TIMEOUT_MS must be at most 60000' })
  REDIS_COMMAND_TIMEOUT_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'REDIS_CIRCUIT_OPEN_MS must be a whole number of milliseconds' })
  @Min(100, { message: 'REDIS_CIRCUIT_OPEN_MS must be at least 100' })
  @Max(600_000, { message: 'REDIS_CIRCUIT_OPEN_MS must be at most 600000' })
  REDIS_CIRCUIT_OPEN_MS?: number;
}

export interface PresenceConfig {
  presenceTimeoutSeconds: number;
  callIdleTimeoutMinutes: number;
  callRetentionDays: number;
  recordingRetentionDays: number;
  /** Scheduled jobs (sweeper, retention) on this instance; tests turn them off and run them by hand. */
  jobsEnabled: boolean;
  sweepIntervalSeconds: number;
  /** Agora Notification Center secret; the webhook route answers 404 without it. */
  ncsSecret?: string;
  /** Shared rate-limit counters across instances; in memory when unset. */
  redisUrl?: string;
  /** A Redis command slower than this counts as a failure: the request counts in memory instead. */
  redisCommandTimeoutMs: number;
  /** After a failure, Redis is skipped this long before one request probes it (doubling per failed probe). */
  redisCircuitOpenMs: number;
}

export function loadPresenceConfig(env: NodeJS.ProcessEnv = process.env): PresenceConfig {
  const v = validateEnv(PresenceEnv, env);
  return {
    presenceTimeoutSeconds: v.PRESENCE_TIMEOUT_SECONDS ?? 120,
    callIdleTimeoutMinutes: v.CALL_IDLE_TIMEOUT_MINUTES ?? 60,
    callRetentionDays: v.CALL_RETENTION_DAYS ?? 90,
    recordingRetentionDays: v.RECORDING_RETENTION_DAYS ?? 30,
    jobsEnabled: v.JOBS_ENABLED ?? true,
    sweepIntervalSeconds: v.SWEEP_INTERVAL_SECONDS ?? 30,
    ncsSecret: v.AGORA_NCS_SECRET && v.AGORA_NCS_SECRET !== 'off' ? v.AGORA_NCS_SECRET : undefined,
    redisUrl: v.REDIS_URL,
    redisCommandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS ?? 100,
    redisCircuitOpenMs: v.REDIS_CIRCUIT_OPEN_MS ?? 3000,
  };
}

/**
 * How often a client that opts into heartbeats should send one: four times per presence
 * timeout, so a lost beat or two never closes a session.
 */
export function heartbeatIntervalSeconds(config: Pick<PresenceConfig, 'presenceTimeoutSeconds'>): number {
  return Math.max(5, Math.floor(config.presenceTimeoutSeconds / 4));
}

export const presenceConfig = registerAs('presence', () => loadPresenceConfig());
