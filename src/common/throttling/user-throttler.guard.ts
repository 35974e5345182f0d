import { ExecutionContext, Injectable } from '@nestjs/common';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedRequest } from '../../auth/access.guard';
import { IDEMPOTENT_KEY } from '../../idempotency/idempotent.decorator';
import { idempotentRequest } from '../../idempotency/idempotent-request';
import { Idempotency } from '../../idempotency/idempotency.service';
import { countAgainstGeneralLimit, RATE_LIMIT_KEY } from './rate-limit';
import { RouteMetadataCache } from './route-metadata-cache';

/**
 * Rate limits keyed by the authenticated user's id, so members behind one NAT do not share a
 * budget and one member cannot dodge the limit by changing address. Anonymous callers (public
 * routes) are keyed by IP. A refused request carries a plain `Retry-After` header.
 *
 * On an `@Idempotent()` route with a named limit (create, direct), a request whose Idempotency-Key
 * already holds the answer to this very request is a replay: it counts against the general limit
 * only (guards run before the interceptor that sends the replay, so the guard asks first).
 */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  /** Per route handler: whether it is idempotent and has a named limit (asked once per route). */
  private readonly replayable = new WeakMap<object, boolean>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    private readonly idempotency: Idempotency,
  ) {
    // The limits a route declares are read once per route, not on every request.
    super(options, storage, new RouteMetadataCache());
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.isReplayable(context.getHandler())) {
      const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
      const idempotent = idempotentRequest(request);
      if (idempotent && request.user && (await this.idempotency.isReplay(request.user.id, idempotent))) countAgainstGeneralLimit(request);
    }
    return super.canActivate(context);
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as AuthenticatedRequest;
    return request.user ? `user:${request.user.id}` : `ip:${request.ip}`;
  }

  /** One counter per route, limit and caller; a plain key (the default hashes it each time). */
  protected override generateKey(context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${context.getClass().name}.${context.getHandler().name}:${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    void reply.header('Retry-After', String(Math.max(1, Math.ceil(detail.timeToBlockExpire))));
    return super.throwThrottlingException(context, detail);
  }

  private isReplayable(handler: object): boolean {
    let known = this.replayable.get(handler);
    if (known === undefined) {
      known = Reflect.getMetadata(IDEMPOTENT_KEY, handler) === true && Reflect.getMetadata(RATE_LIMIT_KEY, handler) !== undefined;
      this.replayable.set(handler, known);
    }
    return known;
  }
}
