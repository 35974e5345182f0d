import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { iso } from '../common/iso';
import { scheduleConfig } from '../config/schedule.config';
import { TransactionRunner } from '../database/transaction-runner.service';
import { EventsOutbox } from '../outbox/events-outbox.service';
import { CallScheduleRepository, Due, Reminder } from './call-schedule.repository';
import { CallsRepository } from './calls.repository';
import { CallsService } from './calls.service';
import { ENDING_SOON_MS } from './schedule';

/** How many calls one run ends, and reminds of each kind, at most (the next run takes the rest). */
const BATCH = 100;

/** What one run of the schedule job did. */
export interface ScheduleReport {
  /** Calls ended at their `ends_at` (`ended_by` schedule). */
  ended: number;
  /** `call.starting_soon` reminders sent. */
  startingSoon: number;
  /** `call.ending_soon` reminders sent. */
  endingSoon: number;
}

/**
 * What scheduled calls do by themselves (issue 24), as the `call-schedule` job (CallScheduleJob,
 * one instance at a time under the job lease; tests call `run()`):
 * - at `ends_at` the call ends, `ended_by` schedule, through the one end of every call
 *   (`CallsService.endWithin`, then `afterEnd`: the channel kicked with Agora credentials, the
 *   recording stopped), dated `ends_at` (or the latest leave after it: nothing outlasts the end);
 * - `call.starting_soon` `CALL_REMINDER_MINUTES` before `starts_at` and `call.ending_soon` 5
 *   minutes before `ends_at`, each claimed by a conditional UPDATE that records the instant it was
 *   sent for, in the transaction that writes the event: once across instances and restarts, and
 *   again only for a moved instant. A reminder whose instant passed before the job came is not sent.
 */
@Injectable()
export class CallSchedule {
  private readonly logger = new Logger(CallSchedule.name);

  constructor(
    private readonly repository: CallScheduleRepository,
    private readonly calls: CallsRepository,
    private readonly callsService: CallsService,
    private readonly outbox: EventsOutbox,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(scheduleConfig.KEY) private readonly config: ConfigType<typeof scheduleConfig>,
  ) {}

  async run(): Promise<ScheduleReport> {
    const now = this.clock.now();
    const report: ScheduleReport = { ended: 0, startingSoon: 0, endingSoon: 0 };
    for (const call of await this.repository.dueToEnd(now, BATCH)) if (await this.end(call.id, now)) report.ended += 1;
    report.startingSoon = await this.remind('starting', now, new Date(now.getTime() + this.config.reminderMinutes * 60_000));
    report.endingSoon = await this.remind('ending', now, new Date(now.getTime() + ENDING_SOON_MS));
    if (report.ended || report.startingSoon || report.endingSoon) this.logger.log({ msg: 'call schedule', ...report });
    return report;
  }

  /**
   * Ends one call whose `ends_at` has come, under its lock: read again there, so an edit that
   * moved `ends_at` or an end by someone else meanwhile is seen (then nothing happens).
   */
  private async end(callId: number, now: Date): Promise<boolean> {
    const channel = await this.tx.run(async (manager) => {
      const call = await this.calls.lockedCall(manager, callId);
      if (!call || call.status === 'ended' || !call.endsAt || call.endsAt.getTime() > now.getTime()) return null;
      const latest = await this.repository.latestStay(manager, callId);
      const endedAt = latest && latest > call.endsAt ? latest : call.endsAt;
      return this.callsService.endWithin(manager, callId, 'schedule', endedAt);
    });
    if (channel === null) return false;
    // After the commit, as for every end: the channel-wide kick (best effort) and the recording's stop.
    if ((await this.callsService.afterEnd(callId, channel)) === 'failed') this.logger.warn({ msg: 'scheduled end: the channel kick failed; its tokens ended at ends_at anyway', callId });
    return true;
  }

  /** Sends the reminders due now of one kind; how many went out. */
  private async remind(reminder: Reminder, now: Date, until: Date): Promise<number> {
    let sent = 0;
    for (const call of await this.repository.dueForReminder(reminder, now, until, BATCH)) {
      const claimed = await this.tx.run(async (manager) => {
        const at = reminder === 'starting' ? call.startsAt! : call.endsAt!;
        if (!(await this.repository.claimReminder(manager, reminder, call.id, at))) return false;
        await this.outbox.record(manager, { type: reminder === 'starting' ? 'call.starting_soon' : 'call.ending_soon', callId: call.id, occurredAt: now, data: reminderData(call) });
        return true;
      });
      if (claimed) sent += 1;
    }
    return sent;
  }
}

/** A reminder's `data`: the call's title and schedule. */
function reminderData(call: Due): Record<string, unknown> {
  return { title: call.title, starts_at: iso(call.startsAt), ends_at: iso(call.endsAt) };
}
