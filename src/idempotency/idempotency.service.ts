import { EntityManager } from 'typeorm';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock';
import { DomainException } from '../common/exceptions/domain.exception';
import { isUniqueViolation } from '../database/db-errors';
import { TransactionOutcome, TransactionParticipant, TransactionRunner } from '../database/transaction-runner.service';
import { IdempotencyKey } from './entities/idempotency-key.entity';
import { IdempotentRequest } from './idempotent-request';
import { IdempotencyRepository } from './idempotency.repository';

/** How long a key answers with its first answer (and is then purged). */
export const IDEMPOTENCY_KEEP_MS = 24 * 3_600_000;
/** How long a claim may stay in progress before a retry takes it over (its instance is taken for dead). */
export const IDEMPOTENCY_LEASE_MS = 60_000;
/** How long a second request waits for the first one's answer before 409 IDEMPOTENCY_IN_PROGRESS. */
export const IDEMPOTENCY_WAIT_MS = 2_000;
const POLL_MS = 100;
/** What a 409 IDEMPOTENCY_IN_PROGRESS tells the client to wait (seconds). */
const RETRY_AFTER_SECONDS = 1;
/** Another request holds the key: the same refusal whether it was found waiting or when committing. */
const inProgress = () => new DomainException('IDEMPOTENCY_IN_PROGRESS', undefined, { retryAfterSeconds: RETRY_AFTER_SECONDS });
const PURGE_BATCH = 500;

/** The request may run: its answer goes to `complete`, or `release` when it failed on our side. */
export interface Claim {
  kind: 'claimed';
  userId: number;
  keyHash: string;
  claimedBy: string;
}

/** The first answer, to be sent again. */
export interface Replay {
  kind: 'replay';
  statusCode: number;
  body: unknown;
}

type Attempt = Claim | Replay | { kind: 'busy' } | { kind: 'again' };

/**
 * A claim's part in its request's transactions: the first one to commit marks the key `committed`
 * in the same COMMIT, so whether the work happened is never separate from the key. A claim taken
 * over meanwhile (past its lease) makes that transaction roll back: the work runs once, whichever
 * request runs it.
 */
export class ClaimInWork implements TransactionParticipant {
  /** `open`: nothing committed yet; `marking`: marked in a transaction not settled yet; `unknown`: a COMMIT went unanswered. */
  state: 'open' | 'marking' | 'committed' | 'unknown' = 'open';
  /** Set once the request's answer is known: its own storing is not part of the work. */
  closed = false;

  constructor(
    readonly claim: Claim,
    private readonly repository: IdempotencyRepository,
  ) {}

  async beforeCommit(manager: EntityManager): Promise<void> {
    if (this.closed || this.state !== 'open') return;
    const { userId, keyHash, claimedBy } = this.claim;
    if (!(await this.repository.markCommitted(manager, userId, keyHash, claimedBy))) {
      throw inProgress();
    }
    this.state = 'marking';
  }

  settled(outcome: TransactionOutcome): void {
    if (this.closed || this.state === 'unknown') return;
    if (outcome === 'unknown') this.state = 'unknown';
    else if (this.state === 'marking') this.state = outcome === 'committed' ? 'committed' : 'open';
  }
}

/**
 * Retries that never duplicate (`Idempotency-Key`). The first request with a member's key claims
 * it by inserting its row (the unique index decides between requests and instances); its answer
 * is stored when it is done and sent again, with `Idempotent-Replayed: true`, to every request
 * with the same key and the same method, path and body for 24 hours. The same key with another
 * request is 422 IDEMPOTENCY_KEY_REUSED. A request that finds the key in progress waits up to
 * two seconds for the answer, then answers 409 IDEMPOTENCY_IN_PROGRESS with Retry-After. A claim
 * still in progress a minute after it was taken belongs to an instance that died: if nothing it
 * did had committed, the next request takes it over and runs; if its work had committed
 * (`ClaimInWork`), the answer is lost and the request never runs again (409
 * IDEMPOTENCY_ANSWER_LOST).
 */
@Injectable()
export class Idempotency {
  private readonly logger = new Logger(Idempotency.name);

