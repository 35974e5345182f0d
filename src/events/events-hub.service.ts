import { BeforeApplicationShutdown, Inject, Injectable, Logger, MessageEvent, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Observable, Subscriber } from 'rxjs';
import { CallsService } from '../calls/calls.service';
import { Clock } from '../common/clock';
import { eventsConfig } from '../config/events.config';
import type { CallEvent } from '../outbox/entities/call-event.entity';
import { EventBodies } from './event-bodies.service';
import { EVENT_AUDIENCES, EventBody, eventId, EventType } from '../outbox/event-types';
import { EventsOutbox } from '../outbox/events-outbox.service';
import { EventsRepository } from './events.repository';
import { EventsRedis } from './redis-channel';
import { UsersService } from '../auth/users.service';

/** How far back `Last-Event-ID` resumes. */
export const REPLAY_WINDOW_MS = 10 * 60_000;
/** The tail also looks on its own this often (a lost pub/sub message, another instance without Redis). */
const POLL_MS = 1_000;
/**
 * An id missing between two ids read may belong to a transaction that has not committed yet
 * (MariaDB hands out ids at insert): it is looked for again for this long, then given up (a
 * rolled-back transaction leaves such holes for good).
 */
const GAP_WAIT_MS = 30_000;
const MAX_GAPS = 5_000;
const PAGE = 500;
/** Ids a stream remembers having sent, to send each once. */
const SENT_MEMORY = 10_000;

/** Events for the member they are about only; every other type also goes to the call's current members (or its staff: EVENT_AUDIENCES). */
const PERSONAL: ReadonlySet<EventType> = new Set<EventType>(['member.invited', 'call.ringing']);
/** Who besides the member an event is about hears of it: its call's current members, or (EVENT_AUDIENCES) only its host and moderators. */
interface Audiences {
  members: Map<number, Set<number>>;
  staff: Map<number, Set<number>>;
}

interface Stream {
  userId: number;
  subscriber: Subscriber<MessageEvent>;
  sent: Set<number>;
  /** While the Last-Event-ID replay runs, live events wait here (subscribed first, so nothing falls between). */
  held: Array<{ id: number; body: EventBody }> | null;
}

/**
 * The member event streams of this instance (Server-Sent Events), fed from the outbox.
 *
 * While any stream is open, the hub tails `call_events` in id order: after every local commit
 * with events (EventsOutbox), on every Redis message (REDIS_URL: each instance publishes the
 * calls it wrote events for, after the commit), and once a second regardless. Reading the rows
 * rather than trusting messages means a lost message costs a second, never an event; ids seen
 * missing are looked for again (a transaction that had not committed yet). Each event goes to the
 * member it is about and, unless it is personal (invited, ringing), to the call's current
 * members; the lobby's events to its host and moderators instead (`lobby.waiting` not to the
 * member). A removal closes the removed member's streams after telling them.
 */
