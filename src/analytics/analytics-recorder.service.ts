import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { CallMedia } from '../calls/entities/call-session.entity';
import { AnalyticsDayMember } from './entities/analytics-day-member.entity';
import { AnalyticsDay } from './entities/analytics-day.entity';
import { splitByUtcDay, utcDay } from './utc-days';

type DayCounter = 'callsCreated' | 'callsEnded' | 'endedDurationMs' | 'audioMs' | 'videoMs';

const COLUMN: Record<DayCounter, string> = {
  callsCreated: 'calls_created',
  callsEnded: 'calls_ended',
  endedDurationMs: 'ended_duration_ms',
  audioMs: 'audio_ms',
  videoMs: 'video_ms',
};

/**
 * Keeps the per-day aggregates current, inside the transaction of the change they describe,
 * so the totals and the raw records can never disagree. Each update is "make sure the day's
 * row exists, then add to it": two portable statements, no dialect-specific upsert.
 */
@Injectable()
export class AnalyticsRecorder {
  async callCreated(manager: EntityManager, createdAt: Date): Promise<void> {
    await this.add(manager, utcDay(createdAt), { callsCreated: 1 });
  }

  async callEnded(manager: EntityManager, call: { createdAt: Date; endedAt: Date; peakParticipants: number }): Promise<void> {
    const day = utcDay(call.createdAt);
    await this.add(manager, day, { callsEnded: 1, endedDurationMs: Math.max(0, call.endedAt.getTime() - call.createdAt.getTime()) });
    await manager
      .createQueryBuilder()
      .update(AnalyticsDay)
      .set({ peakParticipants: () => 'CASE WHEN peak_participants < :peak THEN :peak ELSE peak_participants END' })
      .where('day = :day', { day, peak: call.peakParticipants })
      .execute();
  }

  async memberJoined(manager: EntityManager, userId: number, joinedAt: Date): Promise<void> {
    await manager.createQueryBuilder().insert().into(AnalyticsDayMember).values({ day: utcDay(joinedAt), userId }).orIgnore().execute();
  }

  /** A media segment closed: its time is added to the days it covered. */
  async mediaUsed(manager: EntityManager, media: CallMedia, from: Date, to: Date): Promise<void> {
    for (const part of splitByUtcDay(from, to)) {
      await this.add(manager, part.day, media === 'audio' ? { audioMs: part.ms } : { videoMs: part.ms });
    }
  }

  private async add(manager: EntityManager, day: string, amounts: Partial<Record<DayCounter, number>>): Promise<void> {
    await manager.createQueryBuilder().insert().into(AnalyticsDay).values({ day }).orIgnore().execute();
    const update = manager.createQueryBuilder().update(AnalyticsDay).where('day = :day', { day });
    const set: Record<string, () => string> = {};
    for (const [key, amount] of Object.entries(amounts) as Array<[DayCounter, number]>) {
      set[key] = () => `${COLUMN[key]} + :${key}`;
      update.setParameter(key, Math.round(amount));
    }
    await update.set(set).execute();
  }
}
