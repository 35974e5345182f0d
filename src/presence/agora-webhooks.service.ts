import { Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EntityManager } from 'typeorm';
import type { CallSession } from '../calls/entities/call-session.entity';
import { ParticipationService } from '../calls/participation.service';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { presenceConfig } from '../config/presence.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { AgoraUserEvent, readAgoraNotice, readChannelEvent, readRecordingEvent, readUserEvent, ReceivedNotice, WebhookAckDto } from './dto/agora-notice.dto';
import { RecordingStates } from '../recordings/recording-states.service';
import { OpenStayOfUid, PresenceRepository } from './presence.repository';
import { webhookNotices } from '../common/metrics/counters';

/** The metrics result of a notice that was not applied. */
function refusalOf(error: unknown): string {
  if (error instanceof NotFoundException) return 'disabled';
  if (error instanceof DomainException) return error.code === 'WEBHOOK_SIGNATURE_INVALID' ? 'signature_invalid' : error.code === 'VALIDATION_FAILED' ? 'invalid' : 'failed';
  return 'failed';
}

export const CHANNEL_DESTROYED = 102;
/** Agora's product id on Cloud Recording notices (RTC channel events are product 1). */
export const RECORDING_PRODUCT = 3;
/** Cloud Recording `session_exit`: the recorder left the channel for good (after a stop, or on its own). */
export const RECORDER_EXITED = 11;
/** Broadcaster, audience and communication-mode joins. */
export const JOIN_EVENTS: ReadonlySet<number> = new Set([103, 105, 107]);
/** Broadcaster, audience and communication-mode leaves. */
export const LEAVE_EVENTS: ReadonlySet<number> = new Set([104, 106, 108]);

/** Agora's leave `reason` codes, as the session's `leave_reason`. */
const LEAVE_REASONS: Readonly<Record<number, string>> = {
  1: 'agora_left',
  2: 'agora_timeout',
  3: 'agora_kicked',
  4: 'agora_server',
  5: 'agora_device_switch',
  9: 'agora_multiple_ips',
  10: 'agora_network',
  999: 'agora_abnormal',
};

export function leaveReason(code: number | null): string {
  return (code !== null && LEAVE_REASONS[code]) || 'agora_left';
}

const SIGNATURE = /^[0-9a-fA-F]{64}$/;

