import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';

/**
 * An ISO 8601 instant: a date, a time to the minute or finer, and a zone (`Z` or `+hh:mm`), so
 * it names one moment wherever the client is. `2026-01-08T18:00:00Z`, `2026-01-08T19:00+01:00`.
 */
export const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An optional instant (null allowed: it clears the field where the route says so), documented with its pattern. */
export function OptionalInstant(description: string, example: string): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    Matches(INSTANT, { message: '$property must be an ISO 8601 instant with a time zone, such as 2026-01-08T18:00:00Z' }),
    IsISO8601({ strict: true }, { message: '$property must be a valid ISO 8601 date and time' }),
    ApiPropertyOptional({ type: 'string', format: 'date-time', pattern: INSTANT.source, nullable: true, description, example }),
  );
}
