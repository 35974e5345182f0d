export class EventTicketDto {
  /** Single use, valid 60 s: open `EventSource('/api/calling/events?ticket=' + ticket)`. @example "q3Zr8v1m6c4W0xkL2p9YbT7nHs5dJfAaEeRgUiOoPl0" */
  ticket: string;
  /** @example "2026-01-05T09:01:00.000Z" */
  expiresAt: string;
}
