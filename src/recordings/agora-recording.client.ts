import { Inject, Injectable, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AGORA_ACCOUNT_LIMITER } from '../agora/agora-channel.service';
import { AgoraAnswer, AgoraRest, StartRateLimiter } from '../agora/agora-rest';
import { agoraConfig } from '../config/agora.config';
import { recordingConfig, RecordingStorage, S3_COMPATIBLE_VENDOR } from '../config/recording.config';
import type { MediaKey } from '../calls/media-keys.service';
import { RecordingFile, RecordingMode } from './entities/recording.entity';

/** A Cloud Recording request that takes longer than this counts as failed (start can take seconds). */
export const RECORDING_REQUEST_TIMEOUT_MS = 10_000;

/** How long the recorder stays in a channel where nobody it may record publishes, in seconds. */
export const RECORDER_MAX_IDLE_SECONDS = 3600;

/** Cloud Recording's `decryptionMode` for the call's encryption mode: 7 AES_128_GCM2, 8 AES_256_GCM2 (both with a salt). */
export const DECRYPTION_MODES: Record<MediaKey['mode'], number> = { 'aes-128-gcm2': 7, 'aes-256-gcm2': 8 };

/** Agora's query `serverResponse.status` values after which the recorder is gone. */
const ENDED_STATUSES: ReadonlySet<number> = new Set([6, 7, 8, 20]);

export interface AgoraRecordingOptions {
  timeoutMs?: number;
  limiter?: StartRateLimiter;
}
export const AGORA_RECORDING_OPTIONS = Symbol('AGORA_RECORDING_OPTIONS');

/** Who and where a recording is: Agora identifies a recorder by channel and uid (as a string). */
export interface RecorderRef {
  channelName: string;
  uid: number;
  mode: RecordingMode;
}

/** A running recording, as Agora named it. */
export interface RunningRef extends RecorderRef {
  resourceId: string;
  sid: string;
}

/** What a failed request came to: a status Agora answered, or a transport error code. Never a body or a credential. */
export type RecordingFailure = { failed: true; status?: number; error?: string };
type Result<T> = ({ failed: false } & T) | RecordingFailure;

/** Alive: the recorder is in the channel. Gone: Agora says it stopped or never heard of it. Unknown: no usable answer. */
export type QueryOutcome = { state: 'alive' | 'gone'; files: RecordingFile[] } | { state: 'unknown'; failure: RecordingFailure };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The files in a `serverResponse` (`fileList` is an array of objects, or a single file name string in older modes). */
export function filesOf(body: unknown): RecordingFile[] {
  const server = isObject(body) && isObject(body.serverResponse) ? body.serverResponse : undefined;
  const list = server?.fileList;
  if (typeof list === 'string') return list ? [{ fileName: list }] : [];
  if (!Array.isArray(list)) return [];
  return list.flatMap((item): RecordingFile[] => {
    if (!isObject(item) || typeof item.fileName !== 'string' || item.fileName === '') return [];
    return [
      {
        fileName: item.fileName,
        ...(typeof item.trackType === 'string' ? { trackType: item.trackType } : {}),
        ...(typeof item.uid === 'string' ? { uid: item.uid } : {}),
        ...(typeof item.sliceStartTime === 'number' ? { sliceStartTime: item.sliceStartTime } : {}),
      },
    ];
  });
}

/**
 * Agora Cloud Recording's REST API (acquire, start, update, query, stop), over the shared
 * plumbing (`AgoraRest`: Basic auth with the Customer ID/Secret, bounded waits, the account-wide
 * rate limit). Failures come back as values, never thrown, and never carry credentials or
 * Agora's bodies (which echo the storage keys).
 */
@Injectable()
export class AgoraRecordingClient {
  private readonly rest: AgoraRest;

  constructor(
    @Inject(agoraConfig.KEY) agora: ConfigType<typeof agoraConfig>,
    @Inject(recordingConfig.KEY) private readonly config: ConfigType<typeof recordingConfig>,
    @Optional() @Inject(AGORA_RECORDING_OPTIONS) options: AgoraRecordingOptions = {},
  ) {
    this.rest = new AgoraRest(agora, options.timeoutMs ?? RECORDING_REQUEST_TIMEOUT_MS, [options.limiter ?? AGORA_ACCOUNT_LIMITER]);
  }

  private base(): string {
    return `/v1/apps/${encodeURIComponent(this.rest.appId)}/cloud_recording`;
  }

  private running(ref: RunningRef, action: 'query' | 'update' | 'stop'): string {
    return `${this.base()}/resourceid/${encodeURIComponent(ref.resourceId)}/sid/${encodeURIComponent(ref.sid)}/mode/${ref.mode}/${action}`;
  }

  /** Asks for a resource id for one recording of the channel. */
  async acquire(ref: RecorderRef): Promise<Result<{ resourceId: string }>> {
    const answer = await this.rest.send('POST', `${this.base()}/acquire`, {
      cname: ref.channelName,
      uid: String(ref.uid),
      clientRequest: { resourceExpiredHour: 24, scene: 0 },
    });
    const failure = failureOf(answer);
    if (failure) return failure;
    const resourceId = (answer as { body: unknown }).body;
    if (!isObject(resourceId) || typeof resourceId.resourceId !== 'string' || resourceId.resourceId === '') return { failed: true, error: 'no resourceId in the answer' };
    return { failed: false, resourceId: resourceId.resourceId };
  }

