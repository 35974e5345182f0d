import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ThrottlerOptions } from '@nestjs/throttler';
import type { ExecutionContext } from '@nestjs/common';
import { ApiErrors } from '../exceptions/api-errors.decorator';

/** The spec's named limits, per authenticated user (per IP for anonymous callers). */
export const RATE_LIMITS = {
  token: { limit: 60, ttl: 60_000, label: '60 requests per minute' },
  create: { limit: 10, ttl: 3_600_000, label: '10 calls per hour' },
  join: { limit: 100, ttl: 60_000, label: '100 requests per minute' },
  analytics: { limit: 20, ttl: 60_000, label: '20 requests per minute' },
  direct: { limit: 30, ttl: 3_600_000, label: '30 direct calls per hour' },
} as const;

export type RateLimitName = keyof typeof RATE_LIMITS;

/** Routes without a named limit count against this general per-user limit. */
export const DEFAULT_RATE_LIMIT = { limit: 600, ttl: 60_000, label: '600 requests per minute' };

export const RATE_LIMIT_KEY = 'rate-limit-name';

/** Applies one of the spec's named limits to a route, and documents the 429 it can answer. */
export const RateLimit = (name: RateLimitName): MethodDecorator =>
  applyDecorators(
    SetMetadata(RATE_LIMIT_KEY, name),
    ApiErrors({ code: 'RATE_LIMITED', when: `Rate limit: ${RATE_LIMITS[name].label} per user. The Retry-After header says when to try again (seconds).` }),
  ) as MethodDecorator;

/** The headers @nestjs/throttler sends under a limit: the `default` limit's carry no suffix. */
export function rateLimitHeaders(name: RateLimitName | 'default'): string[] {
  const suffix = name === 'default' ? '' : `-${name}`;
  return [`X-RateLimit-Limit${suffix}`, `X-RateLimit-Remaining${suffix}`, `X-RateLimit-Reset${suffix}`, `Retry-After${suffix}`];
}

/** Every rate-limit header any route can send (CORS exposes them to page scripts). */
export const ALL_RATE_LIMIT_HEADERS = (['default', ...Object.keys(RATE_LIMITS)] as Array<RateLimitName | 'default'>).flatMap(rateLimitHeaders);

/** Requests that count against the general limit although their route names one: replays of a stored answer. */
const countedAsGeneral = new WeakSet<object>();

/** Counts this request against the general limit instead of its route's named limit (UserThrottlerGuard, for a replay). */
export function countAgainstGeneralLimit(request: object): void {
  countedAsGeneral.add(request);
}

const asGeneral = (context: ExecutionContext): boolean => countedAsGeneral.has(context.switchToHttp().getRequest<object>());

/**
 * Named limits apply only to routes that ask for them; `default` (600 a minute) to all the others,
 * and to a replay of a stored answer on a route with a named limit (an Idempotency-Key's retry
 * creates nothing, so it does not use up the create limit).
 */
export function buildThrottlers(scale: number): ThrottlerOptions[] {
  const named = (Object.keys(RATE_LIMITS) as RateLimitName[]).map((name) => ({
    name,
    limit: Math.max(1, Math.round(RATE_LIMITS[name].limit * scale)),
    ttl: RATE_LIMITS[name].ttl,
    skipIf: (context: ExecutionContext) => Reflect.getMetadata(RATE_LIMIT_KEY, context.getHandler()) !== name || asGeneral(context),
  }));
  return [
    {
      name: 'default',
      limit: Math.max(1, Math.round(DEFAULT_RATE_LIMIT.limit * scale)),
      ttl: DEFAULT_RATE_LIMIT.ttl,
      // A route with a named limit is held to that one (always the stricter); counting it twice
      // would only cost time.
      skipIf: (context: ExecutionContext) => Reflect.getMetadata(RATE_LIMIT_KEY, context.getHandler()) !== undefined && !asGeneral(context),
    },
    ...named,
  ];
}

