import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAccess } from '../auth/access.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { RateLimit } from '../common/throttling/rate-limit';
import { AdminConsoleService, SESSIONS_CSV_HEADER } from './admin-console.service';
import { AdminCallsPageDto } from './dto/admin-calls.dto';
import { AdminCallsQueryDto } from './dto/admin-calls-query.dto';
import { AdminOverviewDto } from './dto/admin-overview.dto';
import { SessionsExportQueryDto } from './dto/sessions-export-query.dto';

const BAD_RANGE = 'from or to is not an ISO 8601 date, or from is after to';

/** What an admin dashboard reads: every call (paged), what is live now, and the sessions as CSV. */
@ApiTags('admin')
@AdminAccess()
@Controller('calling/admin')
export class AdminConsoleController {
  constructor(private readonly console: AdminConsoleService) {}

  @Get('calls')
  @RateLimit('analytics')
  @ApiOperation({
    operationId: 'listCalls',
    summary: 'List calls (admin)',
    description: [
      'Every call, newest first (`created_at`, then `id`, descending), `limit` per page (1-200, default 50).',
      'Pass `nextCursor` back as `cursor` for the next page: a keyset cursor, so calls created meanwhile neither repeat nor push rows off a page; null on the last page.',
      '`status` filters by status; `from` (inclusive) and `to` (exclusive) by creation time.',
      '`q` is an OTO# number (`OTO#` and 6 of A-Z 0-9, URL-encoded `OTO%23K7Q2ZD`): the calls that member had a session in; anything else matches a title substring, case-insensitively (`%` and `_` match themselves).',
      '`participant_count` is the members in the call now, as in my-calls; `peak_participants` the most at once so far.',
    ].join(' '),
  })
  @ApiOkResponse({ type: AdminCallsPageDto })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: `status is not active, paused or ended; ${BAD_RANGE}; limit is not an integer from 1 to 200; q is empty or longer than 200 characters; or cursor is not one this route gave` })
  calls(@Query() query: AdminCallsQueryDto): Promise<AdminCallsPageDto> {
    return this.console.calls(query);
  }

  @Get('overview')
  @RateLimit('analytics')
  @ApiOperation({
    operationId: 'getOverview',
    summary: 'What is happening now (admin)',
    description: [
      'Calls active and paused, members in them, sessions opened (joins) and sessions issued a token in the last hour,',
      "today's (UTC) audio and video minutes exactly as the analytics report counts them (closed segments), and the 5 live calls with the most members now.",
      'Counts only: no member is named or numbered.',
    ].join(' '),
  })
  @ApiOkResponse({ type: AdminOverviewDto })
  overview(): Promise<AdminOverviewDto> {
    return this.console.overview();
  }

  @Get('sessions.csv')
  @RateLimit('analytics')
  @ApiOperation({
    operationId: 'exportSessionsCsv',
    summary: 'Participation sessions as CSV (admin)',
    description: [
      `Every participation session joined in [from, to) (both optional), of one call with \`callId\`, oldest first, as \`text/csv\` with a header row: ${SESSIONS_CSV_HEADER.join(', ')}.`,
      'Members appear by OTO# number only. Open sessions have empty left_at and duration_seconds; audio and video seconds count their open segment up to now.',
      'Only data inside the retention window: sessions of calls that ended more than CALL_RETENTION_DAYS ago are left out.',
      'Streamed as it is read (constant memory for any size); `Content-Disposition` names the file after the range and call.',
      "Cells a spreadsheet would run as a formula (starting with = + - @) are prefixed with '.",
    ].join(' '),
  })
  @ApiOkResponse({
    description: 'The CSV file',
    content: { 'text/csv': { schema: { type: 'string', example: 'call_id,oto_number,role,joined_at,left_at,duration_seconds,audio_seconds,video_seconds,leave_reason\r\n12345,OTO#K7Q2ZD,host,2023-12-01T10:00:00.000Z,2023-12-01T11:30:00.000Z,5400,600,4800,left\r\n' } } },
    headers: { 'Content-Disposition': { description: 'attachment; filename="sessions_<from>_<to>[_call-<id>].csv"', schema: { type: 'string' } } },
  })
  @ApiErrors({ code: 'VALIDATION_FAILED', when: `${BAD_RANGE}, or callId is not a positive integer` })
  async sessionsCsv(@Query() query: SessionsExportQueryDto): Promise<StreamableFile> {
    const csv = await this.console.sessionsCsv(query);
    return new StreamableFile(csv.stream, { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${csv.filename}"` });
  }
}
