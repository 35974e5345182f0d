import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { RecordingHooks, RecordingObserver } from '../calls/recording-hooks';
import { TransactionRunner } from '../database/transaction-runner.service';
import { recordingUpdates } from '../common/metrics/counters';
import { PreferencesService } from '../preferences/preferences.service';
import { AgoraRecordingClient } from './agora-recording.client';
import { detailOf, RecordingStates, runningRef } from './recording-states.service';
import { RecordingsRepository, subscribedOf } from './recordings.repository';

const sameList = (a: number[] | null, b: number[]): boolean => a !== null && a.length === b.length && a.every((uid, index) => uid === b[index]);

/**
 * The recordings feature's side of participation: told by the calls feature (RecordingHooks)
 * after a join, leave, removal or end committed, and by preferences after a consent change, it
 * keeps each running recording's subscribe lists to the consenting members in the call now, and
 * stops a recording when its call ends. Never inside a transaction; never throws to its caller.
 */
@Injectable()
export class RecordingMembership implements RecordingObserver, OnModuleInit {
  private readonly logger = new Logger(RecordingMembership.name);
  /** One subscribe-list update at a time per recording in this process: each waits for the one before. */
  private readonly updates = new Map<number, Promise<void>>();

  constructor(
    private readonly tx: TransactionRunner,
    private readonly recordings: RecordingsRepository,
    private readonly states: RecordingStates,
    private readonly agora: AgoraRecordingClient,
    private readonly hooks: RecordingHooks,
    private readonly preferences: PreferencesService,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
    this.preferences.onConsentChanged((userId) => void this.consentChanged(userId));
  }

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
      const call = await this.recordings.recordingStateOf(callId);
      if (!call?.recordingId) return;
      const row = await this.tx.run(async (manager) => {
        const found = await this.recordings.find(call.recordingId!, manager);
        return found && found.status === 'recording' && (await this.states.claimStop(manager, found)) ? found : null;
      });
      // A recording still starting is stopped by its start, which finds the call ended.
      if (row) await this.states.finishStop(row);
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
    const uids = await this.recordings.consentingUids(row.callId);
    if (sameList(subscribedOf(row), uids)) {
      recordingUpdates.inc({ result: 'unchanged' });
      return;
    }
    const answer = await this.agora.update(runningRef(row), uids);
    if (answer.failed) {
      recordingUpdates.inc({ result: 'failed' });
      this.logger.warn({ msg: 'agora recording update failed', recordingId, ...detailOf(answer) });
      return;
    }
    await this.tx.run((manager) => this.recordings.setSubscribed(manager, recordingId, uids));
    recordingUpdates.inc({ result: 'sent' });
  }
}
