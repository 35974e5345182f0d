import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { CircuitBreaker } from './circuit-breaker';
import { FixedWindowThrottlerStorage } from './fixed-window-storage';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export interface SharedThrottlerOptions {
  /** A command slower than this fails (ioredis `commandTimeout`). */
  commandTimeoutMs: number;
  /** How long Redis is skipped after a failure, before a probe; doubles per failed probe. */
  circuitOpenMs: number;
}

/** The longest Redis is skipped between probes, however long it stays away. */
const MAX_CIRCUIT_OPEN_MS = 60_000;

/**
 * Rate-limit counters in Redis, shared by every instance, so a member's 60 tokens a minute are
 * 60 across the fleet rather than 60 per instance. If Redis is not connected, fails, or is slower
 * than the command timeout (a stalled server accepts commands and never answers), counting falls
 * back to this instance's memory (limits then hold per instance) rather than failing or holding
 * requests. A circuit breaker then skips Redis for a while and lets one request probe it, so a
 * stalled Redis costs one command timeout per pause, not one per request. A warning says when
 * counting leaves Redis, and an info when it comes back.
 */
export class SharedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger(SharedThrottlerStorage.name);
  private readonly redis: Redis;
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new FixedWindowThrottlerStorage();
  private readonly circuit: CircuitBreaker;

  constructor(url: string, options: SharedThrottlerOptions) {
    this.redis = new Redis(url, {
      keyPrefix: 'ikoota-calling:throttle:',
      // Fail fast instead of queueing requests while Redis is away.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: options.commandTimeoutMs,
    });
    this.circuit = new CircuitBreaker({
      openMs: options.circuitOpenMs,
      maxOpenMs: MAX_CIRCUIT_OPEN_MS,
      // The reason is an error code or message ("Command timed out", ECONNREFUSED), never the URL.
      onOpen: (reason, forMs) =>
        this.logger.warn({ msg: 'Redis unavailable: rate limits count per instance until it answers', reason, retryInMs: forMs }),
      onClose: () => this.logger.log({ msg: 'Redis answers again: rate limits are shared again' }),
    });
    // Connection errors (refused, reset) while ioredis reconnects in the background.
    this.redis.on('error', (error: Error) => this.circuit.failed(reasonOf(error)));
    this.shared = new ThrottlerStorageRedisService(this.redis);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<StorageRecord> {
    if (this.circuit.allows()) {
      // Not connected (yet, or any more): nothing to wait for, count here. Before the first
      // connection this is not a failure; once the circuit is open it is a failed probe.
      if (this.redis.status !== 'ready') {
        if (!this.circuit.isClosed) this.circuit.failed(`connection ${this.redis.status}`);
      } else {
        try {
          const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
          this.circuit.succeeded();
          return record;
        } catch (error) {
          this.circuit.failed(reasonOf(error as Error));
        }
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  async onApplicationShutdown(): Promise<void> {
    this.local.onApplicationShutdown();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function reasonOf(error: Error): string {
  return (error as { code?: string }).code ?? error.message;
}