/** True when `signature` is the hex HMAC-SHA256 of `rawBody` with `secret`, compared in constant time. */
export function signatureMatches(secret: string, rawBody: string | undefined, signature: unknown): boolean {
  if (rawBody === undefined || typeof signature !== 'string' || !SIGNATURE.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(rawBody, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Agora Notification Center channel events, applied to participation sessions.
 *
 * Every notice is recorded by its `noticeId` in the same transaction as its effect, so a
 * re-delivery changes nothing. Join events confirm presence of an open session; leave events
 * close it at Agora's time; `clientSeq` orders one user's events, so a late, older event never
 * overrides a newer one. Nothing here opens a session: only the join API admits members.
 */
@Injectable()
export class AgoraWebhooksService {
  private readonly logger = new Logger(AgoraWebhooksService.name);

  constructor(
    @Inject(presenceConfig.KEY) private readonly presence: ConfigType<typeof presenceConfig>,
    private readonly repository: PresenceRepository,
    private readonly participation: ParticipationService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly recordings: RecordingStates,
  ) {}

  /**
   * Verifies, reads and applies one notice. 404 without a configured secret, 401 for a missing
   * or wrong signature (checked before anything else is read), 400 for a signed but malformed body.
   */
  async receive(rawBody: string | undefined, signature: unknown, body: unknown): Promise<WebhookAckDto> {
    try {
      const result = await this.applyNotice(rawBody, signature, body);
      webhookNotices.inc({ result });
      return { ok: true };
    } catch (error) {
      webhookNotices.inc({ result: refusalOf(error) });
      throw error;
    }
  }

  private async applyNotice(rawBody: string | undefined, signature: unknown, body: unknown): Promise<'applied' | 'duplicate' | 'ignored'> {
    const secret = this.presence.ncsSecret;
    if (!secret) throw new NotFoundException();
    if (!signatureMatches(secret, rawBody, signature)) {
      throw new DomainException('WEBHOOK_SIGNATURE_INVALID', 'Missing or invalid Agora-Signature-V2');
    }
    const notice = readAgoraNotice(body);
    const apply = this.effectOf(notice, (body as { sid?: unknown }).sid);
    const receivedAt = this.clock.now();
    return this.tx.run(async (manager) => {
      if (!(await this.repository.recordNotice(manager, notice.noticeId, notice.eventType, receivedAt))) return 'duplicate';
      if (!apply) return 'ignored';
      await apply(manager, receivedAt);
      return 'applied';
    });
  }

  /** What a notice does, its payload checked up front (400 before any write); nothing for other events. */
  private effectOf(notice: ReceivedNotice, envelopeSid: unknown): ((manager: EntityManager, now: Date) => Promise<void>) | undefined {
    const { eventType, payload: fields } = notice;
    if (notice.productId === RECORDING_PRODUCT) {
      if (eventType !== RECORDER_EXITED) return undefined;
      const event = readRecordingEvent(fields, envelopeSid);
      return (manager, now) => this.recordings.recorderExited(manager, event.sid, earliest(event.at, now));
    }
    if (JOIN_EVENTS.has(eventType)) {
      const event = readUserEvent(fields);
      return (manager, now) => this.confirmPresence(manager, event, now);
    }
    if (LEAVE_EVENTS.has(eventType)) {
      const event = readUserEvent(fields);
      return (manager, now) => this.closeOnLeave(manager, event, now);
    }
    if (eventType === CHANNEL_DESTROYED) {
      const event = readChannelEvent(fields);
      return (manager, now) => this.closeChannel(manager, event.channelName, event.at, now);
    }
    return undefined;
  }

  /**
   * Join: the member is in the channel from `ts` until a leave notice, and the session is never
   * closed by a timeout. Applied when this event is newer than the last one applied.
   */
  private async confirmPresence(manager: EntityManager, event: AgoraUserEvent, now: Date): Promise<void> {
    const session = await this.openSessionOf(manager, event.channelName, event.uid);
    if (!session || !confirmsStay(session, event.at)) {
      // The member left through the API (or never joined): a join notice opens nothing.
      this.logger.debug({ msg: 'agora join notice without an open session', channel: event.channelName, uid: event.uid });
      return;
    }
    if (!(await this.repository.claimSequence(manager, session.id, event.clientSeq))) return;
    await this.repository.recordAgoraJoin(manager, session.id, earliest(event.at, now));
  }

  /**
   * Leave: the member's open session closes with Agora's reason, at `ts` (never before the
   * session began, never after now), unless the notice provably belongs to an earlier stay
   * (`leaveOfEarlierStay`). A late leave of an earlier stay thus never closes the stay opened
   * since, and an older clientSeq never overrides a newer one.
   */
  private async closeOnLeave(manager: EntityManager, event: AgoraUserEvent, now: Date): Promise<void> {
    const call = await this.repository.liveCallByChannel(manager, event.channelName);
    if (!call) return;
    // The call row first, as every participation change does (no lock-order deadlocks).
    await this.participation.lockCall(manager, call.id);
    const stay = await this.repository.openStayOfUid(manager, call.id, event.uid);
    if (!stay || leaveOfEarlierStay(stay, event, this.presence.agoraClockToleranceMs)) return;
    // The sequence stays on the closed row, so a late, older join is recognised as old.
    if (!(await this.repository.claimSequence(manager, stay.id, event.clientSeq))) return;
    await this.participation.close(manager, stay, earliest(event.at, now), leaveReason(event.reason));
  }

  /**
   * Channel destroyed: every session open in the channel then closes, at `ts` (never before it
   * began, never after now). A session that provably began after `ts` belongs to a later life of
   * the channel (the host came back before this notice arrived) and stays open. The call itself
   * does not end: idle calls end by themselves.
   */
  private async closeChannel(manager: EntityManager, channelName: string, at: Date, now: Date): Promise<void> {
    const call = await this.repository.liveCallByChannel(manager, channelName);
    if (!call) return;
    await this.participation.lockCall(manager, call.id);
    for (const session of await this.participation.openSessionsOf(manager, call.id)) {
      if (!provablyBefore(at, session.joinedAt, this.presence.agoraClockToleranceMs)) {
        await this.participation.close(manager, session, earliest(at, now), 'agora_channel_destroyed');
      }
    }
  }

  /** The open session of the member bound to `uid` in the live call on `channelName`, if any. */
  private async openSessionOf(manager: EntityManager, channelName: string, uid: number): Promise<Pick<CallSession, 'id' | 'callId' | 'joinedAt'> | null> {
    const call = await this.repository.liveCallByChannel(manager, channelName);
    return call ? this.repository.openSessionOfUid(manager, call.id, uid) : null;
  }
}

/** Agora's `ts` has whole seconds: an event dated `ts` happened within the second after it. */
const TS_RESOLUTION_MS = 1000;
/** Agora's `duration` has whole seconds too (rounded one way or the other). */
const DURATION_RESOLUTION_MS = 1000;

/**
 * Whether a join notice dated `at` can confirm this open session: it may fall within the second
 * the session began (Agora's `ts` has whole seconds, and the client enters the channel right
 * after joining).
 */
function confirmsStay(session: Pick<CallSession, 'joinedAt'>, at: Date): boolean {
  return at.getTime() + TS_RESOLUTION_MS - 1 >= session.joinedAt.getTime();
}

/**
 * Whether something Agora dated `ts` (its clock, whole seconds) happened before `instant` on
 * ours, whatever the difference between the clocks within `toleranceMs`.
 */
export function provablyBefore(ts: Date, instant: Date, toleranceMs: number): boolean {
  return ts.getTime() + TS_RESOLUTION_MS + toleranceMs <= instant.getTime();
}

/**
 * Whether an Agora leave notice provably belongs to a stay of the member before their open
 * session, so that it must not close it. Clocks differ by up to `toleranceMs`, and `ts` and
 * `duration` have whole seconds. The evidence, strongest first:
 * 1. clientSeq: when a join notice was applied to the open session, an older or equal clientSeq
 *    is an earlier event, and a newer one ends this stay (Agora orders one user's events).
 * 2. The spans, only when the member had an earlier session (no earlier stay, nothing else for
 *    a leave of their uid to belong to): the leave happened before the session began; or the
 *    stay it ends (`ts - duration`) began before the session did and could have ended by the
 *    time the earlier session closed.
 * Anything else closes the open session: a leave dated a little before the join (Agora's clock
 * behind ours, or the join's own second) is this stay's.
 */
export function leaveOfEarlierStay(
  stay: Pick<OpenStayOfUid, 'joinedAt' | 'lastClientSeq' | 'previousLeftAt'>,
  event: Pick<AgoraUserEvent, 'at' | 'clientSeq' | 'durationSeconds'>,
  toleranceMs: number,
): boolean {
  if (stay.lastClientSeq !== null) return event.clientSeq <= stay.lastClientSeq;
  if (stay.previousLeftAt === null) return false;
  if (provablyBefore(event.at, stay.joinedAt, toleranceMs)) return true;
  if (event.durationSeconds === null) return false;
  const begun = new Date(event.at.getTime() - event.durationSeconds * 1000 + DURATION_RESOLUTION_MS);
  return provablyBefore(begun, stay.joinedAt, toleranceMs) && event.at.getTime() - toleranceMs <= stay.previousLeftAt.getTime();
}

/** An event time never later than now: a skewed clock at Agora must not date a session in the future. */
function earliest(at: Date, now: Date): Date {
  return at < now ? at : now;
}
