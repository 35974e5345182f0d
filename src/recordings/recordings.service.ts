import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { RtcRole, RtcTokenBuilder } from 'agora-token';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { RECORDER_UID } from '../calls/assigned-uids.service';
import { CallsService } from '../calls/calls.service';
import { MediaKeys } from '../calls/media-keys.service';
import type { Call } from '../calls/entities/call.entity';
import { ParticipationService } from '../calls/participation.service';
import { requirePower } from '../calls/powers';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { agoraConfig } from '../config/agora.config';
import { recordingConfig } from '../config/recording.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { recordingTransitions } from '../common/metrics/counters';
import { secondsBetween } from '../calls/participation.service';
import { AgoraRecordingClient, RecordingFailure, RunningRef } from './agora-recording.client';
import { RecordingDto } from './dto/recording.dto';
import { RecordingStartedDto } from './dto/start-recording.dto';
import { Recording, RecordingMode } from './entities/recording.entity';
import { RecordingMembership } from './recording-membership.service';
import { detailOf, RecordingStates } from './recording-states.service';
import { filesOfRow, RecordingsRepository } from './recordings.repository';
import { iso } from '../common/iso';

/** The recorder's token lasts the longest Agora allows (a privilege lasts 24 hours at most). */
export const RECORDER_TOKEN_SECONDS = 86_400;

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

/**
 * The recording routes: start, stop and list a call's recordings on Agora Cloud Recording, with
 * consent (the recorder subscribes only to the uids of members in the call who consented). Who
 * may is the powers rule (host, moderator, admin). Agora is only ever asked outside a
 * transaction: a start reserves the row (`starting`) and the call's `recording_id` under the
 * call's lock, asks Agora, then marks it `recording` (RecordingStates) or forgets it. The lists
 * follow joins and leaves in RecordingMembership; the `recordings` job (RecordingsReconcileJob)
 * repairs what a lost answer or a crash left.
 */
@Injectable()
export class RecordingsService {
  private readonly logger = new Logger(RecordingsService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly calls: ParticipationService,
    private readonly callsService: CallsService,
    private readonly mediaKeys: MediaKeys,
    private readonly recordings: RecordingsRepository,
    private readonly states: RecordingStates,
    private readonly membership: RecordingMembership,
    private readonly agora: AgoraRecordingClient,
    private readonly clock: Clock,
    @Inject(recordingConfig.KEY) private readonly config: ConfigType<typeof recordingConfig>,
    @Inject(agoraConfig.KEY) private readonly agoraSettings: ConfigType<typeof agoraConfig>,
  ) {}

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
      // An encrypted call's key for the recorder (issue 26): in an empty call it is the first occupant, and mints the pair.
      const mediaKey = await this.mediaKeys.forRecorder(manager, call, this.clock.now());
      return { row, uids: await this.recordings.consentingUids(callId, manager), maxMembers: call.maxParticipants, mediaKey };
    });
    const { row, uids, maxMembers, mediaKey } = reserved;
    const ref = { channelName: row.channelName, uid: RECORDER_UID, mode };
    const acquired = await this.agora.acquire(ref);
    if (acquired.failed) return this.abandon(row, 'acquire', acquired);
    const started = await this.agora.start(ref, acquired.resourceId, this.recorderToken(row.channelName), uids, maxMembers, mediaKey);
    if (started.failed) return this.abandon(row, 'start', started);
    const running: RunningRef = { ...ref, resourceId: acquired.resourceId, sid: started.sid };
    const marked = await this.tx.run((manager) => this.states.recordStarted(manager, row, running, uids, this.clock.now()));
    if (!marked) {
      // The reconcile job gave up on this start meanwhile: the recorder must not run unrecorded.
      await this.agora.stop(running);
      throw new DomainException('RECORDING_UNAVAILABLE');
    }
    // Members who joined while Agora was starting, and a call that ended meanwhile.
    const call = await this.recordings.recordingStateOf(callId);
    if (!call || call.status === 'ended') await this.membership.callEnded(callId);
    else this.membership.membershipChanged(callId, row.id);
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
      return { row: found, claimed: await this.states.claimStop(manager, found) };
    });
    if (!claimed) return toRecordingDto(row, this.clock.now());
    const stopped = await this.states.finishStop(row);
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
