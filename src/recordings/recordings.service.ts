import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { RtcRole, RtcTokenBuilder } from 'agora-token';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { RECORDER_UID } from '../calls/assigned-uids.service';
import { CallsService } from '../calls/calls.service';
import type { Call } from '../calls/entities/call.entity';
import { ParticipationService } from '../calls/participation.service';
import { requirePower } from '../calls/powers';
import { RecordingHooks, RecordingObserver } from '../calls/recording-hooks';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { agoraConfig } from '../config/agora.config';
import { presenceConfig } from '../config/presence.config';
import { recordingConfig } from '../config/recording.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { JobScheduler } from '../jobs/job-scheduler.service';
import { PreferencesService } from '../preferences/preferences.service';
import { recordingTransitions, recordingUpdates } from '../metrics/counters';
import { secondsBetween } from '../calls/participation.service';
import { AgoraRecordingClient, RecordingFailure, RunningRef } from './agora-recording.client';
import { RecordingDto } from './dto/recording.dto';
import { RecordingStartedDto } from './dto/start-recording.dto';
import { Recording, RecordingFile, RecordingMode } from './entities/recording.entity';
import { filesOfRow, RecordingsRepository, subscribedOf } from './recordings.repository';

/** The recorder's token lasts the longest Agora allows (a privilege lasts 24 hours at most). */
export const RECORDER_TOKEN_SECONDS = 86_400;

/** A recording still `starting` this long after it was asked for was cut off (a crash, a lost answer): it failed. */
export const STALE_START_MS = 120_000;

/** A stop sent this long ago without an answer recorded is sent again. */
export const STALE_STOP_MS = 300_000;

/** How often the recording job reconciles what runs at Agora with the database. */
export const RECONCILE_EVERY_MS = 60_000;

/** Rows the reconcile job looks at per state per run. */
const RECONCILE_BATCH = 200;

export const RECORDING_JOB = 'recordings';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toRecordingDto(row: Recording, now: Date): RecordingDto {
  return {
    recordingId: row.id,
    callId: row.callId,
    mode: row.mode,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    stoppedAt: row.status === 'stopping' ? null : iso(row.stoppedAt),
    durationSeconds: row.startedAt ? secondsBetween(row.startedAt, row.status === 'stopped' || row.status === 'failed' ? (row.stoppedAt ?? now) : now) : null,
    failure: row.failure,
    files: filesOfRow(row).map((file) => ({ fileName: file.fileName, ...(file.trackType ? { trackType: file.trackType } : {}), ...(file.uid ? { uid: file.uid } : {}) })),
  };
}

const sameList = (a: number[] | null, b: number[]): boolean => a !== null && a.length === b.length && a.every((uid, index) => uid === b[index]);

/** Only a status code or an error name of an Agora failure: never a body (Agora echoes the storage keys). */
const detailOf = (failure: RecordingFailure): Record<string, unknown> => ({ ...(failure.status ? { status: failure.status } : {}), ...(failure.error ? { error: failure.error } : {}) });

/**
 * Recordings of calls on Agora Cloud Recording, with consent: the recorder subscribes only to the
 * uids of members in the call who consented (`recording_consent`), and the lists follow as they
 * join and leave.
 *
 * A recording's state changes in exactly one method each, inside the caller's transaction:
 * `recordStarted`, `recordStopped`, `recordFailed` (the place for events about them). Agora is
 * only ever asked outside a transaction: a start reserves the row (`starting`) and the call's
 * `recording_id` under the call's lock, asks Agora, then marks it `recording` or forgets it.
 */
