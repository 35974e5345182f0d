import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner.service';
import { CallEvent } from './entities/call-event.entity';
import { NewEvent } from './event-types';

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

  constructor(private readonly tx: TransactionRunner) {}

  /** Writes one event row in the caller's transaction (one INSERT, no read-back). */
  async record(manager: EntityManager, event: NewEvent): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(CallEvent)
      .values({
        type: event.type,
        callId: event.callId,
        userId: event.userId ?? null,
        actorId: event.actorId ?? null,
        reason: null,
        data: event.data ? JSON.stringify(event.data) : null,
        occurredAt: event.occurredAt,
        status: 'pending',
        attempts: 0,
        firstAttemptAt: null,
        nextAttemptAt: null,
        deliveredAt: null,
        lastError: null,
      })
      .updateEntity(false)
      .execute();
    this.noted(manager, event.callId);
  }

  /** A trigger wrote an event for the call in this transaction: listeners hear of it once it commits. No statement is sent. */
  noted(manager: EntityManager, callId: number): void {
    this.tx.afterCommit(manager, () => this.emit(callId));
  }

  onCommitted(listener: OutboxListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(callId: number): void {
    for (const listener of this.listeners) listener(callId);
  }
}
