import { OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Counter {
  hits: number;
  resetAt: number;
  blockedUntil: number;
}

/**
 * In-memory rate-limit counters: a fixed window per key (the same rule as the Redis storage),
 * O(1) per request. @nestjs/throttler's default storage keeps one timestamp per hit and copies
 * the list on every request, which costs more the higher the limit.
 */
export class FixedWindowThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly counters = new Map<string, Counter>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.forgetExpired(), 60_000);
    this.sweeper.unref();
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<StorageRecord> {
    const now = this.now();
    const id = `${throttlerName}:${key}`;
    let counter = this.counters.get(id);
    if (!counter || (counter.resetAt <= now && counter.blockedUntil <= now)) {
      counter = { hits: 0, resetAt: now + ttl, blockedUntil: 0 };
      this.counters.set(id, counter);
    }
    const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));
    if (counter.blockedUntil > now) {
      return { totalHits: counter.hits, timeToExpire: seconds(counter.resetAt - now), isBlocked: true, timeToBlockExpire: seconds(counter.blockedUntil - now) };
    }
    counter.hits += 1;
    if (counter.hits > limit) {
      counter.blockedUntil = now + blockDuration;
      return { totalHits: counter.hits, timeToExpire: seconds(counter.resetAt - now), isBlocked: true, timeToBlockExpire: seconds(blockDuration) };
    }
    return { totalHits: counter.hits, timeToExpire: seconds(counter.resetAt - now), isBlocked: false, timeToBlockExpire: 0 };
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [id, counter] of this.counters) {
      if (counter.resetAt <= now && counter.blockedUntil <= now) this.counters.delete(id);
    }
  }
}
