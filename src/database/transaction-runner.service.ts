import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isDatabaseUnavailable, isRetryableLockError } from './db-errors';

const MAX_ATTEMPTS = 6;

/** Work to do once a transaction has committed (never for one that rolled back), by its manager. */
const afterCommit = new WeakMap<EntityManager, Array<() => void>>();

/** How a transaction ended: committed, rolled back, or its COMMIT sent and never answered. */
export type TransactionOutcome = 'committed' | 'rolled-back' | 'unknown';

/**
 * Something that must commit together with whatever a piece of work writes: its statements run
 * last inside every transaction started within `TransactionRunner.carrying`, before the COMMIT,
 * and it hears how each of those transactions ended.
 */
export interface TransactionParticipant {
  beforeCommit(manager: EntityManager): Promise<void>;
  settled(outcome: TransactionOutcome): void;
}

const participants = new AsyncLocalStorage<TransactionParticipant>();
/** Errors of a COMMIT that was sent and not answered: the server may have committed or not. */
const uncertain = new WeakSet<object>();

/**
 * Runs every write of the service as one transaction.
 *
 * MySQL/MariaDB: a pooled connection per transaction, READ COMMITTED: every rule here rests on
 * row locks, conditional updates and unique indexes, none on repeatable snapshots, and InnoDB's
 * gap locks under REPEATABLE READ made concurrent first inserts into the aggregate tables
 * deadlock. The level is set once per pooled connection, for its session (a per-transaction
 * `SET TRANSACTION` cost a round trip on every write). Deadlocks and lock wait time-outs are
 * still retried, since InnoDB rolls the whole transaction back for them.
 *
 * SQLite: better-sqlite3 has a single connection, so two interleaved transactions would share
 * it (one request's rollback could undo another's write). Transactions are queued here, one
 * at a time per process; across processes SQLite's own file lock and busy time-out serialise.
 */
@Injectable()
export class TransactionRunner {
  private readonly serial: boolean;
  private queue: Promise<unknown> = Promise.resolve();
  /** Pooled MySQL connections whose session already runs READ COMMITTED. */
  private readonly readCommitted = new WeakSet<object>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serial = dataSource.options.type === 'better-sqlite3';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serial) return this.withRetries(work);
    const next = this.queue.then(() => this.committing(work, (w) => this.dataSource.transaction(w)));
    // Keep the queue going whatever this transaction's outcome.
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs reads that must agree with each other (a report that adds raw rows not yet folded to
   * the aggregates they are folded into) on one snapshot: a REPEATABLE READ transaction on
   * MySQL/MariaDB; on SQLite a transaction in the same queue as the writes.
   */
  snapshot<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.serial) return this.run(work);
    return this.transaction(work, 'REPEATABLE READ');
  }

  /**
   * Asks for `fn` to run once the transaction of `manager` has committed: never when it rolls
   * back, and only for the attempt that committed when it is retried. For what must not happen
   * inside a transaction and must not happen for a change that did not (telling other instances
   * that an event was written).
   */
  afterCommit(manager: EntityManager, fn: () => void): void {
    const hooks = afterCommit.get(manager);
    if (hooks) hooks.push(fn);
    else afterCommit.set(manager, [fn]);
  }

  /**
   * Runs `fn` with `participant` in every transaction it starts, however deep (an Idempotency-Key's
   * claim commits with the work it guards). Transactions started outside `fn` never see it.
   */
  carrying<T>(participant: TransactionParticipant, fn: () => T): T {
    return participants.run(participant, fn);
  }

  /** Runs `work` in `transaction`, then what it asked for with `afterCommit`. */
  private async committing<T>(work: (manager: EntityManager) => Promise<T>, transaction: (work: (manager: EntityManager) => Promise<T>) => Promise<T>): Promise<T> {
    const participant = participants.getStore();
    let used: EntityManager | undefined;
    let result: T;
    try {
      result = await transaction(async (manager) => {
        used = manager;
        const done = await work(manager);
        await participant?.beforeCommit(manager);
        return done;
      });
    } catch (error) {
      participant?.settled(typeof error === 'object' && error !== null && uncertain.has(error) ? 'unknown' : 'rolled-back');
      throw error;
    }
    participant?.settled('committed');
    const hooks = used ? afterCommit.get(used) : undefined;
    if (used && hooks) {
      afterCommit.delete(used);
      for (const hook of hooks) {
        try {
          hook();
        } catch {
          // A hook's failure is its own: the transaction has committed.
        }
      }
    }
    return result;
  }

  private async withRetries<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.committing(work, (w) => this.transaction(w));
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryableLockError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
      }
    }
  }

  /** One transaction on a pooled connection, as DataSource.transaction does, at READ COMMITTED. */
  private async transaction<T>(work: (manager: EntityManager) => Promise<T>, isolation?: 'REPEATABLE READ'): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const connection = (await runner.connect()) as object;
      if (!this.readCommitted.has(connection)) {
        await runner.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
        this.readCommitted.add(connection);
      }
      await runner.startTransaction(isolation);
      try {
        const result = await work(runner.manager);
        try {
          await runner.commitTransaction();
        } catch (error) {
          // Sent and not answered (a time-out, a lost connection): the server may have committed.
          if (isDatabaseUnavailable(error) && typeof error === 'object' && error !== null) uncertain.add(error);
          throw error;
        }
        return result;
      } catch (error) {
        // A failed rollback (the connection is gone) must not hide why the work failed.
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }
}
