import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { IDEMPOTENCY_KEY_HEADER } from './idempotent-request';
import { IdempotencyInterceptor } from './idempotency.interceptor';

export const IDEMPOTENT_KEY = 'idempotent-route';

/**
 * Makes a route safe to retry: it accepts an `Idempotency-Key` header, and the same key from the
 * same member with the same request within 24 hours answers the first answer again and changes
 * nothing (IdempotencyInterceptor). Documents the header and the codes it adds. A replay does
 * not count against the route's named rate limit (UserThrottlerGuard), only the general one.
 */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_KEY, true),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Makes a retry safe: the same key (1-255 visible ASCII characters) with the same request within 24 hours answers the first answer again, status and body, with `Idempotent-Replayed: true`, and changes nothing. Keys are per member; use a new key for a new request. An empty, longer or non-ASCII key is 400 `VALIDATION_FAILED`.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$', example: '6f1c2b0e-5d7a-4b8e-9a43-2d1f0c7e8b55' },
    }),
    ApiErrors(
      { code: 'VALIDATION_FAILED', when: 'Idempotency-Key is empty, longer than 255 characters or not visible ASCII' },
      { code: 'IDEMPOTENCY_KEY_REUSED', when: 'This Idempotency-Key was used with a different request (method, path or body) in the last 24 hours' },
      { code: 'IDEMPOTENCY_IN_PROGRESS', when: 'A request with this Idempotency-Key is still running (waited 2 s); Retry-After says when to try again' },
      { code: 'IDEMPOTENCY_ANSWER_LOST', when: 'The first request with this Idempotency-Key was carried out, but its instance stopped before its answer was stored: it is not run again' },
    ),
  ) as MethodDecorator;
