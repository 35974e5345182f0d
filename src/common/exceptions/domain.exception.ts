import { HttpStatus } from '@nestjs/common';

/**
 * Every rule a service enforces fails with one of these codes. The exception filter maps each
 * to its HTTP status and the one error body: `{ statusCode, error, message, code }`.
 */
export const ERROR_STATUS = {
  AUTH_MISSING_TOKEN: HttpStatus.UNAUTHORIZED,
  AUTH_INVALID_TOKEN: HttpStatus.UNAUTHORIZED,
  AUTH_TOKEN_EXPIRED: HttpStatus.UNAUTHORIZED,
  MEMBERSHIP_REQUIRED: HttpStatus.FORBIDDEN,
  ADMIN_REQUIRED: HttpStatus.FORBIDDEN,
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  CALL_NOT_FOUND: HttpStatus.NOT_FOUND,
  CALL_ENDED: HttpStatus.NOT_FOUND,
  CALL_FULL: HttpStatus.BAD_REQUEST,
  CALL_PRIVATE: HttpStatus.FORBIDDEN,
  CALL_ACCESS_DENIED: HttpStatus.FORBIDDEN,
  CALL_ALREADY_ENDED: HttpStatus.CONFLICT,
  CALL_PAUSED: HttpStatus.CONFLICT,
  CAPACITY_BELOW_LIVE: HttpStatus.CONFLICT,
  NOT_CALL_HOST: HttpStatus.FORBIDDEN,
  NOT_CALL_MODERATOR: HttpStatus.FORBIDDEN,
  MEMBER_NOT_FOUND: HttpStatus.NOT_FOUND,
  NOT_A_CALL_MEMBER: HttpStatus.NOT_FOUND,
  HOST_ROLE_FIXED: HttpStatus.CONFLICT,
  ACTION_NOT_ALLOWED: HttpStatus.FORBIDDEN,
  PARTICIPANT_REMOVED: HttpStatus.FORBIDDEN,
  PARTICIPANT_NOT_FOUND: HttpStatus.NOT_FOUND,
  NOT_A_PARTICIPANT: HttpStatus.FORBIDDEN,
  UID_TAKEN: HttpStatus.CONFLICT,
  TOKEN_GENERATION_FAILED: HttpStatus.INTERNAL_SERVER_ERROR,
  WEBHOOK_SIGNATURE_INVALID: HttpStatus.UNAUTHORIZED,
  DATABASE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface DomainExceptionOptions {
  /** Sent as the `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
  /** What went wrong underneath; logged, never sent. */
  cause?: unknown;
}

export class DomainException extends Error {
  readonly status: number;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: DomainExceptionOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainException';
    this.status = ERROR_STATUS[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
