/** Every event type the service emits (webhooks and member streams). */
export const EVENT_TYPES = [
  'call.created',
  'call.updated',
  'call.paused',
  'call.resumed',
  'call.ended',
  'member.invited',
  'participant.joined',
  'participant.left',
  'participant.removed',
  'participant.muted',
  'call.ringing',
  'call.accepted',
  'call.declined',
  'call.cancelled',
  'call.missed',
  // Scheduled calls (issue 24).
  'call.starting_soon',
  'call.ending_soon',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** A member as events show them: never a username or email. */
export interface EventMember {
  user_id: number;
  oto_number: string;
}

/** What is sent: to the webhook (the POST body) and on member streams (the `data:` line). */
export interface EventBody {
  /** Stable and unique (`evt_<outbox id>`): receivers deduplicate on it. */
  id: string;
  type: EventType;
  occurredAt: string;
  callId: number;
  data: Record<string, unknown>;
}

/** One change to record (`EventsOutbox.record`). Members are given by user id; their OTO# is added when the body is composed. */
export interface NewEvent {
  type: EventType;
  callId: number;
  /** The member the event is about. */
  userId?: number;
  /** Who made the change. */
  actorId?: number;
  occurredAt: Date;
  /** Further fields of `data`; a field `{ user_id: n }` becomes a full member (`oto_number` added). */
  data?: Record<string, unknown>;
}

export const EVENT_ID_PREFIX = 'evt_';

export const eventId = (outboxId: number): string => `${EVENT_ID_PREFIX}${outboxId}`;

/** The outbox id in an event id (`evt_42` or `42`), or null when it is not one. */
export function outboxIdOf(value: string | undefined | null): number | null {
  if (!value) return null;
  const match = /^(?:evt_)?(\d{1,12})$/.exec(value.trim());
  return match ? Number(match[1]) : null;
}

/** The delivery states of an event row (its entity is the outbox's own). */
export { EVENT_STATUSES, type EventStatus } from './entities/call-event.entity';
