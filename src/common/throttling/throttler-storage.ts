import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { FixedWindowThrottlerStorage } from './fixed-window-storage';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Rate-limit counters in Redis, shared by every instance, so a member's 60 tokens a minute are
 * 60 across the fleet rather than 60 per instance. If Redis stops answering, counting falls back
 * to this instance's memory (limits then hold per instance) rather than failing requests, and
 * a warning says so; Redis is used again as soon as it answers.
 */
export class SharedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger(SharedThrottlerStorage.name);
  private readonly redis: Redis;
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new FixedWindowThrottlerStorage();
  private warnedAt = 0;

  constructor(url: string) {
    this.redis = new Redis(url, {
      keyPrefix: 'ikoota-calling:throttle:',
      // Fail fast instead of queueing requests while Redis is away.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    });
    this.redis.on('error', (error: Error) => this.warn(error));
    this.shared = new ThrottlerStorageRedisService(this.redis);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<StorageRecord> {
    if (this.redis.status === 'ready') {
      try {
        return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      } catch (error) {
        this.warn(error as Error);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  async onApplicationShutdown(): Promise<void> {
    this.local.onApplicationShutdown();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private warn(error: Error): void {
    const now = Date.now();
    if (now - this.warnedAt < 60_000) return;
    this.warnedAt = now;
    this.logger.warn({ msg: 'Redis unavailable: rate limits count per instance until it answers', error: (error as { code?: string }).code ?? error.message });
  }
}
