import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ParticipationService } from '../calls/participation.service';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner.service';
import { recordingTransitions } from '../common/metrics/counters';
import { AgoraRecordingClient, RecordingFailure, RunningRef } from './agora-recording.client';
import { Recording, RecordingFile } from './entities/recording.entity';
import { filesOfRow, RecordingsRepository } from './recordings.repository';

/** Only a status code or an error name of an Agora failure: never a body (Agora echoes the storage keys). */
export const detailOf = (failure: RecordingFailure): Record<string, unknown> => ({ ...(failure.status ? { status: failure.status } : {}), ...(failure.error ? { error: failure.error } : {}) });

/** Where a recording runs at Agora, from its row. */
export function runningRef(row: Recording): RunningRef {
  return { channelName: row.channelName, uid: row.uid, mode: row.mode, resourceId: row.resourceId ?? '', sid: row.sid ?? '' };
}

/**
 * A recording's state changes, in exactly one method each, inside the caller's transaction, the
 * call's lock first as everywhere: `recordStarted`, `recordStopped`, `recordFailed` (the place
 * for events about them), and the stop, which asks Agora outside any transaction. Used by the
 * routes (RecordingsService), the membership observer (RecordingMembership), the reconcile job
 * and Agora's notices.
 */
@Injectable()
export class RecordingStates {
  private readonly logger = new Logger(RecordingStates.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly calls: ParticipationService,
    private readonly recordings: RecordingsRepository,
    private readonly agora: AgoraRecordingClient,
    private readonly clock: Clock,
  ) {}

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

  /** `recording` → `stopping` (one stop at a time), noting when the stop was sent. */
  async claimStop(manager: EntityManager, row: Recording): Promise<boolean> {
    await this.calls.lockCall(manager, row.callId);
    return this.recordings.transition(manager, row.id, ['recording'], 'stopping', { stoppedAt: this.clock.now() });
  }

  /**
   * Sends the stop of a `stopping` recording and records the answer: `stopped` with Agora's files
   * (or, when Agora no longer knows it, the files known). When Agora does not answer, it goes
   * back to `recording` for another stop (or the reconcile job); null then.
   */
  async finishStop(row: Recording): Promise<Recording | null> {
    const answer = await this.agora.stop(runningRef(row));
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
}
