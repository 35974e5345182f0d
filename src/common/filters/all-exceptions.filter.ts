import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { databaseErrorCode, toDatabaseUnavailable } from '../../database/db-errors';
import { DomainException, ERROR_CODES, ErrorCode } from '../exceptions/domain.exception';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code: ErrorCode;
  /** Field-level problems, for validation failures. */
  errors?: string[];
}

function errorName(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** The code of a refusal raised by the framework (Nest or Fastify) rather than by a service. */
function frameworkCode(status: number): ErrorCode {
  switch (status) {
    // Every 400 the framework raises (bad JSON, bad path id, bad body) is a validation failure.
    case HttpStatus.BAD_REQUEST:
      return 'VALIDATION_FAILED';
    // Unknown routes, and routes that are switched off (webhooks without a secret), look alike.
    case HttpStatus.NOT_FOUND:
      return 'ROUTE_NOT_FOUND';
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return 'PAYLOAD_TOO_LARGE';
    case HttpStatus.UNSUPPORTED_MEDIA_TYPE:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case HttpStatus.TOO_MANY_REQUESTS:
      return 'RATE_LIMITED';
    default:
      return status >= 500 ? 'INTERNAL_ERROR' : 'REQUEST_REFUSED';
  }
}

const INTERNAL_ERROR: ErrorBody = { statusCode: 500, error: errorName(500), message: ERROR_CODES.INTERNAL_ERROR.message, code: 'INTERNAL_ERROR' };

/** Builds the one error body every failure of the service answers with. */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof DomainException) {
    return { statusCode: exception.status, error: errorName(exception.status), message: exception.message, code: exception.code };
  }
  if (exception instanceof ThrottlerException) {
    return { statusCode: 429, error: errorName(429), message: ERROR_CODES.RATE_LIMITED.message, code: 'RATE_LIMITED' };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status >= 500) return INTERNAL_ERROR;
    const response = exception.getResponse();
    const raw = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
    if (Array.isArray(raw)) {
      return { statusCode: status, error: errorName(status), message: raw.join('; '), code: frameworkCode(status), errors: raw.map(String) };
    }
    return { statusCode: status, error: errorName(status), message: typeof raw === 'string' ? raw : exception.message, code: frameworkCode(status) };
  }
  // Errors raised by Fastify itself before a route runs (bad JSON, wrong content type, body too large).
  const fastifyError = exception as { statusCode?: number; message?: string } | undefined;
  if (fastifyError?.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode;
    return { statusCode: status, error: errorName(status), message: fastifyError.message || errorName(status), code: frameworkCode(status) };
  }
  return INTERNAL_ERROR;
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const reply = context.getResponse<FastifyReply>();
    const request = context.getRequest<FastifyRequest>();
    const unavailable = toDatabaseUnavailable(exception);
    const error = unavailable ?? exception;
    const body = toErrorBody(error);
    if (unavailable) {
      // Expected while the database is away: one line per request, the driver's code, no stack.
      this.logger.warn({ msg: 'database unavailable', reqId: request.id, route: request.routeOptions?.url, cause: databaseErrorCode(exception) ?? 'fatal' });
    } else if (body.statusCode >= 500) {
      this.logger.error({
        msg: 'request failed',
        reqId: request.id,
        route: request.routeOptions?.url,
        error: exception instanceof Error ? { type: exception.name, message: exception.message, stack: exception.stack } : String(exception),
      });
    }
    if (error instanceof DomainException && error.retryAfterSeconds !== undefined) void reply.header('Retry-After', String(error.retryAfterSeconds));
    void reply.status(body.statusCode).send(body);
  }
}
