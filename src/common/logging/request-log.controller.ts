import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from '../../auth/access.guard';

/**
 * One structured line per finished request: request id, method, route pattern (never the raw
 * URL or headers), status, latency and the caller's OTO# number when known. Nothing else about
 * the request is logged, so tokens, ids and emails cannot leak through it.
 */
export class RequestLogController extends LogController {
  constructor() {
    super({ disableRequestLogging: false });
  }

  override incomingRequest(): void {
    // The completion line carries everything; one line per request keeps logs cheap.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      route: request.routeOptions?.url ?? 'unmatched',
      status: reply.statusCode,
      latencyMs: Math.round(reply.elapsedTime * 100) / 100,
      oto: (request as AuthenticatedRequest).user?.otoNumber,
    };
    if (error) reply.log.error({ ...line, err: { type: error.name, message: error.message } }, 'request failed');
    else reply.log.info(line, 'request');
  }
}
