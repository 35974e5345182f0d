import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { rateLimitConfig } from '../config/rate-limit.config';

/** The pub/sub channel that tells every instance a call has new events. */
export const EVENTS_CHANNEL = 'ikoota-calling:events';

/**
 * This instance's Redis connections for events, when REDIS_URL is set: one for commands
 * (tickets, publishing) and one subscribed to EVENTS_CHANNEL. Without REDIS_URL both are absent
 * and everything stays on this instance.
 */
@Injectable()
export class EventsRedis implements OnApplicationShutdown {
  private readonly logger = new Logger(EventsRedis.name);
  readonly commands?: Redis;
  private subscriber?: Redis;

  constructor(@Inject(rateLimitConfig.KEY) config: ConfigType<typeof rateLimitConfig>) {
    if (!config.redisUrl) return;
    this.commands = new Redis(config.redisUrl, { keyPrefix: 'ikoota-calling:', maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 2000 });
    this.commands.on('error', (error: Error) => this.logger.warn({ msg: 'Redis (events) error', reason: (error as { code?: string }).code ?? error.message }));
  }

  /** Calls `onMessage` with each call id another instance (or this one) published. */
  subscribe(onMessage: (callId: number) => void): void {
    if (!this.commands || this.subscriber) return;
    this.subscriber = this.commands.duplicate({ keyPrefix: undefined, commandTimeout: undefined });
    this.subscriber.on('error', (error: Error) => this.logger.warn({ msg: 'Redis (events subscriber) error', reason: (error as { code?: string }).code ?? error.message }));
    this.subscriber.on('message', (_channel: string, message: string) => {
      const callId = Number(message);
      if (Number.isInteger(callId)) onMessage(callId);
    });
    void this.subscriber.subscribe(EVENTS_CHANNEL).catch(() => undefined);
  }

  /** Best effort: a message lost here is picked up by the next poll of every stream's tail. */
  publish(callId: number): void {
    void this.commands?.publish(EVENTS_CHANNEL, String(callId)).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
    if (this.commands) await this.commands.quit().catch(() => this.commands?.disconnect());
  }
}
