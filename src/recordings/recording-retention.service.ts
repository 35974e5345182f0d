import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner.service';
import { recordingPurges } from '../common/metrics/counters';
import { RecordingFiles } from './recording-files.service';
import { filesOfRow, RecordingsRepository } from './recordings.repository';

/** Lets requests and timers run between two batches. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Recordings past retention: their files are deleted from the bucket first (S3 DeleteObjects),
 * and only then their rows. A recording whose files could not be deleted keeps its row (with a
 * failed attempt counted) and is tried again on the next run, so no file is ever left without
 * the row that names it. Called by the daily retention job (RetentionService).
 */
@Injectable()
export class RecordingRetention {
  private readonly logger = new Logger(RecordingRetention.name);

  constructor(
    private readonly recordings: RecordingsRepository,
    private readonly files: RecordingFiles,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * Erasure (src/erasure/): the recordings the member started name the anonymous id instead, in
   * the caller's transaction. The recordings themselves (made with the consent of those in them)
   * stay until their retention ends. The number of rows changed.
   */
  anonymiseStarter(manager: EntityManager, userId: number, anonymousId: number): Promise<number> {
    return this.recordings.moveStarter(manager, userId, anonymousId);
  }

  /** Purges recordings that stopped before the cutoff, `batchSize` at a time. Counts rows deleted and batches that deleted any. */
  async purge(cutoff: Date, batchSize: number): Promise<{ deleted: number; batches: number }> {
    let afterId = 0;
    let deleted = 0;
    let batches = 0;
    for (;;) {
      const batch = await this.recordings.expired(cutoff, afterId, batchSize);
      if (batch.length === 0) break;
      const gone: number[] = [];
      const kept: number[] = [];
      for (const row of batch) {
        const keys = filesOfRow(row).map((file) => file.fileName);
        if (keys.length === 0 || (await this.files.delete(keys))) gone.push(row.id);
        else kept.push(row.id);
      }
      const removed = await this.tx.run(async (manager) => {
        await this.recordings.notePurgeFailed(manager, kept);
        return this.recordings.deleteFinished(manager, gone);
      });
      if (kept.length > 0) this.logger.warn({ msg: 'recording files not deleted; rows kept for the next run', recordings: kept.length });
      recordingPurges.inc({ result: 'deleted' }, removed);
      recordingPurges.inc({ result: 'kept' }, kept.length);
      deleted += removed;
      if (removed > 0) batches += 1;
      afterId = batch[batch.length - 1].id;
      if (batch.length < batchSize) break;
      await yieldToEventLoop();
    }
    return { deleted, batches };
  }
}
