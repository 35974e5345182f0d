import { HLL_BYTES, HyperLogLog } from './hyperloglog';

const sketchOf = (ids: Iterable<number>): HyperLogLog => {
  const sketch = HyperLogLog.empty();
  for (const id of ids) sketch.add(id);
  return sketch;
};
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
const within = (estimate: number, exact: number, fraction: number): void => {
  expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(Math.ceil(exact * fraction));
};

describe('HyperLogLog', () => {
  it('counts nothing as 0 and small sets exactly', () => {
    expect(HyperLogLog.empty().count()).toBe(0);
    expect(sketchOf([42]).count()).toBe(1);
    expect(sketchOf(range(1, 50)).count()).toBe(50);
  });

  it('counts a member added twice once', () => {
    expect(sketchOf([...range(1, 300), ...range(1, 300)]).count()).toBe(sketchOf(range(1, 300)).count());
  });

  it.each([1, 2_000_001, 7_000_000, 123_456_789])('is within 2%% of the exact count at 10,000 members (ids from %d)', (first) => {
    within(sketchOf(range(first, 10_000)).count(), 10_000, 0.02);
  });

  it('merges: the union of overlapping days, each member once', () => {
    const monday = sketchOf(range(1, 6_000));
    const tuesday = sketchOf(range(4_001, 6_000));
    within(monday.merge(tuesday).count(), 10_000, 0.02);
  });

  it('round-trips through its fixed-size bytes, and holds no member id', () => {
    const sketch = sketchOf(range(900_000, 5_000));
    const bytes = sketch.toBuffer();
    expect(bytes).toHaveLength(HLL_BYTES);
    expect(HyperLogLog.from(bytes).count()).toBe(sketch.count());
    expect(HyperLogLog.from(Buffer.alloc(3)).count()).toBe(0);
  });
});
