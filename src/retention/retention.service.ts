import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AnalyticsRollup } from '../analytics/analytics-rollup.service';
import { Clock } from '../common/clock';
import { retentionConfig } from '../config/retention.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { PresenceService } from '../presence/presence.service';
import { RecordingRetention } from '../recordings/recording-retention.service';
import { eventsConfig } from '../config/events.config';
import { EventsOutbox } from '../outbox/events-outbox.service';
import { RetentionRepository } from './retention.repository';

/** Rows (calls, notices or recordings) picked and deleted per transaction. */
export const RETENTION_BATCH_SIZE = 500;

const DAY_MS = 86_400_000;

/** What one purge deleted: counts only. */
export interface RetentionReport {
  calls: number;
  sessions: number;
  segments: number;
  members: number;
  bindings: number;
  notices: number;
  recordings: number;
  /** Outbox events (delivered ones; all of them when webhooks are off). */
  events: number;
  /** Transactions that deleted something (one per batch). */
  batches: number;
  durationMs: number;
}

export interface PurgeOptions {
  /** Rows per batch; tests lower it to exercise batching. */
  batchSize?: number;
}

type Counts = Omit<RetentionReport, 'durationMs'>;

/** Lets requests and timers run between two batches of a long purge. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The spec's retention rule: raw records of calls that ended more than `CALL_RETENTION_DAYS`
 * ago (the call, its members, sessions, media segments and uid bindings) and Agora webhook
 * notices older than that are deleted; recordings `RECORDING_RETENTION_DAYS` after they stopped
 * (their files in the bucket first, then their rows). Calls that have not ended are kept however old they are,
 * and the per-day analytics aggregates are never touched, so analytics for purged periods
 * keeps answering the same.
 *
 * Work is done in short transactions of at most `batchSize` rows each, yielding to the event
 * loop in between, so no table is locked for long. Runs daily as the `retention` job (RetentionJob, one
 * instance at a time); tests call `purge()`.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly repository: RetentionRepository,
    private readonly rollup: AnalyticsRollup,
    @Inject(retentionConfig.KEY) private readonly config: ConfigType<typeof retentionConfig>,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly recordingRetention: RecordingRetention,
    private readonly outbox: EventsOutbox,
    private readonly presence: PresenceService,
    @Inject(eventsConfig.KEY) private readonly eventsSettings: ConfigType<typeof eventsConfig>,
  ) {}

  async purge(options: PurgeOptions = {}): Promise<RetentionReport> {
    const batchSize = options.batchSize ?? RETENTION_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    // Elapsed wall time for the log, not the injected clock (which says what "now" is).
    const started = Date.now();
    const now = this.clock.now();
    const callCutoff = new Date(now.getTime() - this.config.callRetentionDays * DAY_MS);
    const recordingCutoff = new Date(now.getTime() - this.config.recordingRetentionDays * DAY_MS);
    const counts: Counts = { calls: 0, sessions: 0, segments: 0, members: 0, bindings: 0, notices: 0, recordings: 0, events: 0, batches: 0 };

    // Nothing is purged before analytics counted it (the purge itself also skips unfolded rows).
    await this.rollup.foldAll();
    await this.purgeCalls(callCutoff, batchSize, counts);
    await this.purgeNotices(callCutoff, batchSize, counts);
    await this.purgeRecordings(recordingCutoff, batchSize, counts);
    await this.purgeEvents(callCutoff, batchSize, counts);

    const report: RetentionReport = { ...counts, durationMs: Date.now() - started };
    this.logger.log({ msg: 'retention purge', ...report });
    return report;
  }

  /**
   * Ended calls whose `ended_at` is before the cutoff, with all their rows.
   *
   * A call ends after it starts (`ended_at >= created_at`), so every such call was also created
   * before the cutoff: the batch is picked by walking the (status, created_at) index over
   * `status = 'ended' AND created_at < cutoff` in (created_at, id) order, filtering on
   * `ended_at`. A cursor past the last call picked means calls created before the cutoff that
   * ended after it are read at most once per run, not once per batch.
   */
  private async purgeCalls(cutoff: Date, batchSize: number, counts: Counts): Promise<void> {
    let cursor = { createdAt: new Date(0), id: 0 };
    for (;;) {
      const result = await this.tx.run(async (manager) => {
        const batch = await this.repository.endedCallsBefore(manager, cutoff, cursor, batchSize);
        const deleted = batch.length > 0 ? await this.repository.deleteEndedCalls(manager, batch.map((call) => call.id)) : undefined;
        return { batch, deleted };
      });
      // Counted once committed: a transaction retried after a deadlock must not count twice.
      const picked = result.batch;
      if (result.deleted) {
        for (const key of ['calls', 'sessions', 'segments', 'members', 'bindings'] as const) counts[key] += result.deleted[key];
        counts.batches += 1;
      }
      if (picked.length > 0) {
        const last = picked[picked.length - 1];
        cursor = { createdAt: last.createdAt, id: last.id };
      }
      if (picked.length < batchSize) return;
      await yieldToEventLoop();
    }
  }

  /**
   * Outbox events that occurred before the cutoff and are done with: delivered to the webhook,
   * or any when no webhook is configured (nothing will ever send them; member streams replay 10
   * minutes only). Events still pending or failed stay, for the delivery and the admin list.
   */
  private async purgeEvents(cutoff: Date, batchSize: number, counts: Counts): Promise<void> {
    const anyStatus = !(this.eventsSettings.webhookUrl && this.eventsSettings.webhookSecret);
    for (;;) {
      const { picked, deleted } = await this.tx.run((manager) => this.outbox.purge(manager, cutoff, anyStatus, batchSize));
      if (picked > 0) {
        counts.events += deleted;
        counts.batches += 1;
      }
      if (picked < batchSize) return;
      await yieldToEventLoop();
    }
  }

  /** Webhook notices received before the cutoff, oldest first (received_at is indexed). */
  private async purgeNotices(cutoff: Date, batchSize: number, counts: Counts): Promise<void> {
    for (;;) {
      const { picked, deleted } = await this.tx.run((manager) => this.presence.purgeNotices(manager, cutoff, batchSize));
      if (picked > 0) {
        counts.notices += deleted;
        counts.batches += 1;
      }
      if (picked < batchSize) return;
      await yieldToEventLoop();
    }
  }

  /** Recordings that stopped before the recording cutoff: their files in the bucket first, then their rows (RecordingRetention). */
  private async purgeRecordings(cutoff: Date, batchSize: number, counts: Counts): Promise<void> {
    const { deleted, batches } = await this.recordingRetention.purge(cutoff, batchSize);
    counts.recordings += deleted;
    counts.batches += batches;
  }
}
