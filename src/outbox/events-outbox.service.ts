import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner.service';
import { NewEvent } from './event-types';
import { OutboxRepository } from './outbox.repository';

/** Events deleted per transaction when a member is erased. */
const ERASE_BATCH = 500;

/** Told, after a commit, that a call has new events in the outbox. */
export type OutboxListener = (callId: number) => void;

/**
 * The one way events are written: inside the transaction of the change they tell of, so a
 * change that rolls back tells nothing and one that commits is never lost. Participant joins and
 * leaves are written by database triggers on `call_sessions` (see the Events migration);
 * `noted` says one was, so listeners (the member streams) learn of it after the commit.
 * Every event of a call is written under the call's row lock: a call's events commit in id order.
 */
@Injectable()
export class EventsOutbox {
  private readonly listeners = new Set<OutboxListener>();

  constructor(
    private readonly tx: TransactionRunner,
    private readonly repository: OutboxRepository,
  ) {}

  /** Writes one event row in the caller's transaction (one INSERT, no read-back). */
  async record(manager: EntityManager, event: NewEvent): Promise<void> {
    await this.repository.insert(manager, event);
    this.noted(manager, event.callId);
  }

  /** A trigger wrote an event for the call in this transaction: listeners hear of it once it commits. No statement is sent. */
  noted(manager: EntityManager, callId: number): void {
    this.tx.afterCommit(manager, () => this.emit(callId));
  }

  /**
   * Deletes one batch of events that occurred before the cutoff and are done with (delivered, or
   * any status when webhooks are off), in the caller's transaction: the retention job's.
   */
  purge(manager: EntityManager, cutoff: Date, anyStatus: boolean, limit: number): Promise<{ picked: number; deleted: number }> {
    return this.repository.purgeBatch(manager, cutoff, anyStatus, limit);
  }

  /**
   * Erasure (src/erasure/): deletes every event that names the member, pending, failed or
   * delivered (the delivered ones purged early), in batches of short transactions of their own,
   * so a crash midway leaves a retry less to do. The number deleted.
   */
  async eraseMember(userId: number): Promise<number> {
    let deleted = 0;
    for (let afterId = 0; ; ) {
      const ids = await this.tx.run((manager) => this.repository.idsNaming(userId, afterId, ERASE_BATCH, manager));
      if (ids.length === 0) return deleted;
      deleted += await this.tx.run((manager) => this.repository.deleteEvents(manager, ids));
      afterId = ids[ids.length - 1];
    }
  }

  onCommitted(listener: OutboxListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(callId: number): void {
    for (const listener of this.listeners) listener(callId);
  }
}
