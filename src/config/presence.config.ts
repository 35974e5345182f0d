import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { toInt, validateEnv } from './env';

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
  @IsString()
  @MinLength(8, { message: 'AGORA_NCS_SECRET must be at least 8 characters (or "off")' })
  AGORA_NCS_SECRET?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'AGORA_CLOCK_TOLERANCE_SECONDS must be a whole number of seconds' })
  @Min(30, { message: 'AGORA_CLOCK_TOLERANCE_SECONDS must be at least 30 (clocks on two sides of the internet are never equal)' })
  @Max(300, { message: 'AGORA_CLOCK_TOLERANCE_SECONDS must be at most 300 (a larger one could no longer tell a short earlier stay from the one after it)' })
  AGORA_CLOCK_TOLERANCE_SECONDS?: number;
}

/** When a session or a call counts as gone, and Agora's webhooks that say so. */
export interface PresenceConfig {
  presenceTimeoutSeconds: number;
  callIdleTimeoutMinutes: number;
  /** Agora Notification Center secret; the webhook route answers 404 without it. */
  ncsSecret?: string;
  /**
   * How far Agora's clock may be from ours, in milliseconds, when a webhook's `ts` is weighed
   * against the sessions' times (see `AgoraWebhooksService`).
   */
  agoraClockToleranceMs: number;
}

export function loadPresenceConfig(env: NodeJS.ProcessEnv = process.env): PresenceConfig {
  const v = validateEnv(PresenceEnv, env);
  return {
    presenceTimeoutSeconds: v.PRESENCE_TIMEOUT_SECONDS ?? 120,
    callIdleTimeoutMinutes: v.CALL_IDLE_TIMEOUT_MINUTES ?? 60,
    ncsSecret: v.AGORA_NCS_SECRET && v.AGORA_NCS_SECRET !== 'off' ? v.AGORA_NCS_SECRET : undefined,
    agoraClockToleranceMs: (v.AGORA_CLOCK_TOLERANCE_SECONDS ?? 30) * 1000,
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
