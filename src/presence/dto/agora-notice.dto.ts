import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DomainException } from '../../common/exceptions/domain.exception';

/**
 * What Agora's Notification Center sends. These classes document the route; the body itself is
 * read by hand (`readAgoraNotice`), because Agora sends fields this service does not model and
 * the global ValidationPipe would refuse them.
 */
export class AgoraNoticePayloadDto {
  /** The channel the event is about. @example "call_1672531200_abc123xyz" */
  channelName: string;
  /** The Agora uid (join and leave events). @example 789012 */
  @ApiPropertyOptional({ type: 'integer' })
  uid?: number;
  /** Orders the events of one user: a higher number is a newer event. @example 1672531260123 */
  @ApiPropertyOptional({ type: 'integer' })
  clientSeq?: number;
  /** When the event happened, unix seconds. @example 1672531260 */
  ts: number;
  /** Leave events: 1 normal, 2 timeout, 3 kicked, 4 server, 5 device switch, 9 multiple IPs, 10 network, 999 abnormal. @example 1 */
  @ApiPropertyOptional({ type: 'integer' })
  reason?: number;
  /** Leave events: seconds the user spent in the channel (with `ts`, it dates the stay's start on Agora's clock). @example 60 */
  @ApiPropertyOptional({ type: 'integer' })
  duration?: number;
  /** Agora sends more (platform, …); they are accepted and ignored. @example 1 */
  @ApiPropertyOptional({ type: 'integer' })
  platform?: number;
}

export class AgoraNoticeDto {
  /** Stays the same on re-delivery: notices are applied once. @example "2000001428:4330:107" */
  noticeId: string;
  /** @example 1 */
  @ApiPropertyOptional({ type: 'integer' })
  productId?: number;
  /** 102 channel destroyed, 103/105/107 join, 104/106/108 leave; others are acknowledged and ignored. @example 104 */
  @ApiProperty({ type: 'integer' })
  eventType: number;
  /** Changes on re-delivery. @example 1672531260321 */
  @ApiPropertyOptional({ type: 'integer' })
  notifyMs?: number;
  /** @example "0a1b2c3d4e5f" */
  sid?: string;
  payload: AgoraNoticePayloadDto;
}

export class WebhookAckDto {
  /** @example true */
  ok: boolean;
}

/** A notice as the service applies it: only the fields it uses, checked. */
export interface ReceivedNotice {
  noticeId: string;
  /** Agora's product: 1 RTC channel events, 3 Cloud Recording; absent in some deliveries (then RTC). */
  productId: number | null;
  eventType: number;
  payload: Record<string, unknown>;
}

/** The fields of a join or leave event. */
export interface AgoraUserEvent {
  channelName: string;
  uid: number;
  clientSeq: number;
  /** The event's time, from Agora's `ts` (unix seconds): the start of the second it happened in, on Agora's clock. */
  at: Date;
  reason: number | null;
  /** Leave events: how long the stay lasted, in seconds (Agora's `duration`); null when absent. */
  durationSeconds: number | null;
}

/** The fields of a channel event (102 channel destroyed). */
export interface AgoraChannelEvent {
  channelName: string;
  at: Date;
}

const MAX_UID = 4_294_967_295;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isWholeNumber = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

function invalid(problems: string[]): DomainException {
  return new DomainException('VALIDATION_FAILED', problems.join('; '));
}

/** The envelope: noticeId, eventType and payload. 400 when any of them is missing or wrong. */
export function readAgoraNotice(body: unknown): ReceivedNotice {
  if (!isObject(body)) throw invalid(['body must be a JSON object']);
  const problems: string[] = [];
  const { noticeId, eventType, payload, productId } = body;
  if (typeof noticeId !== 'string' || noticeId.length < 1 || noticeId.length > 64) problems.push('noticeId must be a string of 1 to 64 characters');
  if (!isWholeNumber(eventType)) problems.push('eventType must be an integer');
  if (!isObject(payload)) problems.push('payload must be an object');
  if (problems.length > 0) throw invalid(problems);
  return { noticeId: noticeId as string, productId: isWholeNumber(productId) ? productId : null, eventType: eventType as number, payload: payload as Record<string, unknown> };
}

function readChannelName(payload: Record<string, unknown>, problems: string[]): string {
  const { channelName } = payload;
  if (typeof channelName !== 'string' || channelName.length === 0) problems.push('payload.channelName must be a non-empty string');
  return channelName as string;
}

function readTs(payload: Record<string, unknown>, problems: string[]): Date {
  const { ts } = payload;
  if (typeof ts !== 'number' || !Number.isFinite(ts) || ts <= 0 || ts > 1e11) problems.push('payload.ts must be a unix time in seconds');
  return new Date(Math.round((ts as number) * 1000));
}

/** A join or leave payload: channelName, uid, clientSeq, ts, and reason and duration on leaves. */
export function readUserEvent(payload: Record<string, unknown>): AgoraUserEvent {
  const problems: string[] = [];
  const channelName = readChannelName(payload, problems);
  const at = readTs(payload, problems);
  // Agora sends the uid as a number; a string of digits (the int/string mix-up) means the same uid.
  const uid = typeof payload.uid === 'string' && /^\d{1,10}$/.test(payload.uid) ? Number(payload.uid) : payload.uid;
  if (!isWholeNumber(uid) || uid < 0 || uid > MAX_UID) problems.push('payload.uid must be an integer 0 .. 4294967295');
  const { clientSeq, reason, duration } = payload;
  if (!isWholeNumber(clientSeq) || clientSeq < 0) problems.push('payload.clientSeq must be a non-negative integer');
  if (reason !== undefined && reason !== null && !isWholeNumber(reason)) problems.push('payload.reason must be an integer');
  if (duration !== undefined && duration !== null && (!isWholeNumber(duration) || duration < 0)) problems.push('payload.duration must be a non-negative integer (seconds)');
  if (problems.length > 0) throw invalid(problems);
  return {
    channelName,
    uid: uid as number,
    clientSeq: clientSeq as number,
    at,
    reason: isWholeNumber(reason) ? reason : null,
    durationSeconds: isWholeNumber(duration) ? duration : null,
  };
}

/** The fields of a Cloud Recording event: the recording's sid and when Agora sent it. */
export interface AgoraRecordingEvent {
  sid: string;
  at: Date;
}

/** A Cloud Recording payload: `sid` (also on the envelope) and `sendts` (unix milliseconds). */
export function readRecordingEvent(payload: Record<string, unknown>, envelopeSid: unknown): AgoraRecordingEvent {
  const sid = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : envelopeSid;
  const problems: string[] = [];
  if (typeof sid !== 'string' || sid.length === 0 || sid.length > 128) problems.push('payload.sid must be the recording sid');
  const { sendts } = payload;
  if (sendts !== undefined && (typeof sendts !== 'number' || !Number.isFinite(sendts) || sendts <= 0)) problems.push('payload.sendts must be a unix time in milliseconds');
  if (problems.length > 0) throw invalid(problems);
  return { sid: sid as string, at: new Date(typeof sendts === 'number' ? Math.round(sendts) : Date.now()) };
}

/** A channel payload: channelName and ts. */
export function readChannelEvent(payload: Record<string, unknown>): AgoraChannelEvent {
  const problems: string[] = [];
  const channelName = readChannelName(payload, problems);
  const at = readTs(payload, problems);
  if (problems.length > 0) throw invalid(problems);
  return { channelName, at };
}
