import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { appConfig } from '../../config/app.config';
import { presenceConfig } from '../../config/presence.config';
import { FixedWindowThrottlerStorage } from './fixed-window-storage';
import { buildThrottlers } from './rate-limit';
import { SharedThrottlerStorage } from './throttler-storage';

export const THROTTLER_STORAGE = Symbol('THROTTLER_STORAGE');

/** Where the counters live: Redis with REDIS_URL (shared by all instances), else memory. */
@Module({
  providers: [
    {
      provide: THROTTLER_STORAGE,
      inject: [presenceConfig.KEY],
      useFactory: (presence: ConfigType<typeof presenceConfig>) =>
        presence.redisUrl
          ? new SharedThrottlerStorage(presence.redisUrl, {
              commandTimeoutMs: presence.redisCommandTimeoutMs,
              circuitOpenMs: presence.redisCircuitOpenMs,
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
  inject: [appConfig.KEY, THROTTLER_STORAGE],
  useFactory: (app: ConfigType<typeof appConfig>, storage: SharedThrottlerStorage | FixedWindowThrottlerStorage) => ({
    throttlers: buildThrottlers(app.rateLimitScale),
    storage,
  }),
});