  constructor(
    private readonly repository: IdempotencyRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** Claims the key for this request, or the first answer to replay; throws 422 or 409. */
  async begin(userId: number, request: IdempotentRequest): Promise<Claim | Replay> {
    const deadline = Date.now() + IDEMPOTENCY_WAIT_MS;
    // Insert first; while the key is busy, only read it again (until it is gone: insert again).
    let insert = true;
    for (;;) {
      const attempt = await this.attempt(userId, request, insert);
      if (attempt.kind === 'claimed' || attempt.kind === 'replay') return attempt;
      insert = attempt.kind === 'again';
      if (attempt.kind === 'busy') {
        if (Date.now() >= deadline) throw inProgress();
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }
  }

  /** Whether this request would be answered from a stored answer (the throttler does not count it against the route's limit). */
  async isReplay(userId: number, request: IdempotentRequest): Promise<boolean> {
    const row = await this.repository.findKey(userId, request.keyHash);
    return !!row && row.state === 'done' && row.requestHash === request.requestHash && !this.expired(row, this.clock.now());
  }

  /** Runs the claimed request's handler (`work`) with the claim in each of its transactions (ClaimInWork). */
  carrying<T>(claim: Claim, work: () => T): { result: T; inWork: ClaimInWork } {
    const inWork = new ClaimInWork(claim, this.repository);
    return { result: this.tx.carrying(inWork, work), inWork };
  }

  /**
   * Stores the answer of a claimed request (after the request's own transactions committed).
   * If this write fails, the answer is still sent; the key stays `committed` (or in progress, if
   * the request wrote nothing), and a retry is never run again: past the lease it answers 409
   * IDEMPOTENCY_ANSWER_LOST.
   */
  async complete(claim: Claim, statusCode: number, body: unknown): Promise<void> {
    const responseBody = body === undefined ? null : JSON.stringify(body);
    try {
      const stored = await this.tx.run((manager) => this.repository.complete(manager, claim.userId, claim.keyHash, claim.claimedBy, statusCode, responseBody));
      if (!stored) this.logger.warn({ msg: 'idempotency claim taken over before its answer was stored' });
    } catch (error) {
      this.logger.warn({ msg: 'idempotency answer not stored: the key stays in progress until its lease passes', cause: (error as { code?: string }).code ?? (error as Error).message });
    }
  }

  /**
   * Gives up a claim whose request failed on our side (5xx): a retry with the key runs again. Not
   * when one of its COMMITs went unanswered (`unknown`): whether its work happened is then up to
   * the database, and the key says so once the lease has passed (`committed`, or taken over).
   */
  async release(inWork: ClaimInWork): Promise<void> {
    const { claim, state } = inWork;
    if (state === 'unknown') {
      this.logger.warn({ msg: 'idempotency claim kept: a COMMIT of its request went unanswered; the key decides once its lease passes' });
      return;
    }
    try {
      await this.tx.run((manager) => this.repository.release(manager, claim.userId, claim.keyHash, claim.claimedBy, state === 'committed'));
    } catch {
      // The database is away: the claim's lease frees the key later.
    }
  }

  /** Deletes keys first used more than 24 hours ago; the number deleted. */
  /** Forgets every key the member used, with the answers stored for them (their erasure), in the caller's transaction. */
  eraseMember(manager: EntityManager, userId: number): Promise<number> {
    return this.repository.deleteKeysOf(manager, userId);
  }

  async purge(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - IDEMPOTENCY_KEEP_MS);
    let deleted = 0;
    for (;;) {
      const count = await this.tx.run(async (manager) => this.repository.deleteKeys(manager, await this.repository.expiredKeys(manager, cutoff, PURGE_BATCH)));
      deleted += count;
      if (count < PURGE_BATCH) return deleted;
    }
  }

  private expired(row: IdempotencyKey, now: Date): boolean {
    return row.createdAt.getTime() + IDEMPOTENCY_KEEP_MS <= now.getTime();
  }

  /** One try: claim the key by its insert (when `insert`), else read it and decide. */
  private async attempt(userId: number, request: IdempotentRequest, insert: boolean): Promise<Attempt> {
    const now = this.clock.now();
    const claim: Claim = { kind: 'claimed', userId, keyHash: request.keyHash, claimedBy: randomUUID() };
    const fields = { requestHash: request.requestHash, claimedBy: claim.claimedBy, createdAt: now, lockedUntil: new Date(now.getTime() + IDEMPOTENCY_LEASE_MS) };
    if (insert) {
      try {
        await this.tx.run((manager) => this.repository.insertClaim(manager, userId, request.keyHash, fields));
        return claim;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    return this.tx.run(async (manager): Promise<Attempt> => {
      const row = await this.repository.findKey(userId, request.keyHash, manager);
      // Purged (or given up) since the insert failed: claim it again.
      if (!row) return { kind: 'again' };
      // Past its 24 hours but not purged yet: a new first use.
      if (this.expired(row, now)) return (await this.repository.takeOver(manager, row.id, row.claimedBy, fields)) ? claim : { kind: 'again' };
      if (row.requestHash !== request.requestHash) throw new DomainException('IDEMPOTENCY_KEY_REUSED');
      if (row.state === 'done') return { kind: 'replay', statusCode: row.statusCode ?? 200, body: row.responseBody === null ? undefined : JSON.parse(row.responseBody) };
      // Its work committed and its answer never came: running it again would do it twice.
      if (row.state === 'committed' && row.lockedUntil.getTime() <= now.getTime()) throw new DomainException('IDEMPOTENCY_ANSWER_LOST');
      if (row.state === 'in_progress' && row.lockedUntil.getTime() <= now.getTime()) {
        this.logger.warn({ msg: 'idempotency claim past its lease taken over' });
        return (await this.repository.takeOver(manager, row.id, row.claimedBy, { ...fields, createdAt: row.createdAt })) ? claim : { kind: 'again' };
      }
      return { kind: 'busy' };
    });
  }
}
