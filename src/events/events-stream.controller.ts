import { Headers, Controller, MessageEvent, Post, Query, Sse } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Observable } from 'rxjs';
import { MemberAccess, Public } from '../auth/access.decorator';
import { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../common/exceptions/api-errors.decorator';
import { EventTicketDto } from './dto/event-ticket.dto';
import { EventStreamsService } from './event-streams.service';

@ApiTags('events')
@Controller('calling/events')
export class EventsStreamController {
  constructor(private readonly streams: EventStreamsService) {}

  @Post('ticket')
  @MemberAccess()
  @ApiOperation({
    operationId: 'createEventsTicket',
    summary: 'A ticket to open the event stream',
    description: 'A single-use ticket, valid for 60 s, so a browser can open `EventSource` on `GET /api/calling/events?ticket=...` without putting its JWT in a URL.',
  })
  @ApiCreatedResponse({ type: EventTicketDto })
  ticket(@CurrentUser() user: AuthUser): Promise<EventTicketDto> {
    return this.streams.ticket(user);
  }

  @Sse()
  @Public()
  @ApiOperation({
    operationId: 'streamEvents',
    summary: "The member's live events (Server-Sent Events)",
    description:
      "Authenticated by a ticket from `POST /api/calling/events/ticket` (never a JWT: a bearer token in the URL is refused). A `text/event-stream` of the member's own events (invited, ringing, removed, direct-call outcomes) and the events of the calls they belong to (participants joining and leaving, paused, resumed, ended), each `data:` line the event body as JSON with its `id:`. Reconnecting with `Last-Event-ID` (EventSource does) resumes after that event, within 10 minutes. A `: keep-alive` comment every 25 s. The stream closes when the member is removed from a call.",
  })
  @ApiQuery({ name: 'ticket', type: String, required: true, description: 'The ticket from POST /api/calling/events/ticket', example: 'q3Zr8v1m6c4W0xkL2p9YbT7nHs5dJfAaEeRgUiOoPl0' })
  @ApiQuery({ name: 'lastEventId', type: String, required: false, description: 'Resume after this event (as the Last-Event-ID header does)', example: 'evt_1042' })
  // Named exactly as @Headers() below names it, so this entry replaces the one Swagger infers from
  // the parameter (which it marks required): a browser's first connection sends no Last-Event-ID.
  @ApiHeader({ name: 'last-event-id', required: false, schema: { type: 'string' }, description: 'Last-Event-ID: resume after this event id (sent by EventSource when it reconnects)' })
  @ApiOkResponse({ description: 'The event stream', content: { 'text/event-stream': { schema: { type: 'string', example: 'id: evt_1042\ndata: {"id":"evt_1042","type":"participant.joined","occurredAt":"2026-01-05T09:00:00.000Z","callId":12345,"data":{"member":{"user_id":456,"oto_number":"OTO#K7Q2ZD"}}}\n\n' } } } })
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'No ticket, a malformed lastEventId or Last-Event-ID, or an unknown query parameter' },
    { code: 'EVENTS_TICKET_INVALID', when: 'The ticket is unknown, expired or used already' },
    { code: 'TOKEN_IN_URL', when: 'A JWT in the query string (never accepted there)' },
    'DATABASE_UNAVAILABLE',
  )
  stream(@Query() query: Record<string, unknown>, @Headers('last-event-id') lastEventId?: string): Promise<Observable<MessageEvent>> {
    return this.streams.open(query, lastEventId);
  }
}
