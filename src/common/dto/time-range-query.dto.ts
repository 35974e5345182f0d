import { IsISO8601, IsOptional } from 'class-validator';

/**
 * A time range in a list's query: `from` inclusive, `to` exclusive, both ISO 8601. Which time
 * (calls and recordings created, sessions joined) is the route's; so is the check that `from`
 * comes first. Extended by every list query with a range.
 */
export class TimeRangeQueryDto {
  /** At or after this instant (ISO 8601): when the rows listed were created (calls, recordings) or joined (sessions). @example "2026-02-01T00:00:00.000Z" */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Before this instant (ISO 8601, exclusive); not before `from`. @example "2026-03-01T00:00:00.000Z" */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
