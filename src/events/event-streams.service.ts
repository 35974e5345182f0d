import { Injectable, MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { AuthUser } from '../auth/auth-user';
import { DomainException } from '../common/exceptions/domain.exception';
import { EventTicketDto } from './dto/event-ticket.dto';
import { outboxIdOf } from '../outbox/event-types';
import { EventTickets } from './event-tickets.service';
import { EventsHub } from './events-hub.service';

/** Query parameters that carry a bearer token somewhere else: refused, never read. */
const TOKEN_PARAMS = ['access_token', 'token', 'jwt', 'bearer', 'authorization', 'auth'];
/** A JWT's shape (header.payload.signature, the header base64url JSON): refused wherever it appears in the query. */
const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]*\.[\w-]*$/;
const TICKET_SHAPE = /^[\w-]{43}$/;

/** Opening member event streams: tickets in, streams out. */
@Injectable()
export class EventStreamsService {
  constructor(
    private readonly tickets: EventTickets,
    private readonly hub: EventsHub,
  ) {}

  ticket(user: AuthUser): Promise<EventTicketDto> {
    return this.tickets.issue(user.id);
  }

  /** Checks the query (a JWT there is refused with its own code), redeems the ticket, opens the stream. */
  async open(query: Record<string, unknown>, lastEventIdHeader: string | undefined): Promise<Observable<MessageEvent>> {
    const values = Object.entries(query);
    if (values.some(([key, value]) => TOKEN_PARAMS.includes(key.toLowerCase()) || (typeof value === 'string' && JWT_SHAPE.test(value)))) {
      throw new DomainException('TOKEN_IN_URL');
    }
    const unknown = values.map(([key]) => key).filter((key) => key !== 'ticket' && key !== 'lastEventId');
    if (unknown.length > 0) throw new DomainException('VALIDATION_FAILED', `property ${unknown[0]} should not exist`);
    const ticket = query.ticket;
    if (typeof ticket !== 'string' || ticket === '') throw new DomainException('VALIDATION_FAILED', 'ticket is required: ask POST /api/calling/events/ticket for one');
    const resumeFrom = lastEventIdHeader ?? (typeof query.lastEventId === 'string' ? query.lastEventId : undefined);
    const lastEventId = resumeFrom === undefined || resumeFrom === '' ? null : outboxIdOf(resumeFrom);
    if (resumeFrom && lastEventId === null) throw new DomainException('VALIDATION_FAILED', 'Last-Event-ID must be an event id such as evt_1042');
    if (!TICKET_SHAPE.test(ticket)) throw new DomainException('EVENTS_TICKET_INVALID');
    const userId = await this.tickets.redeem(ticket);
    return this.hub.open(userId, lastEventId);
  }
}
