import { registerAs } from '@nestjs/config';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { assertConfig, checkEnv, toInt } from './env';

class EventsEnv {
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'EVENTS_WEBHOOK_URL must be an http:// or https:// URL' })
  EVENTS_WEBHOOK_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'EVENTS_WEBHOOK_SECRET must be at least 16 characters' })
  @MaxLength(512)
  EVENTS_WEBHOOK_SECRET?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'EVENTS_DELIVERY_INTERVAL_MS must be a whole number of milliseconds' })
  @Min(100)
  @Max(600_000)
  EVENTS_DELIVERY_INTERVAL_MS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'EVENTS_DELIVERY_LEASE_SECONDS must be a whole number of seconds' })
  @Min(15)
  @Max(3600)
  EVENTS_DELIVERY_LEASE_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'EVENTS_KEEPALIVE_SECONDS must be a whole number of seconds' })
  @Min(1)
  @Max(300)
  EVENTS_KEEPALIVE_SECONDS?: number;

  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'RING_TIMEOUT_SECONDS must be a whole number of seconds' })
  @Min(5)
  @Max(600)
  RING_TIMEOUT_SECONDS?: number;
}

/** Outbound webhooks, member event streams and direct-call ringing. */
export interface EventsConfig {
  /** Where events are POSTed; webhooks are off when unset. */
  webhookUrl?: string;
  /** Signs every POST (`Ikoota-Signature`); required with the URL. */
  webhookSecret?: string;
  /** How often the delivery job looks for events to send. */
  deliveryIntervalMs: number;
  /** How long one delivery run may hold the job lease (a killed holder blocks delivery this long at most). */
  deliveryLeaseMs: number;
  /** A comment line on every open event stream this often, so proxies keep it open. */
  keepAliveMs: number;
  /** A direct call nobody answers is missed after this long. */
  ringTimeoutMs: number;
}

export function loadEventsConfig(env: NodeJS.ProcessEnv = process.env): EventsConfig {
  const { values: v, problems } = checkEnv(EventsEnv, env);
  // One without the other is a mistake: unsigned posts, or a secret that signs nothing.
  if (v.EVENTS_WEBHOOK_URL && !v.EVENTS_WEBHOOK_SECRET) problems.push('EVENTS_WEBHOOK_SECRET is required when EVENTS_WEBHOOK_URL is set');
  if (!v.EVENTS_WEBHOOK_URL && v.EVENTS_WEBHOOK_SECRET) problems.push('EVENTS_WEBHOOK_URL is required when EVENTS_WEBHOOK_SECRET is set');
  assertConfig(problems);
  return {
    webhookUrl: v.EVENTS_WEBHOOK_URL,
    webhookSecret: v.EVENTS_WEBHOOK_SECRET,
    deliveryIntervalMs: v.EVENTS_DELIVERY_INTERVAL_MS ?? 1000,
    deliveryLeaseMs: (v.EVENTS_DELIVERY_LEASE_SECONDS ?? 60) * 1000,
    keepAliveMs: (v.EVENTS_KEEPALIVE_SECONDS ?? 25) * 1000,
    ringTimeoutMs: (v.RING_TIMEOUT_SECONDS ?? 45) * 1000,
  };
}

export const eventsConfig = registerAs('events', () => loadEventsConfig());
