import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';

describe('nestsDeeperThan', () => {
  it.each([
    ['{}', 1],
    ['[]', 1],
    ['{"a": [1, {"b": 2}]}', 3],
    ['[[], [], [[]]]', 3],
    ['"no brackets at all"', 0],
    ['42', 0],
  ])('finds %p exactly %p deep', (text, depth) => {
    expect(nestsDeeperThan(text, depth)).toBe(false);
    if (depth > 0) expect(nestsDeeperThan(text, depth - 1)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes and escaped backslashes included', () => {
    expect(nestsDeeperThan('{"a": "[[[[{{{{"}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a": "say \\"[[[[\\" now"}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a": "ends in a backslash \\\\", "b": [[1]]}', 2)).toBe(true);
    expect(nestsDeeperThan('{"a": "ends in a backslash \\\\", "b": [[1]]}', 3)).toBe(false);
  });

  it('counts siblings once: wide is not deep', () => {
    expect(nestsDeeperThan(`[${'[1],'.repeat(10_000)}[1]]`, 2)).toBe(false);
  });

  it('answers for a million levels without recursion and without throwing', () => {
    expect(nestsDeeperThan('['.repeat(1_000_000), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan(`${'{"a":'.repeat(1_000_000)}1${'}'.repeat(1_000_000)}`, MAX_JSON_DEPTH)).toBe(true);
  });

  it('leaves malformed text to the parser: unbalanced closers do not throw', () => {
    expect(nestsDeeperThan(']]]]{', 1)).toBe(false);
  });
});
