import { ExecutionContext, Injectable } from '@nestjs/common';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedRequest } from '../../auth/access.guard';
import { RouteMetadataCache } from './route-metadata-cache';

/**
 * Rate limits keyed by the authenticated user's id, so members behind one NAT do not share a
 * budget and one member cannot dodge the limit by changing address. Anonymous callers (public
 * routes) are keyed by IP. A refused request carries a plain `Retry-After` header.
 */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  constructor(@InjectThrottlerOptions() options: ThrottlerModuleOptions, @InjectThrottlerStorage() storage: ThrottlerStorage) {
    // The limits a route declares are read once per route, not on every request.
    super(options, storage, new RouteMetadataCache());
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
}