@Injectable()
export class EventsHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventsHub.name);
  private readonly streams = new Map<number, Set<Stream>>();
  /** The highest id the tail has read; null while no stream is open (no tail). */
  private watermark: number | null = null;
  private starting?: Promise<void>;
  private readonly gaps = new Map<number, number>();
  private pumping?: Promise<void>;
  private again = false;
  private poll?: NodeJS.Timeout;

  constructor(
    private readonly repository: EventsRepository,
    private readonly bodies: EventBodies,
    private readonly calls: CallsService,
    private readonly outbox: EventsOutbox,
    private readonly redis: EventsRedis,
    private readonly users: UsersService,
    private readonly clock: Clock,
    @Inject(eventsConfig.KEY) private readonly config: ConfigType<typeof eventsConfig>,
  ) {}

  onModuleInit(): void {
    this.outbox.onCommitted((callId) => {
      this.redis.publish(callId);
      this.kick();
    });
    this.redis.subscribe(() => this.kick());
    // An erased member's cached identity goes on every instance, not only the one that erased them.
    this.users.onErased((userId) => this.redis.publishForgotten(userId));
    this.redis.onForgotten((userId) => this.users.forgetCached(userId));
  }

  /** Open streams now, for tests and metrics. */
  get openStreams(): number {
    let count = 0;
    for (const set of this.streams.values()) count += set.size;
    return count;
  }

  /** A member's stream: events after `lastEventId` (within 10 minutes) first, then live ones, each once. */
  open(userId: number, lastEventId: number | null): Observable<MessageEvent> {
    return new Observable<MessageEvent>((subscriber) => {
      const stream: Stream = { userId, subscriber, sent: new Set(), held: [] };
      const set = this.streams.get(userId) ?? new Set<Stream>();
      set.add(stream);
      this.streams.set(userId, set);
      // Headers go out with the first line, so the client knows at once that the stream is open.
      subscriber.next({ comment: 'stream open' } as unknown as MessageEvent);
      const keepAlive = setInterval(() => subscriber.next({ comment: 'keep-alive' } as unknown as MessageEvent), this.config.keepAliveMs);
      keepAlive.unref();
      void (async () => {
        await this.startTail();
        if (lastEventId !== null) await this.replay(stream, lastEventId);
        const held = stream.held ?? [];
        stream.held = null;
        for (const { id, body } of held) this.deliver(stream, id, body);
      })().catch((error: unknown) => {
        this.logger.error({ msg: 'event stream replay failed', error: { type: (error as Error).name, message: (error as Error).message } });
        subscriber.complete();
      });
      return () => {
        clearInterval(keepAlive);
        set.delete(stream);
        if (set.size === 0) this.streams.delete(userId);
        if (this.streams.size === 0) this.stopTail();
      };
    });
  }

  beforeApplicationShutdown(): void {
    for (const set of [...this.streams.values()]) for (const stream of [...set]) stream.subscriber.complete();
    this.stopTail();
  }

  // ---- the tail

  private startTail(): Promise<void> {
    if (this.watermark !== null) return Promise.resolve();
    this.starting ??= (async () => {
      const last = await this.repository.lastId();
      // Ids just below the start that are not there yet may still commit: watch them like gaps.
      const recent = new Set((await this.repository.after(Math.max(0, last - 100), new Date(0), 100)).map((row) => row.id));
      const giveUpAt = Date.now() + GAP_WAIT_MS;
      for (let id = Math.max(1, last - 99); id <= last; id += 1) if (!recent.has(id)) this.gaps.set(id, giveUpAt);
      this.watermark = last;
      this.poll = setInterval(() => this.kick(), POLL_MS);
      this.poll.unref();
    })().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private stopTail(): void {
    clearInterval(this.poll);
    this.poll = undefined;
    this.watermark = null;
    this.gaps.clear();
  }

  private kick(): void {
    if (this.watermark === null) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((error: unknown) => this.logger.warn({ msg: 'event stream tail failed; retried on the next poll', error: { type: (error as Error).name, message: (error as Error).message } }))
      .finally(() => {
        this.pumping = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pump(): Promise<void> {
    const from = this.watermark;
    if (from === null) return;
    const rows = await this.repository.after(from, new Date(0), PAGE);
    const late = this.gaps.size > 0 ? await this.repository.byIds([...this.gaps.keys()]) : [];
    if (this.watermark !== from) return; // the tail stopped (and maybe restarted) meanwhile
    const now = Date.now();
    let previous = from;
    for (const row of rows) {
      for (let id = previous + 1; id < row.id && this.gaps.size < MAX_GAPS; id += 1) this.gaps.set(id, now + GAP_WAIT_MS);
      previous = row.id;
    }
    this.watermark = previous;
    for (const row of late) this.gaps.delete(row.id);
    for (const [id, giveUpAt] of this.gaps) if (giveUpAt < now) this.gaps.delete(id);
    if (rows.length === PAGE) this.again = true;
    await this.dispatch([...late, ...rows]);
  }

  private async dispatch(rows: CallEvent[]): Promise<void> {
    if (rows.length === 0 || this.streams.size === 0) return;
    const bodies = await this.bodies.compose(rows);
    const connected = [...this.streams.keys()];
    const audiences = await this.audiences(rows, connected.length <= 1000 ? connected : undefined);
    for (const row of rows) {
      for (const userId of this.audience(row, audiences)) for (const stream of this.streams.get(userId) ?? []) this.deliver(stream, row.id, bodies.get(row.id)!);
      if (row.type === 'participant.removed' && row.userId !== null) {
        for (const stream of [...(this.streams.get(row.userId) ?? [])]) stream.subscriber.complete();
      }
    }
  }

  /** The current members (and, for the events that need them, the staff) of the calls these events are in. */
  private async audiences(rows: CallEvent[], among: number[] | undefined): Promise<Audiences> {
    const type = (row: CallEvent) => row.type as EventType;
    const forStaff = rows.filter((row) => EVENT_AUDIENCES[type(row)] !== undefined && EVENT_AUDIENCES[type(row)] !== 'webhook').map((row) => row.callId);
    const forMembers = rows.filter((row) => !PERSONAL.has(type(row)) && EVENT_AUDIENCES[type(row)] === undefined).map((row) => row.callId);
    const [members, staff] = await Promise.all([this.calls.currentMembersOf(forMembers, among), this.calls.currentStaffOf(forStaff, among)]);
    return { members, staff };
  }

  private audience(row: CallEvent, { members, staff }: Audiences): Set<number> {
    const type = row.type as EventType;
    const restricted = EVENT_AUDIENCES[type];
    if (restricted === 'webhook') return new Set();
    if (restricted) {
      const audience = new Set<number>(staff.get(row.callId) ?? []);
      if (restricted === 'staff-and-member' && row.userId !== null) audience.add(row.userId);
      return audience;
    }
    const audience = new Set<number>(PERSONAL.has(type) ? [] : (members.get(row.callId) ?? []));
    if (row.userId !== null) audience.add(row.userId);
    return audience;
  }

  /** The member's events after `afterId` from the outbox, within the replay window. */
  private async replay(stream: Stream, afterId: number): Promise<void> {
    const since = new Date(this.clock.now().getTime() - REPLAY_WINDOW_MS);
    for (let cursor = afterId; ; ) {
      const rows = await this.repository.after(cursor, since, PAGE);
      if (rows.length === 0) return;
      const audiences = await this.audiences(rows, [stream.userId]);
      const mine = rows.filter((row) => this.audience(row, audiences).has(stream.userId));
      const bodies = await this.bodies.compose(mine);
      for (const row of mine) this.deliver(stream, row.id, bodies.get(row.id)!, true);
      cursor = rows[rows.length - 1].id;
      if (rows.length < PAGE) return;
    }
  }

  private deliver(stream: Stream, id: number, body: EventBody, replaying = false): void {
    if (stream.sent.has(id) || stream.subscriber.closed) return;
    if (stream.held && !replaying) {
      stream.held.push({ id, body });
      return;
    }
    stream.sent.add(id);
    if (stream.sent.size > SENT_MEMORY) stream.sent.delete(stream.sent.values().next().value as number);
    stream.subscriber.next({ id: eventId(id), data: body });
  }
}
