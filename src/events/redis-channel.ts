import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { rateLimitConfig } from '../config/rate-limit.config';

/** The pub/sub channel that tells every instance a call has new events. */
export const EVENTS_CHANNEL = 'ikoota-calling:events';
/** The pub/sub channel that tells every instance a member was erased (their cached identity goes). */
export const FORGOTTEN_CHANNEL = 'ikoota-calling:members-forgotten';

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
  private readonly handlers = new Map<string, (id: number) => void>();

  constructor(@Inject(rateLimitConfig.KEY) config: ConfigType<typeof rateLimitConfig>) {
    if (!config.redisUrl) return;
    this.commands = new Redis(config.redisUrl, { keyPrefix: 'ikoota-calling:', maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 2000 });
    this.commands.on('error', (error: Error) => this.logger.warn({ msg: 'Redis (events) error', reason: (error as { code?: string }).code ?? error.message }));
  }

  /** Calls `onMessage` with each call id another instance (or this one) published. */
  subscribe(onMessage: (callId: number) => void): void {
    this.listen(EVENTS_CHANNEL, onMessage);
  }

  /** Best effort: a message lost here is picked up by the next poll of every stream's tail. */
  publish(callId: number): void {
    this.publishTo(EVENTS_CHANNEL, callId);
  }

  /** Calls `onMessage` with each member id an instance said it erased (FORGOTTEN_CHANNEL). */
  onForgotten(onMessage: (userId: number) => void): void {
    this.listen(FORGOTTEN_CHANNEL, onMessage);
  }

  /** Tells every instance that a member was erased (best effort: their caches forget within a minute anyway). */
  publishForgotten(userId: number): void {
    this.publishTo(FORGOTTEN_CHANNEL, userId);
  }

  private listen(channel: string, onMessage: (id: number) => void): void {
    if (!this.commands || this.handlers.has(channel)) return;
    this.handlers.set(channel, onMessage);
    if (!this.subscriber) {
      this.subscriber = this.commands.duplicate({ keyPrefix: undefined, commandTimeout: undefined });
      this.subscriber.on('error', (error: Error) => this.logger.warn({ msg: 'Redis (events subscriber) error', reason: (error as { code?: string }).code ?? error.message }));
      this.subscriber.on('message', (from: string, message: string) => {
        const id = Number(message);
        if (Number.isInteger(id)) this.handlers.get(from)?.(id);
      });
    }
    void this.subscriber.subscribe(channel).catch(() => undefined);
  }

  private publishTo(channel: string, id: number): void {
    void this.commands?.publish(channel, String(id)).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
    if (this.commands) await this.commands.quit().catch(() => this.commands?.disconnect());
  }
}
