import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { RawDate, toDate } from '../database/raw-values';
import { CallSession } from './entities/call-session.entity';
import { Call } from './entities/call.entity';
import { LIVE } from './call-fields';
import { CallsRepository } from './calls.repository';

/** A call the schedule job acts on, with the instant it acts for. */
export type Due = Pick<Call, 'id' | 'title' | 'startsAt' | 'endsAt'>;

/** Which reminder: the instant it is for, and the column that records it was sent. */
const REMINDERS = {
  starting: { instant: 'starts_at', sent: 'starting_soon_sent_for', sentProperty: 'startingSoonSentFor' },
  ending: { instant: 'ends_at', sent: 'ending_soon_sent_for', sentProperty: 'endingSoonSentFor' },
} as const;

export type Reminder = keyof typeof REMINDERS;

/**
 * The SQL of scheduled calls (issue 24): the calls the schedule job must end or remind now, each
 * found through (status, starts_at) or (status, ends_at), and the conditional UPDATE that claims a
 * reminder, so it is sent once across instances and restarts.
 */
@Injectable()
export class CallScheduleRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calls: CallsRepository,
  ) {}

  /** Calls not ended whose `ends_at` has come, earliest first. */
  dueToEnd(now: Date, limit: number): Promise<Due[]> {
    return this.dataSource
      .getRepository(Call)
      .createQueryBuilder('c')
      .select(['c.id', 'c.title', 'c.startsAt', 'c.endsAt'])
      .where(`c.status ${LIVE} AND c.ends_at <= :now`, { now })
      .orderBy('c.ends_at', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * Calls not ended whose `starts_at` (`starting`) or `ends_at` (`ending`) is after `now` and no
   * later than `until`, and whose reminder was not sent for that instant; earliest first.
   */
  dueForReminder(reminder: Reminder, now: Date, until: Date, limit: number): Promise<Due[]> {
    const { instant, sent } = REMINDERS[reminder];
    return this.dataSource
      .getRepository(Call)
      .createQueryBuilder('c')
      .select(['c.id', 'c.title', 'c.startsAt', 'c.endsAt'])
      .where(`c.status ${LIVE} AND c.${instant} > :now AND c.${instant} <= :until`, { now, until })
      .andWhere(`(c.${sent} IS NULL OR c.${sent} <> c.${instant})`)
      .orderBy(`c.${instant}`, 'ASC')
      .addOrderBy('c.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * Claims a reminder for `at` (the call's `starts_at` or `ends_at` as the job read it): one
   * conditional UPDATE, true for exactly one caller while the call still has that instant, is not
   * ended and was not reminded for it. It takes the call's row lock (noted for the transaction),
   * so the event written after it is under that lock.
   */
  async claimReminder(manager: EntityManager, reminder: Reminder, callId: number, at: Date): Promise<boolean> {
    const { instant, sent, sentProperty } = REMINDERS[reminder];
    const result = await manager
      .createQueryBuilder()
      .update(Call)
      .set({ [sentProperty]: at })
      .where(`id = :callId AND status ${LIVE} AND ${instant} = :at AND (${sent} IS NULL OR ${sent} <> :at)`, { callId, at })
      .execute();
    if (result.affected !== 1) return false;
    this.calls.noteLocked(manager, callId);
    return true;
  }

  /**
   * The latest moment anything in the call happened at: its latest session join or leave (null
   * when nobody ever joined). A call ended by its schedule ends at its `ends_at`, or at this when
   * later (a member who left after `ends_at`, before the job came), so nothing outlasts its end.
   */
  async latestStay(manager: EntityManager, callId: number): Promise<Date | null> {
    const rows: Array<{ joined: RawDate; left: RawDate }> = await manager
      .getRepository(CallSession)
      .createQueryBuilder('s')
      .select('MAX(s.joined_at)', 'joined')
      .addSelect('MAX(s.left_at)', 'left')
      .where('s.call_id = :callId', { callId })
      .getRawMany();
    const times = [toDate(rows[0]?.joined ?? null), toDate(rows[0]?.left ?? null)].filter((time): time is Date => time !== null);
    return times.length === 0 ? null : new Date(Math.max(...times.map((time) => time.getTime())));
  }
}
