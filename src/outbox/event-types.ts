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
  // The lobby (issue 24): to the call's host and moderators; admitted and denied also to the member.
  'lobby.waiting',
  'lobby.admitted',
  'lobby.denied',
  // stages (issue 25)
  'hand.raised',
  'hand.lowered',
  'participant.promoted',
  'participant.demoted',
  // Erasure (issue 26): a member was erased; no call (callId 0), no member in it, webhook only.
  'member.erased',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Who hears of an event on the member streams, when not every current member of the call does:
 * `staff` the call's host and moderators only (raised hands); `staff-and-member` them and the
 * member the event is about (promotions, demotions); `webhook` nobody (Ikoota's backend only).
 * The webhook receives every event.
 */
export const EVENT_AUDIENCES: Partial<Record<EventType, 'staff' | 'staff-and-member' | 'webhook'>> = {
  'hand.raised': 'staff',
  'hand.lowered': 'staff',
  'participant.promoted': 'staff-and-member',
  'participant.demoted': 'staff-and-member',
  // The lobby: who knocks is for the host and moderators; their decision also for the member.
  'lobby.waiting': 'staff',
  'lobby.admitted': 'staff-and-member',
  'lobby.denied': 'staff-and-member',
  'member.erased': 'webhook',
};

/** The `callId` of events that are about no call (`member.erased`). */
export const NO_CALL = 0;

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