@Injectable()
export class RecordingsService implements RecordingObserver, OnModuleInit {
  private readonly logger = new Logger(RecordingsService.name);
  /** One subscribe-list update at a time per recording in this process: each waits for the one before. */
  private readonly updates = new Map<number, Promise<void>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly calls: ParticipationService,
    private readonly callsService: CallsService,
    private readonly recordings: RecordingsRepository,
    private readonly agora: AgoraRecordingClient,
    private readonly clock: Clock,
    private readonly hooks: RecordingHooks,
    private readonly scheduler: JobScheduler,
    @Inject(recordingConfig.KEY) private readonly config: ConfigType<typeof recordingConfig>,
    @Inject(agoraConfig.KEY) private readonly agoraSettings: ConfigType<typeof agoraConfig>,
    @Inject(presenceConfig.KEY) private readonly presence: ConfigType<typeof presenceConfig>,
    private readonly preferences: PreferencesService,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
    this.preferences.onConsentChanged((userId) => void this.consentChanged(userId));
    this.scheduler.register({ name: RECORDING_JOB, everyMs: RECONCILE_EVERY_MS, leaseMs: 5 * 60_000, run: () => this.reconcile() });
  }

  // ---- routes

  /** Starts a recording of the call (host, moderator, admin): 409 while one runs, 502 when Agora refuses (nothing kept). */
  async start(user: AuthUser, callId: number, mode: RecordingMode): Promise<RecordingStartedDto> {
    this.requireConfigured();
    const reserved = await this.tx.run(async (manager) => {
      const call = await this.runnableCall(manager, callId, user, 'start a recording');
      if (call.status === 'ended') throw new DomainException('CALL_ENDED', 'Call not found or ended');
      if (call.recordingId !== null) throw new DomainException('RECORDING_ACTIVE');
      const row = await this.recordings.insertStarting(manager, { callId, channelName: call.channelName, mode, startedBy: user.id, uid: RECORDER_UID, createdAt: this.clock.now() });
      // The claim is the database's answer to two starts at once, on any number of instances.
      if (!(await this.recordings.claimRecording(manager, callId, row.id))) throw new DomainException('RECORDING_ACTIVE');
      this.calls.noteLocked(manager, callId);
      return { row, uids: await this.recordings.consentingUids(manager, callId), maxMembers: call.maxParticipants };
    });
    const { row, uids, maxMembers } = reserved;
    const ref = { channelName: row.channelName, uid: RECORDER_UID, mode };
    const acquired = await this.agora.acquire(ref);
    if (acquired.failed) return this.abandon(row, 'acquire', acquired);
    const started = await this.agora.start(ref, acquired.resourceId, this.recorderToken(row.channelName), uids, maxMembers);
    if (started.failed) return this.abandon(row, 'start', started);
    const running: RunningRef = { ...ref, resourceId: acquired.resourceId, sid: started.sid };
    const marked = await this.tx.run((manager) => this.recordStarted(manager, row, running, uids, this.clock.now()));
    if (!marked) {
      // The reconcile job gave up on this start meanwhile: the recorder must not run unrecorded.
      await this.agora.stop(running);
      throw new DomainException('RECORDING_UNAVAILABLE');
    }
    // Members who joined while Agora was starting, and a call that ended meanwhile.
    const call = await this.recordings.recordingStateOf(this.dataSource.manager, callId);
    if (!call || call.status === 'ended') await this.callEnded(callId);
    else this.membershipChanged(callId, row.id);
    return { recordingId: row.id, status: 'recording' };
  }

  /** Stops a running recording (host, moderator, admin); the answer lists the files Agora reported. Stopping a finished one answers it as it is. */
  async stop(user: AuthUser, callId: number, recordingId: number): Promise<RecordingDto> {
    const { row, claimed } = await this.tx.run(async (manager) => {
      await this.runnableCall(manager, callId, user, 'stop a recording');
      const found = await this.recordings.findInCall(manager, callId, recordingId);
      if (!found) throw new DomainException('RECORDING_NOT_FOUND');
      if (found.status === 'starting') throw new DomainException('RECORDING_NOT_ACTIVE');
      if (found.status !== 'recording') return { row: found, claimed: false };
      // Only a running recording needs Agora (recording may have been turned off since it started).
      this.requireConfigured();
      return { row: found, claimed: await this.claimStop(manager, found) };
    });
    if (!claimed) return toRecordingDto(row, this.clock.now());
    const stopped = await this.finishStop(row);
    if (!stopped) throw new DomainException('RECORDING_UNAVAILABLE');
    return toRecordingDto(stopped, this.clock.now());
  }

  /** A call's recordings, for its members and admins, newest first. */
  async list(user: AuthUser, callId: number): Promise<RecordingDto[]> {
    const { call, member } = await this.callsService.callAndMember(callId, user.id);
    if (!call) throw new DomainException('CALL_NOT_FOUND');
    if (!user.isAdmin) {
      if (member?.removedAt) throw new DomainException('PARTICIPANT_REMOVED');
      if (!member) throw new DomainException('CALL_ACCESS_DENIED');
    }
    const now = this.clock.now();
    return (await this.recordings.ofCall(callId)).map((row) => toRecordingDto(row, now));
  }

  // ---- after participation changes (RecordingHooks), outside any transaction

  /** Sends the recording's subscribe lists afresh, after the ones queued before it. Never throws. */
  membershipChanged(callId: number, recordingId: number): void {
    void this.refresh(recordingId);
  }

  /** A member gave or withdrew consent: the recordings of the calls they are in now follow at once. Never throws. */
  async consentChanged(userId: number): Promise<void> {
    try {
      await Promise.all((await this.recordings.runningRecordingsOf(userId)).map(({ recordingId }) => this.refresh(recordingId)));
    } catch (error) {
      this.logger.warn({ msg: 'recording consent change not applied; the reconcile job will', error: (error as Error).name });
    }
  }

  /** Stops the call's recording, if one runs. Never throws. */
  async callEnded(callId: number): Promise<void> {
    try {
      const call = await this.recordings.recordingStateOf(this.dataSource.manager, callId);
      if (!call?.recordingId) return;
      const row = await this.tx.run(async (manager) => {
        const found = await this.recordings.find(call.recordingId!, manager);
        return found && found.status === 'recording' && (await this.claimStop(manager, found)) ? found : null;
      });
      // A recording still starting is stopped by its start, which finds the call ended.
      if (row) await this.finishStop(row);
    } catch (error) {
      this.logger.error({ msg: 'recording stop on call end failed', callId, error: (error as Error).name });
    }
  }

  /**
   * The subscribe lists from the database at send time (consenting members in the call now),
   * sent when they differ from what Agora last accepted. Serialised per recording in this
   * process; across instances the last one sent wins, and the reconcile job repairs the rest.
   */
  refresh(recordingId: number): Promise<void> {
    const previous = this.updates.get(recordingId) ?? Promise.resolve();
    const next = previous.then(() => this.sendLists(recordingId)).catch((error: unknown) => {
      recordingUpdates.inc({ result: 'failed' });
      this.logger.warn({ msg: 'recording subscribe update failed', recordingId, error: (error as Error).name });
    });
    this.updates.set(recordingId, next);
    void next.finally(() => {
      if (this.updates.get(recordingId) === next) this.updates.delete(recordingId);
    });
    return next;
  }

  private async sendLists(recordingId: number): Promise<void> {
    const row = await this.recordings.find(recordingId);
    if (!row || row.status !== 'recording' || !row.resourceId || !row.sid) return;
    const uids = await this.recordings.consentingUids(this.dataSource.manager, row.callId);
    if (sameList(subscribedOf(row), uids)) {
      recordingUpdates.inc({ result: 'unchanged' });
      return;
    }
    const answer = await this.agora.update(this.runningRef(row), uids);
    if (answer.failed) {
      recordingUpdates.inc({ result: 'failed' });
      this.logger.warn({ msg: 'agora recording update failed', recordingId, ...detailOf(answer) });
      return;
    }
    await this.tx.run((manager) => this.recordings.setSubscribed(manager, recordingId, uids));
    recordingUpdates.inc({ result: 'sent' });
  }

  // ---- the state changes, one method each (inside the caller's transaction; the call's lock first, as everywhere)

  /** `starting` → `recording`: Agora answered a sid. False when the row is no longer starting. */
  async recordStarted(manager: EntityManager, row: Recording, running: RunningRef, uids: number[], at: Date): Promise<boolean> {
    await this.calls.lockCall(manager, row.callId);
    const moved = await this.recordings.transition(manager, row.id, ['starting'], 'recording', {
      resourceId: running.resourceId,
      sid: running.sid,
      subscribedUids: JSON.stringify(uids),
      startedAt: at,
    });
    if (moved) recordingTransitions.inc({ state: 'started' });
    return moved;
  }

  /** `recording`/`stopping` → `stopped`, with the files; the call is free for another recording. */
  async recordStopped(manager: EntityManager, row: Pick<Recording, 'id' | 'callId'>, files: RecordingFile[], at: Date): Promise<boolean> {
    await this.calls.lockCall(manager, row.callId);
    const moved = await this.recordings.transition(manager, row.id, ['recording', 'stopping'], 'stopped', { files: JSON.stringify(files), stoppedAt: at });
    if (!moved) return false;
    await this.recordings.releaseRecording(manager, row.callId, row.id);
    recordingTransitions.inc({ state: 'stopped' });
    return true;
  }

  /** Any live state → `failed` (it died, or never started), keeping the files known; the call is free again. */
  async recordFailed(manager: EntityManager, row: Pick<Recording, 'id' | 'callId'>, reason: string, at: Date, files?: RecordingFile[]): Promise<boolean> {
    await this.calls.lockCall(manager, row.callId);
    const moved = await this.recordings.transition(manager, row.id, ['starting', 'recording', 'stopping'], 'failed', {
      failure: reason,
      stoppedAt: at,
      ...(files && files.length > 0 ? { files: JSON.stringify(files) } : {}),
    });
    if (!moved) return false;
    await this.recordings.releaseRecording(manager, row.callId, row.id);
    recordingTransitions.inc({ state: 'failed' });
    return true;
  }

  /** An Agora Notification Center recording notice said the recorder of `sid` left for good (webhooks on). */
  async recorderExited(manager: EntityManager, sid: string, at: Date): Promise<void> {
    const row = await this.recordings.findBySid(manager, sid);
    // A recorder leaves after every stop too: only an exit nobody asked for is a failure.
    if (row?.status === 'recording') await this.recordFailed(manager, row, 'agora_exited', at);
  }

  // ---- the reconcile job

  /**
   * Makes the database agree with Agora: starts cut off long ago failed, stops sent long ago
   * sent again, recordings of ended calls stopped, and the subscribe lists of running ones sent
   * again where Agora's differ; without webhooks, a `query` per running recording, and one that
   * Agora says is gone is `failed`.
   */
  async reconcile(): Promise<void> {
    const now = this.clock.now();
    for (const row of await this.recordings.inState('starting', RECONCILE_BATCH, 0, new Date(now.getTime() - STALE_START_MS))) {
      if (await this.tx.run((manager) => this.recordFailed(manager, row, 'start_interrupted', now))) {
        this.logger.warn({ msg: 'recording start cut off; marked failed', recordingId: row.id });
      }
    }
    if (!this.config.enabled) return;
    for (const row of await this.recordings.inState('stopping', RECONCILE_BATCH, 0, new Date(now.getTime() - STALE_STOP_MS))) await this.finishStop(row);
    const webhooks = this.presence.ncsSecret !== undefined;
    for (const row of await this.recordings.inState('recording', RECONCILE_BATCH)) {
      const call = await this.recordings.recordingStateOf(this.dataSource.manager, row.callId);
      if (!call || call.status === 'ended') {
        await this.callEnded(row.callId);
        continue;
      }
      if (!webhooks) {
        const outcome = await this.agora.query(this.runningRef(row));
        if (outcome.state === 'gone') {
          await this.tx.run((manager) => this.recordFailed(manager, row, 'agora_exited', this.clock.now(), outcome.files));
          continue;
        }
      }
      await this.refresh(row.id);
    }
  }

  // ---- helpers

  /** 503 while recording is not configured (no storage or no Agora REST credentials). */
  private requireConfigured(): void {
    if (!this.config.enabled) throw new DomainException('RECORDING_NOT_CONFIGURED');
  }

  /** The call under its lock, when the caller may run its recordings (host, moderator, admin). */
  private async runnableCall(manager: EntityManager, callId: number, user: AuthUser, action: string): Promise<Call> {
    const { call, role } = await this.calls.standing(manager, callId, user.id);
    requirePower('moderate', role, user, action);
    return call;
  }

  /** Agora refused the start: nothing of it is kept, the call is free again, and the caller gets 502. */
  private async abandon(row: Recording, step: 'acquire' | 'start', failure: RecordingFailure): Promise<never> {
    this.logger.warn({ msg: `agora recording ${step} failed`, recordingId: row.id, ...detailOf(failure) });
    await this.tx.run(async (manager) => {
      await this.calls.lockCall(manager, row.callId);
      await this.recordings.releaseRecording(manager, row.callId, row.id);
      await this.recordings.deleteStarting(manager, row.id);
    });
    recordingTransitions.inc({ state: 'abandoned' });
    throw new DomainException('RECORDING_UNAVAILABLE');
  }

  /** `recording` → `stopping` (one stop at a time), noting when the stop was sent. */
  private async claimStop(manager: EntityManager, row: Recording): Promise<boolean> {
    await this.calls.lockCall(manager, row.callId);
    return this.recordings.transition(manager, row.id, ['recording'], 'stopping', { stoppedAt: this.clock.now() });
  }

  /**
   * Sends the stop of a `stopping` recording and records the answer: `stopped` with Agora's files
   * (or, when Agora no longer knows it, the files known). When Agora does not answer, it goes
   * back to `recording` for another stop (or the reconcile job); null then.
   */
  private async finishStop(row: Recording): Promise<Recording | null> {
    const answer = await this.agora.stop(this.runningRef(row));
    if (answer.failed) {
      this.logger.warn({ msg: 'agora recording stop failed', recordingId: row.id, ...detailOf(answer) });
      await this.tx.run(async (manager) => {
        await this.calls.lockCall(manager, row.callId);
        return this.recordings.transition(manager, row.id, ['stopping'], 'recording');
      });
      return null;
    }
    const files = answer.files.length > 0 ? answer.files : filesOfRow(row);
    await this.tx.run((manager) => this.recordStopped(manager, row, files, this.clock.now()));
    return this.recordings.find(row.id);
  }

  private runningRef(row: Recording): RunningRef {
    return { channelName: row.channelName, uid: row.uid, mode: row.mode, resourceId: row.resourceId ?? '', sid: row.sid ?? '' };
  }

  /** A subscriber token for the recorder's reserved uid (real time: Agora checks it). */
  private recorderToken(channelName: string): string {
    return RtcTokenBuilder.buildTokenWithUid(
      this.agoraSettings.appId,
      this.agoraSettings.appCertificate,
      channelName,
      RECORDER_UID,
      RtcRole.SUBSCRIBER,
      RECORDER_TOKEN_SECONDS,
      RECORDER_TOKEN_SECONDS,
    );
  }
}
