import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { rateLimitConfig } from '../../config/rate-limit.config';
import { FixedWindowThrottlerStorage } from './fixed-window-storage';
import { buildThrottlers } from './rate-limit';
import { SharedThrottlerStorage } from './throttler-storage';

export const THROTTLER_STORAGE = Symbol('THROTTLER_STORAGE');

/** Where the counters live: Redis with REDIS_URL (shared by all instances), else memory. */
@Module({
  providers: [
    {
      provide: THROTTLER_STORAGE,
      inject: [rateLimitConfig.KEY],
      useFactory: (limits: ConfigType<typeof rateLimitConfig>) =>
        limits.redisUrl
          ? new SharedThrottlerStorage(limits.redisUrl, {
              commandTimeoutMs: limits.redisCommandTimeoutMs,
              circuitOpenMs: limits.redisCircuitOpenMs,
            })
          : new FixedWindowThrottlerStorage(),
    },
  ],
  exports: [THROTTLER_STORAGE],
})
class ThrottlerStorageModule implements OnApplicationShutdown {
  constructor(@Inject(THROTTLER_STORAGE) private readonly storage: SharedThrottlerStorage | FixedWindowThrottlerStorage) {}

  async onApplicationShutdown(): Promise<void> {
    await this.storage.onApplicationShutdown();
  }
}

/** @nestjs/throttler with the spec's named limits and the storage above. */
export const RateLimitingModule = ThrottlerModule.forRootAsync({
  imports: [ThrottlerStorageModule],
  inject: [rateLimitConfig.KEY, THROTTLER_STORAGE],
  useFactory: (limits: ConfigType<typeof rateLimitConfig>, storage: SharedThrottlerStorage | FixedWindowThrottlerStorage) => ({
    throttlers: buildThrottlers(limits.scale),
    storage,
  }),
});
