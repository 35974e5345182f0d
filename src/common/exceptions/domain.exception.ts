import { HttpStatus } from '@nestjs/common';

interface ErrorCodeEntry {
  status: HttpStatus;
  /** The message this code answers with when the thrower gives none; also the documented example. */
  message: string;
  /** Answers carry a `Retry-After` header (seconds). */
  retryAfter?: true;
}

/**
 * The one table of error codes. Every failure the service answers with carries one of these:
 * the exception filter takes the HTTP status from here, and `@ApiErrors(...)` builds each route's
 * documented error responses (status, example message) from here, so the docs follow the code.
 * The body is always `{ statusCode, error, message, code }` (+ `errors` for validation).
 */
export const ERROR_CODES = {
  AUTH_MISSING_TOKEN: { status: HttpStatus.UNAUTHORIZED, message: 'Authorization header with a Bearer token is required' },
  AUTH_INVALID_TOKEN: { status: HttpStatus.UNAUTHORIZED, message: 'Invalid bearer token' },
  AUTH_TOKEN_EXPIRED: { status: HttpStatus.UNAUTHORIZED, message: 'Bearer token has expired' },
  MEMBERSHIP_REQUIRED: { status: HttpStatus.FORBIDDEN, message: 'A membership tier is required: pre_member or member' },
  ADMIN_REQUIRED: { status: HttpStatus.FORBIDDEN, message: 'Admin role required' },
  VALIDATION_FAILED: { status: HttpStatus.BAD_REQUEST, message: 'title must be longer than or equal to 1 characters' },
  RATE_LIMITED: { status: HttpStatus.TOO_MANY_REQUESTS, message: 'Too many requests, slow down', retryAfter: true },
  CALL_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'Call not found' },
  CALL_ENDED: { status: HttpStatus.NOT_FOUND, message: 'Call not found or ended' },
  CALL_FULL: { status: HttpStatus.BAD_REQUEST, message: 'Call is full (25 participants)' },
  CALL_PRIVATE: { status: HttpStatus.FORBIDDEN, message: 'Access denied to private call' },
  CALL_ACCESS_DENIED: { status: HttpStatus.FORBIDDEN, message: 'Access denied to this call' },
  CALL_ALREADY_ENDED: { status: HttpStatus.CONFLICT, message: 'Call has already ended' },
  CALL_PAUSED: { status: HttpStatus.CONFLICT, message: 'The call is paused: nobody new can join until it resumes' },
  CAPACITY_BELOW_LIVE: { status: HttpStatus.CONFLICT, message: 'maxParticipants 5 is below the 8 members in the call now' },
  CALL_IN_PROGRESS: { status: HttpStatus.CONFLICT, message: 'The encryption can change only while nobody is in the call (and no recording runs)' },
  ENCRYPTION_UNAVAILABLE: { status: HttpStatus.BAD_REQUEST, message: 'Encrypted calls are not available on this service (MEDIA_KEY_SECRET is not configured)' },
  CALL_NOT_STARTED: {
    status: HttpStatus.CONFLICT,
    message: 'The call opens at 2026-01-08T17:50:00.000Z (10 minutes before it starts at 2026-01-08T18:00:00.000Z)',
    retryAfter: true,
  },
  CALL_ALREADY_STARTED: { status: HttpStatus.CONFLICT, message: 'The call started at 2026-01-08T18:00:00.000Z: its startsAt can no longer change' },
  NOT_CALL_HOST: { status: HttpStatus.FORBIDDEN, message: 'Only the call host can end this call' },
  NOT_CALL_MODERATOR: { status: HttpStatus.FORBIDDEN, message: 'Only the call host, a moderator or an admin can pause this call' },
  MEMBER_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'No member with this OTO# number or user id' },
  NOT_A_CALL_MEMBER: { status: HttpStatus.NOT_FOUND, message: 'This member is not a member of this call' },
  HOST_ROLE_FIXED: { status: HttpStatus.CONFLICT, message: "The host's role cannot change" },
  ACTION_NOT_ALLOWED: { status: HttpStatus.FORBIDDEN, message: 'Nobody removes themselves: leave the call instead' },
  PARTICIPANT_REMOVED: { status: HttpStatus.FORBIDDEN, message: 'You were removed from this call' },
  PARTICIPANT_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'This member never took part in this call' },
  NOT_A_PARTICIPANT: { status: HttpStatus.FORBIDDEN, message: 'You are not in this call: join it again' },
  UID_TAKEN: { status: HttpStatus.CONFLICT, message: 'This uid is already in use by another participant of this call' },
  TOKEN_GENERATION_FAILED: { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Token generation failed' },
  MUTE_ENFORCEMENT_UNAVAILABLE: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    message: 'You are muted in this call and Agora did not confirm the rule that keeps the muted media off for a new token; try again shortly',
    retryAfter: true,
  },
  EVENTS_TICKET_INVALID: { status: HttpStatus.UNAUTHORIZED, message: 'This event stream ticket is unknown, expired or used: ask POST /api/calling/events/ticket for a new one' },
  TOKEN_IN_URL: { status: HttpStatus.UNAUTHORIZED, message: 'A bearer token is never accepted in a URL: open the stream with a ticket from POST /api/calling/events/ticket' },
  CALLEE_IS_CALLER: { status: HttpStatus.BAD_REQUEST, message: 'You cannot call yourself' },
  CALLEE_NOT_ELIGIBLE: { status: HttpStatus.FORBIDDEN, message: 'This member cannot be called: they have no membership' },
  NOT_RINGING: { status: HttpStatus.CONFLICT, message: 'This direct call is not ringing any more' },
  NOT_THE_CALLEE: { status: HttpStatus.FORBIDDEN, message: 'Only the member being called can answer this call' },
  NOT_THE_CALLER: { status: HttpStatus.FORBIDDEN, message: 'Only the caller can cancel this call' },
  NOT_A_DIRECT_CALL: { status: HttpStatus.NOT_FOUND, message: 'This call is not a direct call' },
  WEBHOOK_SIGNATURE_INVALID: { status: HttpStatus.UNAUTHORIZED, message: 'Missing or invalid Agora-Signature-V2' },
  RECORDING_ACTIVE: { status: HttpStatus.CONFLICT, message: 'A recording of this call is already running: stop it first' },
  RECORDING_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'No such recording of this call' },
  RECORDING_NOT_ACTIVE: { status: HttpStatus.CONFLICT, message: 'The recording is still starting: stop it once it has started' },
  RECORDING_UNAVAILABLE: { status: HttpStatus.BAD_GATEWAY, message: 'Agora Cloud Recording did not answer as expected; nothing was recorded' },
  RECORDING_NOT_CONFIGURED: { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'Recording is not configured on this service' },
  // The lobby (issue 24).
  LOBBY_DENIED: { status: HttpStatus.FORBIDDEN, message: 'The host did not let you in: you may join this call only if admitted later' },
  NOT_IN_LOBBY: { status: HttpStatus.NOT_FOUND, message: 'This member is not in the lobby of this call' },
  NOT_A_SPEAKER: { status: HttpStatus.FORBIDDEN, message: 'You are a listener on this stage: your tokens subscribe only until a host or moderator makes you a speaker' },
  SPEAKERS_FULL: { status: HttpStatus.CONFLICT, message: 'This stage has its 16 speakers already' },
  NOT_A_STAGE: { status: HttpStatus.CONFLICT, message: 'This call is a conference: everyone in it may publish, there are no speakers or hands' },
  ALREADY_A_SPEAKER: { status: HttpStatus.CONFLICT, message: 'You are a speaker on this stage already: only listeners raise a hand' },
  SPEAKER_BY_ROLE: { status: HttpStatus.CONFLICT, message: 'The host and moderators are speakers by their role: make a moderator a participant first' },
  MEMBER_NOT_IN_CALL: { status: HttpStatus.CONFLICT, message: 'This member is not in the call now: only a member in the call can be made a speaker' },
  // Retries with an Idempotency-Key (issue 26).
  IDEMPOTENCY_KEY_REUSED: { status: HttpStatus.UNPROCESSABLE_ENTITY, message: 'This Idempotency-Key was used with a different request: use a new key for a new request' },
  IDEMPOTENCY_IN_PROGRESS: { status: HttpStatus.CONFLICT, message: 'A request with this Idempotency-Key is still running: try again shortly', retryAfter: true },
  IDEMPOTENCY_ANSWER_LOST: {
    status: HttpStatus.CONFLICT,
    message: 'The request with this Idempotency-Key was carried out, but its answer was lost: look its outcome up (my-calls) instead of retrying',
  },
  DATABASE_UNAVAILABLE: { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'The database is not answering; try again shortly', retryAfter: true },
  // Raised by the HTTP layer rather than a service.
  ROUTE_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'Cannot GET /api/no-such-route' },
  UNSUPPORTED_MEDIA_TYPE: { status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, message: 'Unsupported Media Type' },
  PAYLOAD_TOO_LARGE: { status: HttpStatus.PAYLOAD_TOO_LARGE, message: 'Request body is too large' },
  /** Any other refusal by the HTTP layer; its answer has the status of the refusal. */
  REQUEST_REFUSED: { status: HttpStatus.BAD_REQUEST, message: 'Bad Request' },
  INTERNAL_ERROR: { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The HTTP status of every code (read from ERROR_CODES). */
export const ERROR_STATUS = Object.fromEntries(Object.entries(ERROR_CODES).map(([code, entry]) => [code, entry.status])) as {
  [C in ErrorCode]: (typeof ERROR_CODES)[C]['status'];
};

export interface DomainExceptionOptions {
  /** Sent as the `Retry-After` header (seconds). */
  retryAfterSeconds?: number;
  /** What went wrong underneath; logged, never sent. */
  cause?: unknown;
}

export class DomainException extends Error {
  readonly status: number;
  readonly retryAfterSeconds?: number;

  /** Without a message, the code's message from ERROR_CODES. */
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code].message,
    options: DomainExceptionOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainException';
    this.status = ERROR_CODES[code].status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
