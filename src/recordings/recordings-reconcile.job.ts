import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { presenceConfig } from '../config/presence.config';
import { recordingConfig } from '../config/recording.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { Job, JobSchedule, ScheduledJob } from '../jobs/job.decorator';
import { AgoraRecordingClient } from './agora-recording.client';
import { RecordingMembership } from './recording-membership.service';
import { RecordingStates, runningRef } from './recording-states.service';
import { RecordingsRepository } from './recordings.repository';

export const RECORDING_JOB = 'recordings';

/** A recording still `starting` this long after it was asked for was cut off (a crash, a lost answer): it failed. */
export const STALE_START_MS = 120_000;

/** A stop sent this long ago without an answer recorded is sent again. */
export const STALE_STOP_MS = 300_000;

/** How often the recording job reconciles what runs at Agora with the database. */
export const RECONCILE_EVERY_MS = 60_000;

/** Rows the reconcile job looks at per state per run. */
const RECONCILE_BATCH = 200;

/** `recordings`: makes the database agree with what runs at Agora (see `reconcile`). */
@Job(RECORDING_JOB)
@Injectable()
export class RecordingsReconcileJob implements ScheduledJob {
  private readonly logger = new Logger(RecordingsReconcileJob.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly recordings: RecordingsRepository,
    private readonly states: RecordingStates,
    private readonly membership: RecordingMembership,
    private readonly agora: AgoraRecordingClient,
    private readonly clock: Clock,
    @Inject(recordingConfig.KEY) private readonly config: ConfigType<typeof recordingConfig>,
    @Inject(presenceConfig.KEY) private readonly presence: ConfigType<typeof presenceConfig>,
  ) {}

  schedule(): JobSchedule {
    return { everyMs: RECONCILE_EVERY_MS, leaseMs: 5 * 60_000 };
  }

  run(): Promise<unknown> {
    return this.reconcile();
  }

  /**
   * Makes the database agree with Agora: starts cut off long ago failed, stops sent long ago
   * sent again, recordings of ended calls stopped, and the subscribe lists of running ones sent
   * again where Agora's differ; without webhooks, a `query` per running recording, and one that
   * Agora says is gone is `failed`.
   */
  async reconcile(): Promise<void> {
    const now = this.clock.now();
    for (const row of await this.recordings.inState('starting', RECONCILE_BATCH, 0, new Date(now.getTime() - STALE_START_MS))) {
      if (await this.tx.run((manager) => this.states.recordFailed(manager, row, 'start_interrupted', now))) {
        this.logger.warn({ msg: 'recording start cut off; marked failed', recordingId: row.id });
      }
    }
    if (!this.config.enabled) return;
    for (const row of await this.recordings.inState('stopping', RECONCILE_BATCH, 0, new Date(now.getTime() - STALE_STOP_MS))) await this.states.finishStop(row);
    const webhooks = this.presence.ncsSecret !== undefined;
    for (const row of await this.recordings.inState('recording', RECONCILE_BATCH)) {
      const call = await this.recordings.recordingStateOf(row.callId);
      if (!call || call.status === 'ended') {
        await this.membership.callEnded(row.callId);
        continue;
      }
      if (!webhooks) {
        const outcome = await this.agora.query(runningRef(row));
        if (outcome.state === 'gone') {
          await this.tx.run((manager) => this.states.recordFailed(manager, row, 'agora_exited', this.clock.now(), outcome.files));
          continue;
        }
      }
      await this.membership.refresh(row.id);
    }
  }
}