  /**
   * Starts the recorder with subscribe lists holding only `uids` (audio and video alike); in an
   * encrypted call (issue 26) with the channel's mode, key and salt (`decryptionMode`, `secret`,
   * `salt`), which the request carries and nothing logs (failures never carry the body).
   */
  async start(ref: RecorderRef, resourceId: string, token: string, uids: number[], maxMembers: number, mediaKey?: MediaKey): Promise<Result<{ sid: string }>> {
    const storage = this.config.storage!;
    const answer = await this.rest.send('POST', `${this.base()}/resourceid/${encodeURIComponent(resourceId)}/mode/${ref.mode}/start`, {
      cname: ref.channelName,
      uid: String(ref.uid),
      clientRequest: {
        token,
        recordingConfig: {
          channelType: this.config.channelType,
          streamTypes: 2,
          maxIdleTime: RECORDER_MAX_IDLE_SECONDS,
          subscribeAudioUids: uids.map(String),
          subscribeVideoUids: uids.map(String),
          // Individual recordings: Agora sizes the recorder by the most members it may record.
          ...(ref.mode === 'individual' ? { subscribeUidGroup: subscribeUidGroupFor(maxMembers) } : {}),
          ...(mediaKey ? { decryptionMode: DECRYPTION_MODES[mediaKey.mode], secret: mediaKey.key, salt: mediaKey.salt } : {}),
        },
        storageConfig: storageConfigOf(storage),
      },
    });
    const failure = failureOf(answer);
    if (failure) return failure;
    const body = (answer as { body: unknown }).body;
    if (!isObject(body) || typeof body.sid !== 'string' || body.sid === '') return { failed: true, error: 'no sid in the answer' };
    return { failed: false, sid: body.sid };
  }

  /** Replaces the subscribe lists with `uids` (audio and video alike). */
  async update(ref: RunningRef, uids: number[]): Promise<Result<object>> {
    const answer = await this.rest.send('POST', this.running(ref, 'update'), {
      cname: ref.channelName,
      uid: String(ref.uid),
      clientRequest: {
        streamSubscribe: {
          audioUidList: { subscribeAudioUids: uids.map(String) },
          videoUidList: { subscribeVideoUids: uids.map(String) },
        },
      },
    });
    return failureOf(answer) ?? { failed: false };
  }

  /** Whether the recorder still runs, and the files so far. A 404 means Agora no longer knows it: gone. */
  async query(ref: RunningRef): Promise<QueryOutcome> {
    const answer = await this.rest.send('GET', this.running(ref, 'query'));
    if ('status' in answer && answer.status === 404) return { state: 'gone', files: [] };
    const failure = failureOf(answer);
    if (failure) return { state: 'unknown', failure };
    const body = (answer as { body: unknown }).body;
    const status = isObject(body) && isObject(body.serverResponse) ? body.serverResponse.status : undefined;
    if (typeof status !== 'number') return { state: 'unknown', failure: { failed: true, error: 'no status in the answer' } };
    return { state: ENDED_STATUSES.has(status) ? 'gone' : 'alive', files: filesOf(body) };
  }

  /** Stops the recorder; the answer lists the files it uploaded. A 404: Agora had stopped it already. */
  async stop(ref: RunningRef): Promise<Result<{ files: RecordingFile[] }> | { failed: false; gone: true; files: RecordingFile[] }> {
    const answer = await this.rest.send('POST', this.running(ref, 'stop'), { cname: ref.channelName, uid: String(ref.uid), clientRequest: {} });
    if ('status' in answer && answer.status === 404) return { failed: false, gone: true, files: [] };
    const failure = failureOf(answer);
    if (failure) return failure;
    return { failed: false, files: filesOf((answer as { body: unknown }).body) };
  }
}

/** Agora's `subscribeUidGroup` for individual recording: 0 up to 2 uids, 1 up to 7, 2 up to 12, 3 up to 17, 4 up to 32, 5 up to 49. */
export function subscribeUidGroupFor(maxMembers: number): number {
  const bounds = [2, 7, 12, 17, 32];
  const group = bounds.findIndex((bound) => maxMembers <= bound);
  return group === -1 ? 5 : group;
}

/** Agora's `storageConfig`; the endpoint goes along only for S3-compatible storage (vendor 11). */
function storageConfigOf(storage: RecordingStorage): Record<string, unknown> {
  return {
    vendor: storage.vendor,
    region: storage.region,
    bucket: storage.bucket,
    accessKey: storage.accessKey,
    secretKey: storage.secretKey,
    fileNamePrefix: storage.prefix,
    ...(storage.vendor === S3_COMPATIBLE_VENDOR && storage.endpoint ? { extensionParams: { endpoint: storage.endpoint.replace(/^https?:\/\//, '') } } : {}),
  };
}

function failureOf(answer: AgoraAnswer): RecordingFailure | undefined {
  if ('error' in answer) return { failed: true, error: answer.error };
  if (!answer.ok) return { failed: true, status: answer.status };
  return undefined;
}
