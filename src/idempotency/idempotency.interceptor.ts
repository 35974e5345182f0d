import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/access.guard';
import { toErrorBody } from '../common/filters/all-exceptions.filter';
import { toDatabaseUnavailable } from '../database/db-errors';
import { idempotentRequest, REPLAYED_HEADER } from './idempotent-request';
import { ClaimInWork, Idempotency } from './idempotency.service';

/**
 * What `@Idempotent()` puts around a route handler. Without an Idempotency-Key header the request
 * runs as always. With one: a stored answer is sent again (status and body, with
 * `Idempotent-Replayed: true`) and the handler does not run; otherwise the key is claimed, the
 * handler runs with the claim in its transactions (its first COMMIT marks the key committed), and
 * its answer is stored: a success and every refusal below 500 (the same request
 * would be refused the same way), while a 5xx, DATABASE_UNAVAILABLE included, gives the claim up so
 * that a retry runs again. Refusals before the handler (401, 403, 429) neither claim nor store.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: Idempotency) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const reply = http.getResponse<FastifyReply>();
    const idempotent = idempotentRequest(request);
    if (!idempotent || !request.user) return next.handle();
    const begun = await this.idempotency.begin(request.user.id, idempotent);
    if (begun.kind === 'replay') {
      void reply.status(begun.statusCode).header(REPLAYED_HEADER, 'true');
      return of(begun.body);
    }
    // The handler runs with the claim in its transactions: its first COMMIT marks the key committed.
    const { result: handled, inWork } = this.idempotency.carrying(begun, () => next.handle());
    return handled.pipe(
      // The status the handler answers with: the route's own (set before interceptors run), or what it set itself.
      mergeMap((result) => {
        inWork.closed = true;
        return from(this.idempotency.complete(begun, reply.statusCode, result).then(() => result));
      }),
      catchError((error: unknown) => from(this.settleFailure(inWork, error)).pipe(mergeMap(() => throwError(() => error)))),
    );
  }

  private async settleFailure(inWork: ClaimInWork, error: unknown): Promise<void> {
    inWork.closed = true;
    const body = toErrorBody(toDatabaseUnavailable(error) ?? error);
    if (body.statusCode >= 500) await this.idempotency.release(inWork);
    else await this.idempotency.complete(inWork.claim, body.statusCode, body);
  }
}
