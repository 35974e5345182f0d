import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AccessGuard } from './auth/access.guard';
import { AuthModule } from './auth/auth.module';
import { AdminModule } from './admin/admin.module';
import { CallsModule } from './calls/calls.module';
import { Clock, SystemClock } from './common/clock';
import { StrictValidationPipe } from './common/pipes/strict-validation.pipe';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { RateLimitingModule } from './common/throttling/throttling.module';
import { UserThrottlerGuard } from './common/throttling/user-throttler.guard';
import { CONFIG_PROVIDERS } from './config/configuration';
import { EventsModule } from './events/events.module';
import { ErasureModule } from './erasure/erasure.module';
import { OutboxModule } from './outbox/outbox.module';
import { JobsModule } from './jobs/jobs.module';
import { ModerationModule } from './moderation/moderation.module';
import { StageModule } from './stage/stage.module';
import { MetricsModule } from './metrics/metrics.module';
import { DatabaseModule } from './database/database.module';
import { ENTITIES } from './entities';
import { HealthModule } from './health/health.module';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { PreferencesModule } from './preferences/preferences.module';
import { PresenceModule } from './presence/presence.module';
import { RecordingsModule } from './recordings/recordings.module';
import { RetentionModule } from './retention/retention.module';
import { TokensModule } from './tokens/tokens.module';

/** Every configuration section; `createApp` checks them all before anything is built. */
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      load: CONFIG_PROVIDERS,
      // Tests describe their own environment; a developer's .env must not leak into them.
      ignoreEnvFile: process.env.NODE_ENV === 'test',
    }),
    RateLimitingModule,
    DatabaseModule.forRoot(ENTITIES),
    JobsModule,
    OutboxModule,
    IdempotencyModule,
    AuthModule,
    HealthModule,
    CallsModule,
    TokensModule,
    PreferencesModule,
    AdminModule,
    ModerationModule,
    PresenceModule,
    RecordingsModule,
    RetentionModule,
    MetricsModule,
    EventsModule,
    StageModule,
    ErasureModule,
  ],
  providers: [
    // Order matters: identity first, so the throttler can count per user.
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_GUARD, useClass: UserThrottlerGuard },
    { provide: APP_FILTER, useClass: AllExceptionsFilter },
    {
      provide: APP_PIPE,
      useValue: new StrictValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
        forbidUnknownValues: true,
        stopAtFirstError: false,
      }),
    },
  ],
})
export class AppModule {
  /** The application, with the clock it reads the time from (tests pass one they control). */
  static forRoot(options: { clock?: Clock } = {}): DynamicModule {
    return {
      module: AppModule,
      global: true,
      providers: [{ provide: Clock, useValue: options.clock ?? new SystemClock() }],
      exports: [Clock],
    };
  }
}
