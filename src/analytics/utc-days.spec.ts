import { addDays, bucketStart, bucketStarts, splitByUtcDay } from './utc-days';

describe('utc-days', () => {
  it.each([
    ['2026-03-04', -59, '2026-01-04'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-12-31', 1, '2026-01-01'],
    ['2026-01-01', 0, '2026-01-01'],
  ])('addDays(%p, %p) is %p', (day, n, expected) => {
    expect(addDays(day, n)).toBe(expected);
  });

  it.each([
    ['2026-03-04', 'day', '2026-03-04'],
    ['2026-03-02', 'week', '2026-03-02'], // a Monday is its own week's start
    ['2026-03-08', 'week', '2026-03-02'], // Sunday belongs to the week that started on Monday
    ['2026-01-04', 'week', '2025-12-29'], // across the new year
    ['2026-03-04', 'month', '2026-03-01'],
    ['2026-02-28', 'month', '2026-02-01'],
  ] as const)('bucketStart(%p, %p) is %p', (day, bucket, expected) => {
    expect(bucketStart(day, bucket)).toBe(expected);
  });

  it('refuses a malformed day', () => {
    expect(() => bucketStart('2026-3-4', 'week')).toThrow('not a YYYY-MM-DD day');
  });

  it('lists every day of a window, across a month end', () => {
    expect(bucketStarts('2026-02-26', '2026-03-04', 'day')).toEqual([
      '2026-02-26',
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
    ]);
  });

  it('lists the weeks overlapping a window, the first starting before it', () => {
    expect(bucketStarts('2026-01-04', '2026-01-19', 'week')).toEqual(['2025-12-29', '2026-01-05', '2026-01-12', '2026-01-19']);
    expect(bucketStarts('2026-03-03', '2026-03-04', 'week')).toEqual(['2026-03-02']);
  });

  it('lists the months overlapping a window, across a year end and February', () => {
    expect(bucketStarts('2025-11-15', '2026-03-01', 'month')).toEqual(['2025-11-01', '2025-12-01', '2026-01-01', '2026-02-01', '2026-03-01']);
    expect(bucketStarts('2026-01-31', '2026-01-31', 'month')).toEqual(['2026-01-01']);
  });

  it('has 365 day buckets, 53 weeks and 13 months for a 365-day window', () => {
    expect(bucketStarts(addDays('2026-03-04', -364), '2026-03-04', 'day')).toHaveLength(365);
    expect(bucketStarts(addDays('2026-03-08', -364), '2026-03-08', 'week')).toHaveLength(53); // ends on a Sunday
    expect(bucketStarts(addDays('2026-03-02', -364), '2026-03-02', 'week')).toHaveLength(53); // ends on a Monday
    expect(bucketStarts(addDays('2026-03-04', -364), '2026-03-04', 'month')).toHaveLength(13);
  });

  it('is empty for an inverted range', () => {
    expect(bucketStarts('2026-03-05', '2026-03-04', 'day')).toEqual([]);
  });

  it('splits a segment at UTC midnight', () => {
    expect(splitByUtcDay(new Date('2026-03-02T23:55:20Z'), new Date('2026-03-03T00:20:00Z'))).toEqual([
      { day: '2026-03-02', ms: 280_000 },
      { day: '2026-03-03', ms: 1_200_000 },
    ]);
  });
});
