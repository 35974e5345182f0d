import { Global, Module } from '@nestjs/common';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IdempotencyPurgeJob } from './idempotency-purge.job';
import { IdempotencyRepository } from './idempotency.repository';
import { Idempotency } from './idempotency.service';

/**
 * Retries that never duplicate: `@Idempotent()` on a route handler (idempotent.decorator.ts).
 * Global, so the interceptor resolves in any feature's module and the throttler guard can ask
 * whether a request is a replay; it imports no feature.
 */
@Global()
@Module({
  providers: [Idempotency, IdempotencyRepository, IdempotencyInterceptor, IdempotencyPurgeJob],
  exports: [Idempotency, IdempotencyInterceptor],
})
export class IdempotencyModule {}
