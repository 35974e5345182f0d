import { assembleReport, averageSeconds, ReportInput, toMinutes } from './analytics.service';

const day = (d: string, values: Partial<ReportInput['days'][number]> = {}): ReportInput['days'][number] => ({
  day: d,
  callsCreated: 0,
  callsEnded: 0,
  endedDurationMs: 0,
  peakParticipants: 0,
  audioMs: 0,
  videoMs: 0,
  ...values,
});

describe('assembleReport', () => {
  it('folds days into weeks: sums, means of ended calls, members per bucket as counted, zero buckets kept', () => {
    const report = assembleReport({
      groupBy: 'week',
      starts: ['2026-02-16', '2026-02-23', '2026-03-02'],
      days: [
        day('2026-02-21', { callsCreated: 2, callsEnded: 1, endedDurationMs: 600_000, peakParticipants: 3, audioMs: 90_000 }),
        day('2026-03-02', { callsCreated: 1, callsEnded: 1, endedDurationMs: 1_000_500, peakParticipants: 2, videoMs: 20_000 }),
        day('2026-03-04', { callsCreated: 1, callsEnded: 1, endedDurationMs: 2_000_000, audioMs: 1 }),
      ],
      bucketMembers: new Map([
        ['2026-02-16', 4],
        ['2026-03-02', 5],
      ]),
      windowMembers: 8,
      livePeak: 0,
    });
    expect(report).toEqual({
      dailyStats: [
        { date: '2026-02-16', total_calls: 2, total_participants: 4, avg_duration: 600, audio_minutes: 1.5, video_minutes: 0 },
        { date: '2026-02-23', total_calls: 0, total_participants: 0, avg_duration: 0, audio_minutes: 0, video_minutes: 0 },
        // (1000.5 + 2000) / 2 = 1500.25 s; 20 s = 0.333 min
        { date: '2026-03-02', total_calls: 2, total_participants: 5, avg_duration: 1500, audio_minutes: 0, video_minutes: 0.33 },
      ],
      summary: {
        totalCalls: 4,
        totalParticipants: 8,
        totalAudioMinutes: 1.5,
        totalVideoMinutes: 0.33,
        averageCallDuration: 1200, // 3600.5 s over 3 calls
        peakParticipants: 3,
      },
    });
  });

  it('takes the peak of calls still going when it is higher, and reads numbers given as strings', () => {
    const report = assembleReport({
      groupBy: 'day',
      starts: ['2026-03-04'],
      days: [day('2026-03-04', { callsCreated: '3' as unknown as number, peakParticipants: '2' as unknown as number, audioMs: '60000' as unknown as number })],
      bucketMembers: new Map([['2026-03-04', '7' as unknown as number]]),
      windowMembers: '7' as unknown as number,
      livePeak: '9' as unknown as number,
    });
    expect(report).toEqual({
      dailyStats: [{ date: '2026-03-04', total_calls: 3, total_participants: 7, avg_duration: 0, audio_minutes: 1, video_minutes: 0 }],
      summary: { totalCalls: 3, totalParticipants: 7, totalAudioMinutes: 1, totalVideoMinutes: 0, averageCallDuration: 0, peakParticipants: 9 },
    });
  });

  it('refuses a day outside its buckets instead of dropping it silently', () => {
    expect(() =>
      assembleReport({ groupBy: 'day', starts: ['2026-03-04'], days: [day('2026-03-03')], bucketMembers: new Map(), windowMembers: 0, livePeak: 0 }),
    ).toThrow('outside');
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
