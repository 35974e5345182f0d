import { DayFold, DayTotals } from './analytics-rollup.service';
import { assembleReport, averageSeconds, toMinutes } from './analytics.service';
import { HyperLogLog } from './hyperloglog';

const totals = (values: Partial<DayTotals> = {}): DayTotals => ({
  callsCreated: 0,
  callsEnded: 0,
  endedDurationMs: 0,
  peakParticipants: 0,
  audioMs: 0,
  videoMs: 0,
  participants: 0,
  ...values,
});
const members = (...ids: number[]): HyperLogLog => ids.reduce((sketch, id) => sketch.add(id), HyperLogLog.empty());

describe('assembleReport', () => {
  it('folds days into weeks: sums, means of ended calls, participants, distinct members per bucket, zero buckets kept', () => {
    const report = assembleReport({
      groupBy: 'week',
      starts: ['2026-02-16', '2026-02-23', '2026-03-02'],
      from: '2026-02-21',
      to: '2026-03-06',
      days: new Map([
        ['2026-02-21', totals({ callsCreated: 2, callsEnded: 1, endedDurationMs: 600_000, peakParticipants: 3, audioMs: 90_000, participants: 4 })],
        ['2026-03-02', totals({ callsCreated: 1, callsEnded: 1, endedDurationMs: 1_000_500, peakParticipants: 2, videoMs: 20_000, participants: 3 })],
        ['2026-03-04', totals({ callsCreated: 1, callsEnded: 1, endedDurationMs: 2_000_000, audioMs: 1, participants: 2 })],
      ]),
      sketches: new Map([
        ['2026-02-21', members(1, 2, 3)],
        ['2026-03-02', members(1, 4)],
        ['2026-03-04', members(4, 5)],
      ]),
    });
    expect(report).toEqual({
      dailyStats: [
        { date: '2026-02-16', total_calls: 2, total_participants: 4, avg_duration: 600, audio_minutes: 1.5, video_minutes: 0, unique_members: 3, peak_participants: 3 },
        { date: '2026-02-23', total_calls: 0, total_participants: 0, avg_duration: 0, audio_minutes: 0, video_minutes: 0, unique_members: 0, peak_participants: 0 },
        // (1000.5 + 2000) / 2 = 1500.25 s; 20 s = 0.333 min
        { date: '2026-03-02', total_calls: 2, total_participants: 5, avg_duration: 1500, audio_minutes: 0, video_minutes: 0.33, unique_members: 3, peak_participants: 2 },
      ],
      summary: {
        totalCalls: 4,
        totalParticipants: 9,
        totalAudioMinutes: 1.5,
        totalVideoMinutes: 0.33,
        averageCallDuration: 1200, // 3600.5 s over 3 calls
        peakParticipants: 3,
        uniqueMembers: 5,
      },
    });
  });

  it('leaves out days outside the window, in the first bucket too', () => {
    const report = assembleReport({
      groupBy: 'week',
      starts: ['2026-03-02'],
      from: '2026-03-04',
      to: '2026-03-04',
      days: new Map([
        ['2026-03-03', totals({ callsCreated: 5 })],
        ['2026-03-04', totals({ callsCreated: 1 })],
      ]),
      sketches: new Map([['2026-03-03', members(9)]]),
    });
    expect(report.dailyStats[0]).toMatchObject({ total_calls: 1, unique_members: 0 });
  });
});

describe('DayFold: what raw rows mean', () => {
  const at = (iso: string): Date => new Date(iso);

  it('counts a call on its creation day, its end (length, peak) there too, only once created', () => {
    const fold = new DayFold().addCalls([
      { id: 1, createdAt: at('2026-03-02T23:00:00Z'), endedAt: at('2026-03-03T01:00:00Z'), peakParticipants: 4, state: null },
      // Creation folded before; only the end is new.
      { id: 2, createdAt: at('2026-03-02T10:00:00Z'), endedAt: at('2026-03-02T10:30:00Z'), peakParticipants: 7, state: 1 },
      { id: 3, createdAt: at('2026-03-03T10:00:00Z'), endedAt: null, peakParticipants: 2, state: null },
    ]);
    expect(fold.days.get('2026-03-02')).toEqual(totals({ callsCreated: 1, callsEnded: 2, endedDurationMs: 9_000_000, peakParticipants: 7 }));
    expect(fold.days.get('2026-03-03')).toEqual(totals({ callsCreated: 1 }));
  });

  it('counts a participant on the day of their first session in a call, and every session in the day’s sketch', () => {
    const fold = new DayFold().addSessions([
      { id: 1, userId: 10, joinedAt: at('2026-03-02T09:00:00Z'), first: true },
      { id: 2, userId: 10, joinedAt: at('2026-03-03T09:00:00Z'), first: false },
      { id: 3, userId: 11, joinedAt: at('2026-03-03T09:00:00Z'), first: true },
    ]);
    expect(fold.days.get('2026-03-02')?.participants).toBe(1);
    expect(fold.days.get('2026-03-03')?.participants).toBe(1);
    expect(fold.sketches.get('2026-03-03')?.count()).toBe(2);
  });

  it('splits media time at UTC midnight', () => {
    const fold = new DayFold().addSegments([{ id: 1, media: 'audio', startedAt: at('2026-03-02T23:50:00Z'), endedAt: at('2026-03-03T00:20:00Z') }]);
    expect(fold.days.get('2026-03-02')?.audioMs).toBe(600_000);
    expect(fold.days.get('2026-03-03')?.audioMs).toBe(1_200_000);
  });
});

describe('rounding', () => {
  it.each([
    [0, 0],
    [280_000, 4.67],
    [9_288_000, 154.8],
    [2_999, 0.05],
    [2_699, 0.04],
  ])('toMinutes(%p ms) is %p', (ms, minutes) => {
    expect(toMinutes(ms)).toBe(minutes);
  });

  it.each([
    [0, 0, 0],
    [11_418_000, 5, 2284], // 2283.6 s
    [4_510_000, 2, 2255],
  ])('averageSeconds(%p ms, %p calls) is %p', (ms, calls, seconds) => {
    expect(averageSeconds(ms, calls)).toBe(seconds);
  });
});
