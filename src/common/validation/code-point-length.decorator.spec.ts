import { Length, MaxLength, validateSync } from 'class-validator';
import { CodePointLength, codePointCount, MaxCodePoints } from './code-point-length.decorator';

class Ours {
  @CodePointLength(1, 5)
  ranged: unknown;

  @MaxCodePoints(5)
  capped: unknown;
}

class Theirs {
  @Length(1, 5)
  ranged: unknown;

  @MaxLength(5)
  capped: unknown;
}

function messages<T extends object>(type: new () => T, values: Partial<T>): string[] {
  return validateSync(Object.assign(new type(), values)).flatMap((error) => Object.values(error.constraints ?? {}));
}

describe('codePointCount', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['\u{1F600}', 1],
    ['a\uFE0F', 2],
    ['\u{1F44D}\u{1F3FD}', 2],
    ['\uD83D', 1],
    ['\uDE00x', 2],
    ['\uD83Dx', 2],
    ['e\u0301', 2],
  ])('counts %p as %p, like [...s].length', (value, count) => {
    expect(codePointCount(value)).toBe(count);
    expect(codePointCount(value)).toBe([...value].length);
  });
});

describe('CodePointLength and MaxCodePoints', () => {
  it.each([
    ['no value', {}],
    ['a fitting value', { ranged: 'abc', capped: 'abcde' }],
    ['empty strings', { ranged: '', capped: '' }],
    ['too long', { ranged: 'abcdef', capped: 'abcdef' }],
    ['not strings', { ranged: 42, capped: ['a'] }],
  ])('answer %s with the same messages as Length and MaxLength for plain ASCII', (_what, values) => {
    expect(messages(Ours, values)).toEqual(messages(Theirs, values));
  });

  it('counts variation selectors, which Length and MaxLength skip', () => {
    const value = 'a\uFE0Fa\uFE0Fa\uFE0F';
    expect(messages(Theirs, { ranged: value, capped: value })).toEqual([]);
    expect(messages(Ours, { ranged: value, capped: value })).toEqual([
      'ranged must be shorter than or equal to 5 characters',
      'capped must be shorter than or equal to 5 characters',
    ]);
  });

  it('counts an astral character (a surrogate pair) once', () => {
    expect(messages(Ours, { ranged: '\u{1F600}'.repeat(5), capped: '\u{1F600}'.repeat(5) })).toEqual([]);
    expect(messages(Ours, { ranged: '\u{1F600}'.repeat(6), capped: '\u{1F600}'.repeat(6) })).toHaveLength(2);
  });
});
