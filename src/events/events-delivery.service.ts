import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { eventsConfig } from '../config/events.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { eventDeliveries, eventsFailed } from '../common/metrics/counters';
import type { CallEvent } from '../outbox/entities/call-event.entity';
import { EventBodies } from './event-bodies.service';
import { EventsRepository } from './events.repository';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature';

export const DELIVERY_JOB = 'events-delivery';
/** A POST not answered 2xx within this long counts as failed. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Retries go on this long after the first attempt, then the event is `failed`. */
export const RETRY_WINDOW_MS = 24 * 3_600_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 3_600_000;
/** Events sent at once (one per call: a call's events go one after the other). */
const BATCH = 50;

/**
 * The delay before retry number `attempts` (1 after the first failure): exponential backoff with
 * full jitter, a random wait between 0 and min(1 h, 1 s * 2^(attempts-1)).
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts - 1, 30)));
}

/** What one run did. */
export interface DeliveryReport {
  delivered: number;
  retried: number;
  failed: number;
}

/**
 * Sends the outbox to `EVENTS_WEBHOOK_URL`, signed (`Ikoota-Signature`), at least once and in
 * order per call: the `events-delivery` job, under the job lease (one instance at a time). All
 * state is in the outbox rows, so a restart (or another instance, once the lease of one that
 * died expires) resumes where it stopped; an event whose POST was cut off is sent again, and
 * receivers deduplicate on its id. No transaction is open during a POST: the batch is read, sent,
 * and each outcome written in a short transaction of its own.
 */
@Injectable()
export class EventsDelivery {
  private readonly logger = new Logger(EventsDelivery.name);

  constructor(
    private readonly repository: EventsRepository,
    private readonly bodies: EventBodies,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(eventsConfig.KEY) private readonly config: ConfigType<typeof eventsConfig>,
  ) {}

  get enabled(): boolean {
    return Boolean(this.config.webhookUrl && this.config.webhookSecret);
  }

  /** Sends what is due, batch after batch, each event at most once per run; stops well inside the lease. */
  async deliver(): Promise<DeliveryReport> {
    const report: DeliveryReport = { delivered: 0, retried: 0, failed: 0 };
    if (!this.enabled) return report;
    const started = Date.now();
    const budgetMs = this.config.deliveryLeaseMs / 2 - DELIVERY_TIMEOUT_MS;
    const tried: number[] = [];
    for (;;) {
      const heads = await this.repository.dueHeads(this.clock.now(), BATCH, tried);
      if (heads.length === 0) return report;
      const bodies = await this.bodies.compose(heads);
      await Promise.all(
        heads.map(async (event) => {
          tried.push(event.id);
          const outcome = await this.post(JSON.stringify(bodies.get(event.id)));
          await this.settle(event, outcome, report);
        }),
      );
      if (Date.now() - started > budgetMs) return report;
    }
  }

  /** One signed POST; null when answered 2xx, else what went wrong (no body is read or kept). */
  private async post(rawBody: string): Promise<string | null> {
    try {
      const response = await fetch(this.config.webhookUrl!, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'ikoota-calling-events/1',
          [SIGNATURE_HEADER]: signatureHeader(rawBody, this.config.webhookSecret!, Math.floor(Date.now() / 1000)),
        },
        body: rawBody,
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.body?.cancel().catch(() => undefined);
      return response.status >= 200 && response.status < 300 ? null : `status ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return (error as Error).name === 'TimeoutError' ? 'timeout' : (cause ?? (error as Error).name ?? 'error').slice(0, 60);
    }
  }

  private async settle(event: CallEvent, error: string | null, report: DeliveryReport): Promise<void> {
    const now = this.clock.now();
    const firstAttemptAt = event.firstAttemptAt ?? now;
    if (error === null) {
      await this.tx.run((manager) => this.repository.markDelivered(manager, event.id, now, firstAttemptAt));
      report.delivered += 1;
      eventDeliveries.inc({ result: 'delivered' });
      return;
    }
    const deadline = firstAttemptAt.getTime() + RETRY_WINDOW_MS;
    const next = now.getTime() >= deadline ? null : new Date(Math.min(deadline, now.getTime() + retryDelayMs(event.attempts + 1)));
    await this.tx.run((manager) => this.repository.markAttemptFailed(manager, event.id, firstAttemptAt, next, error));
    if (next) {
      report.retried += 1;
      eventDeliveries.inc({ result: 'retry' });
    } else {
      report.failed += 1;
      eventDeliveries.inc({ result: 'failed' });
      eventsFailed.inc();
      this.logger.warn({ msg: 'event webhook delivery failed for good', eventId: event.id, type: event.type, attempts: event.attempts + 1, error });
    }
  }
}
